"""Logging in and out, and changing one's own password."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import sso
from app.auth.devices import remember_device, trusted_device
from app.auth.forms import ChoosePasswordForm, ForgottenForm, LoginForm, PasswordForm, settings_form
from app.extensions import db, limiter
from app.forms import apply_domain_error, strip_control_characters
from app.services import DomainError
from app.services.audit import record_audit
from app.services.users import (
    authenticate,
    end_sessions,
    normalize_email,
    password_forgotten,
    password_login_allowed,
    password_login_for_everyone,
    refuse_password_login,
    set_mail_choices,
    set_password,
    user_for_password_link,
)
from app.web import rerender_on_csrf_error, run_form

bp = Blueprint("auth", __name__)

# The longest `next` followed after logging in (a page with its filters fits easily).
NEXT_MAX = 2000


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no '//' or backslash tricks."""
    if not target:
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    # A line break cannot go into a Location header; no real page has a control character.
    if len(target) > NEXT_MAX or strip_control_characters(target, multiline=False) != target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# --- login throttling ------------------------------------------------------------------
#
# Counted: attempts that did not log in (a successful login costs nothing), per client
# address and per account. A browser that logged in successfully as an account before (a
# device cookie, app/auth/devices.py) is counted on its own for that account instead, so
# an attacker who runs up those limits locks out neither the account's owner nor everyone
# behind the same address. What the client sent is never stored: counter keys are hashes.


def _hashed(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


def _client_key() -> str:
    return _hashed("login-client", get_remote_address() or "")


def _account_key() -> str:
    return _hashed("login-account", normalize_email(request.form.get("email") or ""))


def _device_key() -> str:
    device = _trusted_device()
    return _hashed("login-device", f"{device.user_id}:{device.nonce}") if device else "login-device:none"


def _trusted_device():
    if request.method != "POST":
        return None
    if "login_device" not in g:
        g.login_device = trusted_device(request.form.get("email"))
    return g.login_device


def _from_trusted_device() -> bool:
    return _trusted_device() is not None


def _from_unknown_device() -> bool:
    return _trusted_device() is None


def _login_failed(_response) -> bool:
    return not g.get("login_succeeded", False)


def _client_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_CLIENT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(
    _client_limit, methods=["POST"], key_func=_client_key, exempt_when=_from_trusted_device, deduct_when=_login_failed
)
@limiter.limit(
    _account_limit, methods=["POST"], key_func=_account_key, exempt_when=_from_trusted_device, deduct_when=_login_failed
)
# A trusted browser has its own count for the account, so a stolen cookie guesses no faster.
@limiter.limit(
    _account_limit, methods=["POST"], key_func=_device_key, exempt_when=_from_unknown_device, deduct_when=_login_failed
)
@rerender_on_csrf_error
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        if password_login_allowed(form.email.data):
            user = authenticate(form.email.data, form.password.data)
        else:
            refuse_password_login(form.email.data, form.password.data)
            user = None
        db.session.commit()
        if user is None:
            form.form_errors.append(
                "Het e-mailadres of het wachtwoord klopt niet."
                if password_login_for_everyone()
                else "Het e-mailadres of het wachtwoord klopt niet, of dit account mag niet met een wachtwoord inloggen."
            )
        else:
            # A fresh session on login, so a planted session id is worthless.
            session.clear()
            login_user(user)
            g.login_succeeded = True
            flash(f"Welkom, {user.name}.", "success")
            response = redirect(next_url or url_for("main.index"))
            remember_device(response, user)
            return response
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "auth/login.html",
        form=form,
        next_url=next_url,
        sso=sso.enabled(),
        # With local passwords off, the form is shown for break-glass only when asked for
        # (or when it was just sent).
        show_form=password_login_for_everyone() or "noodtoegang" in request.args or form.is_submitted(),
    ), status


@bp.route("/uitloggen", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    end_sessions(user)
    record_audit("logout", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    single_sign_on = session.get(sso.SESSION_KEY)
    logout_user()
    session.clear()
    flash("U bent uitgelogd.", "info")
    # An SSO session ends at the provider too (RP-initiated logout), which sends the
    # browser back to the login page.
    return redirect(sso.logout_url(single_sign_on) or url_for("auth.login"))


def _password_change_limit() -> str:
    return current_app.config["PASSWORD_CHANGE_LIMIT"]


def _password_change_key() -> str:
    return f"password-change:{current_user.get_id().partition(':')[0]}"


def _not_logged_in() -> bool:
    return not current_user.is_authenticated


@bp.route("/wachtwoord", methods=["GET", "POST"])
# Someone at an unlocked computer cannot guess the current password at leisure.
@limiter.limit(
    _password_change_limit,
    methods=["POST"],
    key_func=_password_change_key,
    exempt_when=_not_logged_in,
    deduct_when=lambda _response: g.get("wrong_current_password", False),
)
@login_required
@rerender_on_csrf_error
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if authenticate(user.email, form.current.data) is None:
            g.wrong_current_password = True
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


def _forgotten_client_limit() -> str:
    return current_app.config["PASSWORD_FORGOTTEN_LIMIT_PER_CLIENT"]


def _forgotten_account_limit() -> str:
    return current_app.config["PASSWORD_FORGOTTEN_LIMIT_PER_ACCOUNT"]


FORGOTTEN_ANSWER = (
    "Als er een account bij Rode Knop is met dit e-mailadres, krijgt u binnen een paar minuten een e-mail "
    "met een link om een nieuw wachtwoord te kiezen. Geen e-mail gekregen? Kijk ook bij uw ongewenste "
    "e-mail, of vraag de beheerder van Rode Knop om hulp."
)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
# Each request may send a mail: every one counts, per client address and per e-mail address
# (so nobody fills a colleague's mailbox), whether or not the address has an account.
@limiter.limit(
    _forgotten_client_limit, methods=["POST"], key_func=lambda: _hashed("forgotten-client", get_remote_address() or "")
)
@limiter.limit(
    _forgotten_account_limit,
    methods=["POST"],
    key_func=lambda: _hashed("forgotten-account", normalize_email(request.form.get("email") or "")),
)
@rerender_on_csrf_error
def password_forgotten_page():
    """A link to choose a new password, mailed to the address if it has an account; the
    same answer whether or not it does."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("auth.change_password"))
    form = ForgottenForm()
    if not form.is_submitted():
        return render_template("auth/forgotten.html", form=form)

    def perform():
        password_forgotten(form.email.data)
        return FORGOTTEN_ANSWER, "info"

    return run_form(
        form,
        perform,
        success=FORGOTTEN_ANSWER,
        redirect_to=url_for("auth.login"),
        render=lambda failure: (render_template("auth/forgotten.html", form=form), failure.status),
    )


@bp.route("/wachtwoord-kiezen/<purpose>/<token>", methods=["GET", "POST"])
@limiter.limit(_client_limit, methods=["POST"], key_func=lambda: _hashed("choose-client", get_remote_address() or ""))
@rerender_on_csrf_error
def choose_password(purpose: str, token: str):
    """The link from an invitation or a reset mail: the account's owner chooses a password."""
    user = user_for_password_link(purpose, token)
    if user is None:
        return render_template(
            "errors/error.html",
            code=400,
            title="Deze link werkt niet meer",
            message=(
                "De link is verlopen of al gebruikt. Vraag een nieuwe aan via ‘Wachtwoord vergeten’ op de "
                "pagina Inloggen, of vraag de beheerder van Rode Knop om een nieuwe link."
            ),
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
    form = settings_form(user)

    def render(status: int = 200):
        return render_template("auth/settings.html", form=form, digest_time=current_app.config["DIGEST_TIME"]), status

    if not form.is_submitted():
        return render()
    return run_form(
        form,
        lambda: set_mail_choices(user, {code: form[code].data for code in user.mail_kinds()}),
        success="Uw keuzes voor e-mail zijn opgeslagen.",
        redirect_to=url_for("auth.settings"),
        render=lambda failure: render(failure.status),
    )
