"""Logging in and out, and changing one's own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth.forms import ChoosePasswordForm, LoginForm, PasswordForm, SettingsForm
from app.extensions import db, limiter
from app.forms import apply_domain_error
from app.services import DomainError
from app.services.audit import record_audit
from app.services.users import authenticate, end_sessions, set_password, user_for_password_link
from app.web import rerender_on_csrf_error, run_form

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no '//' or backslash tricks."""
    if not target:
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _account_key() -> str:
    return "login-account:" + (request.form.get("email") or "").strip().lower()


def _client_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_CLIENT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(_client_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key)
@rerender_on_csrf_error
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is None:
            form.form_errors.append("Het e-mailadres of het wachtwoord klopt niet.")
        else:
            # A fresh session on login, so a planted session id is worthless.
            session.clear()
            login_user(user)
            flash(f"Welkom, {user.name}.", "success")
            return redirect(next_url or url_for("main.index"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.route("/uitloggen", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    end_sessions(user)
    record_audit("logout", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/wachtwoord", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_error
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if authenticate(user.email, form.current.data) is None:
            form.current.errors = ["Dit is niet uw huidige wachtwoord."]
        else:
            try:
                set_password(user, form.password.data, actor=user)
            except DomainError as error:
                db.session.rollback()
                apply_domain_error(form, error)
            else:
                db.session.commit()
                # The password change ended every session, this one too: log in anew.
                login_user(user)
                flash("Uw wachtwoord is gewijzigd. Andere sessies zijn uitgelogd.", "success")
                return redirect(url_for("main.index"))
        db.session.commit()  # keep the audit line of the failed check
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/wachtwoord-kiezen/<purpose>/<token>", methods=["GET", "POST"])
@limiter.limit(_client_limit, methods=["POST"])
@rerender_on_csrf_error
def choose_password(purpose: str, token: str):
    """The link from an invitation or a reset mail: the account's owner chooses a password."""
    user = user_for_password_link(purpose, token)
    if user is None:
        return render_template(
            "errors/error.html",
            code=400,
            title="Deze link werkt niet meer",
            message="De link is verlopen of al gebruikt. Vraag de beheerder van Rode Knop om een nieuwe link.",
        ), 400
    form = ChoosePasswordForm()
    if not form.is_submitted():
        return render_template("auth/choose_password.html", form=form, user=user, purpose=purpose)

    def perform():
        set_password(user, form.password.data, actor=user)
        if current_user.is_authenticated:
            logout_user()
        return "Uw wachtwoord is opgeslagen. Log in met uw e-mailadres en uw nieuwe wachtwoord."

    return run_form(
        form,
        perform,
        success="",
        redirect_to=url_for("auth.login"),
        render=lambda failure: (
            render_template("auth/choose_password.html", form=form, user=user, purpose=purpose),
            failure.status,
        ),
    )


@bp.route("/instellingen", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_error
def settings():
    user = current_user._get_current_object()
    form = SettingsForm(mail_preference=user.mail_preference)
    if form.validate_on_submit():
        user.mail_preference = form.mail_preference.data
        db.session.commit()
        flash("Uw instellingen zijn opgeslagen.", "success")
        return redirect(url_for("auth.settings"))
    status = 400 if form.errors else 200
    return render_template("auth/settings.html", form=form), status
