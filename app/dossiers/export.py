"""The dossier list as a file for the national agenda and for the council: CSV for Dutch
Excel, and an .xlsx spreadsheet. Never a reporter's name; never a cell that a spreadsheet
program could run as a formula."""

from __future__ import annotations

import csv
import io
from datetime import date

import xlsxwriter

from app.anonymity import name_for
from app.dossiers.overview import Row
from app.models.dossier import DOSSIER_STATUS_LABELS

# (header, column width in the spreadsheet)
COLUMNS = [
    ("Nummer", 11),
    ("Wet", 36),
    ("BWB-id", 14),
    ("Artikel", 18),
    ("Link", 38),
    ("Geadresseerde", 36),
    ("Kanaal", 22),
    ("Status", 24),
    ("Verzonden op", 13),
    ("Antwoord verwacht", 13),
    ("Opvolgen op", 13),
    ("Eigenaar", 24),
    ("Gekoppelde meldingen", 28),
    ("Samenvatting antwoord", 60),
]
LINK_COLUMN = 4

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice
# and Google Sheets (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def neutralise(text: str) -> str:
    """A leading apostrophe makes a spreadsheet show the text instead of running it."""
    return "'" + text if is_formula_like(text) else text


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()  # 2026-12-31: read as a date by Excel in every locale
    return neutralise(str(value))


def to_csv(rows: list[Row]) -> bytes:
    """UTF-8 with a byte order mark and ';' between the fields: what Dutch Excel opens
    correctly with a double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([header for header, _ in COLUMNS])
    for row in rows:
        writer.writerow([_csv_text(value) for value in dossier_cells(row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[Row], *, title: str = "Escalatiedossiers") -> bytes:
    """Every text cell is written as a string (never a formula), dates as real dates."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties({"title": title})
    sheet = workbook.add_worksheet(title[:31])
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    text = workbook.add_format({"text_wrap": True, "valign": "top"})
    # quote_prefix keeps a formula-like text a text, also after someone edits the cell.
    text_quoted = workbook.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
    day = workbook.add_format({"num_format": "dd-mm-yyyy", "valign": "top", "align": "left"})
    link = workbook.add_format({"font_color": "#00568B", "underline": 1, "valign": "top"})

    for column, (name, width) in enumerate(COLUMNS):
        sheet.write_string(0, column, name, header)
        sheet.set_column(column, column, width)
    for line, row in enumerate(rows, start=1):
        for column, value in enumerate(dossier_cells(row)):
            if value is None or value == "":
                sheet.write_blank(line, column, None, text)
            elif isinstance(value, date):
                sheet.write_datetime(line, column, value, day)
            elif column == LINK_COLUMN:
                # Built from a checked BWB-id: https://wetten.overheid.nl/BWBR.../
                sheet.write_url(line, column, value, link, string=value)
            else:
                sheet.write_string(line, column, value, text_quoted if is_formula_like(value) else text)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(COLUMNS) - 1)
    workbook.close()
    return buffer.getvalue()
