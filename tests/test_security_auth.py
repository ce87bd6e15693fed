"""Logging in and out (QUALITY.md, security 4 and privacy 18): Dutch errors, audit
entries without secrets, a fresh session on login, every session ended on logout,
deactivation and password change, safe `next` redirects, rate limits, argon2id."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from app.extensions import db
from app.models import AuditEntry, User
from tests.conftest import CSRF_RE, csrf_token, post_form
from tests.factories import PASSWORD, make_user

WRONG = "dit-is-niet-het-goede-wachtwoord-93"


def _world(app):
    with app.app_context():
        make_user("Eva Medewerker", email="eva@voorbeeldstad.nl")
        make_user("Ada Beheer", email="ada@voorbeeldstad.nl", roles=("employee", "admin"))
        db.session.commit()


def _user(app, email) -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def _login(client, email, password=PASSWORD, path="/inloggen"):
    token = csrf_token(client, "/inloggen")
    return client.post(path, data={"email": email, "password": password, "csrf_token": token})


def _logged_in(client) -> bool:
    response = client.get("/mijn-meldingen")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith("/inloggen"), (
        f"neither a page nor a login redirect: {response.status_code}"
    )
    return False


def _session_cookie(app, client) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


# --- wrong password ---------------------------------------------------------------------


def test_wrong_password_is_refused_in_dutch_without_a_session(app, client):
    _world(app)
    response = _login(client, "eva@voorbeeldstad.nl", WRONG)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Het e-mailadres of het wachtwoord klopt niet." in page
    assert WRONG not in page, "the typed password is echoed back"
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert not _logged_in(client)


def test_unknown_account_gets_the_same_answer_as_a_wrong_password(app, client):
    _world(app)
    wrong_password = _login(client, "eva@voorbeeldstad.nl", WRONG)
    unknown = _login(app.test_client(), "niemand@example.test", WRONG)
    assert unknown.status_code == wrong_password.status_code == 400
    strip = lambda r: CSRF_RE.sub("", r.get_data(as_text=True)).replace("niemand@example.test", "eva@voorbeeldstad.nl")  # noqa: E731
    assert strip(unknown) == strip(wrong_password)


def test_inactive_account_cannot_log_in(app, client):
    _world(app)
    with app.app_context():
        make_user("Oud Account", email="oud@example.test", active=False)
        db.session.commit()
    response = _login(client, "oud@example.test")
    assert response.status_code == 400
    assert "klopt niet" in response.get_data(as_text=True)
    assert not _logged_in(client)


# --- audit ------------------------------------------------------------------------------


def test_logins_are_audited_without_the_password(app, client):
    _world(app)
    eva = _user(app, "eva@voorbeeldstad.nl")
    assert _login(client, "eva@voorbeeldstad.nl", WRONG).status_code == 400
    assert _login(app.test_client(), "niemand@example.test", WRONG).status_code == 400
    assert _login(client, "eva@voorbeeldstad.nl").status_code == 302
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
        logins = [(e.action, e.actor_id, e.object_id, e.result) for e in entries if e.action == "login"]
        assert logins == [
            ("login", eva.id, eva.id, "failed"),
            ("login", None, None, "failed"),
            ("login", eva.id, eva.id, "ok"),
        ]
        for entry in entries:
            assert entry.at is not None and entry.at.utcoffset().total_seconds() == 0
            text = " ".join(str(getattr(entry, column.name)) for column in AuditEntry.__table__.columns)
            for secret in (PASSWORD, WRONG, eva.password_hash, eva.session_token):
                assert secret not in text, f"audit entry {entry.id} contains a secret"
            with client.session_transaction() as session:
                for value in session.values():
                    assert str(value) not in text or len(str(value)) < 8, "audit entry contains a session value"


def test_logout_is_audited(app, client):
    _world(app)
    eva = _user(app, "eva@voorbeeldstad.nl")
    _login(client, "eva@voorbeeldstad.nl")
    post_form(client, "/uitloggen", {}, form_path="/")
    with app.app_context():
        last = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (last.action, last.actor_id, last.result) == ("logout", eva.id, "ok")


# --- sessions ---------------------------------------------------------------------------


def test_login_issues_a_new_session(app, client):
    _world(app)
    client.get("/inloggen")
    with client.session_transaction() as session:
        session["planted"] = "door een aanvaller gezet"
    before = _session_cookie(app, client)
    assert before
    assert _login(client, "eva@voorbeeldstad.nl").status_code == 302
    after = _session_cookie(app, client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session, "a value from before the login survived it"
        assert session.get("_user_id")


def test_logout_ends_the_session_and_every_copy_of_its_cookie(app, client):
    _world(app)
    assert _login(client, "eva@voorbeeldstad.nl").status_code == 302
    stolen = _session_cookie(app, client)
    response = post_form(client, "/uitloggen", {}, form_path="/")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/inloggen"
    assert not _logged_in(client)

    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    assert not _logged_in(replay), "an old copy of the session cookie still works after logout"


def test_logout_ends_the_users_other_sessions_too(app):
    _world(app)
    laptop, phone = app.test_client(), app.test_client()
    _login(laptop, "eva@voorbeeldstad.nl")
    _login(phone, "eva@voorbeeldstad.nl")
    assert _logged_in(laptop) and _logged_in(phone)
    post_form(laptop, "/uitloggen", {}, form_path="/")
    assert not _logged_in(phone)


def test_deactivation_by_an_administrator_ends_existing_sessions(app):
    _world(app)
    eva = _user(app, "eva@voorbeeldstad.nl")
    victim, admin = app.test_client(), app.test_client()
    _login(victim, "eva@voorbeeldstad.nl")
    assert _logged_in(victim)
    stolen = _session_cookie(app, victim)
    _login(admin, "ada@voorbeeldstad.nl")
    response = post_form(
        admin,
        f"/beheer/gebruikers/{eva.id}",
        {"name": eva.name, "email": eva.email, "department_id": "", "roles": ["employee"], "password": ""},
    )  # 'active' unticked
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert not _user(app, "eva@voorbeeldstad.nl").active
    assert not _logged_in(victim)
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    assert not _logged_in(replay)
    # ...and reactivating does not bring the old session back.
    post_form(
        admin,
        f"/beheer/gebruikers/{eva.id}",
        {
            "name": eva.name,
            "email": eva.email,
            "department_id": "",
            "roles": ["employee"],
            "password": "",
            "active": "y",
        },
    )
    assert _user(app, "eva@voorbeeldstad.nl").active
    assert not _logged_in(replay)


def test_administrator_can_deactivate_any_existing_account(app):
    """Deactivation is how a leaver's access ends. Accounts made with the CLI or the demo
    seed may have addresses the admin form's e-mail check rejects (the demo uses
    @rodeknop.test); the administrator must still be able to deactivate them."""
    _world(app)
    with app.app_context():
        leaver = make_user("Vertrokken Collega", email="medewerker@rodeknop.test")
        db.session.commit()
        leaver_id = leaver.id
    victim, admin = app.test_client(), app.test_client()
    _login(victim, "medewerker@rodeknop.test")
    assert _logged_in(victim)
    _login(admin, "ada@voorbeeldstad.nl")
    response = post_form(
        admin,
        f"/beheer/gebruikers/{leaver_id}",
        {
            "name": "Vertrokken Collega",
            "email": "medewerker@rodeknop.test",
            "department_id": "",
            "roles": ["employee"],
            "password": "",
        },
    )
    assert response.status_code == 303, "the administrator could not deactivate the account: " + " | ".join(
        re.findall(
            r'utrecht-form-field-error-message"[^>]*>(?:<span[^>]*>[^<]*</span>)?([^<]*)',
            response.get_data(as_text=True),
        )
    )
    assert not _logged_in(victim)


def test_own_password_change_ends_other_sessions_but_keeps_this_one(app):
    _world(app)
    here, elsewhere = app.test_client(), app.test_client()
    _login(here, "eva@voorbeeldstad.nl")
    _login(elsewhere, "eva@voorbeeldstad.nl")
    new_password = "een nieuwe lange wachtzin van Eva " * 3  # long passphrases are allowed
    response = post_form(here, "/wachtwoord", {"current": PASSWORD, "password": new_password})
    assert response.status_code == 302
    assert _logged_in(here)
    assert not _logged_in(elsewhere), "a password change left another session logged in"
    assert _login(app.test_client(), "eva@voorbeeldstad.nl", new_password).status_code == 302


def test_an_administrator_cannot_set_someone_elses_password(app):
    """A beheerder who could choose Eva's password could log in as Eva and read her
    anonymous reports: the form has no password, and one smuggled into the post is ignored."""
    _world(app)
    eva = _user(app, "eva@voorbeeldstad.nl")
    victim, admin = app.test_client(), app.test_client()
    _login(victim, "eva@voorbeeldstad.nl")
    _login(admin, "ada@voorbeeldstad.nl")
    assert 'type="password"' not in admin.get(f"/beheer/gebruikers/{eva.id}").get_data(as_text=True)
    response = post_form(
        admin,
        f"/beheer/gebruikers/{eva.id}",
        {
            "name": eva.name,
            "email": eva.email,
            "department_id": "",
            "roles": ["employee"],
            "active": "y",
            "password": "tijdelijk wachtwoord van de beheerder",
        },
    )
    assert response.status_code == 303
    assert _user(app, "eva@voorbeeldstad.nl").password_hash == eva.password_hash
    assert _logged_in(victim)
    assert _login(app.test_client(), "eva@voorbeeldstad.nl", "tijdelijk wachtwoord van de beheerder").status_code == 400


def test_wrong_current_password_changes_nothing(app, client):
    _world(app)
    before = _user(app, "eva@voorbeeldstad.nl")
    _login(client, "eva@voorbeeldstad.nl")
    response = post_form(client, "/wachtwoord", {"current": WRONG, "password": "een heel ander wachtwoord"})
    assert response.status_code == 400
    assert "niet uw huidige wachtwoord" in response.get_data(as_text=True)
    after = _user(app, "eva@voorbeeldstad.nl")
    assert after.password_hash == before.password_hash
    assert after.session_token == before.session_token


# --- next -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/mijn-meldingen", "/mijn-meldingen"),
        ("/meldingen?status=new", "/meldingen?status=new"),
        ("https://evil.example", "/"),
        ("http://evil.example/inloggen", "/"),
        ("//evil.example", "/"),
        ("///evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        (" //evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("JaVaScRiPt:alert(1)", "/"),
        ("https:/evil.example", "/"),
        ("evil.example", "/"),
        ("/mijn-meldingen\r\nSet-Cookie: sessie=gestolen", "/"),  # no header of its own
        ("/mijn-meldingen\x00", "/"),
        ("/" + "x" * 100_000, "/"),
    ],
)
def test_next_only_goes_to_a_path_on_this_site(app, client, target, expected):
    _world(app)
    token = csrf_token(client, "/inloggen")
    response = client.post(
        "/inloggen",
        query_string={"next": target},
        data={"email": "eva@voorbeeldstad.nl", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_login_form_keeps_a_safe_next_and_drops_an_unsafe_one(app, client):
    page = client.get("/inloggen", query_string={"next": "/mijn-meldingen"}).get_data(as_text=True)
    assert 'action="/inloggen?next=/mijn-meldingen"' in page or "next=%2Fmijn-meldingen" in page
    page = client.get("/inloggen", query_string={"next": "https://evil.example"}).get_data(as_text=True)
    assert "evil.example" not in page


# --- rate limits ------------------------------------------------------------------------


def _assert_dutch_429(response):
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Te veel pogingen" in page and "Wacht een paar minuten" in page
    assert response.headers.get("Content-Security-Policy")


def test_repeated_failed_logins_for_one_account_are_limited(app, client):
    assert app.config["LOGIN_LIMIT_PER_ACCOUNT"] == "10 per 10 minutes"
    _world(app)
    token = csrf_token(client, "/inloggen")
    statuses = [
        client.post(
            "/inloggen", data={"email": "eva@voorbeeldstad.nl", "password": WRONG, "csrf_token": token}
        ).status_code
        for _ in range(10)
    ]
    assert statuses == [400] * 10
    _assert_dutch_429(
        client.post("/inloggen", data={"email": "eva@voorbeeldstad.nl", "password": WRONG, "csrf_token": token})
    )
    # The right password does not get through either while the account is limited...
    _assert_dutch_429(
        client.post("/inloggen", data={"email": "eva@voorbeeldstad.nl", "password": PASSWORD, "csrf_token": token})
    )
    # ...nor from another client, nor with the address written differently.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    other_token = csrf_token(elsewhere, "/inloggen")
    _assert_dutch_429(
        elsewhere.post(
            "/inloggen", data={"email": " EVA@voorbeeldstad.nl ", "password": PASSWORD, "csrf_token": other_token}
        )
    )
    # Another account from another client is not affected.
    assert (
        elsewhere.post(
            "/inloggen", data={"email": "ada@voorbeeldstad.nl", "password": PASSWORD, "csrf_token": other_token}
        ).status_code
        == 302
    )


def test_repeated_failed_logins_from_one_client_are_limited(app, client):
    assert app.config["LOGIN_LIMIT_PER_CLIENT"] == "20 per 10 minutes"
    _world(app)
    token = csrf_token(client, "/inloggen")
    statuses = [
        client.post(
            "/inloggen", data={"email": f"gok{n}@example.test", "password": WRONG, "csrf_token": token}
        ).status_code
        for n in range(20)
    ]
    assert statuses == [400] * 20
    _assert_dutch_429(
        client.post("/inloggen", data={"email": "gok99@example.test", "password": WRONG, "csrf_token": token})
    )
    # Also for an existing account with the right password, from this client.
    _assert_dutch_429(
        client.post("/inloggen", data={"email": "ada@voorbeeldstad.nl", "password": PASSWORD, "csrf_token": token})
    )


def _wrong(client, email, times: int, password: str = WRONG) -> list[int]:
    token = csrf_token(client, "/inloggen")
    return [
        client.post("/inloggen", data={"email": email, "password": password, "csrf_token": token}).status_code
        for _ in range(times)
    ]


def _rate_limit_keys(app) -> list[str]:
    from sqlalchemy import text

    with app.app_context(), db.engine.connect() as conn:
        keys = [row[0] for row in conn.execute(text("SELECT key FROM rate_limit"))]
        conn.rollback()
    return keys


def test_the_rate_limit_table_holds_no_email_address(app, client):
    """What a client types as its address is never stored (nor its network address): the
    counters are keyed by a hash, of a bounded length whatever was sent."""
    _world(app)
    long_address = "eva." + "x" * 400 + "@voorbeeldstad.nl"
    odd_address = "Eva O'Brien+\x00\x1b🤷🏽‍♀️\u202e@VOORBEELDSTAD.nl"
    for address in (long_address, odd_address, "eva@voorbeeldstad.nl"):
        assert _wrong(client, address, 1)[0] == 400
    keys = _rate_limit_keys(app)
    assert keys, "no failed attempt was counted"
    for key in keys:
        assert len(key) <= 255
        for part in ("@", "voorbeeldstad", "eva", "brien", "xxxx", "127.0.0.1", "\x00"):
            assert part not in key.lower(), f"rate limit key {key!r} contains {part!r}"


def test_successful_logins_do_not_use_up_the_limit(app):
    app.config.update(LOGIN_LIMIT_PER_ACCOUNT="3 per 10 minutes", LOGIN_LIMIT_PER_CLIENT="3 per 10 minutes")
    _world(app)
    # Five colleagues' browsers (one address, no device cookie) log in as Eva: no count.
    assert [_login(app.test_client(), "eva@voorbeeldstad.nl").status_code for _ in range(5)] == [302] * 5
    # Failed attempts still count, from the first one.
    stranger = app.test_client()
    assert _wrong(stranger, "eva@voorbeeldstad.nl", 3) == [400, 400, 400]
    _assert_dutch_429(_login(stranger, "eva@voorbeeldstad.nl", WRONG))


def test_a_victim_with_a_device_cookie_still_logs_in_while_an_attacker_hammers_the_account(app):
    _world(app)
    victim = app.test_client()
    assert _login(victim, "eva@voorbeeldstad.nl").status_code == 302
    post_form(victim, "/uitloggen", {}, form_path="/")

    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "192.0.2.66"
    assert _wrong(attacker, "eva@voorbeeldstad.nl", 10) == [400] * 10
    _assert_dutch_429(_login(attacker, "eva@voorbeeldstad.nl"))
    # A browser Eva never used is held back too ...
    _assert_dutch_429(_login(app.test_client(), "eva@voorbeeldstad.nl"))
    # ... but the browser she logged in with before lets her in.
    assert _login(victim, "eva@voorbeeldstad.nl").status_code == 302
    assert _logged_in(victim)


def test_a_municipality_behind_one_address_is_not_locked_out_by_one_guesser(app):
    """Everyone comes from the same NAT address; someone guesses at many accounts from it."""
    _world(app)
    colleague = app.test_client()
    assert _login(colleague, "ada@voorbeeldstad.nl").status_code == 302
    post_form(colleague, "/uitloggen", {}, form_path="/")
    guesser = app.test_client()
    assert [_wrong(guesser, f"gok{n}@example.test", 1)[0] for n in range(20)] == [400] * 20
    _assert_dutch_429(_login(guesser, "eva@voorbeeldstad.nl"))
    assert _login(colleague, "ada@voorbeeldstad.nl").status_code == 302


def test_a_device_cookie_guesses_no_faster_than_anyone_else(app):
    """A trusted browser has its own count: a stolen laptop cannot try passwords endlessly."""
    _world(app)
    laptop = app.test_client()
    assert _login(laptop, "eva@voorbeeldstad.nl").status_code == 302
    post_form(laptop, "/uitloggen", {}, form_path="/")
    assert _wrong(laptop, "eva@voorbeeldstad.nl", 10) == [400] * 10
    _assert_dutch_429(_login(laptop, "eva@voorbeeldstad.nl"))


def test_a_device_cookie_is_trusted_for_its_own_account_only_and_not_after_a_password_change(app):
    _world(app)
    browser = app.test_client()
    assert _login(browser, "eva@voorbeeldstad.nl").status_code == 302
    post_form(browser, "/uitloggen", {}, form_path="/")
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "192.0.2.66"
    _wrong(attacker, "ada@voorbeeldstad.nl", 10)
    # Eva's cookie does not open Ada's limited account ...
    _assert_dutch_429(_login(browser, "ada@voorbeeldstad.nl"))
    # ... and after Eva's password changed elsewhere, her old cookie is worth nothing.
    with app.app_context():
        from app.services.users import set_password

        eva = db.session.scalar(db.select(User).where(User.email == "eva@voorbeeldstad.nl"))
        set_password(eva, "een heel nieuw wachtwoord van Eva", actor=None)
        db.session.commit()
    _wrong(attacker, "eva@voorbeeldstad.nl", 10)
    _assert_dutch_429(_login(browser, "eva@voorbeeldstad.nl", "een heel nieuw wachtwoord van Eva"))
    # A forged or foreign cookie is worth nothing either.
    forged = app.test_client()
    forged.set_cookie("rk_apparaat", browser.get_cookie("rk_apparaat", path="/inloggen").value + "x", path="/inloggen")
    _assert_dutch_429(_login(forged, "eva@voorbeeldstad.nl", "een heel nieuw wachtwoord van Eva"))


def test_the_device_cookie_is_httponly_samesite_lax_long_lived_and_secure_in_production(app, client):
    _world(app)
    app.config["SESSION_COOKIE_SECURE"] = True
    response = _login(client, "eva@voorbeeldstad.nl")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("rk_apparaat="))
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes and "secure" in attributes
    assert attributes["samesite"].lower() == "samesite=lax"
    assert attributes["path"] == "Path=/inloggen"
    assert 170 * 86400 <= int(attributes["max-age"].split("=")[1]) <= 190 * 86400
    # Signed, and it says which account only by its id.
    from itsdangerous import URLSafeTimedSerializer

    value = cookie.split(";")[0].split("=", 1)[1]
    payload = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="rodeknop-device-cookie").loads(value)
    assert "voorbeeldstad" not in str(payload) and PASSWORD not in str(payload)


def test_changing_the_password_is_throttled(app, client):
    assert app.config["PASSWORD_CHANGE_LIMIT"] == "5 per 10 minutes"
    _world(app)
    _login(client, "eva@voorbeeldstad.nl")
    new = {"password": "een heel ander wachtwoord"}
    assert [post_form(client, "/wachtwoord", {"current": WRONG, **new}).status_code for _ in range(5)] == [400] * 5
    _assert_dutch_429(post_form(client, "/wachtwoord", {"current": WRONG, **new}))
    # The right current password does not get through either while it is throttled.
    _assert_dutch_429(post_form(client, "/wachtwoord", {"current": PASSWORD, **new}))
    assert _login(app.test_client(), "eva@voorbeeldstad.nl").status_code == 302


def test_a_successful_password_change_is_not_counted(app, client):
    app.config["PASSWORD_CHANGE_LIMIT"] = "1 per 10 minutes"
    _world(app)
    _login(client, "eva@voorbeeldstad.nl")
    first, second = "een eerste nieuw wachtwoord", "een tweede nieuw wachtwoord"
    assert post_form(client, "/wachtwoord", {"current": PASSWORD, "password": first}).status_code == 302
    assert post_form(client, "/wachtwoord", {"current": first, "password": second}).status_code == 302


# --- password storage -------------------------------------------------------------------


def test_passwords_are_stored_with_argon2id(app, client):
    _world(app)
    _login(client, "ada@voorbeeldstad.nl")
    response = post_form(
        client,
        "/beheer/gebruikers/nieuw",
        {
            "name": "Nieuwe Collega",
            "email": "nieuw@voorbeeldstad.nl",
            "department_id": "",
            "roles": ["employee"],
            "active": "y",
        },
    )
    assert response.status_code == 303
    # The new colleague chooses the password through the invitation's link.
    with app.app_context():
        from app.models import OutboxMessage

        body = db.session.scalar(
            db.select(OutboxMessage.body_text).where(OutboxMessage.to_address == "nieuw@voorbeeldstad.nl")
        )
    path = urlsplit(re.search(r"http://\S+/wachtwoord-kiezen/\S+", body).group(0)).path
    newcomer = app.test_client()
    chosen = post_form(
        newcomer, path, {"password": "een eerste wachtwoord voor Nieuw", "repeat": "een eerste wachtwoord voor Nieuw"}
    )
    assert chosen.status_code == 303
    stored = _user(app, "nieuw@voorbeeldstad.nl").password_hash
    assert stored.startswith("$argon2id$")
    assert "een eerste wachtwoord" not in stored
    params = dict(part.split("=") for part in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2, f"weak argon2id parameters: {params}"
    assert _login(app.test_client(), "nieuw@voorbeeldstad.nl", "een eerste wachtwoord voor Nieuw").status_code == 302
