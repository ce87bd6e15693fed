"""The second factor of a local account: a TOTP app (RFC 6238) and single-use recovery codes.

* The secret is made here, shown once as a QR code and as text, and switched on only after
  the user typed a current code from their app. It is stored encrypted (app.sealed), so a
  database dump alone does not give it away.
* A code is accepted from the current 30-second step or one step before or after (a
  clock that runs a little off), and each step only once per user: the last accepted
  step is stored, and a code from that step or an earlier one is refused (a replay).
* Recovery codes are kept as salted SHA-256 hashes (they are long random strings, so a
  slow hash adds nothing); each works once.
* Which roles must have a second factor is configured (MFA_REQUIRED_ROLES); whoever signed
  in through the municipality's single sign-on is exempt (the provider checks them).

Every change is mailed to the owner (users.tell_account_changed) and audited."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from flask import current_app
from flask_babel import gettext
from markupsafe import Markup

from app.extensions import db
from app.look import current_look
from app.models import ROLES, RecoveryCode, User
from app.models.base import utcnow
from app.sealed import seal, unseal
from app.services import DomainError
from app.services.audit import record_audit
from app.services.users import authenticate, end_sessions, tell_account_changed

STEP_SECONDS = 30
# One step before and one after the current one: a phone whose clock is up to 30 seconds off.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: the user copies these from paper.
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_RECOVERY_LENGTH = 10  # about 50 bits
CODE_MAX = 64  # the longest thing a code field accepts

# How a session was signed in (session["login_method"]). The single sign-on flow sets SSO;
# such a session is exempt from the TOTP requirement (the provider's amr/acr decide).
LOGIN_METHOD_KEY = "login_method"
PASSWORD_LOGIN = "password"
SSO_LOGIN = "sso"


# --- who must have one -------------------------------------------------------------------


def check_required_roles(config) -> None:
    """At start-up: a misspelt role in MFA_REQUIRED_ROLES would silently require nothing."""
    unknown = sorted(set(config["MFA_REQUIRED_ROLES"]) - set(ROLES))
    if unknown:
        raise RuntimeError(f"MFA_REQUIRED_ROLES names unknown roles {unknown}; use some of {sorted(ROLES)}")


def required_roles() -> tuple[str, ...]:
    return current_app.config["MFA_REQUIRED_ROLES"]


def second_factor_required(user: User) -> bool:
    """`user` holds a role for which a second factor is required (MFA_REQUIRED_ROLES)."""
    roles = required_roles()
    return bool(roles) and user.has_role(*roles)


def must_set_up(user: User, login_method: str | None) -> bool:
    """A session of `user` may reach only the setup page (and log out) until it is on."""
    return login_method != SSO_LOGIN and not user.has_second_factor and second_factor_required(user)


# --- the secret, encrypted at rest -------------------------------------------------------


# The key's purpose in app.sealed (the same key as before that module existed).
SEALED_AS = "totp-secret"


def _secret(user: User) -> str | None:
    """The user's TOTP secret, or None (none set, or stored under another SECRET_KEY: then
    only a recovery code or a reset by the beheerder helps)."""
    return unseal(user.totp_secret, SEALED_AS)


def has_pending_secret(user: User) -> bool:
    return _secret(user) is not None


def pending_secret(user: User) -> str:
    """The secret being set up (made on the first visit, the same on every reload until it
    is confirmed, so a scanned QR code stays good)."""
    if user.has_second_factor:
        raise DomainError(gettext("U heeft de tweestapsverificatie al aangezet."))
    secret = _secret(user)
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret = seal(secret, SEALED_AS)
    return secret


def grouped(secret: str) -> str:
    """The secret for typing over: groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def issuer() -> str:
    return f"Rode Knop – {current_look().municipality}"


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=user.email, issuer_name=issuer())


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG, drawn here (no outside service). Its text alternative is
    the key shown next to it."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", svgclass="rk-qr", lineclass=None, omitsize=False
    )
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


# --- checking a code ---------------------------------------------------------------------


def _digits(code: str) -> str:
    return "".join(code.split())


def _now() -> float:
    return time.time()


def _accept_totp(user: User, secret: str, code: str, *, now: float | None = None) -> bool:
    """`code` is the app's code for a step within the window, later than the last accepted
    step; that step is then stored. Several workers: the UPDATE claims the step only if
    nobody claimed it (or a later one) first."""
    code = _digits(code)
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int((now if now is not None else _now()) // STEP_SECONDS)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if not hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            continue
        claimed = db.session.execute(
            db.update(User)
            .where(User.id == user.id)
            .where(db.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return False  # a replay: this step (or a later one) was used already
        user.totp_last_step = step
        return True
    return False


def _hash_recovery(code: str, salt: str) -> str:
    return f"{salt}${hashlib.sha256(f'{salt}:{code}'.encode()).hexdigest()}"


def _normal_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _use_recovery_code(user: User, code: str) -> bool:
    code = _normal_recovery(code)
    if len(code) != _RECOVERY_LENGTH:
        return False
    unused = db.session.scalars(
        db.select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    for row in unused:
        salt, _, _digest = row.code_hash.partition("$")
        if hmac.compare_digest(_hash_recovery(code, salt), row.code_hash):
            used = db.session.execute(
                db.update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return used.rowcount == 1
    return False


def check_login_code(user: User, code: str) -> bool:
    """The second step of a password login: a code from the app or a recovery code. Audits
    both outcomes; a recovery code used is mailed to the owner."""
    secret = _secret(user)
    if secret is not None and _accept_totp(user, secret, code):
        record_audit("login_second_factor", actor=user, object_type="user", object_id=user.id)
        return True
    if _use_recovery_code(user, code):
        record_audit("login_second_factor", actor=user, object_type="user", object_id=user.id, detail="herstelcode")
        record_audit("mfa_recovery_code_used", actor=user, object_type="user", object_id=user.id)
        tell_account_changed(user, "mfa_recovery_code_used")
        return True
    record_audit("login_second_factor", actor=user, object_type="user", object_id=user.id, result="failed")
    return False


def confirms_identity(user: User, answer: str) -> bool:
    """Before switching off or making new recovery codes: the user's password or a current
    code from their app (not a recovery code: those are for logging in)."""
    secret = _secret(user)
    if secret is not None and user.has_second_factor and _accept_totp(user, secret, answer):
        return True
    return authenticate(user.email, answer) is not None


# --- changes -----------------------------------------------------------------------------


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(raw, secrets.token_hex(8))))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def enable(user: User, code: str) -> list[str]:
    """Switch the second factor on with a current code from the app; returns the recovery
    codes, to be shown once."""
    if user.has_second_factor:
        raise DomainError(gettext("U heeft de tweestapsverificatie al aangezet."))
    secret = _secret(user)
    if secret is None or not _accept_totp(user, secret, code):
        raise DomainError(
            gettext(
                "Deze code klopt niet. Typ de 6 cijfers die uw app nu laat zien. Staat de klok van uw telefoon goed?"
            ),
            field="code",
        )
    user.totp_enabled_at = utcnow()
    record_audit("mfa_enabled", actor=user, object_type="user", object_id=user.id)
    tell_account_changed(user, "mfa_enabled")
    return _new_recovery_codes(user)


def renew_recovery_codes(user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    if not user.has_second_factor:
        raise DomainError(gettext("Zet eerst de tweestapsverificatie aan."))
    codes = _new_recovery_codes(user)
    record_audit("mfa_recovery_codes", actor=user, object_type="user", object_id=user.id)
    tell_account_changed(user, "mfa_recovery_codes")
    return codes


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User) -> None:
    """The owner switches it off (not allowed while one of their roles requires it)."""
    if not user.has_second_factor:
        raise DomainError(gettext("De tweestapsverificatie staat al uit."))
    if second_factor_required(user):
        raise DomainError(gettext("Voor uw rol is de tweestapsverificatie verplicht. U kunt hem niet uitzetten."))
    _clear(user)
    record_audit("mfa_disabled", actor=user, object_type="user", object_id=user.id)
    tell_account_changed(user, "mfa_disabled")


def reset(user: User, *, actor: User | None) -> None:
    """The beheerder clears it (a lost phone, no recovery codes), or the operator on the
    command line (actor None: the last beheerder's own phone). Every session of the user
    ends; at the next login they set it up again (when their role requires it)."""
    if not user.has_second_factor:
        raise DomainError(gettext("%(name)s heeft geen tweestapsverificatie ingesteld.", name=user.name))
    _clear(user)
    end_sessions(user)
    record_audit("mfa_reset", actor=actor, object_type="user", object_id=user.id)
    tell_account_changed(user, "mfa_reset")
