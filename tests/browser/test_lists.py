"""Mijn meldingen for a medewerker with 2,000 reports, and Alle meldingen for a coach, in a
real browser: the first page, paging, the timeline on the report's own page, the search
and the export link; axe-core finds nothing on any of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import User
from tests.browser.data import add_user, seed_demo
from tests.browser.helpers import axe_check, login, no_horizontal_scroll
from tests.bulk import bulk_reports

pytestmark = pytest.mark.browser

COACH = "coach@rodeknop.test"


def _seed(app):
    demo = seed_demo(app)
    add_user(app, "Eva Jansen", COACH, roles=("employee", "coach"), department="Vergunningen en Toezicht")
    with app.app_context():
        sanne = db.session.scalar(db.select(User).where(User.email == demo.employee_email))
        coach = db.session.scalar(db.select(User).where(User.email == COACH))
        mohamed = db.session.scalar(db.select(User).where(User.email == demo.colleague_email))
        departments = tuple(demo.department_ids.values())
        bulk_reports(sanne, 2000, anonymous_every=7, taken_on_by=coach, department_ids=departments)
        bulk_reports(mohamed, 30, supporters=(sanne,), department_ids=departments, rule="Regel van een collega {i}")
        db.session.commit()
    return demo


def test_mijn_meldingen_with_2000_reports(app, live_server, page: Page):
    demo = _seed(app)
    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/mijn-meldingen")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=2, name=re.compile(r"Meldingen die u volgt \(2\.030\)"))).to_be_visible()
    items = main.locator("li.rk-report")
    expect(items).to_have_count(25)
    # Newest activity first: the reports a coach took on last (a step later than the report).
    expect(items.first).to_contain_text("Status: In behandeling")
    expect(main).to_contain_text("door u anoniem gemeld")
    pager = page.get_by_role("navigation", name="Pagina's van Mijn meldingen")
    expect(pager.locator('[aria-current="page"]')).to_have_text("Pagina 1")
    axe_check(page, "Mijn meldingen, page 1 of 82")

    pager.get_by_role("link", name="Volgende pagina").click()
    expect(page).to_have_url(re.compile(r"/mijn-meldingen\?pagina=2$"))
    expect(pager.locator('[aria-current="page"]')).to_have_text("Pagina 2")
    expect(items).to_have_count(25)
    expect(main).to_contain_text("Meldingen 26 tot en met 50 van 2.030 (pagina 2 van 82)")
    pager.get_by_role("link", name="Pagina 82", exact=True).click()
    expect(page).to_have_url(re.compile(r"pagina=82$"))
    expect(items).to_have_count(5)
    expect(pager.get_by_role("link", name="Volgende pagina")).to_have_count(0)
    axe_check(page, "Mijn meldingen, last page")
    pager.get_by_role("link", name="Vorige pagina").click()
    expect(page).to_have_url(re.compile(r"pagina=81$"))

    # A page number past the end: the last page, and a message saying so.
    page.goto(live_server + "/mijn-meldingen?pagina=500")
    expect(main).to_contain_text("Pagina 500 bestaat niet: er zijn 82 pagina's. U ziet de laatste.")
    expect(items).to_have_count(5)

    # The whole timeline is on the report's own page.
    page.goto(live_server + "/mijn-meldingen")
    first = items.first.get_by_role("link").first
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    timeline = page.locator(".rk-timeline li")
    expect(timeline).to_have_count(2)
    expect(page.locator(".rk-timeline")).to_contain_text("Status: In behandeling")
    axe_check(page, "a report from Mijn meldingen")

    page.goto(live_server + "/mijn-meldingen")
    no_horizontal_scroll(page)


def test_alle_meldingen_search_filter_and_export(app, live_server, page: Page):
    _seed(app)
    login(page, live_server, COACH)
    page.goto(live_server + "/meldingen")
    main = page.locator("main")
    expect(main).to_contain_text("2.031 meldingen, nieuwste eerst")
    rows = main.locator("tbody tr")
    expect(rows).to_have_count(25)
    axe_check(page, "Alle meldingen")

    page.get_by_role("searchbox", name="Zoeken").fill("bulkregel 1999")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"zoek=bulkregel\+1999"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bulkregel 1999 die in de weg zit")
    axe_check(page, "Alle meldingen, filtered")

    with page.expect_download() as download_info:
        main.get_by_role("link", name="CSV voor Excel").click()
    download = download_info.value
    assert re.fullmatch(r"meldingen-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    lines = content.strip().splitlines()
    assert len(lines) == 2 and "Bulkregel 1999 die in de weg zit" in lines[1]
    assert "Sanne" not in content

    # Paging keeps the filters.
    page.get_by_role("searchbox", name="Zoeken").fill("bulkregel")
    page.get_by_label("Status").select_option("")
    page.get_by_role("button", name="Filteren").click()
    expect(main).to_contain_text("2.000 meldingen met deze filters")
    page.get_by_role("navigation", name="Pagina's van Alle meldingen").get_by_role(
        "link", name="Volgende pagina"
    ).click()
    expect(page).to_have_url(re.compile(r"pagina=2"))
    expect(page.get_by_role("searchbox", name="Zoeken")).to_have_value("bulkregel")
    expect(rows).to_have_count(25)
