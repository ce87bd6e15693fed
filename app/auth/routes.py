"""Logging in and out, and changing one's own password."""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import sso
from app.auth.devices import remember_device, trusted_device
from app.auth.forms import (
    ChoosePasswordForm,
    CodeForm,
    ConfirmIdentityForm,
    ForgottenForm,
    LoginForm,
    PasswordForm,
    RecoveryCodeForm,
    settings_form,
)
from app.extensions import db, limiter
from app.forms import apply_domain_error, strip_control_characters
from app.i18n import N_, in_language_of
from app.models import User
from app.services import DomainError, mfa
from app.services.audit import record_audit
from app.services.users import (
    authenticate,
    end_sessions,
    normalize_email,
    password_forgotten,
    password_login_allowed,
    password_login_for_everyone,
    refuse_password_login,
    set_language,
    set_mail_choices,
    set_password,
    user_for_password_link,
)
from app.transactions import start_writing
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


# Shared scopes: wrong codes on the code page (second_factor) count in the same budgets.
CLIENT_SCOPE = "login-client"
ACCOUNT_SCOPE = "login-account"


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.shared_limit(
    _client_limit,
    CLIENT_SCOPE,
    methods=["POST"],
    key_func=_client_key,
    exempt_when=_from_trusted_device,
    deduct_when=_login_failed,
)
@limiter.shared_limit(
    _account_limit,
    ACCOUNT_SCOPE,
    methods=["POST"],
    key_func=_account_key,
    exempt_when=_from_trusted_device,
    deduct_when=_login_failed,
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
                _("Het e-mailadres of het wachtwoord klopt niet.")
                if password_login_for_everyone()
                else _(
                    "Het e-mailadres of het wachtwoord klopt niet, of dit account mag niet met een wachtwoord inloggen."
                )
            )
        else:
            # A fresh session on login, so a planted session id is worthless.
            session.clear()
            g.login_succeeded = True
            if user.has_second_factor:
                # Not logged in yet: the code page asks for the second factor.
                _start_second_step(user, next_url)
                return redirect(url_for("auth.second_factor"))
            return _finish_login(user, next_url)
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


def _finish_login(user: User, next_url: str | None):
    login_user(user)
    session[mfa.LOGIN_METHOD_KEY] = mfa.PASSWORD_LOGIN
    with in_language_of(user):  # the request began before anyone was logged in
        flash(_("Welkom, %(name)s.", name=user.name), "success")
    # A step still pending (app.auth.gate: a temporary password, a required second factor)
    # comes first, wherever this leads.
    response = redirect(next_url or url_for("main.index"))
    # Only after every step: the device cookie speeds up nothing but the password count.
    remember_device(response, user)
    return response


# --- the second step of a password login -----------------------------------------------
#
# After a correct password a user with a second factor is not logged in: the session holds
# who they are, since when, and a mark of their session token (a password change or a
# reset ends it), for MFA_PENDING_SECONDS. The code page then logs them in.

PENDING_KEY = "mfa_pending"


def _token_mark(user: User) -> str:
    return hashlib.sha256(f"pending:{user.session_token}".encode()).hexdigest()[:32]


def _start_second_step(user: User, next_url: str | None) -> None:
    session[PENDING_KEY] = {"u": user.id, "s": _token_mark(user), "t": int(time.time()), "n": next_url}


def _pending_user() -> User | None:
    """The user whose password was right a moment ago in this session, while that holds."""
    if "pending_user" in g:
        return g.pending_user
    data = session.get(PENDING_KEY)
    user = None
    if (
        isinstance(data, dict)
        and isinstance(data.get("u"), int)
        and isinstance(data.get("t"), int)
        and 0 <= time.time() - data["t"] <= current_app.config["MFA_PENDING_SECONDS"]
    ):
        found = db.session.get(User, data["u"])
        if found is not None and found.active and found.has_second_factor and data.get("s") == _token_mark(found):
            user = found
    g.pending_user = user
    return user


def _pending_account_key() -> str:
    # The same count as wrong passwords for this account: guesses at the code add up with them.
    user = _pending_user()
    return _hashed("login-account", user.email) if user is not None else "login-account:none"


WRONG_CODE = _l("Deze code klopt niet of is al gebruikt. Wacht op de volgende code in uw app en typ die over.")
WRONG_RECOVERY_CODE = _l("Deze herstelcode klopt niet of is al gebruikt. Controleer de code en probeer het opnieuw.")


@bp.route("/inloggen/code", methods=["GET", "POST"])
# Wrong codes count like wrong passwords, per client and per account (never per device:
# a trusted browser still needs the code).
@limiter.shared_limit(_client_limit, CLIENT_SCOPE, methods=["POST"], key_func=_client_key, deduct_when=_login_failed)
@limiter.shared_limit(
    _account_limit, ACCOUNT_SCOPE, methods=["POST"], key_func=_pending_account_key, deduct_when=_login_failed
)
@rerender_on_csrf_error
def second_factor():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = _pending_user()
    if user is None:
        had_pending = session.pop(PENDING_KEY, None) is not None
        if had_pending or request.method == "POST":
            flash(
                _("Het inloggen duurde te lang of is afgebroken. Log opnieuw in met uw e-mailadres en wachtwoord."),
                "info",
            )
        return redirect(url_for("auth.login"))
    with_recovery = request.method == "POST" and "recovery_code" in request.form
    form = CodeForm(formdata=None) if with_recovery else CodeForm()
    recovery_form = RecoveryCodeForm() if with_recovery else RecoveryCodeForm(formdata=None)
    sent, field, wrong = (
        (recovery_form, recovery_form.recovery_code, WRONG_RECOVERY_CODE)
        if with_recovery
        else (form, form.code, WRONG_CODE)
    )
    if request.method == "POST" and sent.validate_on_submit():
        accepted = mfa.check_login_code(user, field.data)
        db.session.commit()
        if accepted:
            g.login_succeeded = True
            next_url = safe_next(session.get(PENDING_KEY, {}).get("n"))
            session.clear()
            return _finish_login(user, next_url)
        field.errors = [wrong]
    failed = request.method == "POST"
    return render_template(
        "auth/second_factor.html", form=form, recovery_form=recovery_form, with_recovery=with_recovery
    ), (400 if failed else 200)


@bp.route("/uitloggen", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    end_sessions(user)
    record_audit("logout", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    single_sign_on = session.get(sso.SESSION_KEY)
    with in_language_of(user):  # shown on the login page, to nobody logged in
        goodbye = _("U bent uitgelogd.")
    logout_user()
    session.clear()
    flash(goodbye, "info")
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
            form.current.errors = [_("Dit is niet uw huidige wachtwoord.")]
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
                flash(_("Uw wachtwoord is gewijzigd. Andere sessies zijn uitgelogd."), "success")
                return redirect(url_for("main.index"))
        db.session.commit()  # keep the audit line of the failed check
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/password.html", form=form), status


def _forgotten_client_limit() -> str:
    return current_app.config["PASSWORD_FORGOTTEN_LIMIT_PER_CLIENT"]


def _forgotten_account_limit() -> str:
    return current_app.config["PASSWORD_FORGOTTEN_LIMIT_PER_ACCOUNT"]


FORGOTTEN_ANSWER = N_(
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
        return _(FORGOTTEN_ANSWER), "info"

    return run_form(
        form,
        perform,
        success="",
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
            title=_("Deze link werkt niet meer"),
            message=_(
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
        return _("Uw wachtwoord is opgeslagen. Log in met uw e-mailadres en uw nieuwe wachtwoord.")

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

    def perform():
        set_mail_choices(user, {code: form[code].data for code in user.mail_kinds()})
        set_language(user, form.language.data or None)
        refresh()  # the message below in the language just chosen
        return _("Uw keuzes voor e-mail zijn opgeslagen.")

    return run_form(
        form,
        perform,
        success="",
        redirect_to=url_for("auth.settings"),
        render=lambda failure: render(failure.status),
    )


# --- the second factor on Mijn instellingen -------------------------------------------------


def _two_factor_page(user: User, *, form=None, codes_form=None, off_form=None, status: int = 200):
    setup = None
    if not user.has_second_factor:
        if not mfa.has_pending_secret(user):
            start_writing()  # a GET that stores the new secret (app/transactions.py)
        secret = mfa.pending_secret(user)
        db.session.commit()
        uri = mfa.provisioning_uri(user, secret)
        setup = {"qr": mfa.qr_svg(uri), "key": mfa.grouped(secret), "issuer": mfa.issuer()}
    return render_template(
        "auth/two_factor.html",
        user=user,
        setup=setup,
        form=form or CodeForm(formdata=None),
        codes_form=codes_form or ConfirmIdentityForm(formdata=None, prefix="codes"),
        off_form=off_form or ConfirmIdentityForm(formdata=None, prefix="off"),
        required=mfa.second_factor_required(user),
        unused=mfa.unused_recovery_codes(user) if user.has_second_factor else 0,
    ), status


def _recovery_codes_page(codes: list[str], *, first: bool):
    return render_template("auth/recovery_codes.html", codes=codes, first=first)


@bp.route("/instellingen/tweestapsverificatie", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_error
def two_factor():
    """Set up the second factor: scan, confirm with a code, then the recovery codes once."""
    user = current_user._get_current_object()
    form = CodeForm()
    if not form.is_submitted():
        return _two_factor_page(user)
    if form.validate_on_submit():
        try:
            codes = mfa.enable(user, form.code.data)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            # Sessions that logged in without the code end; this one goes on.
            end_sessions(user)
            db.session.commit()
            login_user(user)
            return _recovery_codes_page(codes, first=True)
    return _two_factor_page(user, form=form, status=400)


def _confirmed(form) -> bool:
    """The confirmation field holds the user's password or a current code from their app."""
    if not form.validate_on_submit():
        return False
    user = current_user._get_current_object()
    if mfa.confirms_identity(user, form.answer.data):
        return True
    g.wrong_current_password = True
    db.session.commit()  # keep the audit line of the failed check
    form.answer.errors = [_("Dit is niet uw wachtwoord en ook geen geldige code uit uw app.")]
    return False


_confirm_limit = limiter.limit(
    _password_change_limit,
    methods=["POST"],
    key_func=_password_change_key,
    exempt_when=_not_logged_in,
    deduct_when=lambda _response: g.get("wrong_current_password", False),
)


@bp.route("/instellingen/tweestapsverificatie/herstelcodes", methods=["POST"])
@_confirm_limit
@login_required
@rerender_on_csrf_error
def two_factor_codes():
    """New recovery codes; the old ones stop working."""
    user = current_user._get_current_object()
    codes_form = ConfirmIdentityForm(prefix="codes")
    if _confirmed(codes_form):
        try:
            codes = mfa.renew_recovery_codes(user)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(codes_form, error)
        else:
            db.session.commit()
            return _recovery_codes_page(codes, first=False)
    return _two_factor_page(user, codes_form=codes_form, status=400)


@bp.route("/instellingen/tweestapsverificatie/uitzetten", methods=["POST"])
@_confirm_limit
@login_required
@rerender_on_csrf_error
def two_factor_off():
    user = current_user._get_current_object()
    off_form = ConfirmIdentityForm(prefix="off")
    if _confirmed(off_form):
        try:
            mfa.disable(user)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(off_form, error)
        else:
            db.session.commit()
            flash(_("De tweestapsverificatie staat uit. U logt voortaan in met alleen uw wachtwoord."), "success")
            return redirect(url_for("auth.settings"), 303)
    return _two_factor_page(user, off_form=off_form, status=400)
