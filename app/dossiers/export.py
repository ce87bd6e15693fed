"""The dossier list as a file for the national agenda and for the council (CSV for Dutch
Excel, and .xlsx; the rules every export follows are in app.export). Never a reporter's
name: the linked reports appear by reference only."""

from __future__ import annotations

from datetime import date

from app.anonymity import name_for
from app.dossiers.overview import Row
from app.export import Column
from app.models.dossier import DOSSIER_STATUS_LABELS

TITLE = "Escalatiedossiers"
COLUMNS = [
    Column("Nummer", 11),
    Column("Wet", 36),
    Column("BWB-id", 14),
    Column("Artikel", 18),
    # Built from a checked BWB-id: https://wetten.overheid.nl/BWBR.../
    Column("Link", 38, link=True),
    Column("Geadresseerde", 36),
    Column("Kanaal", 22),
    Column("Status", 24),
    Column("Verzonden op", 13),
    Column("Antwoord verwacht", 13),
    Column("Opvolgen op", 13),
    Column("Eigenaar", 24),
    Column("Gekoppelde meldingen", 28),
    Column("Samenvatting antwoord", 60),
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
        DOSSIER_STATUS_LABELS[dossier.status_enum],
        dossier.sent_on,
        dossier.answer_due,
        dossier.follow_up_on,
        # Named as for any reader of the file (it travels further than its downloader).
        name_for(None, dossier.owner) if dossier.owner else None,
        # References only: who reported stays out of every export.
        ", ".join(report.reference for report in dossier.reports),
        dossier.answer_summary,
    ]
