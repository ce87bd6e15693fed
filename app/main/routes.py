"""The start page and the accessibility statement."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from app.services.reports import my_reports

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    recent = my_reports(current_user, limit=3)
    return render_template("main/index.html", recent=recent)


@bp.route("/toegankelijkheid")
def accessibility():
    return render_template("main/accessibility.html")
