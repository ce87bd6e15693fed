"""The dossier list as a file for the national agenda and for the council (CSV for Dutch
Excel, and .xlsx; the rules every export follows are in app.export). Never a reporter's
name: the linked reports appear by reference only."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from app.anonymity import name_for
from app.dossiers.overview import Row
from app.export import Column

TITLE = _l("Escalatiedossiers")
COLUMNS = [
    Column(_l("Nummer"), 11),
    Column(_l("Wet"), 36),
    Column(_l("BWB-id"), 14),
    Column(_l("Artikel"), 18),
    # Built from a checked BWB-id: https://wetten.overheid.nl/BWBR.../
    Column(_l("Link"), 38, link=True),
    Column(_l("Geadresseerde"), 36),
    Column(_l("Kanaal"), 22),
    Column(_l("Status"), 24),
    Column(_l("Verzonden op"), 13),
    Column(_l("Antwoord verwacht"), 13),
    Column(_l("Opvolgen op"), 13),
    Column(_l("Eigenaar"), 24),
    Column(_l("Gekoppelde meldingen"), 28),
    Column(_l("Samenvatting antwoord"), 60),
]


def dossier_cells(row: Row) -> list[str | date | None]:
    dossier = row.dossier
    return [
        dossier.reference,
        dossier.law_title,
        dossier.bwb_id,
        dossier.article,
        dossier.law_url,
        dossier.addressee.name if dossier.addressee else None,
        dossier.channel,
        dossier.status_enum.label,
        dossier.sent_on,
        dossier.answer_due,
        dossier.follow_up_on,
        # Named as for any reader of the file (it travels further than its downloader).
        name_for(None, dossier.owner) if dossier.owner else None,
        # References only: who reported stays out of every export.
        ", ".join(report.reference for report in dossier.reports),
        dossier.answer_summary,
    ]
