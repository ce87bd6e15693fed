"""Every text the shared register shows or answers (pages take theirs from templates): one
place, marked for the catalogs (N_) and translated where it is said (gettext, with its
%(name)s placeholders filled in there)."""

from __future__ import annotations

from app.i18n import N_

# An installation: publishing, withdrawing, joining the letter.
NOT_A_MEMBER = N_("Deze installatie is geen lid van het gedeelde register (REGISTER_URL is niet ingesteld).")
NEEDS_BWB_ID = N_(
    "Vul eerst het BWB-id van de wet in (bij Gegevens): het register deelt dossiers per wet en artikel, "
    "en herkent een wet aan dat nummer."
)
SUMMARY_REQUIRED = N_("Schrijf een samenvatting voor het register: wat is het probleem met dit artikel?")
SUMMARY_TOO_LONG = N_("Gebruik maximaal %(max)d tekens.")
SUMMARY_HAS_EMAIL = N_("Zet geen e-mailadres in de samenvatting: alles wat naar het register gaat, is openbaar.")
NOT_PUBLISHED = N_("Dit dossier staat niet in het register.")
ALREADY_JOINED = N_("U hebt zich al aangesloten bij de gezamenlijke brief over dit artikel.")
PUBLISHED = N_("%(reference)s gaat naar het register. Het staat erin zodra het register het heeft ontvangen.")
WITHDRAWN = N_("%(reference)s wordt uit het register gehaald.")
JOINED = N_("U sluit zich aan bij de gezamenlijke brief over dit artikel.")

# The register's beheer of members.
MEMBER_NAME_REQUIRED = N_("Vul de naam van de gemeente in.")
MEMBER_NAME_TAKEN = N_("Er is al een lid met deze naam.")
MEMBER_KEY_INVALID = N_(
    "Dit is geen geldige publieke sleutel. Plak de regel die `flask register-keygen` gaf (44 tekens, eindigt op =)."
)
MEMBER_ADDED = N_("%(name)s is lid van het register (lidnummer %(id)s).")
MEMBER_ACTIVE = N_("%(name)s is weer actief.")
MEMBER_INACTIVE = N_("%(name)s is niet meer actief: verzoeken met zijn sleutel worden geweigerd.")

# The register's API (problem titles and details).
REFUSED_TITLE = N_("Verzoek geweigerd")
INVALID_TITLE = N_("Ongeldig bericht")
