"""Attachments with a report (issue 13), through the test client and the service: adding on
the report form, by a supporter with their note, by the reporter and a coach on the report
page; limits; a refused file keeps what was typed; cleaning applied (EXIF GPS gone); the
headers of a served file; 404 for who may not see the report; storage and database in step
(no orphans); retention; and a report page whose statements do not grow with its files."""

from __future__ import annotations

import io
import os
import re

import pytest
from flask_babel import force_locale
from PIL import Image

from app.extensions import db
from app.i18n import shown_text
from app.models import Attachment, Event, Report, User
from app.services import attachments
from app.services.reports import forget_anonymous_links, forget_reporters, submit_report
from tests.conftest import csrf_token
from tests.conftest import send_files as _send
from tests.factories import count_statements, make_report, make_user, solve_report

GPS_LATITUDE = 2  # EXIF GPS tag ids
GPS_IFD = 0x8825


def jpeg_with_gps(colour=(200, 30, 30), size=(120, 80)) -> bytes:
    """A JPEG as a phone makes it: camera make and model, the owner's name, a GPS position."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "Fairphone"  # Make
    exif[0x0110] = "FP5 van J. Jansen"  # Model
    exif[0x013B] = "Jan Jansen"  # Artist
    exif.get_ifd(GPS_IFD).update({1: "N", GPS_LATITUDE: (52.0, 4.0, 30.0), 3: "E", 4: (4.0, 18.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert b"Jan Jansen" in data
    return data


def png(colour=(20, 120, 200), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def pdf() -> bytes:
    import pikepdf

    document = pikepdf.new()
    document.add_blank_page()
    document.docinfo["/Author"] = "Jan Jansen"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _setup(app, **config):
    app.config.update(config)
    with app.app_context():
        reporter = make_user("Sanne de Vries", email="sanne@example.test")
        other = make_user("Mo El Amrani", email="mo@example.test")
        coach = make_user("Coach Carla", email="coach@example.test", roles=("coach",))
        db.session.commit()
        return reporter.id, other.id, coach.id


def _report_form(**overrides):
    data = {
        "rule": "Dakkapel vraagt volledige vergunningprocedure",
        "problem": "Ook als alle buren akkoord zijn moet de inwoner acht weken wachten.",
        "origin": "own",
        "department_id": "",
        "submission_key": "key-1",
        "similar_seen": "1",
    }
    data.update(overrides)
    return data


def _stored(app, key) -> bool:
    with app.app_context():
        try:
            attachments.storage().get(key)
        except KeyError:
            return False
        return True


def _only_report(app) -> Report:
    with app.app_context():
        return db.session.scalar(db.select(Report))


def test_files_on_the_report_form_are_cleaned_stored_and_served_safely(app, client, auth):
    _setup(app)
    auth.login("sanne@example.test")
    response = _send(
        client, "/melden", _report_form(), [("IMG_0042 jan.jansen.jpg", jpeg_with_gps()), ("scan.pdf", pdf())]
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        report = db.session.scalar(db.select(Report))
        reference = report.reference
        files = db.session.scalars(db.select(Attachment).order_by(Attachment.number)).all()
        assert [(f.number, f.media_type, f.kind) for f in files] == [
            (1, "image/jpeg", "image"),
            (2, "application/pdf", "pdf"),
        ]
        assert files[0].uploader_id is not None and files[0].preview_key
        events = db.session.scalars(db.select(Event).order_by(Event.id)).all()
        assert [e.kind for e in events] == ["submitted", "attached", "attached"]
        # A line per file: its generated name, stored in Dutch, shown in the reader's language.
        texts = [e.text for e in events[1:]]
        assert texts == [f"Bijlage 1 (JPEG, {files[0].label_values()['size']})", texts[1]]
        assert texts[1].startswith("Bijlage 2 (PDF, ")
        with app.test_request_context(), force_locale("en"):
            assert [shown_text(text) for text in texts] == [
                f"Attachment 1 (JPEG, {files[0].label_values()['size']})",
                texts[1].replace("Bijlage", "Attachment"),
            ]

    image = client.get(f"/meldingen/{reference}/bijlagen/1")
    assert image.status_code == 200
    assert image.headers["Content-Type"] == "image/jpeg"
    assert image.headers["Content-Disposition"] == f'inline; filename="{reference}-bijlage-1.jpg"'
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Cache-Control"].startswith("private")
    csp = image.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp
    # Cleaned: nothing of the camera, the owner or the place survived.
    assert b"Jan Jansen" not in image.data and b"Fairphone" not in image.data
    kept = Image.open(io.BytesIO(image.data))
    assert not kept.getexif() and not kept.getexif().get_ifd(GPS_IFD)

    document = client.get(f"/meldingen/{reference}/bijlagen/2")
    assert document.headers["Content-Type"] == "application/pdf"
    assert document.headers["Content-Disposition"] == f'attachment; filename="{reference}-bijlage-2.pdf"'
    assert b"Jan Jansen" not in document.data

    preview = client.get(f"/meldingen/{reference}/bijlagen/1/voorbeeld")
    assert preview.status_code == 200 and preview.headers["Content-Type"].startswith("image/")
    assert "sandbox" in preview.headers["Content-Security-Policy"]
    assert client.get(f"/meldingen/{reference}/bijlagen/2/voorbeeld").status_code == 404
    assert client.get(f"/meldingen/{reference}/bijlagen/3").status_code == 404

    page = client.get(f"/meldingen/{reference}").get_data(as_text=True)
    assert "Bijlage 1 (JPEG," in page and "Bijlage 2 (PDF," in page
    # The original names identify people: they are never shown (nor stored).
    assert "jan.jansen" not in page and "IMG_0042" not in page


def test_a_refused_file_keeps_what_was_typed_and_says_which_file_and_why(app, client, auth):
    _setup(app)
    auth.login("sanne@example.test")
    response = _send(
        client,
        "/melden",
        _report_form(effect="Wachten, wachten en nog eens wachten."),
        [("goed.png", png()), ("plaatje.png", b"<html><script>alert(1)</script></html>")],
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Bestand 2 (plaatje.png)" in page
    assert "Dakkapel vraagt volledige vergunningprocedure" in page
    assert "Wachten, wachten en nog eens wachten." in page
    assert "Kies uw bestanden opnieuw" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Report)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_limits_per_file_and_per_report_have_clear_messages(app, client, auth):
    _setup(app, ATTACHMENTS_MAX_PER_REPORT=2, ATTACHMENT_MAX_BYTES=200_000)
    auth.login("sanne@example.test")
    three = [("a.png", png()), ("b.png", png()), ("c.png", png())]
    response = _send(client, "/melden", _report_form(), three)
    assert response.status_code == 400
    assert "maximaal 2 bestanden per melding" in response.get_data(as_text=True)

    big = io.BytesIO()
    Image.effect_noise((500, 500), 100).convert("RGB").save(big, "PNG")
    assert len(big.getvalue()) > 200_000
    response = _send(client, "/melden", _report_form(), [("groot.png", big.getvalue())])
    assert response.status_code == 400
    assert "Bestand 1 (groot.png)" in response.get_data(as_text=True)
    # Far past what a report takes: the request itself is refused, saying why.
    with app.app_context():
        huge = [("enorm.png", b"\0" * attachments.request_limit())]
    response = _send(client, "/melden", _report_form(), huge)
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)

    # The report may hold two: with one there, one more fits, two more do not.
    response = _send(client, "/melden", _report_form(), [("a.png", png())])
    assert response.status_code == 302
    reference = _only_report(app).reference
    response = _send(
        client,
        f"/meldingen/{reference}/bijlagen",
        {},
        [("b.png", png()), ("c.png", png())],
        form_path=f"/meldingen/{reference}",
    )
    assert response.status_code == 400
    assert "Bij deze melding passen nog 1 bestand." in response.get_data(as_text=True)


def test_who_may_not_see_the_report_gets_404_for_its_files(app, client, auth):
    _setup(app)
    auth.login("sanne@example.test")
    assert _send(client, "/melden", _report_form(), [("a.png", png())]).status_code == 302
    reference = _only_report(app).reference
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/")})
    client.delete_cookie("session")
    # Not logged in: the login page, as everywhere.
    assert client.get(f"/meldingen/{reference}/bijlagen/1").status_code == 302
    auth.login("mo@example.test")
    assert client.get(f"/meldingen/{reference}/bijlagen/1").status_code == 404
    assert client.get(f"/meldingen/{reference}/bijlagen/1/voorbeeld").status_code == 404
    assert client.get(f"/meldingen/{reference}/bijlagen/9").status_code == 404


def test_an_anonymous_reporters_file_names_them_like_the_reporter(app, client, auth):
    _setup(app)
    auth.login("sanne@example.test")
    response = _send(client, "/melden", _report_form(anonymous="y"), [("sanne.png", png())])
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(db.select(Attachment))
        assert row.anonymous and row.uploader_id is None and row.uploader_pseudonym
        reference = row.report.reference
    own = client.get(f"/meldingen/{reference}").get_data(as_text=True)
    assert "Toegevoegd door U (anoniem)" in own
    client.delete_cookie("session")
    auth.login("coach@example.test")
    page = client.get(f"/meldingen/{reference}").get_data(as_text=True)
    assert "Toegevoegd door Anoniem" in page
    assert "Sanne" not in page
    # Only the day, as for the submission: the minute could be matched with a login.
    item = re.search(r'<li class="rk-card rk-attachment">.*?</li>', page, re.S).group(0)
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}">', item)


def test_a_supporter_adds_files_with_their_note_and_a_coach_on_the_report_page(app, client, auth):
    reporter_id, _, _ = _setup(app)
    with app.app_context():
        reference = make_report(db.session.get(User, reporter_id)).reference
        db.session.commit()
    auth.login("mo@example.test")
    response = _send(client, f"/meldingen/{reference}/ik-ook", {"note": "Bij ons ook."}, [("brief.pdf", pdf())])
    assert response.status_code == 303, response.get_data(as_text=True)
    client.delete_cookie("session")
    auth.login("coach@example.test")
    response = _send(
        client, f"/meldingen/{reference}/bijlagen", {}, [("scherm.png", png())], form_path=f"/meldingen/{reference}"
    )
    assert response.status_code == 303
    with app.app_context():
        rows = db.session.scalars(db.select(Attachment).order_by(Attachment.number)).all()
        assert [(r.number, r.support_id is not None, r.uploader.name) for r in rows] == [
            (1, True, "Mo El Amrani"),
            (2, False, "Coach Carla"),
        ]
    page = client.get(f"/meldingen/{reference}").get_data(as_text=True)
    assert "Toegevoegd door Mo El Amrani" in page and "Toegevoegd door U" in page
    # An employee who only supports it sees the files, but adds no more on the page.
    client.delete_cookie("session")
    auth.login("mo@example.test")
    page = client.get(f"/meldingen/{reference}").get_data(as_text=True)
    assert "Bijlage 1 (PDF," in page and "Bestanden toevoegen" not in page
    assert (
        client.post(f"/meldingen/{reference}/bijlagen", data={"csrf_token": csrf_token(client, "/")}).status_code == 403
    )


def test_files_stored_for_a_write_that_fails_are_deleted(app):
    reporter_id, _, _ = _setup(app)
    with app.app_context():
        reporter = db.session.get(User, reporter_id)
        files = attachments.clean_files([attachments.Upload(png()), attachments.Upload(jpeg_with_gps())])
        report = submit_report(reporter, rule="Regel", problem="Probleem", attachments=files)
        keys = [key for a in db.session.scalars(db.select(Attachment)) for key in (a.storage_key, a.preview_key)]
        assert len(keys) == 4 and all(_stored(app, key) for key in keys)
        assert report.id is not None
        db.session.rollback()
    assert not any(_stored(app, key) for key in keys)


def test_retention_removes_the_reporters_files_with_the_reporter_link(app):
    from datetime import timedelta

    from app.models import User
    from app.models.base import utcnow

    reporter_id, _, coach_id = _setup(app)
    with app.app_context():
        reporter, coach = db.session.get(User, reporter_id), db.session.get(User, coach_id)
        named = submit_report(
            reporter, rule="Genoemd", problem="P", attachments=attachments.clean_files([attachments.Upload(png())])
        )
        anonymous = submit_report(
            reporter,
            rule="Anoniem",
            problem="P",
            anonymous=True,
            attachments=attachments.clean_files([attachments.Upload(png())]),
        )
        db.session.flush()
        attachments.add_attachments(named, coach, attachments.clean_files([attachments.Upload(png())]))
        solve_report(named, coach)
        solve_report(anonymous, coach)
        db.session.commit()
        rows = {(a.report.rule, a.number): a.storage_key for a in db.session.scalars(db.select(Attachment))}
        assert len(rows) == 3
        later = utcnow() + timedelta(days=1)
        assert forget_reporters(later, dry_run=True) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 3
        forget_reporters(later)
        forget_anonymous_links(later)
        db.session.commit()
        left = [(a.report.rule, a.number) for a in db.session.scalars(db.select(Attachment))]
    # The coach's file stays with the report; the reporters' files are gone, stored and all.
    assert left == [("Genoemd", 2)]
    assert _stored(app, rows[("Genoemd", 2)])
    assert not _stored(app, rows[("Genoemd", 1)]) and not _stored(app, rows[("Anoniem", 1)])


@pytest.mark.parametrize("role", ["reporter", "coach"])
def test_the_report_page_needs_as_many_statements_with_one_file_as_with_five(app, client, auth, role):
    reporter_id, _, coach_id = _setup(app)
    with app.app_context():
        reporter, coach = db.session.get(User, reporter_id), db.session.get(User, coach_id)
        one = submit_report(
            reporter,
            rule="Parkeervergunning op papier",
            problem="Inwoners moeten langskomen.",
            attachments=attachments.clean_files([attachments.Upload(png())]),
        )
        five = submit_report(
            reporter,
            rule="Parkeervergunning op papier",
            problem="Inwoners moeten langskomen.",
            attachments=attachments.clean_files([attachments.Upload(png())] * 3),
        )
        attachments.add_attachments(five, coach, attachments.clean_files([attachments.Upload(png())] * 2))
        references = one.reference, five.reference
        db.session.commit()
    auth.login("sanne@example.test" if role == "reporter" else "coach@example.test")
    counts = []
    for reference in references:
        client.get(f"/meldingen/{reference}")  # warm: the same caches for both
        with count_statements(app) as statements:
            assert client.get(f"/meldingen/{reference}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_api_lists_a_reports_files_without_their_anonymous_uploader(app, client, auth):
    from tests.api_helpers import bearer, token_for

    _, _, coach_id = _setup(app)
    auth.login("sanne@example.test")
    assert _send(client, "/melden", _report_form(anonymous="y"), [("sanne.pdf", pdf())]).status_code == 302
    reference = _only_report(app).reference
    with app.app_context():
        secret = token_for(db.session.get(User, coach_id))
    answer = app.test_client().get(f"/api/v1/reports/{reference}", headers=bearer(secret))
    assert answer.status_code == 200
    (item,) = answer.get_json()["attachments"]
    assert item["number"] == 1 and item["kind"] == "pdf" and item["media_type"] == "application/pdf"
    assert item["name"].startswith("Bijlage 1 (PDF,") and item["pages"] == 1
    assert item["added_by"] == "Anoniem"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", item["at"]), "only the day of an anonymous upload"
    assert "Sanne" not in answer.get_data(as_text=True) and "sanne" not in answer.get_data(as_text=True)


def test_files_without_a_valid_csrf_token_store_nothing(app, client, auth):
    reporter_id, _, _ = _setup(app)
    with app.app_context():
        reference = make_report(db.session.get(User, reporter_id)).reference
        db.session.commit()
        folder = app.config["ATTACHMENTS_DIR"]
    auth.login("sanne@example.test")
    before = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    for path in (f"/meldingen/{reference}/bijlagen", "/melden"):
        response = client.post(
            path,
            data={"csrf_token": "vervalst", "rule": "R", "problem": "P", "attachments": (io.BytesIO(png()), "a.png")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0
    assert (sorted(os.listdir(folder)) if os.path.isdir(folder) else []) == before
