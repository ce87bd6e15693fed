"""Lists as files to download (the escalation dossiers, Alle meldingen): CSV for Dutch
Excel and an .xlsx spreadsheet, with the rules every export follows.

* No cell a spreadsheet program could run as a formula (OWASP, "CSV Injection").
* A bounded number of rows: a longer list is refused with a message, never cut short.
* Always a download (attachment, the right content type), and a line in the audit trail
  saying who downloaded which list and how many rows.
* What goes into the cells is each list's business; the files travel further than their
  downloader, so whoever builds the rows names people as for any reader
  (app.anonymity.name_for(None, ...)) and leaves reporters out."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import xlsxwriter
from flask import Response
from flask_babel import gettext

from app.clock import today
from app.formatting import dutch_number
from app.i18n import N_
from app.models import User
from app.services.audit import record_audit

# The most rows one file holds.
EXPORT_MAX_ROWS = 10_000
TOO_MANY = N_(
    "Deze lijst is te lang om te downloaden: meer dan %(maximum)s regels. "
    "Maak de lijst korter met de filters en download dan opnieuw."
)

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice
# and Google Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Cell = str | int | date | None


@dataclass(frozen=True)
class Column:
    header: str
    width: int  # in the spreadsheet, in characters
    link: bool = False  # a URL the application built itself (never text someone typed)


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def neutralise(text: str) -> str:
    """A leading apostrophe makes a spreadsheet show the text instead of running it."""
    return "'" + text if is_formula_like(text) else text


def too_many(count: int) -> str | None:
    """The message for a list of `count` rows when that is more than one file may hold
    (None when it fits). Callers fetch at most EXPORT_MAX_ROWS + 1 rows."""
    if count > EXPORT_MAX_ROWS:
        return gettext(TOO_MANY, maximum=dutch_number(EXPORT_MAX_ROWS))
    return None


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()  # 2026-12-31: read as a date by Excel in every locale
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def to_csv(columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte order mark and ';' between the fields: what Dutch Excel opens
    correctly with a double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([str(column.header) for column in columns])  # str: headers may be lazy translations
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *, title: str) -> bytes:
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
    title = str(title)  # it and the headers may be lazy translations
    workbook.set_properties({"title": title})
    sheet = workbook.add_worksheet(title[:31])
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    text = workbook.add_format({"text_wrap": True, "valign": "top"})
    # quote_prefix keeps a formula-like text a text, also after someone edits the cell.
    text_quoted = workbook.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
    day = workbook.add_format({"num_format": "dd-mm-yyyy", "valign": "top", "align": "left"})
    link = workbook.add_format({"font_color": "#00568B", "underline": 1, "valign": "top"})
    number = workbook.add_format({"valign": "top", "align": "left"})

    for index, column in enumerate(columns):
        sheet.write_string(0, index, str(column.header), header)
        sheet.set_column(index, index, column.width)
    for line, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            if value is None or value == "":
                sheet.write_blank(line, index, None, text)
            elif isinstance(value, date):
                sheet.write_datetime(line, index, value, day)
            elif isinstance(value, int):
                sheet.write_number(line, index, value, number)
            elif columns[index].link:
                sheet.write_url(line, index, value, link, string=value)
            else:
                sheet.write_string(line, index, value, text_quoted if is_formula_like(value) else text)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(columns) - 1)
    workbook.close()
    return buffer.getvalue()


def download(
    columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *, kind: str, name: str, title: str, actor: User
) -> Response:
    """The file as an attachment named `name`-<today>.<kind>, recorded in the audit trail
    (the caller commits)."""
    data = to_csv(columns, rows) if kind == "csv" else to_xlsx(columns, rows, title=title)
    lines = f"{len(rows)} {'regel' if len(rows) == 1 else 'regels'}"
    record_audit("list_exported", actor=actor, detail=f"{title}: {lines} ({kind})")
    return Response(
        data,
        content_type=CONTENT_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}-{today().isoformat()}.{kind}"'},
    )


def export_or_refuse(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    kind: str,
    name: str,
    title: str,
    actor: User,
    back_to: str,
):
    """What an export route answers: the file (with its audit line, committed), or, for a
    list over the bound, back to the list at `back_to` with the reason."""
    from flask import flash, redirect

    from app.extensions import db
    from app.transactions import start_writing

    message = too_many(len(rows))
    if message:
        flash(message, "error")
        return redirect(back_to, 303)
    # A GET that writes one line after reading: its write transaction of its own (SQLite).
    start_writing()
    response = download(columns, rows, kind=kind, name=name, title=title, actor=actor)
    db.session.commit()  # the audit line
    return response
