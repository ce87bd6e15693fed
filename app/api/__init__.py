"""The JSON API, /api/v1 (README, "API"): flask-smorest on the plain Flask app.

* Authentication: `Authorization: Bearer <token>` only (app.services.tokens). A hook that
  runs before every other one (also before the login cookie is read) authenticates the
  request or refuses it with 401; a cookie never authenticates the API, and CSRF (a
  cookie's risk) does not apply.
* Errors: application/problem+json (app.api.problems), also for routing errors, the rate
  limit and exceptions.
* Reads carry an ETag; If-None-Match with the same one gets 304.
* The OpenAPI document's texts (summaries, descriptions) are msgids, lazy in the spec: it is
  rendered once per language, in the language `?taal=` asks for (the documentation page
  asks its reader's), else the municipality's.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, json, request
from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint

from app.api.problems import PROBLEM, problem
from app.i18n import chosen_language

VERSION_PREFIX = "/api/v1"

bp = ApiBlueprint("api", __name__, url_prefix=VERSION_PREFIX, description="Rode Knop API")


class RodeKnopApi(Api):
    """flask-smorest's Api without its app-wide JSON error handler (the HTML pages keep
    theirs; app/__init__.py answers problem+json under /api/), with errors documented as
    application/problem+json, and its document served in the reader's language."""

    def __init__(self, *args, **kwargs):
        self._documents: dict[str, str] = {}  # language -> the document, rendered once
        super().__init__(*args, **kwargs)

    def _openapi_json(self):
        language = chosen_language(request.args.get("taal"))
        document = self._documents.get(language)
        if document is None:
            with force_locale(language):
                document = json.dumps(_rendered(self.spec.to_dict()), indent=2, sort_keys=False)
            self._documents[language] = document
        return current_app.response_class(document, mimetype="application/json")

    def _register_error_handlers(self):
        return None

    def _register_responses(self):
        import http

        from flask_smorest.utils import prepare_response

        from app.api.schemas import ProblemSchema

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {
            "description": _l("Fout (RFC 9457), met title en detail in de taal van wie de API-sleutel gebruikt"),
            "schema": ProblemSchema,
        }
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def _rendered(value):
    """The spec with its lazy texts rendered in the current language."""
    if isinstance(value, dict):
        return {key: _rendered(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rendered(item) for item in value]
    return str(value) if isinstance(value, LazyString) else value


def _spec_kwargs() -> dict:
    return {
        "info": {
            "description": _l("De API van Rode Knop. Aanmelden met een API-sleutel: Authorization: Bearer <sleutel>."),
        },
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": _l("rk_<sleutel>")}}
        },
    }


def init_app(app: Flask) -> None:
    from app.api import routes  # noqa: F401 - registers the operations on bp
    from app.api.auth import authenticate
    from app.api.docs import bp as docs_bp
    from app.api.pages import bp as pages_bp
    from app.extensions import csrf

    app.config.setdefault("API_TITLE", "Rode Knop")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", VERSION_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = RodeKnopApi(app, spec_kwargs=_spec_kwargs())
    api.register_blueprint(bp)
    csrf.exempt(bp)
    app.register_blueprint(docs_bp, url_prefix=VERSION_PREFIX)
    app.register_blueprint(pages_bp)
    # First of all hooks: before the rate limiter and before anything reads the login cookie.
    app.before_request_funcs.setdefault(None, []).insert(0, authenticate)
    app.extensions["rodeknop-api"] = api


@bp.before_request
def json_only():
    """A body must be JSON (415 otherwise): a form post is never taken for an API call."""
    if request.method in ("POST", "PUT", "PATCH") and request.content_length and not request.is_json:
        return problem(415)
    return None


@bp.after_request
def etag(response):
    """Reads: an ETag over the body; If-None-Match with it gets 304 (nothing sent again).
    The body already differs per caller (what they may see), so the tag does too."""
    if request.method == "GET" and response.status_code == 200 and response.is_json:
        tag = hashlib.sha256(response.get_data()).hexdigest()[:32]
        response.set_etag(tag, weak=True)
        if request.if_none_match and request.if_none_match.contains_weak(tag):
            response.status_code = 304
            response.set_data(b"")
            response.headers.pop("Content-Type", None)
            response.headers.pop("Content-Length", None)
        response.headers["Cache-Control"] = "private, no-cache"
    return response
