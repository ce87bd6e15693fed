"""The start page, the red button for the intranet (/knop), the accessibility statement, and
the municipality's own logo and local design tokens (app.look)."""

from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app.embed import chosen_department
from app.extensions import talisman
from app.look import LOGO_CSP, current_look
from app.services.reports import my_reports
from app.services.users import active_departments

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if current_app.config["MODE"] == "register":  # the register has no report flow
        return redirect(url_for("register.index"))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    recent = my_reports(current_user, limit=3)
    return render_template("main/index.html", recent=recent)


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for it at the root whatever the page says; the page links the SVG too.
    Served from memory (384 bytes), so no file stays open behind a response."""
    response = Response(_favicon_bytes(current_app.static_folder), mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@lru_cache(maxsize=1)
def _favicon_bytes(static_folder: str) -> bytes:
    return (Path(static_folder) / "favicon.ico").read_bytes()


@bp.route("/knop")
def embed():
    """The red button for an intranet page's frame (app.embed): no login here, the link
    opens the report form in a new window. ?afdeling= chooses the department there."""
    if current_app.config["MODE"] == "register":
        abort(404)
    department = chosen_department(request.args.get("afdeling"), active_departments())
    return render_template("main/embed.html", department=department)


@bp.route("/toegankelijkheid")
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/logo.svg")
@talisman(content_security_policy=LOGO_CSP)
def logo():
    """The municipality's logo (MUNICIPALITY_LOGO), checked at start-up to be SVG but not
    trusted: opened by itself, its CSP forbids script and any fetch; pages show it through
    <img>, where no script runs. 404 when no logo is configured."""
    data = current_look().logo
    if data is None:
        abort(404)
    return _own_file(data, "image/svg+xml")


@bp.route("/thema.css")
def theme_css():
    """The municipality's local design tokens (THEME_CSS); 404 when a shipped theme is used."""
    data = current_look().local_tokens
    if data is None:
        abort(404)
    return _own_file(data, "text/css; charset=utf-8")


def _own_file(data: bytes, mimetype: str) -> Response:
    response = Response(data, content_type=mimetype)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
