"""Exports of the dossier list for the national agenda and the council: CSV for Dutch
Excel and an .xlsx spreadsheet, with the overview's filters, no reporter names, and no
cell a spreadsheet program would run as a formula."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest

from app.clock import today as local_today
from app.export import neutralise
from app.extensions import db
from app.models import Addressee
from app.services.dossiers import LegalReference, change_dossier_status, update_dossier
from tests.factories import make_report, make_support
from tests.test_dossiers import (
    ADMIN,
    COACH,
    EMPLOYEE,
    LEGAL,
    SZW,
    escalate,
    login,
    make_people,
)

NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
HEADER = [
    "Nummer",
    "Wet",
    "BWB-id",
    "Artikel",
    "Link",
    "Geadresseerde",
    "Kanaal",
    "Status",
    "Verzonden op",
    "Antwoord verwacht",
    "Opvolgen op",
    "Eigenaar",
    "Gekoppelde meldingen",
    "Samenvatting antwoord",
]
EVIL_TITLE = '=HYPERLINK("http://x")'


@pytest.fixture
def exported(app):
    """A harmless dossier, answered, and one whose texts try to be formulas."""
    with app.app_context():
        people = make_people()
        coach, legal = people["coach"], people["legal"]
        day = local_today()
        szw = db.session.scalar(db.select(Addressee).where(Addressee.name == SZW))
        first = make_report(
            people["visible"], rule="Kostendelersnorm bij tijdelijke opvang", problem="Bijstand omlaag."
        )
        second = make_report(people["hidden"], rule="Kostendelersnorm jongeren", problem="x", anonymous=True)
        make_support(people["supporter"], second)
        plain = escalate(first, coach)
        escalate(second, coach)
        update_dossier(
            plain,
            actor=legal,
            reference=LegalReference("Participatiewet", "BWBR0015703", "art. 22a"),
            addressee_id=szw.id,
            channel="Brief",
            sent_on=day - timedelta(days=30),
            answer_due=day + timedelta(days=12),
            follow_up_on=day + timedelta(days=5),
            owner_id=legal.id,
        )
        change_dossier_status(plain, "sent", actor=legal)
        change_dossier_status(
            plain,
            "answered",
            actor=legal,
            answer="Lange brief; vertrouwelijk kenmerk 42.",
            answer_summary="De minister past de norm aan.",
        )
        evil = escalate(
            make_report(people["visible"], rule="@SUM(1) regel"), coach, law=EVIL_TITLE, bwb=None, article="@SUM(1)"
        )
        update_dossier(
            evil,
            actor=legal,
            reference=LegalReference(EVIL_TITLE, None, "@SUM(1)"),
            addressee_id=None,
            channel="+1",
            sent_on=None,
            answer_due=None,
            follow_up_on=None,
            owner_id=None,
        )
        db.session.commit()
        return {
            "plain": plain.reference,
            "evil": evil.reference,
            "reports": [r.reference for r in plain.reports],
            "sent_on": (day - timedelta(days=30)),
            "answer_due": day + timedelta(days=12),
            "today": day,
        }


def _csv_rows(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), "a byte order mark, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8")[1:], newline=""), delimiter=";"))


def test_csv_for_dutch_excel(app, exported):
    response = login(app, LEGAL).get("/juridisch/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="escalatiedossiers-{exported["today"].isoformat()}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = _csv_rows(response)
    assert rows[0] == HEADER
    by_reference = {row[0]: row for row in rows[1:]}
    assert set(by_reference) == {exported["plain"], exported["evil"]}
    assert by_reference[exported["plain"]] == [
        exported["plain"],
        "Participatiewet",
        "BWBR0015703",
        "art. 22a",
        "https://wetten.overheid.nl/BWBR0015703/",
        SZW,
        "Brief",
        "Antwoord ontvangen",
        exported["sent_on"].isoformat(),
        exported["answer_due"].isoformat(),
        (exported["today"] + timedelta(days=5)).isoformat(),
        "Fatima Jurist",
        ", ".join(exported["reports"]),
        "De minister past de norm aan.",
    ]


def test_csv_cells_never_start_a_formula(app, exported):
    rows = _csv_rows(login(app, LEGAL).get("/juridisch/export.csv"))
    evil = next(row for row in rows if row[0] == exported["evil"])
    assert evil[1] == "'" + EVIL_TITLE
    assert evil[3] == "'@SUM(1)"
    assert evil[6] == "'+1"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6", "'+31 6"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\r=x", "'\r=x"),
        ("Participatiewet", "Participatiewet"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def _xlsx_parts(response) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_xlsx_writes_text_as_text_and_dates_as_dates(app, exported):
    response = login(app, LEGAL).get("/juridisch/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="escalatiedossiers-{exported["today"].isoformat()}.xlsx"'
    )
    parts = _xlsx_parts(response)
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert "<f>" not in sheet and "<f " not in sheet, "no formula anywhere"
    strings = [
        node.text or "" for node in ElementTree.fromstring(parts["xl/sharedStrings.xml"]).iter(f"{{{NS['x']}}}t")
    ]
    assert EVIL_TITLE in strings and "@SUM(1)" in strings and "+1" in strings
    assert HEADER[0] in strings and "De minister past de norm aan." in strings
    # A header row with an autofilter, and the first row frozen.
    assert '<autoFilter ref="A1:N3"/>' in sheet
    assert 'state="frozen"' in sheet
    assert "<cols>" in sheet
    # The formula-like texts keep a quote prefix (they stay text when someone edits the cell).
    assert 'quotePrefix="1"' in parts["xl/styles.xml"]
    # Dates are numbers with a date format, not text (row 2 is the answered dossier: it has dates).
    cells = {cell.get("r"): cell for cell in ElementTree.fromstring(sheet).iter(f"{{{NS['x']}}}c")}
    sent = cells["I2"]
    assert sent.get("t") is None, "a number, not a string"
    assert float(sent.find("x:v", NS).text) == (exported["sent_on"] - date(1899, 12, 30)).days
    assert 'formatCode="dd-mm-yyyy"' in parts["xl/styles.xml"]
    assert cells["A2"].get("t") == "s" and cells["M2"].get("t") == "s"


@pytest.mark.parametrize("path", ["/juridisch/export.csv", "/juridisch/export.xlsx"])
def test_exports_never_name_a_reporter(app, exported, path):
    response = login(app, LEGAL).get(path)
    if path.endswith(".csv"):
        content = response.get_data(as_text=True)
    else:
        content = "".join(_xlsx_parts(response).values())
    for secret in (
        "Anna Zichtbaar",
        "Bram Verborgen",
        "Pim Steun",
        "anna.zichtbaar",
        "bram.verborgen",
        "vertrouwelijk kenmerk",
    ):
        assert secret not in content, secret


def test_exports_follow_the_overview_filters(app, exported):
    client = login(app, LEGAL)
    rows = _csv_rows(client.get("/juridisch/export.csv?status=answered"))
    assert [row[0] for row in rows[1:]] == [exported["plain"]]
    rows = _csv_rows(client.get("/juridisch/export.csv?geadresseerde=geen&sorteer=onzin"))
    assert [row[0] for row in rows[1:]] == [exported["evil"]]
    rows = _csv_rows(client.get("/juridisch/export.csv?status=closed"))
    assert rows == [HEADER]
    parts = _xlsx_parts(client.get("/juridisch/export.xlsx?status=closed"))
    assert '<autoFilter ref="A1:N1"/>' in parts["xl/worksheets/sheet1.xml"]
    # The overview links to the exports with its filters.
    page = client.get("/juridisch/?status=answered&sorteer=wet").get_data(as_text=True)
    assert 'href="/juridisch/export.csv?status=answered&amp;sorteer=wet"' in page
    assert 'href="/juridisch/export.xlsx?status=answered&amp;sorteer=wet"' in page


@pytest.mark.parametrize("path", ["/juridisch/export.csv", "/juridisch/export.xlsx"])
def test_exports_are_for_legal_and_the_beheerder(app, exported, path):
    assert login(app, ADMIN).get(path).status_code == 200
    assert login(app, COACH).get(path).status_code == 403
    assert login(app, EMPLOYEE).get(path).status_code == 403
    response = app.test_client().get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/inloggen")
