"""The start page and the accessibility statement."""

from flask import Blueprint, current_app, redirect, render_template, send_from_directory, url_for
from flask_login import current_user

from app.services.reports import my_reports

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    recent = my_reports(current_user)[:3]
    return render_template("main/index.html", recent=recent)


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for it at the root whatever the page says; the page links the SVG too."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )


@bp.route("/toegankelijkheid")
def accessibility():
    return render_template("main/accessibility.html")
