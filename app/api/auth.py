"""Who is asking: the API token of the request (app.services.tokens), and what it may do."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, request
from flask_babel import gettext
from flask_login import current_user

from app.api.problems import problem
from app.models.api_token import SCOPES
from app.permissions import may_enter
from app.services.tokens import effective_scopes, note_use, token_for_secret

API_BLUEPRINT = "api"
DOCS_BLUEPRINT = "api_docs"
CHALLENGE = ("WWW-Authenticate", 'Bearer realm="Rode Knop"')


def authenticate():
    """Before every other hook, for every path under /api/ but the documentation page: nobody
    is logged in by a cookie here. An operation of the API needs a valid token (else 401);
    the document and unknown paths need none."""
    if not request.path.startswith("/api/") or request.blueprint == DOCS_BLUEPRINT:
        return None  # the documentation page is an HTML page like the others
    g._login_user = current_app.login_manager.anonymous_user()
    if request.blueprint != API_BLUEPRINT:
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return problem(401, headers=[CHALLENGE])
    token = token_for_secret(secret.strip())
    if token is None:
        return problem(
            401,
            gettext("Sleutel ongeldig"),
            gettext(
                "Deze API-sleutel bestaat niet, is verlopen of ingetrokken, of hoort bij een account dat niet meer actief is."
            ),
            headers=[("WWW-Authenticate", 'Bearer realm="Rode Knop", error="invalid_token"')],
        )
    note_use(token)
    g.api_token_id = token.id
    g.api_scopes = effective_scopes(token)
    g._login_user = token.user
    return None


def token_key() -> str:
    """The rate limit's key: the token (app.api: API_LIMIT_PER_TOKEN)."""
    return f"api-token:{g.get('api_token_id', request.remote_addr)}"


def requires(scope: str, *, area: str | None = None):
    """The token must carry `scope` (and its user's roles still allow it), and the user may
    enter `area` (app.permissions.AREAS) where the pages ask the same."""
    if scope not in SCOPES:
        raise ValueError(scope)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if scope not in g.api_scopes:
                abort(
                    problem(
                        403,
                        gettext("Bevoegdheid ontbreekt"),
                        gettext(
                            "Deze API-sleutel heeft de bevoegdheid ‘%(scope)s’ niet, of uw rol staat die niet (meer) toe.",
                            scope=scope,
                        ),
                    )
                )
            if area is not None and not may_enter(current_user, area):
                abort(problem(403))
            return view(*args, **kwargs)

        return wrapped

    return decorator
