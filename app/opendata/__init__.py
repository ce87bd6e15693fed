"""Open data: ended reports and escalation dossiers without personal data (data.py defines them)."""
