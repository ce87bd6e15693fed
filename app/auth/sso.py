"""Single sign-on with the municipality's identity provider: OpenID Connect through Authlib's
Flask client. Authorization code flow with PKCE (S256), `state` and `nonce`; the provider is
found through discovery from OIDC_ISSUER. What an account becomes is decided in
app/services/sso.py; here the provider's answer is checked and the session begun and ended.

The ID token is checked in full before anything is written: signature against the
provider's published keys (JWKS) with an allowed algorithm only (never `none`, never an HMAC
keyed with the client secret), issuer, audience (our client id), nonce, expiry and issue
time. Every refusal is a Dutch page (400 for a wrong or replayed answer, 502/503 when the
provider fails or cannot be reached), an audit line and nothing else.

An SSO login lasts at most OIDC_SESSION_HOURS: after that the session ends and the person
goes through the provider again, so someone the provider no longer lets in cannot keep
using Rode Knop on an old session."""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from joserfc.errors import JoseError
from sqlalchemy.exc import IntegrityError

from app.extensions import db, limiter
from app.forms import strip_control_characters
from app.notify import external_url
from app.services import DomainError
from app.services.audit import record_audit
from app.services.mfa import LOGIN_METHOD_KEY, SSO_LOGIN
from app.services.sso import Identity, SignInRefused, parse_role_groups, sign_in
from app.transactions import start_writing

bp = Blueprint("sso", __name__)

CLIENT_NAME = "gemeente"
# Signature algorithms an ID token may use: asymmetric ones only. `none` and HS256 (keyed
# with the client secret, which the provider's other clients' admins may know) never.
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
# Seconds of clock difference tolerated on exp/iat.
LEEWAY = 60
# The ID token kept for logout (id_token_hint) only when it fits the session cookie.
ID_TOKEN_KEEP_MAX = 2500
SESSION_KEY = "sso"


def _now() -> float:
    """Seconds since the epoch (tests move it forward)."""
    return time.time()


# --- setup ------------------------------------------------------------------------------


def enabled(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("OIDC_ISSUER"))


def init_app(app: Flask) -> None:
    """Register the provider as an Authlib client when OIDC_ISSUER is set; refuse to start
    with an incomplete configuration."""
    app.register_blueprint(bp)
    if not enabled(app):
        return
    config = app.config
    missing = [name for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not config.get(name)]
    if missing:
        raise RuntimeError("Single sign-on (OIDC_ISSUER) needs: " + ", ".join(missing))
    if config["ENV_NAME"] == "production" and not config["OIDC_ISSUER"].startswith("https://"):
        raise RuntimeError("OIDC_ISSUER must be an https:// URL in production")
    if "openid" not in config["OIDC_SCOPES"].split():
        raise RuntimeError("OIDC_SCOPES must contain 'openid'")
    app.extensions["rodeknop_role_groups"] = parse_role_groups(config["OIDC_ROLE_GROUPS"])
    oauth = OAuth(app)
    oauth.register(
        CLIENT_NAME,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=config["OIDC_ISSUER"] + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": config["OIDC_TIMEOUT"],
        },
    )
    app.extensions["rodeknop_oidc"] = oauth


def issuer_origin(app: Flask) -> str | None:
    """The provider's origin, for the Content-Security-Policy's form-action: logging out
    (a form) ends at the provider's end-session page."""
    if not enabled(app):
        return None
    parts = urlsplit(app.config["OIDC_ISSUER"])
    return f"{parts.scheme}://{parts.netloc}"


def same_issuer(named, configured: str) -> bool:
    """OIDC_ISSUER is kept without a trailing slash; some providers' issuers end in one."""
    return isinstance(named, str) and named.rstrip("/") == configured


class ProviderDown(Exception):
    """The provider could not be reached or gave no usable discovery document."""


def client():
    """The Authlib client, its discovery document loaded and checked: the issuer it names is
    ours, and only allowed signature algorithms are accepted."""
    oauth_client = current_app.extensions["rodeknop_oidc"].create_client(CLIENT_NAME)
    try:
        metadata = oauth_client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise ProviderDown(str(error)) from error
    if not same_issuer(metadata.get("issuer"), current_app.config["OIDC_ISSUER"]) or not metadata.get("token_endpoint"):
        oauth_client.server_metadata.pop("_loaded_at", None)  # try again next time
        raise ProviderDown("discovery document names another issuer or no token endpoint")
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    metadata["id_token_signing_alg_values_supported"] = [alg for alg in offered if alg in ALLOWED_ALGORITHMS] or [
        "RS256"
    ]
    return oauth_client


# --- pages ------------------------------------------------------------------------------


def _refusal(title: str, message: str, status: int, reason: str):
    """A refused sign-in: nothing written but an audit line (in Dutch), and a page in the reader's
    language (`title` and `message` come translated)."""
    db.session.rollback()
    current_app.logger.warning("single sign-on refused (%s): %s", status, reason)
    start_writing()  # a GET that writes its audit line (app/transactions.py)
    record_audit("login", result="failed", detail=f"gemeente: {reason}")
    db.session.commit()
    return render_template("auth/sso_refused.html", title=title, message=message), status


def _provider_down(reason: str):
    return _refusal(
        _("De inlogdienst van de gemeente is niet bereikbaar"),
        _(
            "Rode Knop kan de inlogdienst van de gemeente nu niet bereiken. Er is niets veranderd. Probeer het over een paar"
            " minuten opnieuw."
        ),
        503,
        reason,
    )


def _bad_answer(reason: str):
    return _refusal(
        _("Inloggen is niet gelukt"),
        _(
            "Het antwoord van de inlogdienst van de gemeente klopte niet, dus Rode Knop heeft u niet ingelogd. Er is niets"
            " veranderd. Probeer het opnieuw; lukt het dan nog niet, neem dan contact op met de beheerder van Rode Knop."
        ),
        400,
        reason,
    )


def _not_found_without_sso():
    if not enabled():
        abort(404)


@bp.route("/inloggen/gemeente")
def start():
    """Off to the provider: a redirect with state, nonce and a PKCE challenge."""
    _not_found_without_sso()
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    from app.auth.routes import safe_next

    try:
        oauth_client = client()
    except ProviderDown as error:
        return _provider_down(f"discovery: {error}"[:200])
    next_url = safe_next(request.args.get("next"))
    if next_url:
        session["sso_next"] = next_url
    else:
        session.pop("sso_next", None)
    return oauth_client.authorize_redirect(external_url("sso.callback"))


def _client_key() -> str:
    return "sso-client:" + hashlib.sha256((get_remote_address() or "").encode()).hexdigest()


def _failed(_response) -> bool:
    return not g.get("login_succeeded", False)


def _client_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_CLIENT"]


def _identity(claims, issuer: str) -> Identity:
    groups = claims.get(current_app.config["OIDC_GROUPS_CLAIM"]) or []
    if isinstance(groups, str):
        groups = [groups]
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return Identity(
        issuer=issuer,
        subject=str(claims.get("sub") or ""),
        # What may never be stored goes, as from any form (app.forms).
        name=strip_control_characters(str(claims.get("name") or ""), multiline=False),
        email=strip_control_characters(
            str(claims.get("email") or claims.get("preferred_username") or ""), multiline=False
        ),
        email_verified=claims.get("email_verified") is True,
        groups=frozenset(str(group) for group in groups if isinstance(group, str | int)),
        acr=str(claims["acr"]) if claims.get("acr") else None,
        amr=frozenset(str(value) for value in amr if isinstance(value, str)),
    )


@bp.route("/inloggen/gemeente/terug")
@limiter.limit(_client_limit, key_func=_client_key, deduct_when=_failed)
def callback():
    """Back from the provider: check everything, then create, link or update the account."""
    _not_found_without_sso()
    config = current_app.config
    if request.args.get("error"):
        error = request.args.get("error", "")[:50]
        if error == "access_denied":
            return _refusal(
                _("Inloggen is afgebroken"),
                _(
                    "U bent niet ingelogd: het inloggen bij de gemeente is afgebroken of geweigerd. Er is niets veranderd."
                    " U kunt het opnieuw proberen."
                ),
                400,
                "afgebroken bij de gemeente",
            )
        return _refusal(
            _("De inlogdienst van de gemeente gaf een fout"),
            _(
                "De inlogdienst van de gemeente kon u niet inloggen. Er is niets veranderd. Probeer het later opnieuw, of"
                " neem contact op met de beheerder van Rode Knop."
            ),
            502,
            f"fout van de gemeente: {error}",
        )
    # RFC 9207: a provider that names itself in the answer must be ours (a mix-up attack).
    if "iss" in request.args and not same_issuer(request.args["iss"], config["OIDC_ISSUER"]):
        return _bad_answer("antwoord van een andere uitgever")
    if not request.args.get("state") or not request.args.get("code"):
        return _refusal(
            _("Deze inlogpoging is verlopen"),
            _(
                "Dit antwoord van de inlogdienst hoort niet (meer) bij een inlogpoging in deze browser. Er is niets"
                " veranderd. Begin opnieuw bij de inlogpagina."
            ),
            400,
            "geen state of code",
        )
    try:
        oauth_client = client()
        # The issuer exactly as the provider names itself (and signs its tokens).
        issuer = oauth_client.server_metadata["issuer"]
        token = oauth_client.authorize_access_token(
            leeway=LEEWAY,
            claims_options={
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": config["OIDC_CLIENT_ID"]},
            },
        )
    except ProviderDown as error:
        return _provider_down(f"discovery: {error}"[:200])
    except MismatchingStateError:
        return _refusal(
            _("Deze inlogpoging is verlopen"),
            _(
                "Dit antwoord van de inlogdienst hoort niet (meer) bij een inlogpoging in deze browser. Er is niets"
                " veranderd. Begin opnieuw bij de inlogpagina."
            ),
            400,
            "onbekende of gebruikte state",
        )
    except requests.RequestException as error:
        return _provider_down(f"tokens: {type(error).__name__}")
    except OAuthError as error:
        # The provider refused the code: used before, expired, or not ours.
        return _refusal(
            _("Inloggen is niet gelukt"),
            _(
                "De inlogdienst van de gemeente accepteerde deze inlogpoging niet (meer). Er is niets veranderd. Begin"
                " opnieuw bij de inlogpagina."
            ),
            400,
            f"code geweigerd: {str(error.error)[:50]}",
        )
    except (JoseError, AuthlibBaseError, ValueError, KeyError, TypeError) as error:
        return _bad_answer(f"ID-token afgewezen: {type(error).__name__}: {str(error)[:100]}")
    claims = token.get("userinfo")
    if not claims:
        return _bad_answer("geen ID-token")

    start_writing()  # a GET that writes: the account (app/transactions.py)
    try:
        user = sign_in(
            _identity(claims, issuer),
            role_groups=current_app.extensions["rodeknop_role_groups"],
            required_acr=config["OIDC_REQUIRED_ACR"],
            required_amr=config["OIDC_REQUIRED_AMR"],
        )
        record_audit("login", actor=user, object_type="user", object_id=user.id, detail="via de gemeente")
        db.session.commit()
    except SignInRefused as refusal:
        return _refusal(_(refusal.title), _(refusal.message), refusal.status, refusal.reason)
    except (DomainError, IntegrityError) as error:
        # A claim Rode Knop cannot store, or the same person signing in twice at once.
        return _refusal(
            _("Inloggen is niet gelukt"),
            _(
                "Rode Knop kon uw account nu niet bijwerken. Er is niets veranderd. Probeer het opnieuw; lukt het dan nog"
                " niet, neem dan contact op met de beheerder van Rode Knop."
            ),
            409,
            f"account niet bij te werken: {type(error).__name__}",
        )

    next_url = session.get("sso_next")
    # A fresh session on login, so a planted session id is worthless.
    session.clear()
    login_user(user)
    # The provider checked the second factor (OIDC_REQUIRED_*): no TOTP asked (app.services.mfa).
    session[LOGIN_METHOD_KEY] = SSO_LOGIN
    id_token = token.get("id_token") or ""
    session[SESSION_KEY] = {
        "until": _now() + config["OIDC_SESSION_HOURS"] * 3600,
        "id_token": id_token if len(id_token) <= ID_TOKEN_KEEP_MAX else None,
    }
    g.login_succeeded = True
    flash(_("Welkom, %(name)s.", name=user.name), "success")
    return redirect(next_url or url_for("main.index"))


# --- session lifetime and logout ----------------------------------------------------------


@bp.before_app_request
def end_expired_sso_session():
    """An SSO login past OIDC_SESSION_HOURS ends here (no query: the end time is in the
    signed session cookie)."""
    sso = session.get(SESSION_KEY)
    if not sso or _now() < float(sso.get("until", 0)) or request.path.startswith("/static/"):
        return None
    logout_user()
    session.clear()
    flash(_("Uw sessie is verlopen. Log opnieuw in met uw account van de gemeente."), "info")
    if request.method == "GET":
        return redirect(url_for("auth.login", next=request.full_path if request.args else request.path))
    return redirect(url_for("auth.login"))


def signed_in_with_provider() -> bool:
    """Whether this session began at the identity provider (its second factor, if any, was
    the provider's: see OIDC_REQUIRED_ACR/AMR), not with a Rode Knop password."""
    return bool(session.get(SESSION_KEY))


def logout_url(sso: dict | None) -> str | None:
    """Where to send a browser whose SSO session just ended in Rode Knop: the provider's
    end-session endpoint (RP-initiated logout), when it has one and can be reached."""
    if not sso or not enabled():
        return None
    try:
        oauth_client = client()
    except ProviderDown:
        return None
    if not oauth_client.server_metadata.get("end_session_endpoint"):
        return None
    extra = {"client_id": current_app.config["OIDC_CLIENT_ID"]}
    result = oauth_client.create_logout_url(
        post_logout_redirect_uri=external_url("auth.login"), id_token_hint=sso.get("id_token"), **extra
    )
    return result["url"]
