"""The second factor of a local account, with real TOTP codes computed by pyotp from the key
the setup page shows (no mocks): setting it up, logging in with password and code, a replayed
code, clock drift of one step (and not two), recovery codes that work once, wrong codes
counted by the login limiter, an expired pending login, the trusted-device cookie that skips
nothing, roles that must have it (MFA_REQUIRED_ROLES), and the beheerder's reset."""

from __future__ import annotations

import html
import re
import time

import pyotp
import pytest

from app.extensions import db
from app.models import AuditEntry, RecoveryCode, User
from app.notify import deliver_outbox
from app.services.users import end_sessions
from tests.conftest import csrf_token, post_form
from tests.factories import PASSWORD, make_user

SETUP = "/instellingen/tweestapsverificatie"
CODE_PAGE = "/inloggen/code"
KEY_RE = re.compile(r'<code class="rk-secret" id="sleutel">([A-Z2-7 ]+)</code>')
RECOVERY_RE = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")
ADMIN = "ada@example.test"
COACH = "cor@example.test"
EVA = "eva@example.test"


@pytest.fixture
def people(app):
    with app.app_context():
        make_user("Ada Beheer", email=ADMIN, roles=("employee", "admin"))
        make_user("Cor Coach", email=COACH, roles=("employee", "coach"))
        eva = make_user("Eva de Vries", email=EVA)
        db.session.commit()
        return {"eva": eva.id}


def _fresh_step() -> float:
    """A moment early in a 30-second step, so the steps the test counts from do not roll
    over halfway (a test takes a few seconds)."""
    if time.time() % 30 > 18:
        time.sleep(30 - time.time() % 30 + 0.05)
    return time.time()


def _login(client, email, password=PASSWORD):
    return client.post(
        "/inloggen", data={"email": email, "password": password, "csrf_token": csrf_token(client, "/inloggen")}
    )


def _code(client, code):
    return client.post(CODE_PAGE, data={"code": code, "csrf_token": csrf_token(client, CODE_PAGE)})


def _recovery(client, code):
    return client.post(CODE_PAGE, data={"recovery_code": code, "csrf_token": csrf_token(client, CODE_PAGE)})


def _logged_in(client) -> bool:
    return client.get("/mijn-meldingen").status_code == 200


def _logout(client):
    return client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/instellingen")})


def _set_up(client, at: float) -> tuple[pyotp.TOTP, list[str]]:
    """Read the key off the setup page as a person would, confirm with the app's code for
    time `at`, and read the recovery codes."""
    page = client.get(SETUP)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    key = KEY_RE.search(body).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{1,4}", key), "the key is shown in groups of four"
    assert "<svg" in body and "otpauth" not in body.split("<svg", 1)[0][-200:]
    totp = pyotp.TOTP(key.replace(" ", ""))
    confirmed = post_form(client, SETUP, {"code": totp.at(at)})
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    codes = RECOVERY_RE.findall(confirmed.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    return totp, codes


def _user(app, email) -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def _actions(app, email) -> list[str]:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        return list(
            db.session.scalars(
                db.select(AuditEntry.action).where(AuditEntry.object_id == user.id).order_by(AuditEntry.id)
            )
        )


def _notices(app, smtp, address):
    with app.app_context():
        deliver_outbox()
    return [smtp.inbox.text(message) for message in smtp.inbox.to(address)]


def test_set_up_then_log_in_with_a_code_replays_and_drift(app, people, smtp):
    t0 = _fresh_step()
    eva = app.test_client()
    _login(eva, EVA)
    page = eva.get(SETUP).get_data(as_text=True)
    # The QR code is drawn here, as SVG; the issuer names the municipality.
    assert "<svg" in page and "Rode Knop – Gemeente Voorbeeldstad" in html.unescape(page)
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    # Reloading keeps the same key (a scanned QR code stays good).
    assert KEY_RE.search(page).group(1) == KEY_RE.search(eva.get(SETUP).get_data(as_text=True)).group(1)
    # A wrong code switches nothing on.
    wrong = post_form(eva, SETUP, {"code": "000000"})
    assert wrong.status_code == 400 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    assert not _user(app, EVA).has_second_factor

    # A code one step behind (a slow phone clock) is accepted to switch it on.
    totp, _codes = _set_up(eva, t0 - 30)
    stored = _user(app, EVA)
    assert stored.has_second_factor
    # At rest the secret is encrypted: the key is not in the database as it was shown.
    assert totp.secret not in stored.totp_secret
    # Switching on ended other sessions, not this one.
    assert _logged_in(eva)
    _logout(eva)

    # The password alone does not log in: the code page follows.
    first = _login(eva, EVA)
    assert first.status_code == 302 and first.headers["Location"].endswith(CODE_PAGE)
    assert not _logged_in(eva)
    assert "Code uit uw app" in eva.get(CODE_PAGE).get_data(as_text=True)
    # A code one step ahead (a fast phone clock) is accepted.
    assert _code(eva, totp.at(t0 + 30)).status_code == 302
    assert _logged_in(eva)
    _logout(eva)

    # The same code again: a replay, refused; so is the code of an earlier step.
    _login(eva, EVA)
    for replay in (totp.at(t0 + 30), totp.at(t0)):
        refused = _code(eva, replay)
        assert refused.status_code == 400
        assert "klopt niet of is al gebruikt" in refused.get_data(as_text=True)
        assert not _logged_in(eva)

    # Two steps off either way: refused.
    for far in (totp.at(t0 + 60 + 30), totp.at(t0 - 60)):
        assert _code(eva, far).status_code == 400
        assert not _logged_in(eva)

    actions = _actions(app, EVA)
    assert "mfa_enabled" in actions
    assert actions.count("login_second_factor") >= 5
    with app.app_context():
        results = list(
            db.session.scalars(
                db.select(AuditEntry.result).where(AuditEntry.action == "login_second_factor").order_by(AuditEntry.id)
            )
        )
    assert results == ["ok", "failed", "failed", "failed", "failed"]
    notices = _notices(app, smtp, EVA)
    assert any("tweestapsverificatie aangezet" in text for text in notices)


def test_a_recovery_code_works_once_and_is_mailed(app, people, smtp):
    t0 = _fresh_step()
    eva = app.test_client()
    _login(eva, EVA)
    _totp, codes = _set_up(eva, t0)
    _logout(eva)
    with app.app_context():
        hashes = list(db.session.scalars(db.select(RecoveryCode.code_hash)))
    assert len(hashes) == 10 and not any(code.replace("-", "") in h or code in h for code in codes for h in hashes)

    _login(eva, EVA)
    # Typed in capitals and with spaces: still the code.
    assert _recovery(eva, " " + codes[3].upper().replace("-", " ") + " ").status_code == 302
    assert _logged_in(eva)
    _logout(eva)
    _login(eva, EVA)
    used_again = _recovery(eva, codes[3])
    assert used_again.status_code == 400
    assert "Deze herstelcode klopt niet of is al gebruikt" in used_again.get_data(as_text=True)
    assert not _logged_in(eva)
    assert _recovery(eva, codes[4]).status_code == 302
    assert "mfa_recovery_code_used" in _actions(app, EVA)
    notices = _notices(app, smtp, EVA)
    assert sum("herstelcodes" in text and "ingelogd" in text for text in notices) == 2


def test_new_recovery_codes_void_the_old_ones_and_switching_off_asks_the_password(app, people, smtp):
    t0 = _fresh_step()
    eva = app.test_client()
    _login(eva, EVA)
    totp, old = _set_up(eva, t0)
    status = eva.get(SETUP).get_data(as_text=True)
    assert "staat aan sinds" in status and "10 herstelcodes" in status and "rk-secret" not in status

    # A wrong password changes nothing.
    wrong = post_form(eva, SETUP + "/herstelcodes", {"codes-answer": "niet mijn wachtwoord"}, SETUP)
    assert wrong.status_code == 400 and "Dit is niet uw wachtwoord" in wrong.get_data(as_text=True)
    # A current code from the app (the next step: this one was used to switch it on) does.
    renewed = post_form(eva, SETUP + "/herstelcodes", {"codes-answer": totp.at(t0 + 30)}, SETUP)
    assert renewed.status_code == 200
    new = RECOVERY_RE.findall(renewed.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    _logout(eva)
    _login(eva, EVA)
    assert _recovery(eva, old[0]).status_code == 400
    assert _recovery(eva, new[0]).status_code == 302

    off = post_form(eva, SETUP + "/uitzetten", {"off-answer": PASSWORD}, SETUP)
    assert off.status_code == 303
    assert not _user(app, EVA).has_second_factor
    _logout(eva)
    assert _login(eva, EVA).headers["Location"].endswith("/")
    assert _logged_in(eva)
    actions = _actions(app, EVA)
    assert {"mfa_enabled", "mfa_recovery_codes", "mfa_disabled"} <= set(actions)
    notices = _notices(app, smtp, EVA)
    assert any("nieuwe herstelcodes gemaakt" in text for text in notices)
    assert any("tweestapsverificatie uitgezet" in text for text in notices)


def test_wrong_codes_count_in_the_login_limiter_per_account_and_per_client(app, people):
    t0 = _fresh_step()
    app.config.update(LOGIN_LIMIT_PER_ACCOUNT="3 per 10 minutes")
    eva = app.test_client()
    _login(eva, EVA)
    totp, _codes = _set_up(eva, t0)
    _logout(eva)

    _login(eva, EVA)  # a right password costs nothing
    assert _code(eva, "123456" if totp.at(t0 + 30) != "123456" else "654321").status_code == 400
    assert _code(eva, "abcdef").status_code == 400
    assert _code(eva, "").status_code == 400
    # The account's budget is spent: even the right code now waits.
    blocked = _code(eva, totp.at(t0 + 30))
    assert blocked.status_code == 429
    # And from another browser: the password counts in the same budget.
    other = app.test_client()
    assert _login(other, EVA).status_code == 429
    assert not _logged_in(eva)

    # Per client: wrong codes for two accounts from one address add up.
    app.config.update(LOGIN_LIMIT_PER_ACCOUNT="10 per 10 minutes", LOGIN_LIMIT_PER_CLIENT="2 per 10 minutes")
    with app.app_context():
        db.session.execute(db.text("DELETE FROM rate_limit"))
        db.session.commit()
    cor = app.test_client()
    _login(cor, COACH)
    cor_totp, _ = _set_up(cor, t0)
    _logout(cor)
    with app.app_context():
        db.session.execute(db.text("DELETE FROM rate_limit"))
        db.session.commit()
    _login(eva, EVA)
    assert _code(eva, "000001").status_code == 400
    _login(cor, COACH)
    assert _code(cor, "000002").status_code == 400
    assert _code(cor, cor_totp.at(t0 + 30)).status_code == 429


def test_the_pending_login_expires_and_a_password_change_voids_it(app, people):
    t0 = _fresh_step()
    eva = app.test_client()
    _login(eva, EVA)
    totp, _codes = _set_up(eva, t0)
    _logout(eva)

    app.config.update(MFA_PENDING_SECONDS=1)
    _login(eva, EVA)
    token = csrf_token(eva, CODE_PAGE)  # the page as it was shown
    time.sleep(2.1)
    late = eva.post(CODE_PAGE, data={"code": totp.at(t0 + 30), "csrf_token": token})
    assert late.status_code == 302 and late.headers["Location"].endswith("/inloggen")
    assert "duurde te lang" in eva.get("/inloggen").get_data(as_text=True)
    assert not _logged_in(eva)
    assert _user(app, EVA).totp_last_step == int(t0 // 30)  # the late code was not used up

    app.config.update(MFA_PENDING_SECONDS=300)
    _login(eva, EVA)
    token = csrf_token(eva, CODE_PAGE)
    with app.app_context():
        end_sessions(db.session.get(User, people["eva"]))  # what a password change does
        db.session.commit()
    voided = eva.post(CODE_PAGE, data={"code": totp.at(t0 + 30), "csrf_token": token})
    assert voided.headers["Location"].endswith("/inloggen")
    assert not _logged_in(eva)


def test_the_trusted_device_cookie_skips_no_second_factor(app, people):
    t0 = _fresh_step()
    eva = app.test_client()
    _login(eva, EVA)
    totp, _codes = _set_up(eva, t0)
    _logout(eva)
    _login(eva, EVA)
    _code(eva, totp.at(t0 + 30))
    assert _logged_in(eva)
    assert eva.get_cookie("rk_apparaat", path="/inloggen") is not None
    _logout(eva)
    again = _login(eva, EVA)
    assert again.headers["Location"].endswith(CODE_PAGE)
    assert not _logged_in(eva)


def test_a_coach_must_set_it_up_before_reaching_anything_else(app, people, smtp):
    app.config.update(MFA_REQUIRED_ROLES=("admin", "coach", "legal"))
    t0 = _fresh_step()
    cor = app.test_client()
    _login(cor, COACH, PASSWORD)
    for path in ("/", "/bord/", "/weekoverleg/", "/meldingen", "/melden", "/instellingen", "/wachtwoord"):
        response = cor.get(path)
        assert response.status_code == 303 and response.headers["Location"].endswith(SETUP), path
    assert "Voor uw rol is hij verplicht" in cor.get(SETUP).get_data(as_text=True)
    assert cor.get("/toegankelijkheid").status_code == 200
    # A write elsewhere is sent to the setup page too, and changes nothing.
    assert post_form(cor, "/instellingen", {}, SETUP).headers["Location"].endswith(SETUP)

    _set_up(cor, t0)
    assert cor.get("/bord/").status_code == 200
    # Required for the role: it cannot be switched off.
    off = post_form(cor, SETUP + "/uitzetten", {"off-answer": PASSWORD}, SETUP)
    assert off.status_code == 400 and "verplicht" in off.get_data(as_text=True)
    assert _user(app, COACH).has_second_factor

    # A medewerker is not asked for one.
    eva = app.test_client()
    _login(eva, EVA)
    assert eva.get("/melden").status_code == 200

    # A session signed in through single sign-on is exempt (the provider checks the factor).
    ada = app.test_client()
    _login(ada, ADMIN)
    assert ada.get("/beheer/gebruikers").headers["Location"].endswith(SETUP)
    with ada.session_transaction() as session:
        session["login_method"] = "sso"
    assert ada.get("/beheer/gebruikers").status_code == 200


def test_the_beheerder_resets_a_lost_second_factor(app, people, smtp):
    t0 = _fresh_step()
    cor = app.test_client()
    _login(cor, COACH)
    totp, _codes = _set_up(cor, t0)
    cor_id = _user(app, COACH).id

    ada = app.test_client()
    _login(ada, ADMIN)
    page = ada.get(f"/beheer/gebruikers/{cor_id}").get_data(as_text=True)
    assert "Tweestapsverificatie wissen" in page
    assert totp.secret not in page and "sleutel" in page  # told it never sees the key
    path = f"/beheer/gebruikers/{cor_id}/tweestapsverificatie"
    unconfirmed = post_form(ada, path, {}, f"/beheer/gebruikers/{cor_id}")
    assert unconfirmed.status_code == 400 and "Vink aan" in unconfirmed.get_data(as_text=True)
    assert _user(app, COACH).has_second_factor

    done = post_form(ada, path, {"confirm": "y"}, f"/beheer/gebruikers/{cor_id}")
    assert done.status_code == 303
    cleared = _user(app, COACH)
    assert not cleared.has_second_factor and cleared.totp_secret is None
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)) == 0
    # Cor's session ended; the password alone logs in again (no role requires it here).
    assert not _logged_in(cor)
    assert _login(cor, COACH).headers["Location"].endswith("/")
    assert "mfa_reset" in _actions(app, COACH)
    assert any("heeft op" in text and "gewist" in text for text in _notices(app, smtp, COACH))
    assert "Tweestapsverificatie gewist door beheerder" in ada.get("/beheer/logboek").get_data(as_text=True)


def test_hostile_codes_are_refused_without_a_500(app, people):
    t0 = _fresh_step()
    app.config.update(LOGIN_LIMIT_PER_ACCOUNT="100 per 10 minutes", LOGIN_LIMIT_PER_CLIENT="100 per 10 minutes")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    eva = app.test_client()
    _login(eva, EVA)
    totp, _codes = _set_up(eva, t0)
    _logout(eva)
    _login(eva, EVA)
    right = totp.at(t0 + 30)
    hostile = [
        "\x00" + right,
        right + "\u202e",
        "١٢٣٤٥٦",  # Arabic-Indic digits: digits, but not the ASCII ones an app shows
        "<script>alert(1)</script>",
        "=1+1",
        "9" * 70,
        str(2**63),
        "🙂" * 6,
        "' OR 1=1 --",
    ]
    for value in hostile:
        for send in (_code, _recovery):
            response = send(eva, value)
            assert response.status_code == 400, (value, response.status_code)
            assert "<script>alert" not in response.get_data(as_text=True)
            assert not _logged_in(eva)
    # Nothing was used up: the right code still logs in.
    assert _code(eva, right).status_code == 302
    assert _logged_in(eva)


def test_two_workers_cannot_both_accept_one_code(app, people):
    """The step is claimed by a conditional UPDATE: a worker whose copy of the user is
    older than another worker's accepted code still refuses that code."""
    from app.services import mfa

    t0 = _fresh_step()
    eva = app.test_client()
    _login(eva, EVA)
    totp, _codes = _set_up(eva, t0 - 30)
    code = totp.at(t0)
    with app.app_context():
        stale = db.session.get(User, people["eva"])  # loaded before the other worker's login
        db.session.expunge(stale)
    with app.app_context():
        assert mfa.check_login_code(db.session.get(User, people["eva"]), code)
        db.session.commit()
    with app.app_context():
        assert stale.totp_last_step == int((t0 - 30) // 30)  # its copy says the step is free
        assert not mfa.check_login_code(stale, code)
        db.session.commit()


def test_the_required_role_check_costs_no_statement(app, people):
    """The check before every request asks the signed-in user already loaded (roles and
    second factor are on the row the login loads): a page needs as many statements with
    MFA_REQUIRED_ROLES set as without."""
    from tests.factories import count_statements

    t0 = _fresh_step()
    cor = app.test_client()
    _login(cor, COACH)
    _set_up(cor, t0)
    cor.get("/bord/")  # warm: the first page after login flashes and the like
    counts = []
    for roles in ((), ("admin", "coach", "legal")):
        app.config.update(MFA_REQUIRED_ROLES=roles)
        with count_statements(app) as statements:
            assert cor.get("/bord/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_a_coach_signed_in_through_single_sign_on_is_not_asked_for_a_code(sso_app, oidc_provider):
    """The provider checked the second factor (amr/acr, app/auth/sso.py): with TOTP required
    for coaches, a coach who signs in through the real provider reaches the board; the same
    coach with a local password would be sent to the setup page."""
    from tests.oidc.fixtures import ACCOUNTS, sign_in_through_provider

    sso_app.config.update(MFA_REQUIRED_ROLES=("admin", "coach", "legal"))
    client = sso_app.test_client()
    assert sign_in_through_provider(client, "coach").status_code == 302
    with client.session_transaction() as session:
        assert session["login_method"] == "sso"
    assert client.get("/bord/").status_code == 200
    assert client.get(SETUP).status_code == 200  # may still set one up, for a local login
    with sso_app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == ACCOUNTS["coach"]["email"]))
        assert not user.has_second_factor


def test_a_misspelt_required_role_stops_the_app_from_starting(database_url):
    from app import create_app
    from config import TestConfig

    class Misspelt(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        MFA_REQUIRED_ROLES = ("coaches", "legal")

    with pytest.raises(RuntimeError, match="coaches"):
        create_app(Misspelt)
