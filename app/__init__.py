"""The Rode Knop application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import INSTANCE_DIR, Config, config_from_env

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: an id as the database can hold it (1 .. 2**31-1, ASCII
    digits only). Anything else does not match the route, so it answers 404 and never
    reaches a query (PostgreSQL would refuse a bigger number with an error)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        from app.models.base import INT_MAX

        super().__init__(map, fixed_digits, 1 if min is None else min, INT_MAX if max is None else max, signed=False)


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app. `config` is a Config class or a dict of overrides."""
    app = Flask(
        __name__,
        template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
        instance_path=str(INSTANCE_DIR),
    )
    from app.web import RodeKnopRequest

    app.request_class = RodeKnopRequest  # a larger body only for forms with files
    config_class = config if isinstance(config, type) else config_from_env()
    config_class.validate()
    app.config.from_object(config_class)
    if isinstance(config, dict):
        app.config.update(config)
    if str(app.config.get("SQLALCHEMY_DATABASE_URI") or "").startswith("sqlite"):
        # A file on this machine: nothing to ping before each use (a query per request).
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        raise RuntimeError("No database configured: set DATABASE_URL")
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("No SECRET_KEY configured")

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_COUNT"]:
        proxies = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.url_map.converters["int"] = IdConverter
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_hooks(app)
    register_commands(app)
    return app


def _csp(app: Flask) -> dict:
    """CSP, with the identity provider allowed as a form's destination when single sign-on is
    on: logging out (a form) ends at the provider's end-session page."""
    from app.auth.sso import issuer_origin

    origin = issuer_origin(app)
    return {**CSP, "form-action": f"{CSP['form-action']} {origin}"} if origin else CSP


def register_extensions(app: Flask) -> None:
    from app import ratelimit  # noqa: F401 - registers the database:// limits storage
    from app.extensions import csrf, db, limiter, login_manager, migrate, talisman
    from app.transactions import configure_postgresql, configure_sqlite

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    from app import embed, look

    look.init_app(app)
    embed.check_origins(app.config)
    embed.register(app, _csp(app))
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        # HSTS whenever cookies are Secure: production is HTTPS-only, also behind a proxy
        # that terminates TLS (talisman sends it on secure requests only).
        strict_transport_security=app.config["FORCE_HTTPS"] or app.config["SESSION_COOKIE_SECURE"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=_csp(app),
        referrer_policy="same-origin",
        frame_options="DENY",
        x_content_type_options=True,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(db.engine)

    from app import i18n

    i18n.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om deze pagina te bekijken."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from sqlalchemy import bindparam
    from sqlalchemy.orm import joinedload

    from app.models import User

    # One statement for the user and their roles (every request asks for both), built once.
    signed_in = db.select(User).options(joinedload(User.role_rows)).where(User.id == bindparam("id"))

    @login_manager.user_loader
    def load_user(user_id: str):
        raw_id, _, token = user_id.partition(":")
        if not raw_id.isdigit() or not token:
            return None
        user = db.session.execute(signed_in, {"id": int(raw_id)}).unique().scalar_one_or_none()
        if user is None or not user.active or user.session_token != token:
            return None
        return user


def register_blueprints(app: Flask) -> None:
    from app import api
    from app.admin.routes import bp as admin_bp
    from app.auth import sso
    from app.auth.routes import bp as auth_bp
    from app.board.routes import bp as board_bp
    from app.checkback.routes import bp as checkback_bp
    from app.dossiers import register as dossier_register  # noqa: F401 - the register's routes on dossiers_bp
    from app.dossiers.routes import bp as dossiers_bp
    from app.insight.routes import bp as insight_bp
    from app.main.routes import bp as main_bp
    from app.opendata.routes import bp as opendata_bp
    from app.reports.routes import bp as reports_bp
    from app.results.routes import bp as results_bp
    from app.services.mfa import check_required_roles
    from app.triage.routes import bp as triage_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    sso.init_app(app)
    check_required_roles(app.config)
    if app.config["MODE"] == "register":
        _register_register(app, admin_bp)
        return
    app.register_blueprint(reports_bp)
    app.register_blueprint(board_bp, url_prefix="/bord")
    app.register_blueprint(triage_bp, url_prefix="/weekoverleg")
    app.register_blueprint(results_bp, url_prefix="/ontregeld")
    app.register_blueprint(opendata_bp, url_prefix="/open-data")
    app.register_blueprint(dossiers_bp, url_prefix="/juridisch")
    app.register_blueprint(admin_bp, url_prefix="/beheer")
    app.register_blueprint(checkback_bp, url_prefix="/merkbaar-beter")
    app.register_blueprint(insight_bp, url_prefix="/inzicht")
    api.init_app(app)

    _template_helpers(app)


def _template_helpers(app: Flask) -> None:
    from app import views

    app.jinja_env.globals.update(views.template_globals())
    app.jinja_env.filters.update(views.template_filters())


def _register_register(app: Flask, admin_bp) -> None:
    """RODEKNOP_MODE=register: the shared register's pages, its signed API for members
    and beheer; nothing of an installation's report flow (ARCHITECTURE.md)."""
    from app.extensions import csrf
    from app.register.api import bp as register_api_bp
    from app.register.routes import bp as register_bp

    app.register_blueprint(register_bp, url_prefix="/register")
    app.register_blueprint(admin_bp, url_prefix="/beheer")
    csrf.exempt(register_api_bp)
    app.register_blueprint(register_api_bp, url_prefix="/api/v1/register")
    _template_helpers(app)


def register_errorhandlers(app: Flask) -> None:
    from flask_babel import gettext as _

    from app.api.problems import is_api_request, problem, problem_for_http_exception
    from app.extensions import db

    def render_error(code: int, title: str, message: str, error: HTTPException | None = None):
        if is_api_request():  # the JSON API: problem+json, never an HTML page
            return problem_for_http_exception(error) if error is not None else problem(code)
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # Views that validate their own form re-render it with the user's text and a
        # message; every other write is refused without doing anything.
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "rerender_on_csrf_error", False):
            g.csrf_error = True
            try:
                response = app.make_response(view(**(request.view_args or {})))
            except HTTPException as refusal:  # e.g. 403 for the wrong role, 404
                return app.handle_http_exception(refusal)
            # A redirect (to the login page, say) stays a redirect; a form shown again
            # after a failed token is a 400.
            if response.status_code < 300:
                response.status_code = 400
            return response
        return render_error(
            400,
            _("Formulier verlopen"),
            _("Het formulier was verlopen of ongeldig. Ga terug, herlaad de pagina en probeer het opnieuw."),
        )

    @app.errorhandler(400)
    def bad_request(error):
        return render_error(400, _("Ongeldig verzoek"), _("Het verzoek kon niet worden verwerkt."), error=error)

    @app.errorhandler(403)
    def forbidden(error):
        return render_error(403, _("Geen toegang"), _("U heeft geen toegang tot deze pagina."), error=error)

    @app.errorhandler(404)
    def not_found(error):
        return render_error(404, _("Pagina niet gevonden"), _("Deze pagina bestaat niet (meer)."), error=error)

    @app.errorhandler(405)
    def method_not_allowed(error):
        return render_error(405, _("Niet toegestaan"), _("Deze actie is hier niet mogelijk."), error=error)

    @app.errorhandler(413)
    def too_large(error):
        if getattr(request, "takes_files", False):
            from app.services.attachments import too_large_message

            return render_error(413, _("Bestanden te groot"), too_large_message(), error=error)
        return render_error(
            413,
            _("Te veel tekst"),
            _("Wat u verstuurde is te groot om te verwerken. Maak de tekst korter en probeer het opnieuw."),
            error=error,
        )

    @app.errorhandler(429)
    def too_many(error):
        return render_error(
            429,
            _("Te veel pogingen"),
            _("Er zijn te veel pogingen gedaan. Wacht een paar minuten en probeer het dan opnieuw."),
            error=error,
        )

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        # Statuses without a page of their own (409, 415, 422, ...): problem+json under
        # /api/, Werkzeug's own answer elsewhere.
        return problem_for_http_exception(error) if is_api_request() else error

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        if is_api_request():
            return problem(500)
        return render_error(
            500,
            _("Er ging iets mis"),
            _("Er ging aan onze kant iets mis. Uw gegevens zijn niet opgeslagen. Probeer het later opnieuw."),
        )


def register_hooks(app: Flask) -> None:
    from app.auth import gate

    gate.register(app)

    @app.after_request
    def no_store(response):
        # The API's reads say themselves how to cache (private, revalidated by ETag); so do
        # attachments (private, never stored: app.reports.routes).
        own_cache = "Cache-Control" in response.headers and (
            request.path.startswith("/api/") or response.headers["Cache-Control"].startswith("private")
        )
        if not request.path.startswith("/static/") and not own_cache:
            response.headers["Cache-Control"] = "no-store"
        return response

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
