"""Accounts that only their owner controls: the beheerder invites and sends reset links but
never chooses or sees a password; the links are signed, expire and work once; every change
of a password or an e-mail address reaches the owner by mail (the old address too); and
the beheerder can read the audit trail."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from app.extensions import db
from app.models import AuditEntry, User
from app.notify import deliver_outbox
from tests.conftest import csrf_token, post_form
from tests.factories import PASSWORD, choose_mail, make_user

ADMIN = "ada@example.test"
EVA = "eva@example.test"
NEW_PASSWORD = "een lange nieuwe wachtzin van Eva"


@pytest.fixture
def people(app):
    with app.app_context():
        make_user("Ada Beheer", email=ADMIN, roles=("employee", "admin"))
        eva = make_user("Eva de Vries", email=EVA)
        choose_mail(eva, "none")  # security notices come anyway
        db.session.commit()
        return {"eva": eva.id}


def _login(client, email, password=PASSWORD):
    token = csrf_token(client, "/inloggen")
    return client.post("/inloggen", data={"email": email, "password": password, "csrf_token": token})


def _logged_in(client) -> bool:
    return client.get("/mijn-meldingen").status_code == 200


def _mails(app, smtp, address: str):
    with app.app_context():
        deliver_outbox()
    return smtp.inbox.to(address)


def _link(message) -> str:
    from tests.smtp import Inbox

    return urlsplit(re.search(r"http://\S+/wachtwoord-kiezen/\S+", Inbox.text(message)).group(0)).path


def _choose(client, path: str, password: str = NEW_PASSWORD):
    return post_form(client, path, {"password": password, "repeat": password})


def test_an_invitation_lets_the_newcomer_choose_a_password_once(app, people, smtp):
    admin = app.test_client()
    _login(admin, ADMIN)
    response = post_form(
        admin,
        "/beheer/gebruikers/nieuw",
        {"name": "Nina Nieuw", "email": "nina@example.test", "department_id": "", "roles": ["employee"], "active": "y"},
    )
    assert response.status_code == 303
    assert "krijgt een e-mail met een link" in admin.get("/beheer/gebruikers").get_data(as_text=True)
    # Nobody can log in yet, not even with an empty or a guessed password.
    assert _login(app.test_client(), "nina@example.test", "").status_code == 400
    assert _login(app.test_client(), "nina@example.test", "!").status_code == 400
    invitation = _mails(app, smtp, "nina@example.test")
    assert len(invitation) == 1 and "Uw account bij Rode Knop" in invitation[0]["Subject"]
    path = _link(invitation[0])
    # The beheerder never sees the link.
    for page in ("/beheer/gebruikers", "/beheer/logboek"):
        assert path.rsplit("/", 1)[1] not in admin.get(page).get_data(as_text=True)
    nina = app.test_client()
    page = nina.get(path).get_data(as_text=True)
    assert "Kies uw wachtwoord" in page and "nina@example.test" in page
    mismatch = post_form(nina, path, {"password": NEW_PASSWORD, "repeat": "iets anders"})
    assert mismatch.status_code == 400 and "niet hetzelfde" in mismatch.get_data(as_text=True)
    assert _choose(nina, path).status_code == 303
    assert _login(app.test_client(), "nina@example.test", NEW_PASSWORD).status_code == 302
    # The link worked once.
    again = nina.get(path)
    assert again.status_code == 400 and "verlopen of al gebruikt" in again.get_data(as_text=True)
    late = app.test_client()
    token = csrf_token(late, "/inloggen")
    late_try = late.post(
        path, data={"password": "nog een ander wachtwoord", "repeat": "nog een ander wachtwoord", "csrf_token": token}
    )
    assert late_try.status_code == 400
    confirmation = [m for m in _mails(app, smtp, "nina@example.test") if "gewijzigd" in m["Subject"]]
    assert confirmation and "een wachtwoord gekozen" in smtp.inbox.text(confirmation[0])


def test_a_reset_link_from_the_beheerder_ends_every_session_and_tells_the_owner(app, people, smtp):
    eva = app.test_client()
    assert _login(eva, EVA).status_code == 302
    admin = app.test_client()
    _login(admin, ADMIN)
    response = post_form(
        admin, f"/beheer/gebruikers/{people['eva']}/wachtwoordlink", {}, form_path=f"/beheer/gebruikers/{people['eva']}"
    )
    assert response.status_code == 303
    assert "krijgt een e-mail met een link" in admin.get(response.headers["Location"]).get_data(as_text=True)
    # Until Eva uses it, nothing changes: her password works, her session lives.
    assert _logged_in(eva)
    assert _login(app.test_client(), EVA).status_code == 302
    reset = [m for m in _mails(app, smtp, EVA) if "nieuw wachtwoord" in m["Subject"]]
    assert len(reset) == 1
    path = _link(reset[0])
    assert _choose(app.test_client(), path).status_code == 303
    assert not _logged_in(eva), "the old session survived a new password"
    assert _login(app.test_client(), EVA).status_code == 400
    assert _login(app.test_client(), EVA, NEW_PASSWORD).status_code == 302
    notice = [m for m in _mails(app, smtp, EVA) if "gewijzigd" in m["Subject"]]
    assert notice and "Het wachtwoord van uw account" in smtp.inbox.text(notice[0])
    with app.app_context():
        actions = [a.action for a in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]
    assert "password_link_sent" in actions and "password_changed" in actions


def test_links_expire_and_cannot_be_forged(app, people, monkeypatch):
    from app.services.users import RESET, password_link

    with app.app_context():
        path = urlsplit(password_link(db.session.get(User, people["eva"]), RESET)).path
    client = app.test_client()
    assert client.get(path).status_code == 200
    payload = path.rsplit("/", 1)[1].split(".")[0]
    someone_else = payload.replace(payload[5], "A" if payload[5] != "A" else "B", 1)
    for forged in (
        path.replace(payload, someone_else),
        path.replace("/reset/", "/invitation/"),
        "/wachtwoord-kiezen/reset/" + "a" * 600,
        "/wachtwoord-kiezen/iets/" + path.rsplit("/", 1)[1],
    ):
        assert client.get(forged).status_code == 400, forged
    # A day and a second later (PASSWORD_RESET_HOURS is 24 by default):
    import time
    import types

    import itsdangerous.timed

    later = time.time() + app.config["PASSWORD_RESET_HOURS"] * 3600 + 1
    monkeypatch.setattr(itsdangerous.timed, "time", types.SimpleNamespace(time=lambda: later))
    expired = client.get(path)
    assert expired.status_code == 400 and "verlopen of al gebruikt" in expired.get_data(as_text=True)


def test_a_changed_address_is_mailed_to_the_old_and_the_new_one(app, people, smtp):
    from app.services.users import RESET, password_link

    with app.app_context():
        old_link = urlsplit(password_link(db.session.get(User, people["eva"]), RESET)).path
    admin = app.test_client()
    _login(admin, ADMIN)
    response = post_form(
        admin,
        f"/beheer/gebruikers/{people['eva']}",
        {
            "name": "Eva de Vries",
            "email": "eva.nieuw@example.test",
            "department_id": "",
            "roles": ["employee"],
            "active": "y",
        },
    )
    assert response.status_code == 303
    for address in (EVA, "eva.nieuw@example.test"):
        mails = _mails(app, smtp, address)
        assert len(mails) == 1, address
        text = smtp.inbox.text(mails[0])
        assert "gewijzigd van eva@example.test in eva.nieuw@example.test" in text
    # A link sent to the old address no longer works.
    assert app.test_client().get(old_link).status_code == 400
    assert "E-mailadres gewijzigd" in admin.get("/beheer/logboek").get_data(as_text=True)


def test_changing_ones_own_password_is_mailed(app, people, smtp):
    eva = app.test_client()
    _login(eva, EVA)
    assert post_form(eva, "/wachtwoord", {"current": PASSWORD, "password": NEW_PASSWORD}).status_code == 302
    notice = _mails(app, smtp, EVA)
    assert len(notice) == 1 and "Was u het niet" in smtp.inbox.text(notice[0])


def test_the_logboek_shows_the_audit_trail_to_the_beheerder_only(app, people):
    admin, eva = app.test_client(), app.test_client()
    _login(app.test_client(), EVA, "fout wachtwoord")
    _login(eva, EVA)
    _login(admin, ADMIN)
    page = admin.get("/beheer/logboek").get_data(as_text=True)
    assert page.count("Inloggen") >= 3 and "Mislukt" in page and "Eva de Vries" in page
    failed_only = admin.get("/beheer/logboek?actie=login").get_data(as_text=True)
    assert "Inloggen" in failed_only
    assert eva.get("/beheer/logboek").status_code == 403
    # Unknown filters and pages are ignored, never an error.
    for query in ("actie=%00", "actie=drop table", "pagina=99999999999999999999", "pagina=-1", "pagina=2"):
        assert admin.get(f"/beheer/logboek?{query}").status_code == 200, query


def test_the_logboek_pages_through_a_long_trail(app, people):
    from app.services.audit import record_audit

    with app.app_context():
        for _ in range(120):
            record_audit("logout")
        db.session.commit()
    admin = app.test_client()
    _login(admin, ADMIN)
    first = admin.get("/beheer/logboek").get_data(as_text=True)
    assert "Ouder" in first and "Nieuwer" not in first
    third = admin.get("/beheer/logboek?pagina=3").get_data(as_text=True)
    assert "Nieuwer" in third and "Ouder" not in third


def test_every_audited_action_has_a_label_on_the_logboek(app):
    """A new kind of audit entry must get its Dutch name, or it cannot be recorded."""
    from app.services.audit import record_audit

    with app.app_context(), pytest.raises(ValueError):
        record_audit("iets_onbekends")
