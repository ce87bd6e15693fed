"""The board at real size in a real browser: 10,000 reports (bulk-inserted), each column
its count and one page of compact cards, 'Toon meer', and moving cards with the keyboard
(the one action dialog) and by dragging, with a message and the focus after every move,
including a drag to Afgerond (the report page's decision form). axe-core on every state."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.board.routes import PAGE_SIZE
from app.extensions import db
from app.models import Report, User
from tests.browser.helpers import axe_check, login, no_horizontal_scroll
from tests.bulk import fill_reports
from tests.factories import make_department, make_user

pytestmark = pytest.mark.browser

COACH = "coach@rodeknop.test"
REPORTS = 10_000


def _seed(app) -> dict[str, int]:
    with app.app_context():
        departments = [make_department(name) for name in ("Burgerzaken", "Werk en Inkomen", "Vergunningen")]
        coach = make_user("Eva Jansen", email=COACH, roles=("employee", "coach"))
        other = make_user("Cor de Coach", email="cor@rodeknop.test", roles=("employee", "coach"))
        people = [make_user(f"Collega {i}", email=f"collega{i}@rodeknop.test") for i in range(4)]
        db.session.commit()
        fill_reports(
            REPORTS,
            departments=[d.id for d in departments],
            coaches=[other.id, coach.id],
            reporters=[p.id for p in people],
            supporters=[p.id for p in people[:2]],
        )
        counts = dict(
            db.session.execute(db.select(Report.status, db.func.count(Report.id)).group_by(Report.status)).all()
        )
    return counts


def _count(page: Page, key: str) -> int:
    return int(page.locator(f"#kolom-{key} .rk-board__count").inner_text().split()[0])


def _cards(page: Page, key: str):
    return page.locator(f"section[aria-labelledby='kolom-{key}'] .rk-board-card")


def _status(app, reference: str) -> str:
    with app.app_context():
        number = int(reference.rsplit("-", 1)[1])
        return db.session.scalar(db.select(Report.status).where(Report.number == number))


def _focused_id(page: Page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def _drag(page: Page, card, target) -> None:
    """Drag with the mouse, in steps (SortableJS works on pointer events here), holding the
    card by its facts (its links stay links)."""
    card.scroll_into_view_if_needed()
    box = card.locator(".rk-board-card__meta").first.bounding_box()
    drop = target.bounding_box()
    # Drop on a point of the target that is in view (a long column may start above it).
    height = page.viewport_size["height"]
    top, bottom = max(drop["y"], 0) + 30, min(drop["y"] + drop["height"], height) - 30
    assert top < bottom, f"the drop target is not in view: {drop}"
    drop_x, drop_y = drop["x"] + drop["width"] / 2, min(max(box["y"], top), bottom)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 12)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + 20, steps=4)
    page.mouse.move(drop_x, drop_y, steps=12)
    page.mouse.move(drop_x, drop_y + 4, steps=2)
    page.mouse.up()


def test_a_board_of_ten_thousand_reports(app, live_server, page: Page):
    counts = _seed(app)
    login(page, live_server, COACH)
    page.goto(live_server + "/bord/")

    # Counts for every column, one page of cards each.
    assert _count(page, "nieuw") == counts["new"]
    assert _count(page, "in-behandeling") == counts["in_progress"]
    assert _count(page, "geescaleerd") == counts["escalated"]
    for key in ("nieuw", "in-behandeling", "geescaleerd", "afgerond"):
        expect(_cards(page, key)).to_have_count(PAGE_SIZE)
    assert len(page.content().encode()) < 120 * 1024
    axe_check(page, "board with 10,000 reports")
    no_horizontal_scroll(page)  # 320 px wide: the columns stack
    page.set_viewport_size({"width": 1280, "height": 900})

    # "Toon meer": the column's next page, the focus on the column.
    more = page.locator("section[aria-labelledby='kolom-nieuw'] [data-column-more]")
    expect(more).to_have_text(re.compile(rf"Toon meer \({counts['new'] - PAGE_SIZE}\)"))
    first_page = _cards(page, "nieuw").first.get_attribute("data-reference")
    more.click()
    expect(page).to_have_url(re.compile(r"nieuw-pagina=2#kolom-nieuw$"))
    page.wait_for_load_state()
    assert _focused_id(page) == "kolom-nieuw"
    expect(page.locator("section[aria-labelledby='kolom-nieuw'] .rk-board__paging")).to_contain_text(
        f"Kaart {PAGE_SIZE + 1}–{2 * PAGE_SIZE} van {counts['new']}"
    )
    expect(_cards(page, "nieuw")).to_have_count(PAGE_SIZE)
    assert _cards(page, "nieuw").first.get_attribute("data-reference") != first_page
    page.locator("section[aria-labelledby='kolom-nieuw'] [data-column-previous]").click()
    expect(_cards(page, "nieuw").first).to_have_attribute("data-reference", first_page)
    page.wait_for_load_state()

    # The keyboard: "Acties" on a card opens the one dialog, filled in for that card.
    card = _cards(page, "nieuw").nth(2)
    reference = card.get_attribute("data-reference")
    actions = card.locator("[data-card-actions]")
    actions.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("[data-board-dialog]")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-dialog-reference]")).to_have_text(reference)
    options = dialog.locator("select option")
    assert [options.nth(i).get_attribute("value") for i in range(options.count())] == ["", "in_progress", "merged"]
    axe_check(page, "board with the action dialog open")
    no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("() => document.activeElement.hasAttribute('data-card-actions')")

    actions.focus()
    page.keyboard.press("Enter")
    select = dialog.locator("select")
    select.focus()
    select.select_option("in_progress")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"kaart={reference}.*#kaart-{reference}$"))  # and loaded
    moved = page.locator(f"#kaart-{reference}")
    expect(moved).to_be_focused()
    assert moved.locator("xpath=ancestor::section").get_attribute("aria-labelledby") == "kolom-in-behandeling"
    expect(page.locator("[data-board-status]")).to_have_text(
        re.compile(rf"U gaat achter {reference} aan\. {reference} staat nu in In behandeling\.")
    )
    assert _status(app, reference) == "in_progress"
    assert _count(page, "nieuw") == counts["new"] - 1
    axe_check(page, "board after a keyboard move")

    # Drag-and-drop: a new card onto In behandeling takes it on.
    card = _cards(page, "nieuw").first
    dragged = card.get_attribute("data-reference")
    _drag(page, card, page.locator("section[aria-labelledby='kolom-in-behandeling'] [data-board-list]"))
    page.wait_for_url(re.compile(rf"#kaart-{dragged}$"))
    expect(page.locator(f"#kaart-{dragged}")).to_be_focused()
    expect(page.locator("[data-board-status]")).to_contain_text(f"{dragged} staat nu in In behandeling.")
    assert _status(app, dragged) == "in_progress"

    # A drag onto a column it cannot go to: back in place, said why, focus on the card.
    escalated = _cards(page, "geescaleerd").first
    stuck = escalated.get_attribute("data-reference")
    _drag(page, escalated, page.locator("section[aria-labelledby='kolom-nieuw'] [data-board-list]"))
    expect(page.locator("[data-board-status]")).to_have_text(re.compile(rf"{stuck} kan niet naar Nieuw\."))
    expect(page.locator(f"#kaart-{stuck}")).to_be_focused()
    assert page.locator(f"#kaart-{stuck}").locator("xpath=ancestor::section").get_attribute("aria-labelledby") == (
        "kolom-geescaleerd"
    )

    # A drag to Afgerond: an ending needs an explanation, so the report page's decision form.
    card = page.locator(f"#kaart-{dragged}")
    _drag(page, card, page.locator("section[aria-labelledby='kolom-afgerond'] [data-board-list]"))
    page.wait_for_url(re.compile(rf"/meldingen/{dragged}#besluit$"))
    expect(page.locator("#besluit h3")).to_be_focused()
    assert _status(app, dragged) == "in_progress"  # nothing ended without words
    axe_check(page, "report page after a drag to Afgerond")

    # A card's own action page, with an error: the summary takes the focus.
    page.goto(live_server + f"/bord/meldingen/{dragged}/verplaatsen")
    axe_check(page, "a card's action page")
    page.get_by_role("button", name="Verplaats").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.get_by_label("Verplaats naar…")).to_have_attribute("aria-invalid", "true")
    axe_check(page, "a card's action page with an error")

    # In the coach's own language: what is announced comes from the page's catalog, not the script.
    with app.app_context():
        db.session.execute(db.update(User).where(User.email == COACH).values(language="en"))
        db.session.commit()
    page.goto(live_server + "/bord/")
    escalated = _cards(page, "geescaleerd").first
    stuck = escalated.get_attribute("data-reference")
    _drag(page, escalated, page.locator("section[aria-labelledby='kolom-nieuw'] [data-board-list]"))
    expect(page.locator("[data-board-status]")).to_have_text(
        f"{stuck} cannot go to New. Choose Actions on the card for what it can do."
    )


def test_a_card_s_actions_without_javascript(app, live_server, new_page):
    """Without JavaScript 'Acties' is a link to the card's own page, and 'Toon meer' a link."""
    _seed(app)
    page = new_page(java_script_enabled=False)
    login(page, live_server, COACH)
    page.goto(live_server + "/bord/?coach=geen")
    card = _cards(page, "nieuw").first
    reference = card.get_attribute("data-reference")
    card.get_by_role("link", name=re.compile("^Acties")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Acties voor {reference}")
    page.get_by_label("Verplaats naar…").select_option("in_progress")
    page.get_by_role("button", name="Verplaats").click()
    expect(page).to_have_url(re.compile(rf"/bord/\?coach=geen&kaart={reference}#kaart-{reference}$"))
    expect(page.locator(".rk-flashes")).to_contain_text(f"U gaat achter {reference} aan.")
    assert _status(app, reference) == "in_progress"
    page.locator("section[aria-labelledby='kolom-nieuw'] [data-column-more]").click()
    expect(page).to_have_url(re.compile(r"coach=geen&nieuw-pagina=2#kolom-nieuw$"))
