"""A real OpenID Connect provider on loopback (tests/oidc/provider.mjs: panva's certified
oidc-provider under Node), an app configured for it, a browser-less way through its login
form, and a proxy that tampers with its token responses.

Without node or node_modules/oidc-provider the tests skip, except in CI (CI=true), where
they fail: in CI every test must run."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from app import create_app
from config import TestConfig

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
NODE = os.environ.get("RODEKNOP_NODE") or shutil.which("node") or "/usr/bin/node"
# The redirect URI of the test client apps (APP_BASE_URL = http://localhost).
TEST_BASE = "http://localhost"

# Accounts at the provider: the login name, its password and what the ID token says.
ACCOUNTS = {
    "nieuw": {
        "password": "geheim-nieuw",
        "sub": "sub-nieuw-0001",
        "name": "Noor Nieuw",
        "email": "noor.nieuw@gemeente.example",
        "email_verified": True,
        "groups": ["alle-medewerkers"],
    },
    "coach": {
        "password": "geheim-coach",
        "sub": "sub-coach-0002",
        "name": "Cees Coach",
        "email": "cees.coach@gemeente.example",
        "email_verified": True,
        "groups": ["alle-medewerkers", "ontregelcoaches"],
        "acr": "urn:test:mfa",
        "amr": ["pwd", "otp"],
    },
}
ROLE_GROUPS = "coach=ontregelcoaches;legal=juridische-zaken;admin=rodeknop-beheer"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI: the OpenID Connect tests need {reason}")
    pytest.skip(f"the OpenID Connect tests need {reason}")


@dataclass
class Provider:
    issuer: str
    key: RSAKey
    accounts_file: Path
    process: subprocess.Popen | None = None
    clients: dict = field(default_factory=dict)

    def set_accounts(self, accounts: dict) -> None:
        self.accounts_file.write_text(json.dumps(accounts), encoding="utf-8")

    def register_client(self, base: str) -> tuple[str, str]:
        """A client for an app at `base` (dynamic registration), one per base."""
        if base not in self.clients:
            answer = requests.post(
                self.issuer + "/reg",
                json={
                    "redirect_uris": [base + "/inloggen/gemeente/terug"],
                    "post_logout_redirect_uris": [base + "/inloggen"],
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_basic",
                    "client_name": "Rode Knop (test)",
                },
                timeout=10,
            )
            answer.raise_for_status()
            data = answer.json()
            self.clients[base] = (data["client_id"], data["client_secret"])
        return self.clients[base]


@pytest.fixture(scope="session")
def oidc_provider():
    if not Path(NODE).exists():
        _missing(f"node (not found at {NODE})")
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    if not version.startswith("v") or int(version[1:].split(".")[0]) < 20:
        _missing(f"Node.js 20 or later (found {version or 'nothing'} at {NODE})")
    if not PACKAGE.exists():
        _missing(f"the npm package oidc-provider at {PACKAGE.parent} (run `npm ci` in the project root)")
    tmp = Path(tempfile.mkdtemp(prefix="rodeknop-oidc-"))
    port = _free_port()
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"}, private=True)
    provider = Provider(issuer=f"http://127.0.0.1:{port}", key=key, accounts_file=tmp / "accounts.json")
    provider.set_accounts(ACCOUNTS)
    log = (tmp / "provider.log").open("w")
    env = {
        **os.environ,
        "OIDC_TEST_PORT": str(port),
        "OIDC_TEST_JWKS": json.dumps({"keys": [key.as_dict(private=True)]}),
        "OIDC_TEST_ACCOUNTS_FILE": str(provider.accounts_file),
    }
    provider.process = subprocess.Popen([NODE, str(SCRIPT)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(provider.issuer + "/.well-known/openid-configuration", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if provider.process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                output = (tmp / "provider.log").read_text(encoding="utf-8", errors="replace")
                pytest.fail(f"the test OpenID Connect provider did not start:\n{output[-3000:]}")
            time.sleep(0.1)
        yield provider
    finally:
        provider.process.terminate()
        try:
            provider.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            provider.process.kill()
            provider.process.wait()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def provider_accounts(oidc_provider):
    """The provider's accounts, changeable by a test (put back afterwards)."""
    accounts = json.loads(json.dumps(ACCOUNTS))
    yield accounts
    oidc_provider.set_accounts(ACCOUNTS)


def sso_config(database_url: str, provider: Provider, base: str = TEST_BASE, **settings) -> type:
    client_id, client_secret = provider.register_client(base)
    values = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "APP_BASE_URL": base,
        "OIDC_ISSUER": provider.issuer,
        "OIDC_CLIENT_ID": client_id,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_ROLE_GROUPS": ROLE_GROUPS,
        "OIDC_TIMEOUT": 5,
        **settings,
    }
    return type("SsoTestConfig", (TestConfig,), values)


@pytest.fixture
def make_sso_app(database_url, oidc_provider):
    """make_sso_app(**settings): an app signed up with the test provider."""
    from tests.conftest import _empty_tables

    apps = []

    def make(**settings):
        app = create_app(sso_config(database_url, oidc_provider, **settings))
        app.config.update({"WTF_CSRF_ENABLED": True})
        apps.append(app)
        return app

    yield make
    if apps:
        _empty_tables(apps[0])


@pytest.fixture
def sso_app(make_sso_app):
    return make_sso_app()


# --- through the provider without a browser --------------------------------------------------


def provider_sign_in(authorize_url: str, login: str, password: str, browser: requests.Session | None = None) -> str:
    """Sign in at the provider's own login form as a browser would (following its
    redirects), and return the URL it sends the browser back to (our callback)."""
    browser = browser or requests.Session()
    issuer = f"{urlsplit(authorize_url).scheme}://{urlsplit(authorize_url).netloc}"
    answer = browser.get(authorize_url, allow_redirects=False, timeout=10)
    url = authorize_url
    for _ in range(10):
        if answer.status_code in (302, 303):
            url = urljoin(url, answer.headers["Location"])
            if not url.startswith(issuer):
                return url
            answer = browser.get(url, allow_redirects=False, timeout=10)
            continue
        assert answer.status_code == 200, answer.text[:500]
        assert 'name="login"' in answer.text, answer.text[:500]
        answer = browser.post(url, data={"login": login, "password": password}, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")


def start_sign_in(client, next_url: str | None = None) -> str:
    """GET /inloggen/gemeente in the test client: the provider's authorization URL."""
    answer = client.get("/inloggen/gemeente" + (f"?next={next_url}" if next_url else ""))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return answer.headers["Location"]


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    assert url.startswith(TEST_BASE + "/inloggen/gemeente/terug"), url
    return parts.path + "?" + parts.query


def sign_in_through_provider(client, login: str, password: str | None = None):
    """The whole round trip for the test client; returns the callback's response."""
    authorize_url = start_sign_in(client)
    url = provider_sign_in(authorize_url, login, password or ACCOUNTS[login]["password"])
    return client.get(callback_path(url))


# --- tampering with the token response ---------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def id_token_parts(token: str) -> tuple[dict, dict]:
    header, payload, _signature = token.split(".")
    return json.loads(_unb64(header)), json.loads(_unb64(payload))


class TamperingProxy:
    """Between the app and the provider's token endpoint: forwards each request to the real
    provider, then changes the ID token in its answer with `tamper(header, claims)`, which
    returns the new token (or None to pass the answer on unchanged)."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.tamper = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {
                    name: value
                    for name, value in self.headers.items()
                    if name.lower() in ("authorization", "content-type", "accept")
                }
                answer = requests.post(proxy.provider.issuer + "/token", data=body, headers=headers, timeout=10)
                content = answer.content
                if answer.status_code == 200 and proxy.tamper is not None:
                    data = answer.json()
                    header, claims = id_token_parts(data["id_token"])
                    data["id_token"] = proxy.tamper(header, claims)
                    content = json.dumps(data).encode()
                self.send_response(answer.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def sign(self, header: dict, claims: dict, key=None) -> str:
        return jwt.encode(
            {"alg": header.get("alg", "RS256"), "kid": header.get("kid"), "typ": header.get("typ", "JWT")},
            claims,
            key or self.provider.key,
            algorithms=[header.get("alg", "RS256")],
        )

    @staticmethod
    def unsigned(header: dict, claims: dict) -> str:
        return f"{_b64(json.dumps({**header, 'alg': 'none'}).encode())}.{_b64(json.dumps(claims).encode())}."

    @staticmethod
    def hmac_with(secret: str, header: dict, claims: dict) -> str:
        return jwt.encode({**header, "alg": "HS256"}, claims, OctKey.import_key(secret), algorithms=["HS256"])


@pytest.fixture
def tampering_proxy(oidc_provider):
    proxy = TamperingProxy(oidc_provider)
    proxy.thread.start()
    yield proxy
    proxy.server.shutdown()
    proxy.server.server_close()
    proxy.thread.join(timeout=5)


def route_token_endpoint(app, url: str) -> None:
    """Point the app's token requests at `url` (after discovery)."""
    from app.auth import sso

    with app.test_request_context():
        sso.client().server_metadata["token_endpoint"] = url
