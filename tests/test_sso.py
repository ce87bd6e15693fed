"""Single sign-on against a real OpenID Connect provider (tests/oidc/provider.mjs): accounts
from the provider, roles from groups, strong sign-in for staff roles, session lifetime,
local passwords switched off with a break-glass beheerder."""

from __future__ import annotations

from app.extensions import db
from app.models import AuditEntry, User
from tests.oidc.fixtures import ACCOUNTS, sign_in_through_provider


def _users(app):
    with app.app_context():
        return {user.email: user for user in db.session.scalars(db.select(User))}


def test_a_new_employee_gets_an_account_with_the_medewerker_role(sso_app, oidc_provider):
    client = sso_app.test_client()
    answer = sign_in_through_provider(client, "nieuw")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    with sso_app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "noor.nieuw@gemeente.example"))
        assert user is not None and user.active
        assert user.name == "Noor Nieuw"
        assert user.roles == {"employee"}
        assert (user.oidc_issuer, user.oidc_subject) == (oidc_provider.issuer, ACCOUNTS["nieuw"]["sub"])
    home = client.get("/")
    assert home.status_code == 200
    assert "Noor Nieuw" in home.get_data(as_text=True)
    settings = client.get("/instellingen").get_data(as_text=True)
    assert "Uw wachtwoord wijzigt u bij de gemeente" in settings and "Wachtwoord wijzigen" not in settings


def _audit(app, action="login"):
    with app.app_context():
        return [
            (entry.result, entry.detail)
            for entry in db.session.scalars(
                db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        ]


def test_groups_grant_roles_and_a_later_sign_in_takes_provider_roles_away_but_not_hand_granted_ones(
    sso_app, oidc_provider, provider_accounts
):
    client = sso_app.test_client()
    assert sign_in_through_provider(client, "coach").status_code == 302
    email = ACCOUNTS["coach"]["email"]
    with sso_app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert user.roles == {"employee", "coach"}
        assert {row.role: row.from_provider for row in user.role_rows} == {"employee": False, "coach": True}
        # A beheerder grants legal by hand.
        from app.models import UserRole

        user.role_rows.append(UserRole(role="legal"))
        db.session.commit()

    # The coach leaves the ontregelcoaches group at the provider and signs in again.
    provider_accounts["coach"]["groups"] = ["alle-medewerkers"]
    oidc_provider.set_accounts(provider_accounts)
    client = sso_app.test_client()
    assert sign_in_through_provider(client, "coach").status_code == 302
    with sso_app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert user.roles == {"employee", "legal"}, "the provider's role went, the hand-granted one stayed"
        assert len(db.session.scalars(db.select(User)).all()) == 1
    assert any("ontregelcoach" in (detail or "") for _result, detail in _audit(sso_app, "roles_changed"))
    # The weekly session (coaches only) is closed to them now.
    assert client.get("/weekoverleg/").status_code == 403

    # Back in the group: the role returns, marked as the provider's.
    provider_accounts["coach"]["groups"] = ["ontregelcoaches"]
    oidc_provider.set_accounts(provider_accounts)
    client = sso_app.test_client()
    assert sign_in_through_provider(client, "coach").status_code == 302
    with sso_app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert {row.role: row.from_provider for row in user.role_rows} == {
            "employee": False,
            "legal": False,
            "coach": True,
        }
    assert client.get("/weekoverleg/").status_code == 200

    # The beheerder sees which roles come from the groups.
    from tests.conftest import Auth
    from tests.factories import make_user

    with sso_app.app_context():
        make_user(email="beheer@gemeente.example", roles=("admin",))
        user_id = db.session.scalar(db.select(User.id).where(User.email == email))
        db.session.commit()
    beheer = sso_app.test_client()
    Auth(beheer).login("beheer@gemeente.example")
    page = beheer.get(f"/beheer/gebruikers/{user_id}").get_data(as_text=True)
    assert "Account van de gemeente" in page and "Uit de groepen van de gemeente: ontregelcoach." in page


def test_a_local_account_with_the_same_address_is_not_taken_over_without_a_verified_address(
    sso_app, oidc_provider, provider_accounts
):
    from tests.factories import make_user

    with sso_app.app_context():
        make_user(email=ACCOUNTS["nieuw"]["email"], name="Lokale Noor", roles=("admin",))
        db.session.commit()
    provider_accounts["nieuw"]["email_verified"] = False
    oidc_provider.set_accounts(provider_accounts)
    client = sso_app.test_client()
    answer = sign_in_through_provider(client, "nieuw")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Er is al een account met uw e-mailadres" in page
    with sso_app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == ACCOUNTS["nieuw"]["email"]))
        assert user.oidc_subject is None and user.name == "Lokale Noor"
        assert len(db.session.scalars(db.select(User)).all()) == 1
    assert client.get("/", follow_redirects=False).status_code == 302  # not logged in
    assert _audit(sso_app)[-1] == ("failed", "gemeente: e-mailadres hoort bij een ander account")


def test_a_verified_address_links_the_local_account_once_and_another_subject_cannot_take_it(
    sso_app, oidc_provider, provider_accounts
):
    from tests.factories import make_user

    with sso_app.app_context():
        make_user(email=ACCOUNTS["nieuw"]["email"], name="Lokale Noor", roles=("employee",))
        db.session.commit()
    client = sso_app.test_client()
    assert sign_in_through_provider(client, "nieuw").status_code == 302
    with sso_app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == ACCOUNTS["nieuw"]["email"]))
        assert user.oidc_subject == ACCOUNTS["nieuw"]["sub"]
        from app.models import OutboxMessage

        assert any(
            "gekoppeld aan uw account van de gemeente" in message.body_text
            for message in db.session.scalars(db.select(OutboxMessage))
        )
    assert _audit(sso_app, "sso_linked") == [("ok", None)]

    # Someone else at the provider (another subject) with the same, verified, address.
    provider_accounts["ander"] = {**provider_accounts["nieuw"], "sub": "sub-ander-0003", "name": "Iemand Anders"}
    oidc_provider.set_accounts(provider_accounts)
    other = sso_app.test_client()
    answer = sign_in_through_provider(other, "ander", provider_accounts["ander"]["password"])
    assert answer.status_code == 409
    with sso_app.app_context():
        users = db.session.scalars(db.select(User)).all()
        assert len(users) == 1 and users[0].oidc_subject == ACCOUNTS["nieuw"]["sub"] and users[0].name == "Noor Nieuw"


def test_staff_roles_need_the_required_amr_and_a_weak_sign_in_changes_nothing(
    make_sso_app, oidc_provider, provider_accounts
):
    app = make_sso_app(OIDC_REQUIRED_AMR="otp,mfa", OIDC_REQUIRED_ACR="urn:test:mfa")
    # The coach signs in with a second step: in.
    client = app.test_client()
    assert sign_in_through_provider(client, "coach").status_code == 302
    assert client.get("/bord/").status_code == 200

    # The same coach with a password only (no otp, weaker acr): refused, roles unchanged.
    provider_accounts["coach"]["amr"] = ["pwd"]
    provider_accounts["coach"]["acr"] = "urn:test:pwd"
    provider_accounts["coach"]["groups"] = ["ontregelcoaches", "juridische-zaken"]
    oidc_provider.set_accounts(provider_accounts)
    client = app.test_client()
    answer = sign_in_through_provider(client, "coach")
    assert answer.status_code == 403
    assert "tweede stap" in answer.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == ACCOUNTS["coach"]["email"]))
        assert user.roles == {"employee", "coach"}
    assert client.get("/bord/").status_code == 302  # not logged in

    # A medewerker needs no second step.
    client = app.test_client()
    assert sign_in_through_provider(client, "nieuw").status_code == 302


def test_the_acr_alone_is_checked_when_only_it_is_required(make_sso_app, oidc_provider, provider_accounts):
    app = make_sso_app(OIDC_REQUIRED_ACR="urn:test:mfa")
    provider_accounts["coach"]["acr"] = "urn:test:pwd"
    oidc_provider.set_accounts(provider_accounts)
    assert sign_in_through_provider(app.test_client(), "coach").status_code == 403
    with app.app_context():
        assert db.session.scalars(db.select(User)).all() == [], "a refused first sign-in creates no account"


def test_an_sso_session_ends_after_its_lifetime(make_sso_app, monkeypatch):
    import app.auth.sso as sso

    app = make_sso_app(OIDC_SESSION_HOURS=2)
    client = app.test_client()
    assert sign_in_through_provider(client, "nieuw").status_code == 302
    assert client.get("/mijn-meldingen").status_code == 200
    now = sso._now()
    monkeypatch.setattr(sso, "_now", lambda: now + 2 * 3600 - 60)
    assert client.get("/mijn-meldingen").status_code == 200
    monkeypatch.setattr(sso, "_now", lambda: now + 2 * 3600 + 1)
    answer = client.get("/mijn-meldingen")
    assert answer.status_code == 302 and "/inloggen" in answer.headers["Location"]
    # Logged out for good: the next request is anonymous too, without going through the provider.
    monkeypatch.setattr(sso, "_now", lambda: now)
    assert client.get("/mijn-meldingen").status_code == 302


def test_a_deactivated_account_cannot_sign_in_through_the_provider(sso_app):
    client = sso_app.test_client()
    assert sign_in_through_provider(client, "nieuw").status_code == 302
    with sso_app.app_context():
        user = db.session.scalar(db.select(User))
        user.active = False
        db.session.commit()
    answer = sign_in_through_provider(sso_app.test_client(), "nieuw")
    assert answer.status_code == 403
    assert "uitgeschakeld" in answer.get_data(as_text=True)


def test_the_login_page_offers_the_municipality_first_and_stays_as_it_was_without_sso(sso_app, app):
    page = sso_app.test_client().get("/inloggen").get_data(as_text=True)
    assert "Inloggen met uw account van de gemeente" in page
    assert page.index("Inloggen met uw account van de gemeente") < page.index('name="password"')
    plain = app.test_client().get("/inloggen").get_data(as_text=True)
    assert "gemeente</a>" not in plain and 'name="password"' in plain
    assert app.test_client().get("/inloggen/gemeente").status_code == 404
    assert app.test_client().get("/inloggen/gemeente/terug?code=a&state=b").status_code == 404


def _break_glass_login(client, email: str):
    from tests.conftest import csrf_token
    from tests.factories import PASSWORD

    token = csrf_token(client, "/inloggen?noodtoegang=1")
    return client.post("/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": token})


def test_local_login_off_leaves_only_the_break_glass_beheerder(make_sso_app):
    from tests.factories import make_user

    app = make_sso_app(LOCAL_LOGIN=False)
    with app.app_context():
        make_user(email="beheer@gemeente.example", roles=("admin",))
        make_user(email="coach@gemeente.example", roles=("coach",))
        db.session.commit()
    client = app.test_client()
    page = client.get("/inloggen").get_data(as_text=True)
    assert 'name="password"' not in page and "Noodtoegang voor de beheerder" in page
    assert 'name="password"' in client.get("/inloggen?noodtoegang=1").get_data(as_text=True)

    answer = _break_glass_login(client, "coach@gemeente.example")
    assert answer.status_code == 400
    assert "mag niet met een wachtwoord inloggen" in answer.get_data(as_text=True)
    assert client.get("/mijn-meldingen").status_code == 302
    assert _audit(app)[-1] == ("failed", "inloggen met wachtwoord uitgeschakeld")

    answer = _break_glass_login(client, "beheer@gemeente.example")
    assert answer.status_code == 302
    assert client.get("/beheer/gebruikers").status_code == 200


def test_the_break_glass_list_narrows_it_to_the_listed_beheerders(make_sso_app):
    from tests.factories import make_user

    app = make_sso_app(LOCAL_LOGIN=False, LOCAL_LOGIN_BREAK_GLASS="nood@gemeente.example, ")
    with app.app_context():
        make_user(email="beheer@gemeente.example", roles=("admin",))
        make_user(email="nood@gemeente.example", roles=("admin",))
        db.session.commit()
    assert _break_glass_login(app.test_client(), "beheer@gemeente.example").status_code == 400
    assert _break_glass_login(app.test_client(), "NOOD@gemeente.example").status_code == 302


def test_local_login_off_without_sso_changes_nothing(app):
    from tests.conftest import Auth
    from tests.factories import make_user

    app.config["LOCAL_LOGIN"] = False
    with app.app_context():
        make_user(email="medewerker@gemeente.example")
        db.session.commit()
    assert Auth(app.test_client()).login("medewerker@gemeente.example").status_code == 302


def test_logout_of_an_sso_session_goes_to_the_provider_with_an_id_token_hint(sso_app, oidc_provider):
    from urllib.parse import parse_qs, urlsplit

    from tests.conftest import Auth

    client = sso_app.test_client()
    assert sign_in_through_provider(client, "nieuw").status_code == 302
    answer = Auth(client).logout()
    assert answer.status_code == 302
    target = urlsplit(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == oidc_provider.issuer + "/session/end"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/inloggen"]
    assert query["client_id"] == [sso_app.config["OIDC_CLIENT_ID"]]
    assert query["id_token_hint"][0].count(".") == 2
    assert client.get("/mijn-meldingen").status_code == 302
    # The CSP lets the logout form end at the provider.
    assert oidc_provider.issuer in client.get("/inloggen").headers["Content-Security-Policy"]


def test_logout_of_a_local_session_stays_in_rode_knop(sso_app):
    from tests.conftest import Auth
    from tests.factories import make_user

    with sso_app.app_context():
        make_user(email="lokaal@gemeente.example")
        db.session.commit()
    client = sso_app.test_client()
    assert Auth(client).login("lokaal@gemeente.example").status_code == 302
    assert Auth(client).logout().headers["Location"] == "/inloggen"


def test_sso_settings_are_checked_when_the_app_starts(database_url, oidc_provider):
    import pytest

    from app import create_app
    from tests.oidc.fixtures import sso_config

    for change, message in [
        ({"OIDC_CLIENT_SECRET": None}, "OIDC_CLIENT_SECRET"),
        ({"OIDC_ROLE_GROUPS": "baas=directie"}, "OIDC_ROLE_GROUPS"),
        ({"OIDC_SCOPES": "profile email"}, "openid"),
    ]:
        config = sso_config(database_url, oidc_provider)
        for name, value in change.items():
            setattr(config, name, value)
        with pytest.raises((RuntimeError, ValueError), match=message):
            create_app(config)


def test_the_sso_routes_for_every_role_with_sso_on(sso_app, oidc_provider):
    """tests/route_table.py has them off; here they are on."""
    from tests.conftest import Auth
    from tests.factories import make_user
    from tests.route_table import ROLE_GRANTS

    with sso_app.app_context():
        for role, grants in ROLE_GRANTS.items():
            make_user(email=f"{role}@gemeente.example", roles=grants)
        db.session.commit()
    for role in ("anon", *ROLE_GRANTS):
        client = sso_app.test_client()
        if role != "anon":
            assert Auth(client).login(f"{role}@gemeente.example").status_code == 302
        start = client.get("/inloggen/gemeente")
        if role == "anon":
            assert start.status_code == 302 and start.headers["Location"].startswith(oidc_provider.issuer + "/auth?")
            from urllib.parse import parse_qs, urlsplit

            query = parse_qs(urlsplit(start.headers["Location"]).query)
            assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
            assert query["response_type"] == ["code"] and query["scope"] == ["openid profile email"]
            assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
            assert query["redirect_uri"] == ["http://localhost/inloggen/gemeente/terug"]
        else:
            assert (start.status_code, start.headers["Location"]) == (302, "/")
        assert client.get("/inloggen/gemeente/terug").status_code == 400


def test_hostile_claims_are_cleaned_or_refused_never_a_500(sso_app, oidc_provider, provider_accounts):
    provider_accounts["nieuw"]["name"] = "Noor\x00 <script>alert(1)</script>\u202e " + "x" * 500
    oidc_provider.set_accounts(provider_accounts)
    client = sso_app.test_client()
    assert sign_in_through_provider(client, "nieuw").status_code == 302
    with sso_app.app_context():
        user = db.session.scalar(db.select(User))
        assert "\x00" not in user.name and len(user.name) == 120  # (RLO is text the app keeps, escaped)
    assert "<script>alert" not in client.get("/").get_data(as_text=True)

    for field, value in [("email", "geen-adres"), ("email", ""), ("sub", "sub\x00nul"), ("sub", "s" * 300)]:
        accounts = {**provider_accounts, "ander": {**provider_accounts["coach"], "sub": "sub-ander", field: value}}
        oidc_provider.set_accounts(accounts)
        answer = sign_in_through_provider(sso_app.test_client(), "ander", accounts["ander"]["password"])
        assert answer.status_code == 400, (field, value)
        assert "Inloggen is niet gelukt" in answer.get_data(as_text=True)
    with sso_app.app_context():
        assert len(db.session.scalars(db.select(User)).all()) == 1


def test_name_and_address_follow_the_provider_and_both_addresses_hear_of_a_change(
    sso_app, oidc_provider, provider_accounts
):
    from app.models import OutboxMessage

    assert sign_in_through_provider(sso_app.test_client(), "nieuw").status_code == 302
    provider_accounts["nieuw"].update(name="Noor de Vries", email="noor.devries@gemeente.example")
    oidc_provider.set_accounts(provider_accounts)
    assert sign_in_through_provider(sso_app.test_client(), "nieuw").status_code == 302
    with sso_app.app_context():
        user = db.session.scalar(db.select(User))
        assert (user.name, user.email) == ("Noor de Vries", "noor.devries@gemeente.example")
        addressed = {
            message.to_address or user.email
            for message in db.session.scalars(db.select(OutboxMessage))
            if "e-mailadres" in message.body_text
        }
        assert addressed == {"noor.nieuw@gemeente.example", "noor.devries@gemeente.example"}
    assert _audit(sso_app, "email_changed") == [("ok", "door de gemeente")]


def test_without_an_end_session_endpoint_logout_stays_in_rode_knop(sso_app):
    from app.auth import sso
    from tests.conftest import Auth

    with sso_app.test_request_context():
        sso.client().server_metadata.pop("end_session_endpoint")
    client = sso_app.test_client()
    assert sign_in_through_provider(client, "nieuw").status_code == 302
    assert Auth(client).logout().headers["Location"] == "/inloggen"


def test_production_refuses_an_identity_provider_without_https():
    from tests.test_config import _run_create_app

    env = {
        "RODEKNOP_ENV": "production",
        "DATABASE_URL": "sqlite:///:memory:",
        "SECRET_KEY": "s" * 40,
        "ANONYMITY_KEY": "a" * 40,
        "OIDC_CLIENT_ID": "rodeknop",
        "OIDC_CLIENT_SECRET": "geheim",
    }
    result = _run_create_app({**env, "OIDC_ISSUER": "http://sso.gemeente.example/realms/gemeente"})
    assert result.returncode != 0 and "OIDC_ISSUER must be an https:// URL" in result.stderr
    result = _run_create_app({**env, "OIDC_ISSUER": "https://sso.gemeente.example/realms/gemeente/"})
    assert result.returncode == 0 and "started" in result.stdout, result.stderr
