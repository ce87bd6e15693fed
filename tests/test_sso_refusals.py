"""Refusals that help: a tampered, replayed or failed answer from the identity provider
gets a clear Dutch page, an audit line and nothing else (no account, no session, never a
500). The provider is real (tests/oidc/provider.mjs); a proxy between the app and its token
endpoint alters the ID token, re-signed with the provider's own key where only the claim
checks may catch it."""

from __future__ import annotations

import time

import pytest
from joserfc.jwk import RSAKey

from app.extensions import db
from app.models import AuditEntry, User
from tests.oidc.fixtures import (
    ACCOUNTS,
    TamperingProxy,
    callback_path,
    provider_sign_in,
    route_token_endpoint,
    sign_in_through_provider,
    start_sign_in,
)

OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"}, private=True)


def _nothing_happened(app, client) -> None:
    with app.app_context():
        assert db.session.scalars(db.select(User)).all() == []
        entries = db.session.scalars(db.select(AuditEntry)).all()
        assert [(entry.action, entry.result) for entry in entries] == [("login", "failed")]
        assert entries[0].detail.startswith("gemeente: ")
    answer = client.get("/mijn-meldingen")
    assert answer.status_code == 302 and "/inloggen" in answer.headers["Location"], "not logged in"


def _swap_payload(signed: str, other: str) -> str:
    """`signed` with the claims of `other` but its own signature."""
    head, _payload, signature = signed.split(".")
    return f"{head}.{other.split('.')[1]}.{signature}"


def _with_claims(change):
    def tamper(proxy: TamperingProxy, header, claims):
        return proxy.sign(header, {**claims, **change(claims)})

    return tamper


# Case -> how the token is changed, and the check that must catch it (in the audit line).
TAMPERINGS = {
    "wrong issuer": (_with_claims(lambda claims: {"iss": "http://127.0.0.1:9/andere-gemeente"}), "claim: 'iss'"),
    "wrong audience": (_with_claims(lambda claims: {"aud": "een-andere-app"}), "claim: 'aud'"),
    "wrong audience among several": (
        _with_claims(lambda claims: {"aud": ["een-andere-app", "nog-een"]}),
        "claim: 'aud'",
    ),
    "wrong nonce": (_with_claims(lambda claims: {"nonce": "een-oude-nonce"}), "claim: 'nonce'"),
    "expired": (
        _with_claims(lambda claims: {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}),
        "ExpiredTokenError",
    ),
    "issued in the future": (
        _with_claims(lambda claims: {"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200}),
        "issued in the future",
    ),
    "no subject": (
        lambda proxy, header, claims: proxy.sign(header, {k: v for k, v in claims.items() if k != "sub"}),
        "claim: 'sub'",
    ),
    "signed with another key": (
        lambda proxy, header, claims: proxy.sign(header, claims, key=OTHER_KEY),
        "BadSignatureError",
    ),
    "alg none": (lambda proxy, header, claims: proxy.unsigned(header, claims), "'none' is not allowed"),
    # Filled in the test: needs the app's secret.
    "HS256 with the client secret": (None, "'HS256' is not allowed"),
    "changed claim, old signature": (
        lambda proxy, header, claims: _swap_payload(
            proxy.sign(header, claims), proxy.sign(header, {**claims, "email": "baas@gemeente.example"})
        ),
        "BadSignatureError",
    ),
    "not a JWT": (lambda proxy, header, claims: "geen-token", "DecodeError"),
}


@pytest.mark.parametrize("case", sorted(TAMPERINGS))
def test_a_tampered_id_token_is_refused_and_changes_nothing(sso_app, tampering_proxy, case):
    route_token_endpoint(sso_app, tampering_proxy.url)
    tamper, caught_by = TAMPERINGS[case]
    if tamper is None:
        secret = sso_app.config["OIDC_CLIENT_SECRET"]
        tampering_proxy.tamper = lambda header, claims: TamperingProxy.hmac_with(secret, header, claims)
    else:
        tampering_proxy.tamper = lambda header, claims: tamper(tampering_proxy, header, claims)
    client = sso_app.test_client()
    answer = sign_in_through_provider(client, "nieuw")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400, page
    assert "Inloggen is niet gelukt" in page and "Er is niets veranderd" in page
    _nothing_happened(sso_app, client)
    with sso_app.app_context():
        assert caught_by in db.session.scalar(db.select(AuditEntry.detail))


def test_the_proxy_passes_an_untouched_token_so_the_refusals_above_are_the_checks(sso_app, tampering_proxy):
    route_token_endpoint(sso_app, tampering_proxy.url)
    tampering_proxy.tamper = lambda header, claims: tampering_proxy.sign(header, claims)
    assert sign_in_through_provider(sso_app.test_client(), "nieuw").status_code == 302


def test_a_replayed_callback_is_refused(sso_app):
    client = sso_app.test_client()
    authorize_url = start_sign_in(client)
    callback = callback_path(provider_sign_in(authorize_url, "nieuw", ACCOUNTS["nieuw"]["password"]))
    cookie_before = client.get_cookie("session").value
    assert client.get(callback).status_code == 302
    # The same answer again in this browser: its state was used up.
    replay = sso_app.test_client()
    answer = replay.get(callback)
    assert answer.status_code == 400
    assert "hoort niet (meer) bij een inlogpoging" in answer.get_data(as_text=True)
    # With the session cookie from before the first use (its state still in it): the
    # provider refuses the code, which was used already.
    replay = sso_app.test_client()
    replay.set_cookie("session", cookie_before, domain="localhost")
    answer = replay.get(callback)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert "accepteerde deze inlogpoging niet" in answer.get_data(as_text=True)
    with sso_app.app_context():
        assert len(db.session.scalars(db.select(User)).all()) == 1
        failures = db.session.scalars(db.select(AuditEntry).where(AuditEntry.result == "failed")).all()
        assert [entry.detail for entry in failures] == [
            "gemeente: onbekende of gebruikte state",
            "gemeente: code geweigerd: invalid_grant",
        ]


@pytest.mark.parametrize(
    "query",
    [
        "code=abc",
        "state=abc",
        "code=abc&state=verzonnen",
        "",
        "code=%00&state=%ff%fe",
        "code=" + "a" * 5000 + "&state=b",
    ],
)
def test_a_callback_without_a_matching_state_is_refused(sso_app, query):
    client = sso_app.test_client()
    start_sign_in(client)
    answer = client.get("/inloggen/gemeente/terug?" + query)
    assert answer.status_code == 400
    assert "Deze inlogpoging is verlopen" in answer.get_data(as_text=True)
    _nothing_happened(sso_app, client)


def test_an_answer_naming_another_issuer_is_refused(sso_app):
    client = sso_app.test_client()
    url = provider_sign_in(start_sign_in(client), "nieuw", ACCOUNTS["nieuw"]["password"])
    assert "iss=" in url
    answer = client.get(callback_path(url).replace("iss=", "iss=http%3A%2F%2Fevil.example&was="))
    assert answer.status_code == 400
    _nothing_happened(sso_app, client)


def test_an_error_from_the_provider_is_shown_in_dutch(sso_app):
    client = sso_app.test_client()
    start_sign_in(client)
    answer = client.get("/inloggen/gemeente/terug?error=access_denied&error_description=End-User+aborted&state=x")
    assert answer.status_code == 400
    assert "Inloggen is afgebroken" in answer.get_data(as_text=True)
    _nothing_happened(sso_app, client)
    answer = client.get("/inloggen/gemeente/terug?error=server_error&state=x")
    assert answer.status_code == 502
    assert "gaf een fout" in answer.get_data(as_text=True)


def test_cancelling_at_the_provider_comes_back_as_a_refusal(sso_app):
    import requests

    client = sso_app.test_client()
    browser = requests.Session()
    answer = browser.get(start_sign_in(client), timeout=10)
    uid = answer.url.rsplit("/", 1)[1]
    back = browser.post(answer.url.rsplit("/", 2)[0] + f"/interaction/{uid}/abort", allow_redirects=False, timeout=10)
    while back.headers["Location"].startswith(answer.url.split("/interaction")[0]):
        back = browser.get(back.headers["Location"], allow_redirects=False, timeout=10)
    answer = client.get(callback_path(back.headers["Location"]))
    assert answer.status_code == 400
    assert "Inloggen is afgebroken" in answer.get_data(as_text=True)


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_provider_that_is_down_at_discovery_gets_a_503(database_url, oidc_provider):
    from app import create_app
    from tests.conftest import _empty_tables
    from tests.oidc.fixtures import sso_config

    config = sso_config(database_url, oidc_provider)
    config.OIDC_ISSUER = f"http://127.0.0.1:{_closed_port()}"
    config.OIDC_TIMEOUT = 2
    app = create_app(config)
    try:
        client = app.test_client()
        answer = client.get("/inloggen/gemeente")
        assert answer.status_code == 503
        assert "niet bereikbaar" in answer.get_data(as_text=True)
        _nothing_happened(app, client)
    finally:
        _empty_tables(app)


def test_a_provider_that_is_down_at_the_token_exchange_gets_a_503(sso_app):
    client = sso_app.test_client()
    url = provider_sign_in(start_sign_in(client), "nieuw", ACCOUNTS["nieuw"]["password"])
    route_token_endpoint(sso_app, f"http://127.0.0.1:{_closed_port()}/token")
    answer = client.get(callback_path(url))
    assert answer.status_code == 503
    _nothing_happened(sso_app, client)


def test_failed_sign_ins_count_towards_the_limit_and_successful_ones_do_not(make_sso_app):
    app = make_sso_app(LOGIN_LIMIT_PER_CLIENT="3 per 10 minutes")
    client = app.test_client()
    for _ in range(4):
        assert sign_in_through_provider(client, "nieuw").status_code == 302
        client = app.test_client()
    for _ in range(3):
        assert client.get("/inloggen/gemeente/terug?code=a&state=b").status_code == 400
    assert client.get("/inloggen/gemeente/terug?code=a&state=b").status_code == 429


def test_a_discovery_document_naming_another_issuer_is_not_trusted(database_url, oidc_provider):
    from app import create_app
    from tests.conftest import _empty_tables
    from tests.oidc.fixtures import sso_config

    config = sso_config(database_url, oidc_provider)
    # The same provider reached under another name: it names itself 127.0.0.1, not localhost.
    config.OIDC_ISSUER = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    app = create_app(config)
    try:
        client = app.test_client()
        answer = client.get("/inloggen/gemeente")
        assert answer.status_code == 503
        _nothing_happened(app, client)
        with app.app_context():
            assert "another issuer" in db.session.scalar(db.select(AuditEntry.detail))
    finally:
        _empty_tables(app)
