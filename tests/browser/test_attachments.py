"""Attachments in a real browser (issue 13): attaching by the file picker and by pasting a
screenshot (a real ClipboardEvent with a PNG File in its DataTransfer), removing a chosen
file again, a coach who sees the preview on the report page, and an employee who may not
see the report who gets 404 for its file's URL."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Attachment, Report
from tests.browser.data import add_user, seed_demo
from tests.browser.helpers import axe_check, login
from tests.factories import png_bytes

pytestmark = pytest.mark.browser

RULE = "Parkeervergunning per kenteken in plaats van per huishouden"

# A red 40x30 PNG made in the page, pasted as a screenshot would be.
PASTE_PNG = """
async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 40; canvas.height = 30;
  const context = canvas.getContext("2d");
  context.fillStyle = "#c00"; context.fillRect(0, 0, 40, 30);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const transfer = new DataTransfer();
  transfer.items.add(new File([blob], "image.png", { type: "image/png" }));
  const event = new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true });
  document.querySelector("#problem").dispatchEvent(event);
  return event.defaultPrevented;
}
"""


def _fill(page: Page) -> None:
    page.get_by_role("textbox", name=re.compile(r"^Welke regel loopt u tegenaan")).fill(RULE)
    page.get_by_role("textbox", name=re.compile(r"^Wat gaat er mis")).fill("Bij een nieuwe auto opnieuw aanvragen.")


def _files(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (row.report.reference, row.media_type)
            for row in db.session.scalars(db.select(Attachment).order_by(Attachment.id))
        ]


def test_attach_by_file_picker_and_by_paste_then_a_coach_sees_the_preview(app, live_server, page: Page, tmp_path):
    demo = seed_demo(app, with_dakkapel=False)
    add_user(app, "Eva Jansen", "coach@rodeknop.test", roles=("employee", "coach"))
    add_user(app, "Olaf Ander", "ander@rodeknop.test")
    picked = tmp_path / "scherm-van-sanne.png"
    picked.write_bytes(png_bytes((10, 90, 200), (120, 90)))
    spare = tmp_path / "per-ongeluk.png"
    spare.write_bytes(png_bytes())

    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")
    _fill(page)
    field = page.get_by_label(re.compile(r"^Bijlagen"))
    field.set_input_files([str(picked), str(spare)])
    chosen = page.locator("[data-attachments-list] li")
    expect(chosen).to_have_count(2)
    # Remove one again, with the keyboard.
    page.get_by_role("button", name="Verwijderen per-ongeluk.png").focus()
    page.keyboard.press("Enter")
    expect(chosen).to_have_count(1)
    expect(page.locator("[data-attachments-status]")).to_contain_text("per-ongeluk.png")
    # Paste a screenshot while typing: it joins the same file field.
    assert page.evaluate(PASTE_PNG) is True
    expect(chosen).to_have_count(2)
    expect(chosen.nth(1)).to_contain_text("Geplakte afbeelding 1.png")
    assert page.evaluate("document.querySelector('#attachments').files.length") == 2
    axe_check(page, "report form with two chosen files")

    page.get_by_role("button", name="Melding versturen").click()
    expect(page).to_have_url(re.compile(r"/meldingen/RK-\d{4}-\d{4}/bevestiging$"))
    with app.app_context():
        reference = db.session.scalar(db.select(Report)).reference
    assert _files(app) == [(reference, "image/png"), (reference, "image/png")]

    page.context.clear_cookies()
    login(page, live_server, "coach@rodeknop.test")
    page.goto(f"{live_server}/meldingen/{reference}")
    section = page.locator("#bijlagen")
    expect(section.get_by_role("link", name=re.compile(r"^Bijlage 1 \(PNG"))).to_be_visible()
    preview = section.get_by_role("img", name=re.compile(r"^Voorbeeld van Bijlage 1"))
    expect(preview).to_be_visible()
    # The preview really loaded (not a broken image) under the page's CSP.
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", preview.element_handle())
    axe_check(page, "report page with attachments, as a coach")

    # Someone who may not see the report: 404 for the file, as for the page.
    page.context.clear_cookies()
    login(page, live_server, "ander@rodeknop.test")
    for path in (f"/meldingen/{reference}/bijlagen/1", f"/meldingen/{reference}/bijlagen/1/voorbeeld"):
        response = page.goto(live_server + path)
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")


def test_without_javascript_the_plain_file_field_sends_the_file(app, live_server, new_page, tmp_path):
    demo = seed_demo(app, with_dakkapel=False)
    picked = tmp_path / "brief.png"
    picked.write_bytes(png_bytes())
    page = new_page(java_script_enabled=False)
    login(page, live_server, demo.employee_email)
    page.goto(live_server + "/melden")
    _fill(page)
    page.get_by_label(re.compile(r"^Bijlagen")).set_input_files(str(picked))
    page.get_by_role("button", name="Melding versturen").click()
    expect(page).to_have_url(re.compile(r"/meldingen/RK-\d{4}-\d{4}/bevestiging$"))
    assert len(_files(app)) == 1
