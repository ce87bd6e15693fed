"""Accounts: creating users, roles, (de)activation, passwords and logging in.

Nobody chooses a password for someone else: a new account gets an invitation by mail and
a forgotten password a reset link (signed, expiring, and single use because it is bound to
the current password), and every change of a password or an e-mail address is mailed to
the account's owner, to the old address too."""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam

from app.clock import local
from app.extensions import db
from app.formatting import dutch_datetime, role_label
from app.i18n import N_
from app.models import ROLES, Department, MailPreference, User, UserRole
from app.models.base import utcnow
from app.models.user import DEPARTMENT_NAME_MAX, DIRECT, EMAIL_MAX, PERSON_NAME_MAX, new_session_token
from app.notify import enqueue, external_url
from app.services import DomainError
from app.services.audit import record_audit

# argon2id with OWASP's recommended minimum (m=19 MiB, t=2, p=1): about 50 ms per check
# on one core, so a burst of logins cannot starve a small server. Hashes made with other
# parameters are upgraded at the next login (check_needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("rode-knop-dummy-password")

# Deliberately simple: internal addresses (also *.test and *.local ones) are valid;
# whether mail arrives is what the outbox finds out.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


# A password hash no password matches: an account whose owner has not chosen one yet.
UNUSABLE_PREFIX = "!"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def unusable_password() -> str:
    return UNUSABLE_PREFIX + secrets.token_urlsafe(24)


def has_password(user: User) -> bool:
    return not user.password_hash.startswith(UNUSABLE_PREFIX)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            gettext("Kies een wachtwoord van minstens %(minimum)d tekens.", minimum=MIN_PASSWORD_LENGTH),
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(gettext("Dit wachtwoord is te lang."), field="password")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _check_length(value: str, maximum: int, field: str) -> None:
    if len(value) > maximum:
        raise DomainError(gettext("Gebruik maximaal %(max)d tekens.", max=maximum), field=field)


def _check_person(name: str, email: str) -> None:
    if not name:
        raise DomainError(gettext("Vul een naam in."), field="name")
    _check_length(name, PERSON_NAME_MAX, "name")
    if not EMAIL_RE.match(email):
        raise DomainError(gettext("Vul een geldig e-mailadres in, zoals naam@gemeente.nl."), field="email")
    _check_length(email, EMAIL_MAX, "email")


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None. Audits both outcomes."""
    user = get_user_by_email(email)
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        record_audit("login", result="failed", detail="onbekend e-mailadres")
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        record_audit("login", actor=user, object_type="user", object_id=user.id, result="failed")
        return None
    if not user.active:
        record_audit("login", actor=user, object_type="user", object_id=user.id, result="inactive")
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record_audit("login", actor=user, object_type="user", object_id=user.id)
    return user


def password_login_for_everyone() -> bool:
    """Whether everyone may log in with a password: unless single sign-on is on and
    LOCAL_LOGIN is off (see password_login_allowed)."""
    config = current_app.config
    return bool(config["LOCAL_LOGIN"] or not config.get("OIDC_ISSUER"))


def password_login_allowed(email: str) -> bool:
    """Whether the account with `email` may log in with a password. Always, unless single
    sign-on is on and LOCAL_LOGIN is off: then only a beheerder may (break-glass), and only
    one whose address is in LOCAL_LOGIN_BREAK_GLASS when that list is set."""
    config = current_app.config
    if password_login_for_everyone():
        return True
    user = get_user_by_email(email)
    if user is None or not user.active or not user.has_role("admin"):
        return False
    listed = {normalize_email(address) for address in config["LOCAL_LOGIN_BREAK_GLASS"].split(",") if address.strip()}
    return not listed or user.email in listed


def refuse_password_login(email: str, password: str) -> None:
    """A password login for an account that may not use one: checked as long as a real one
    (so timing tells nothing), refused, and audited."""
    with contextlib.suppress(VerificationError):
        _hasher.verify(_DUMMY_HASH, password)
    user = get_user_by_email(email)
    if user is None:
        record_audit("login", result="failed", detail="inloggen met wachtwoord uitgeschakeld")
    else:
        record_audit(
            "login",
            actor=user,
            object_type="user",
            object_id=user.id,
            result="failed",
            detail="inloggen met wachtwoord uitgeschakeld",
        )


def _role_names(roles) -> str:
    return ", ".join(ROLES[role] for role in sorted(roles))


def _validate_roles(roles) -> list[str]:
    roles = sorted(set(roles))
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise DomainError(gettext("Onbekende rol: %(roles)s", roles=", ".join(unknown)), field="roles")
    if not roles:
        raise DomainError(gettext("Kies minstens één rol."), field="roles")
    return roles


def create_user(
    *,
    email: str,
    name: str,
    password: str | None = None,
    roles=("employee",),
    department: Department | None = None,
    actor: User | None = None,
    temporary: bool = False,
) -> User:
    """A new account. Without `password` (the beheerder's way) it has none yet: send it an
    invitation (send_invitation). With one: the command line's break-glass account;
    `temporary`: its owner must choose their own password at their first login."""
    email = normalize_email(email)
    name = name.strip()
    _check_person(name, email)
    if get_user_by_email(email) is not None:
        raise DomainError(gettext("Er bestaat al een account met dit e-mailadres."), field="email")
    if password is not None:
        check_password_strength(password)
    roles = _validate_roles(roles)
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password) if password is not None else unusable_password(),
        department=department,
        must_choose_password=temporary and password is not None,
    )
    user.role_rows = [UserRole(role=role) for role in roles]
    db.session.add(user)
    db.session.flush()
    record_audit(
        "user_created", actor=actor, object_type="user", object_id=user.id, detail="rollen: " + _role_names(roles)
    )
    return user


def update_user(
    user: User,
    *,
    name: str,
    email: str,
    department: Department | None,
    roles,
    active: bool,
    actor: User,
) -> None:
    name = name.strip()
    email = normalize_email(email)
    _check_person(name, email)
    other = get_user_by_email(email)
    if other is not None and other.id != user.id:
        raise DomainError(gettext("Er bestaat al een account met dit e-mailadres."), field="email")
    roles = _validate_roles(roles)
    if user.id == actor.id and ("admin" not in roles or not active):
        raise DomainError(gettext("U kunt uw eigen beheerdersrol of account niet uitschakelen."), field="roles")
    old_email = user.email
    user.name = name
    user.email = email
    user.department = department
    if email != old_email:
        email_changed(user, old_email, actor=actor)
    old_roles = user.roles
    if set(roles) != old_roles:
        user.role_rows = [row for row in user.role_rows if row.role in roles] + [
            UserRole(role=role) for role in roles if role not in old_roles
        ]
        roles_changed(user, old_roles, roles, actor=actor)
    if active != user.active:
        set_active(user, active, actor=actor)


def email_changed(user: User, old_email: str, *, actor: User, by_provider: bool = False) -> None:
    """The audit line and the notices for a new address (by a beheerder, or by the identity
    provider): both addresses hear of it, the old one in case it was not the owner's wish."""
    detail = "door de gemeente" if by_provider else None
    record_audit("email_changed", actor=actor, object_type="user", object_id=user.id, detail=detail)
    tell_account_changed(user, "email", to_address=old_email, old_email=old_email)
    tell_account_changed(user, "email", old_email=old_email)


def roles_changed(user: User, old_roles, roles, *, actor: User, by_provider: bool = False) -> None:
    """The audit line and the owner's notice for a change of roles (by a beheerder, or by
    the identity provider's groups)."""
    suffix = " (groepen van de gemeente)" if by_provider else ""
    record_audit(
        "roles_changed",
        actor=actor,
        object_type="user",
        object_id=user.id,
        detail=f"rollen: {_role_names(old_roles)} → {_role_names(roles)}{suffix}",
    )
    tell_account_changed(user, "roles_from_groups" if by_provider else "roles", roles=roles)


def set_active(user: User, active: bool, *, actor: User | None) -> None:
    user.active = active
    if not active:
        end_sessions(user)
    record_audit(
        "user_activated" if active else "user_deactivated",
        actor=actor,
        object_type="user",
        object_id=user.id,
    )


def set_password(user: User, password: str, *, actor: User | None) -> None:
    """A new password, chosen by the account's owner (their settings, or a link they were
    mailed). Ends every session, and tells them by mail."""
    check_password_strength(password)
    first = not has_password(user)
    user.password_hash = hash_password(password)
    user.must_choose_password = False
    end_sessions(user)
    record_audit("password_set" if first else "password_changed", actor=actor, object_type="user", object_id=user.id)
    tell_account_changed(user, "password_set" if first else "password")


# What a security notice says happened, per kind of change (the one wording, for the
# text and the HTML mail alike; msgids, in the reader's language). %(at)s: when; %(old_email)s,
# %(email)s: for a new address; %(roles)s: the roles the account holds now.
ACCOUNT_CHANGES = {
    "email": N_("Het e-mailadres van uw account bij Rode Knop is op %(at)s gewijzigd van %(old_email)s in %(email)s."),
    "password_set": N_("U heeft op %(at)s een wachtwoord gekozen voor uw account bij Rode Knop."),
    "password": N_(
        "Het wachtwoord van uw account bij Rode Knop is op %(at)s gewijzigd. Op andere apparaten bent u uitgelogd."
    ),
    "roles": N_("Uw rollen bij Rode Knop zijn op %(at)s gewijzigd. U heeft nu: %(roles)s."),
    "roles_from_groups": N_(
        "Uw rollen bij Rode Knop zijn op %(at)s gewijzigd, volgens de groepen waarin u bij de gemeente zit. "
        "U heeft nu: %(roles)s."
    ),
    "sso_linked": N_(
        "Uw account bij Rode Knop is op %(at)s gekoppeld aan uw account van de gemeente. U logt voortaan in met "
        "“Inloggen met uw account van de gemeente”."
    ),
    "mfa_enabled": N_(
        "U heeft op %(at)s de tweestapsverificatie aangezet voor uw account bij Rode Knop. Voortaan vraagt Rode Knop "
        "bij het inloggen ook een code uit uw app. Op andere apparaten bent u uitgelogd."
    ),
    "mfa_disabled": N_(
        "U heeft op %(at)s de tweestapsverificatie uitgezet voor uw account bij Rode Knop. Voortaan logt u in met "
        "alleen uw wachtwoord."
    ),
    "mfa_recovery_codes": N_(
        "U heeft op %(at)s nieuwe herstelcodes gemaakt voor uw account bij Rode Knop. De oude herstelcodes werken "
        "niet meer."
    ),
    "mfa_recovery_code_used": N_(
        "Op %(at)s is met een van uw herstelcodes ingelogd bij Rode Knop. Die code werkt nu niet meer. Heeft u uw "
        "telefoon niet meer? Maak dan onder Mijn instellingen nieuwe herstelcodes, of zet de tweestapsverificatie "
        "opnieuw op."
    ),
    "mfa_reset": N_(
        "De beheerder van Rode Knop heeft op %(at)s de tweestapsverificatie van uw account gewist. U bent overal "
        "uitgelogd. Bij de volgende keer inloggen stelt u de tweestapsverificatie opnieuw in als uw rol dat vraagt."
    ),
}


def tell_account_changed(
    user: User,
    change: str,
    *,
    to_address: str | None = None,
    old_email: str | None = None,
    roles=None,
):
    """A security notice to the account's owner, also when they chose no mail. `change`:
    a key of ACCOUNT_CHANGES (with `old_email` for email, `roles`, the role keys, for the
    roles ones)."""
    at = local(utcnow())
    # Rendered in the reader's language (enqueue), the moment too.
    what = LazyString(
        lambda: gettext(
            ACCOUNT_CHANGES[change],
            at=dutch_datetime(at),
            old_email=old_email,
            email=user.email,
            roles=", ".join(role_label(role) for role in sorted(roles or user.roles)),
        )
    )
    enqueue(
        user,
        "account_changed",
        _l("Uw account bij Rode Knop is gewijzigd"),
        always=True,
        to_address=to_address,
        change=change,
        what=what,
        at=at,
        url=external_url("auth.login"),
    )


# --- invitations and reset links -------------------------------------------------------

INVITATION = "invitation"
RESET = "reset"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"rode-knop-password-{purpose}")


def _fingerprint(user: User) -> str:
    """Changes when the password or the address changes: a link works once, and only for
    the address it was sent to."""
    return hashlib.sha256(f"{user.id}:{user.email}:{user.password_hash}".encode()).hexdigest()[:32]


def password_link_max_age(purpose: str) -> int:
    config = current_app.config
    return config["INVITATION_DAYS"] * 86400 if purpose == INVITATION else config["PASSWORD_RESET_HOURS"] * 3600


def password_link(user: User, purpose: str) -> str:
    token = _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})
    return external_url("auth.choose_password", purpose=purpose, token=token)


def user_for_password_link(purpose: str, token: str) -> User | None:
    """The active account a link was made for, while it is valid; else None."""
    if purpose not in (INVITATION, RESET) or len(token) > 500:
        return None
    try:
        data = _serializer(purpose).loads(token, max_age=password_link_max_age(purpose))
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not 0 < data["u"] < 2**31:
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


def send_invitation(user: User, *, actor: User) -> None:
    """Mail a new account's owner a link to choose their password."""
    enqueue(
        user,
        "invitation",
        _l("Uw account bij Rode Knop"),
        always=True,
        url=password_link(user, INVITATION),
        days=current_app.config["INVITATION_DAYS"],
    )
    record_audit("invitation_sent", actor=actor, object_type="user", object_id=user.id)


def send_password_reset(user: User, *, actor: User | None) -> None:
    """Mail the owner a link to choose a new password (or, if they never chose one, the
    invitation again). Their current password keeps working until they use it. `actor`:
    the beheerder who asked for it; None when someone asked on 'Wachtwoord vergeten'."""
    if not has_password(user) and actor is not None:
        send_invitation(user, actor=actor)
        return
    enqueue(
        user,
        "password_reset",
        _l("Kies een nieuw wachtwoord voor Rode Knop"),
        always=True,
        url=password_link(user, RESET),
        hours=current_app.config["PASSWORD_RESET_HOURS"],
        by_beheerder=actor is not None,
    )
    record_audit(
        "password_link_sent" if actor is not None else "password_link_requested",
        actor=actor,
        object_type="user",
        object_id=user.id,
    )


def password_forgotten(email: str) -> None:
    """'Wachtwoord vergeten': a reset link to the address, if it belongs to an active
    account that may log in with a password (password_login_allowed); one that signs in
    with the municipality's account is told so instead. The caller answers the same
    whatever happened, so nobody learns from it who has an account."""
    user = get_user_by_email(email)
    if user is None or not user.active:
        return
    if user.has_provider_identity:
        # Signs in at the municipality: a Rode Knop password would be one too many.
        enqueue(
            user, "password_reset", _l("Inloggen bij Rode Knop"), always=True, sso=True, url=external_url("auth.login")
        )
        record_audit("password_link_requested", object_type="user", object_id=user.id, detail="account van de gemeente")
    elif password_login_allowed(user.email):
        send_password_reset(user, actor=None)


def end_sessions(user: User) -> None:
    """Invalidate every login cookie of this user (they carry the session token)."""
    user.session_token = new_session_token()


def create_department(name: str, *, actor: User | None = None) -> Department:
    name = " ".join(name.split())
    if not name:
        raise DomainError(gettext("Vul een naam in."), field="name")
    _check_length(name, DEPARTMENT_NAME_MAX, "name")
    existing = db.session.scalar(db.select(Department).where(db.func.lower(Department.name) == name.lower()))
    if existing is not None:
        raise DomainError(gettext("Deze afdeling bestaat al."), field="name")
    department = Department(name=name, active=True)
    db.session.add(department)
    db.session.flush()
    record_audit("department_created", actor=actor, object_type="department", object_id=department.id)
    return department


def update_department(department: Department, *, name: str, active: bool, actor: User) -> None:
    name = " ".join(name.split())
    if not name:
        raise DomainError(gettext("Vul een naam in."), field="name")
    _check_length(name, DEPARTMENT_NAME_MAX, "name")
    existing = db.session.scalar(
        db.select(Department).where(db.func.lower(Department.name) == name.lower(), Department.id != department.id)
    )
    if existing is not None:
        raise DomainError(gettext("Deze afdeling bestaat al."), field="name")
    department.name = name
    department.active = active
    record_audit("department_updated", actor=actor, object_type="department", object_id=department.id)


# Active users holding the role given as the parameter 'role', by name. Built once: a page
# that only lists names (a filter) would spend more on building it than on running it.
_WITH_ROLE = (
    db.select(User)
    .join(UserRole, UserRole.user_id == User.id)
    # A service account (app.services.tokens) gets no mail and follows nothing up.
    .where(UserRole.role == bindparam("role"), User.active.is_(True), User.is_service_account.is_(False))
    .order_by(User.name, User.id)
)
_NAMES_WITH_ROLE = _WITH_ROLE.with_only_columns(User.id, User.name)


def users_with_role(role: str) -> list[User]:
    """Active users holding `role`, by name."""
    return list(db.session.scalars(_WITH_ROLE, {"role": role}))


def names_with_role(role: str) -> list:
    """users_with_role as rows of id and name only, for a list to choose from."""
    return db.session.execute(_NAMES_WITH_ROLE, {"role": role}).all()


def active_coaches() -> list[User]:
    """Everyone who may follow a report up (app.services.workflow.may_follow_up), by name."""
    from app.services.workflow import FOLLOW_UP_ROLE

    return users_with_role(FOLLOW_UP_ROLE)


def coach_names() -> list:
    """active_coaches as rows of id and name (a filter on who follows up)."""
    from app.services.workflow import FOLLOW_UP_ROLE

    return names_with_role(FOLLOW_UP_ROLE)


_DEPARTMENT_NAMES = db.select(Department.id, Department.name).order_by(Department.name, Department.id)


def department_names() -> list:
    """Every department, also those no longer chosen for new reports (older reports carry
    them), as rows of id and name by name: what a filter on department offers."""
    return db.session.execute(_DEPARTMENT_NAMES).all()


def active_departments() -> list[Department]:
    return list(db.session.scalars(db.select(Department).where(Department.active.is_(True)).order_by(Department.name)))


def set_language(user: User, language: str | None) -> None:
    """The user's own language (Mijn instellingen); None: the municipality's (app.i18n)."""
    if language is not None and language not in current_app.config["LANGUAGES"]:
        raise DomainError(gettext("Kies een van de mogelijkheden."), field="language")
    user.language = language


def set_mail_choices(user: User, choices: dict[str, str]) -> None:
    """The user's own choice per kind of mail (Mijn instellingen). Only the kinds their
    roles get, and only the choices that kind allows; 'direct' needs no row."""
    kinds = user.mail_kinds()
    for code, choice in choices.items():
        if code not in kinds or choice not in kinds[code].choices:
            raise DomainError(gettext("Kies een van de mogelijkheden."), field=code)
    rows = {row.kind: row for row in user.mail_settings}
    for code, choice in choices.items():
        row = rows.get(code)
        if choice == DIRECT:
            if row is not None:
                user.mail_settings.remove(row)
        elif row is None:
            user.mail_settings.append(MailPreference(kind=code, choice=choice))
        else:
            row.choice = choice
    db.session.flush()
