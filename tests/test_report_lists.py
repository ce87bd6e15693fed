"""Mijn meldingen and Alle meldingen at real size: a page at a time, newest activity first,
the last step the viewer may see, anonymous reports found only by their own reporter, a
constant number of SQL statements, and Alle meldingen's filters and files (app.export's
rules: no formula, no reporter, bounded, recorded)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditEntry, Report, User
from app.models.base import utcnow
from app.services import workflow
from tests.bulk import bulk_reports
from tests.conftest import Auth
from tests.factories import count_statements, make_department, make_report, make_support, make_user

EMPLOYEE = "sanne@example.test"
OTHER = "mo@example.test"
COACH = "cor@example.test"


def login(app, email: str):
    client = app.test_client()
    assert Auth(client).login(email).status_code == 302, email
    client.get("/")  # take the welcome message
    return client


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def listed(page: str) -> list[str]:
    """The references on Mijn meldingen, in order."""
    return re.findall(r'<li class="rk-card rk-report" id="melding-(RK-\d{4}-\d{4,})"', page)


def table_references(page: str) -> list[str]:
    return re.findall(r'<td class="utrecht-table__cell"><span class="rk-reference">(RK-\d{4}-\d{4,})</span>', page)


@pytest.fixture
def people(app):
    with app.app_context():
        department = make_department("Burgerzaken")
        make_user("Sanne de Vries", email=EMPLOYEE, department=department)
        make_user("Mo Anders", email=OTHER)
        make_user("Cor Coach", email=COACH, roles=("employee", "coach"))
        db.session.commit()
        return {"department": department.id}


def _user(email: str) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


# --- Mijn meldingen --------------------------------------------------------------------


@pytest.fixture
def followed(app, people):
    """Sanne's named report, her anonymous report, one she supports and one of Mo's she
    has nothing to do with; then a coach acts on them in an order unlike their age."""
    with app.app_context():
        sanne, mo, coach = _user(EMPLOYEE), _user(OTHER), _user(COACH)
        named = make_report(sanne, rule="Paspoort alleen online", problem="Zonder DigiD lukt het niet.")
        hidden = make_report(sanne, rule="Huisbezoek bij elke aanvraag", problem="Vernederend.", anonymous=True)
        theirs = make_report(mo, rule="Dakkapel vraagt vergunning", problem="Acht weken.")
        make_support(sanne, theirs, "Bij ons ook")
        unrelated = make_report(mo, rule="Parkeerkaart voor mantelzorgers", problem="Te duur.")
        db.session.flush()
        start = utcnow() - timedelta(days=10)
        for days, report in enumerate((named, hidden, theirs, unrelated)):
            report.last_activity_at = start + timedelta(days=days)
        # Oldest report, newest activity: the coach takes it on now.
        workflow.take_on(named, coach)
        db.session.commit()
        reports = {"named": named, "hidden": hidden, "theirs": theirs, "unrelated": unrelated}
        return {name: report.reference for name, report in reports.items()}


def test_mijn_meldingen_lists_own_anonymous_and_supported_reports_newest_activity_first(app, followed):
    page = text_of(login(app, EMPLOYEE).get("/mijn-meldingen"))
    assert listed(page) == [followed["named"], followed["theirs"], followed["hidden"]]
    assert followed["unrelated"] not in page
    assert "door u gemeld" in page and "door u anoniem gemeld" in page and "u loopt hier ook tegenaan" in page
    assert "Uw toelichting: Bij ons ook" in page
    # The last step, not the whole timeline (that is on the report's own page).
    named = page[page.index(f'id="melding-{followed["named"]}"') :]
    assert "Laatst bijgewerkt" in named.split("</li>")[0] and "Status: In behandeling" in named.split("</li>")[0]
    assert "rk-timeline" not in page
    assert "Meldingen die u volgt (3)" in page


def test_the_anonymous_report_is_on_its_reporters_list_only(app, followed):
    for email in (OTHER, COACH):
        page = text_of(login(app, email).get("/mijn-meldingen"))
        assert followed["hidden"] not in page and "Huisbezoek bij elke aanvraag" not in page, email
    assert listed(text_of(login(app, OTHER).get("/mijn-meldingen"))) == [followed["unrelated"], followed["theirs"]]


def test_the_last_step_is_one_the_viewer_may_read(app, followed):
    """An internal note is newer activity, but the reporter's list shows the last public step."""
    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.rule == "Dakkapel vraagt vergunning"))
        workflow.add_note(report, actor=_user(COACH), text="Intern: bellen met Vergunningen")
        db.session.commit()
    page = text_of(login(app, EMPLOYEE).get("/mijn-meldingen"))
    item = page[page.index(f'id="melding-{followed["theirs"]}"') :].split("</li>")[0]
    assert "Interne notitie" not in item and "Intern: bellen" not in item
    assert "Iemand loopt hier ook tegenaan" in item and "Bij ons ook" in item


def test_an_anonymous_report_merged_away_is_followed_anonymously(app, followed):
    with app.app_context():
        hidden = db.session.scalar(db.select(Report).where(Report.rule == "Huisbezoek bij elke aanvraag"))
        target = db.session.scalar(db.select(Report).where(Report.rule == "Parkeerkaart voor mantelzorgers"))
        workflow.merge_report(hidden, target, actor=_user(COACH), explanation="Zelfde regel.")
        db.session.commit()
    page = text_of(login(app, EMPLOYEE).get("/mijn-meldingen"))
    assert followed["unrelated"] in listed(page) and followed["hidden"] in listed(page)
    assert "u volgt dit anoniem" in page
    # Mo, the target's reporter, sees his own report; nothing says who followed it in.
    other = text_of(login(app, OTHER).get("/mijn-meldingen"))
    assert followed["hidden"] not in listed(other) and "Sanne" not in other and "anoniem" not in other


def test_a_report_followed_in_two_ways_is_listed_and_counted_once(app, people):
    """Sanne's anonymous report merged into another anonymous one of hers (she becomes an
    anonymous supporter of her own report), and one merged into a report she already
    supports by name."""
    with app.app_context():
        sanne, mo, coach = _user(EMPLOYEE), _user(OTHER), _user(COACH)
        first = make_report(sanne, rule="Eerste anonieme", problem="x", anonymous=True)
        second = make_report(sanne, rule="Tweede anonieme", problem="x", anonymous=True)
        supported = make_report(mo, rule="Door Mo gemeld", problem="x")
        make_support(sanne, supported)
        third = make_report(sanne, rule="Derde anonieme", problem="x", anonymous=True)
        workflow.merge_report(second, first, actor=coach, explanation="Dubbel.")
        workflow.merge_report(third, supported, actor=coach, explanation="Dubbel.")
        db.session.commit()
        references = {first.reference, second.reference, supported.reference, third.reference}
    page = text_of(login(app, EMPLOYEE).get("/mijn-meldingen"))
    assert sorted(listed(page)) == sorted(references)
    assert "Meldingen die u volgt (4)" in page


def _pager(page: str) -> str:
    match = re.search(r'<nav class="rk-pager" aria-label="([^"]+)">(.*?)</nav>', page, re.S)
    assert match, "no pager"
    assert match.group(1) == "Pagina&#39;s van Mijn meldingen"
    return match.group(2)


@pytest.fixture
def sixty(app, people):
    """60 reports by Sanne (every fifth anonymous), one minute apart."""
    with app.app_context():
        ids = bulk_reports(_user(EMPLOYEE), 60, anonymous_every=5)
        db.session.commit()
        return [db.session.get(Report, report_id).reference for report_id in reversed(ids)]  # newest first


def test_mijn_meldingen_pages(app, sixty):
    client = login(app, EMPLOYEE)
    first = text_of(client.get("/mijn-meldingen"))
    assert listed(first) == sixty[:25]
    pager = _pager(first)
    assert 'aria-current="page" href="/mijn-meldingen"' in pager
    assert "Vorige" not in pager and 'rel="next" href="/mijn-meldingen?pagina=2"' in pager and "Volgende" in pager
    assert "Meldingen 1 tot en met 25 van 60 (pagina 1 van 3)" in first
    second = text_of(client.get("/mijn-meldingen?pagina=2"))
    assert listed(second) == sixty[25:50]
    assert 'rel="prev" href="/mijn-meldingen"' in _pager(second)
    assert 'aria-current="page" href="/mijn-meldingen?pagina=2"' in _pager(second)
    last = text_of(client.get("/mijn-meldingen?pagina=3"))
    assert listed(last) == sixty[50:]
    assert "Volgende" not in _pager(last)
    assert "<title>Mijn meldingen, pagina 3" in last


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "", "%00", "99999999999999999999", "²", "<script>"])
def test_an_unreadable_page_number_is_the_first_page(app, sixty, value):
    page = text_of(login(app, EMPLOYEE).get(f"/mijn-meldingen?pagina={value}"))
    assert listed(page) == sixty[:25] and "bestaat niet" not in page


@pytest.mark.parametrize("value", ["4", "2147483647"])
def test_a_page_past_the_end_shows_the_last_page_and_says_so(app, sixty, value):
    page = text_of(login(app, EMPLOYEE).get(f"/mijn-meldingen?pagina={value}"))
    assert listed(page) == sixty[50:]
    number = f"{int(value):,}".replace(",", ".")
    assert f"Pagina {number} bestaat niet: er zijn 3 pagina&#39;s. U ziet de laatste." in page


def test_an_empty_list_says_so_on_every_page_number(app, people):
    client = login(app, EMPLOYEE)
    assert "U heeft nog niets gemeld" in text_of(client.get("/mijn-meldingen"))
    page = text_of(client.get("/mijn-meldingen?pagina=7"))
    assert "U heeft nog niets gemeld" in page and "Pagina 7 bestaat niet" in page


def _statements(app, client, path: str) -> tuple[int, str]:
    with count_statements(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    # SQLite's BEGIN is a statement of its own; PostgreSQL's driver sends it unseen
    statements = [statement for statement in statements if not statement.startswith("BEGIN")]
    return len(statements), "\n".join(statements)


def test_mijn_meldingen_statements_do_not_grow_with_the_number_of_reports(app, people):
    """5 reports or 300 (named, anonymous, supported, taken on): the same statements."""
    with app.app_context():
        sanne, mo, coach = _user(EMPLOYEE), _user(OTHER), _user(COACH)
        bulk_reports(sanne, 4, anonymous_every=2, taken_on_by=coach)
        bulk_reports(mo, 1, supporters=(sanne,))
        db.session.commit()
    client = login(app, EMPLOYEE)
    client.get("/mijn-meldingen")
    few, few_sql = _statements(app, client, "/mijn-meldingen")
    with app.app_context():
        sanne, mo, coach = _user(EMPLOYEE), _user(OTHER), _user(COACH)
        bulk_reports(sanne, 250, anonymous_every=3, taken_on_by=coach)
        bulk_reports(mo, 45, supporters=(sanne,), taken_on_by=coach)
        db.session.commit()
    many, many_sql = _statements(app, client, "/mijn-meldingen?pagina=3")
    assert few == many, f"5 reports:\n{few_sql}\n\n300 reports:\n{many_sql}"
    # the user; the page with its total and supporters; how the user follows each; the
    # last step of each
    assert many == 4, many_sql
    page = text_of(client.get("/mijn-meldingen"))
    assert "Meldingen die u volgt (300)" in page and len(listed(page)) == 25


def test_the_start_page_reads_three_reports_not_all(app, people):
    with app.app_context():
        bulk_reports(_user(EMPLOYEE), 40)
        db.session.commit()
    client = login(app, EMPLOYEE)
    page = text_of(client.get("/"))
    assert page.count('<li class="rk-card">') == 3


# --- Alle meldingen ----------------------------------------------------------------------

EVIL_RULE = '=HYPERLINK("http://x","klik")'


@pytest.fixture
def all_reports(app, people):
    with app.app_context():
        sanne, mo, coach = _user(EMPLOYEE), _user(OTHER), _user(COACH)
        department = people["department"]
        reports = {
            "dakkapel": make_report(
                mo, rule="Dakkapel vraagt vergunning", problem="Acht weken.", department_id=department
            ),
            "anonymous": make_report(
                sanne, rule="Huisbezoek bij elke aanvraag", problem="Vernederend voor inwoners.", anonymous=True
            ),
            "evil": make_report(mo, rule=EVIL_RULE, problem="+31 6 1234 @SUM(1)"),
            "named": make_report(sanne, rule="Paspoort alleen online", problem="Zonder DigiD lukt het niet."),
        }
        workflow.take_on(reports["dakkapel"], coach)
        db.session.commit()
        return {name: report.reference for name, report in reports.items()}


def test_alle_meldingen_searches_and_filters(app, all_reports, people):
    client = login(app, COACH)
    page = text_of(client.get("/meldingen"))
    assert table_references(page) == [
        all_reports["named"],
        all_reports["evil"],
        all_reports["anonymous"],
        all_reports["dakkapel"],
    ]
    assert "4 meldingen, nieuwste eerst" in page
    assert "Nieuw (3)" in page and "In behandeling (1)" in page and "Alle statussen (4)" in page
    assert table_references(text_of(client.get("/meldingen?zoek=DAKKAPEL"))) == [all_reports["dakkapel"]]
    assert table_references(text_of(client.get("/meldingen?zoek=digid"))) == [all_reports["named"]]
    assert table_references(text_of(client.get(f"/meldingen?zoek={all_reports['anonymous']}"))) == [
        all_reports["anonymous"]
    ]
    filtered = text_of(client.get(f"/meldingen?afdeling={people['department']}"))
    assert table_references(filtered) == [all_reports["dakkapel"]]
    assert table_references(text_of(client.get("/meldingen?status=in_progress"))) == [all_reports["dakkapel"]]
    # Counts per status follow the other filters.
    searched = text_of(client.get("/meldingen?zoek=dakkapel&status=new"))
    assert "In behandeling (1)" in searched
    # The anonymous reporter is 'Anoniem' on the list, also when found by their own words.
    page = text_of(client.get("/meldingen?zoek=Vernederend"))
    assert table_references(page) == [all_reports["anonymous"]] and "Sanne" not in page and "Anoniem" in page


@pytest.mark.parametrize(
    "query",
    [
        "status=%3Cscript%3E",
        "status=new&status=resolved",
        "afdeling=abc",
        "afdeling=99999999999999999999",
        "afdeling=-1",
        "zoek=%00%01",
        "zoek=" + "x" * 5000,
        "zoek=%25_%5C",
        "pagina=-3",
        "pagina=%F0%9F%98%80",
        "zoek=RK-9999-99999999999",
    ],
)
def test_bad_filter_values_are_ignored(app, all_reports, query):
    client = login(app, COACH)
    for path in ("/meldingen", "/meldingen/export.csv", "/meldingen/export.xlsx"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (path, query)
    page = text_of(client.get(f"/meldingen?{query}"))
    assert "<script>" not in page


def test_alle_meldingen_pages_keep_the_filters(app, people):
    with app.app_context():
        bulk_reports(_user(OTHER), 30, rule="Zoekwoord {i}")
        bulk_reports(_user(OTHER), 5, rule="Iets anders {i}")
        db.session.commit()
    client = login(app, COACH)
    first = text_of(client.get("/meldingen?zoek=zoekwoord"))
    assert len(table_references(first)) == 25 and "30 meldingen met deze filters" in first
    assert (
        'href="/meldingen?pagina=2&amp;zoek=zoekwoord"' in first
        or 'href="/meldingen?zoek=zoekwoord&amp;pagina=2"' in (first)
    )
    second = text_of(client.get("/meldingen?zoek=zoekwoord&pagina=2"))
    assert len(table_references(second)) == 5
    past = text_of(client.get("/meldingen?zoek=zoekwoord&pagina=9"))
    assert len(table_references(past)) == 5 and "Pagina 9 bestaat niet" in past


def test_alle_meldingen_statements_do_not_grow(app, people):
    with app.app_context():
        bulk_reports(_user(OTHER), 5, taken_on_by=_user(COACH), supporters=(_user(EMPLOYEE),))
        db.session.commit()
    client = login(app, COACH)
    client.get("/meldingen")
    few, few_sql = _statements(app, client, "/meldingen")
    with app.app_context():
        bulk_reports(_user(OTHER), 150, taken_on_by=_user(COACH), supporters=(_user(EMPLOYEE),))
        bulk_reports(_user(EMPLOYEE), 150, anonymous_every=2)
        db.session.commit()
    many, many_sql = _statements(app, client, "/meldingen?pagina=2")
    assert few == many, f"5 reports:\n{few_sql}\n\n305 reports:\n{many_sql}"


# --- the export ------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8")[1:], newline=""), delimiter=";"))


def _xlsx(response) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_csv_export_defuses_formulas_and_names_no_reporter(app, all_reports):
    from app.clock import today

    response = login(app, COACH).get("/meldingen/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    with app.app_context():
        day = today().isoformat()
    assert response.headers["Content-Disposition"] == f'attachment; filename="meldingen-{day}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    rows = _csv(response)
    assert rows[0][:4] == ["Nummer", "Regel", "Wat gaat er mis", "Status"]
    by_reference = {row[0]: row for row in rows[1:]}
    assert list(by_reference) == [all_reports[n] for n in ("named", "evil", "anonymous", "dakkapel")]
    evil = by_reference[all_reports["evil"]]
    assert evil[1] == "'" + EVIL_RULE and evil[2] == "'+31 6 1234 @SUM(1)"
    assert by_reference[all_reports["dakkapel"]][6] == "Cor Coach"
    assert by_reference[all_reports["dakkapel"]][9].endswith(f"/meldingen/{all_reports['dakkapel']}")
    content = response.get_data(as_text=True)
    for secret in ("Sanne", "sanne@", "Mo Anders", "mo@"):
        assert secret not in content, secret


def test_xlsx_export_writes_formulas_as_text_and_names_no_reporter(app, all_reports):
    response = login(app, COACH).get("/meldingen/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="meldingen-')
    parts = _xlsx(response)
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert "<f>" not in sheet and "<f " not in sheet
    assert 'quotePrefix="1"' in parts["xl/styles.xml"]
    strings = parts["xl/sharedStrings.xml"]
    assert f"<t>{EVIL_RULE}</t>" in strings
    everything = "".join(parts.values())
    for secret in ("Sanne", "sanne@", "Mo Anders", "mo@"):
        assert secret not in everything, secret


def test_the_export_follows_the_filters_and_is_recorded(app, all_reports):
    client = login(app, COACH)
    rows = _csv(client.get("/meldingen/export.csv?zoek=dakkapel&status=in_progress"))
    assert [row[0] for row in rows[1:]] == [all_reports["dakkapel"]]
    page = text_of(client.get("/meldingen?zoek=dakkapel"))
    assert 'href="/meldingen/export.csv?zoek=dakkapel"' in page
    assert 'href="/meldingen/export.xlsx?zoek=dakkapel"' in page
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "list_exported"))
        assert entry.actor_id == _user(COACH).id and entry.detail == "Alle meldingen: 1 regel (csv)"


def test_a_list_too_long_for_a_file_is_refused_with_a_message(app, all_reports, monkeypatch):
    import app.export as export
    import app.reports.listing as listing

    monkeypatch.setattr(export, "EXPORT_MAX_ROWS", 3)
    monkeypatch.setattr(listing, "EXPORT_MAX_ROWS", 3)
    client = login(app, COACH)
    page = text_of(client.get("/meldingen"))
    assert "Deze lijst is te lang om te downloaden: meer dan 3 regels." in page
    assert "/meldingen/export.csv" not in page
    response = client.get("/meldingen/export.xlsx?afdeling=abc")
    assert response.status_code == 303 and response.headers["Location"] == "/meldingen"
    assert "te lang om te downloaden" in text_of(client.get(response.headers["Location"]))
    # Narrowed down, it fits.
    assert client.get("/meldingen/export.csv?zoek=dakkapel").status_code == 200
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "list_exported")) == 1
        )


def test_employees_get_neither_the_list_nor_its_files(app, all_reports):
    client = login(app, EMPLOYEE)
    for path in ("/meldingen", "/meldingen/export.csv", "/meldingen/export.xlsx"):
        assert client.get(path).status_code == 403


def test_the_dossier_export_follows_the_same_bound_and_is_recorded(app, people, monkeypatch):
    import app.export as export
    from tests.factories import make_dossier

    with app.app_context():
        make_dossier(make_report(_user(OTHER), rule="Kostendelersnorm", problem="x"))
        make_user("Lot Jurist", email="lot@example.test", roles=("employee", "legal"))
        db.session.commit()
    client = login(app, "lot@example.test")
    assert client.get("/juridisch/export.csv").status_code == 200
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "list_exported"))
        assert entry.detail == "Escalatiedossiers: 1 regel (csv)"
    monkeypatch.setattr(export, "EXPORT_MAX_ROWS", 0)
    page = text_of(client.get("/juridisch/"))
    assert "te lang om te downloaden" in page and "/juridisch/export.csv" not in page
    response = client.get("/juridisch/export.xlsx?status=onzin")
    assert response.status_code == 303 and response.headers["Location"] == "/juridisch/"
