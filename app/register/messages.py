"""Every text the shared register shows or answers (pages take theirs from templates):
one place, so that they can be put through gettext later."""

from __future__ import annotations

# An installation: publishing, withdrawing, joining the letter.
NOT_A_MEMBER = "Deze installatie is geen lid van het gedeelde register (REGISTER_URL is niet ingesteld)."
NEEDS_BWB_ID = (
    "Vul eerst het BWB-id van de wet in (bij Gegevens): het register deelt dossiers per wet en artikel, "
    "en herkent een wet aan dat nummer."
)
SUMMARY_REQUIRED = "Schrijf een samenvatting voor het register: wat is het probleem met dit artikel?"
SUMMARY_TOO_LONG = "Gebruik maximaal {maximum} tekens."
SUMMARY_HAS_EMAIL = "Zet geen e-mailadres in de samenvatting: alles wat naar het register gaat, is openbaar."
NOT_PUBLISHED = "Dit dossier staat niet in het register."
ALREADY_JOINED = "U hebt zich al aangesloten bij de gezamenlijke brief over dit artikel."
PUBLISHED = "{reference} gaat naar het register. Het staat erin zodra het register het heeft ontvangen."
WITHDRAWN = "{reference} wordt uit het register gehaald."
JOINED = "U sluit zich aan bij de gezamenlijke brief over dit artikel."

# The register's beheer of members.
MEMBER_NAME_REQUIRED = "Vul de naam van de gemeente in."
MEMBER_NAME_TAKEN = "Er is al een lid met deze naam."
MEMBER_KEY_INVALID = (
    "Dit is geen geldige publieke sleutel. Plak de regel die `flask register-keygen` gaf (44 tekens, eindigt op =)."
)
MEMBER_ADDED = "{name} is lid van het register (lidnummer {id})."
MEMBER_ACTIVE = "{name} is weer actief."
MEMBER_INACTIVE = "{name} is niet meer actief: verzoeken met zijn sleutel worden geweigerd."

# The register's API (problem titles and details).
REFUSED_TITLE = "Verzoek geweigerd"
INVALID_TITLE = "Ongeldig bericht"
