"""Accounts from the municipality's identity provider (single sign-on, OpenID Connect).

The web side (app/auth/sso.py) validates the provider's ID token; what it vouches for
arrives here as an Identity. The rules:

* A person is their provider's stable identity: the issuer and its `sub` claim, unique
  together on the user. Never the e-mail address alone.
* The first sign-in creates an active account with the medewerker role, name and e-mail from
  the claims. If a Rode Knop account with that e-mail address exists already, it is linked
  only when the provider says the address is verified (`email_verified` true) and that
  account has no provider identity yet; its owner gets a mail. Otherwise the sign-in is
  refused and the person is asked to contact the beheerder: an account is never taken over
  silently.
* Roles follow groups (OIDC_ROLE_GROUPS) at every sign-in. A role the provider granted is
  marked (UserRole.from_provider) and taken away when the group is gone; a role a beheerder
  granted by hand is not marked and stays whatever the groups say.
* For the staff roles (app.anonymity.STAFF_ROLES) the ID token may have to show a strong
  sign-in (OIDC_REQUIRED_ACR / OIDC_REQUIRED_AMR). Without it the sign-in is refused as a
  whole, before anything is written: someone with a staff role signs in strongly or not at all.

Every refusal raises SignInRefused and writes nothing; the caller rolls back and records it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.anonymity import STAFF_ROLES
from app.extensions import db
from app.i18n import N_
from app.models import ROLES, User, UserRole
from app.models.user import EMAIL_MAX, OIDC_ISSUER_MAX, OIDC_SUBJECT_MAX, PERSON_NAME_MAX
from app.services.audit import record_audit
from app.services.users import (
    EMAIL_RE,
    create_user,
    email_changed,
    get_user_by_email,
    normalize_email,
    roles_changed,
    tell_account_changed,
)

# The role of every account made at a first sign-in.
FIRST_ROLE = "employee"


class SignInRefused(Exception):
    """A sign-in through the provider that Rode Knop refuses. `reason` goes to the audit
    trail (Dutch); `title` and `message` to the person (msgids: the page translates them);
    `status` is the HTTP status."""

    def __init__(self, reason: str, title: str, message: str, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.title = title
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Identity:
    """What a validated ID token says about the person."""

    issuer: str
    subject: str
    name: str
    email: str
    email_verified: bool
    groups: frozenset[str] = field(default_factory=frozenset)
    acr: str | None = None
    amr: frozenset[str] = field(default_factory=frozenset)


def parse_role_groups(text: str) -> dict[str, frozenset[str]]:
    """OIDC_ROLE_GROUPS: "coach=ontregelcoaches;legal=juridische-zaken,jz-team" -> role -> groups.
    An unknown role is a configuration error (ValueError), found when the app starts."""
    mapping: dict[str, set[str]] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        role, sep, groups = part.partition("=")
        role = role.strip()
        if not sep or role not in ROLES:
            raise ValueError(f"OIDC_ROLE_GROUPS: {part.strip()!r} is not <role>=<group>, role one of {sorted(ROLES)}")
        mapping.setdefault(role, set()).update(g.strip() for g in groups.split(",") if g.strip())
    return {role: frozenset(groups) for role, groups in mapping.items()}


def roles_from_groups(role_groups: dict[str, frozenset[str]], groups: frozenset[str]) -> set[str]:
    return {role for role, wanted in role_groups.items() if wanted & groups}


def strong_sign_in(identity: Identity, required_acr: str | None, required_amr: str | None) -> bool:
    """Whether the ID token shows the sign-in the staff roles need: the required `acr`
    value, and one of the required `amr` values (either setting may be empty)."""
    if required_acr and identity.acr != required_acr:
        return False
    if required_amr:
        wanted = {value.strip() for value in required_amr.split(",") if value.strip()}
        if wanted and not wanted & identity.amr:
            return False
    return True


def _check_identity(identity: Identity) -> None:
    if (not identity.subject or not identity.subject.isprintable() or len(identity.subject) > OIDC_SUBJECT_MAX) or len(
        identity.issuer
    ) > OIDC_ISSUER_MAX:
        raise SignInRefused(
            "ongeldige identiteit",
            N_("Inloggen is niet gelukt"),
            N_(
                "De inlogdienst van de gemeente gaf geen bruikbare identiteit door. Neem contact op met de beheerder van Rode Knop."
            ),
        )
    if not identity.email or len(identity.email) > EMAIL_MAX or not EMAIL_RE.match(identity.email):
        raise SignInRefused(
            "geen e-mailadres",
            N_("Inloggen is niet gelukt"),
            N_(
                "De inlogdienst van de gemeente gaf geen geldig e-mailadres door. Rode Knop heeft dat nodig om u te laten weten"
                " wat er met uw meldingen gebeurt. Neem contact op met de beheerder van Rode Knop."
            ),
        )


def _display_name(identity: Identity) -> str:
    name = " ".join(identity.name.split())[:PERSON_NAME_MAX]
    return name or identity.email.partition("@")[0][:PERSON_NAME_MAX]


def _roles_after(user: User | None, granted: set[str]) -> set[str]:
    """The roles `user` (None: a new account) holds after this sign-in."""
    if user is None:
        return {FIRST_ROLE} | granted
    kept = {row.role for row in user.role_rows if not row.from_provider or row.role in granted}
    return (kept | granted) or {FIRST_ROLE}


def _account_for(identity: Identity) -> User | None:
    """The account of this identity; an existing account with its e-mail address only when
    that may be linked (see the module's docstring); None for a new person."""
    user = db.session.scalar(
        db.select(User).where(User.oidc_issuer == identity.issuer, User.oidc_subject == identity.subject)
    )
    if user is not None:
        return user
    other = get_user_by_email(identity.email)
    if other is None:
        return None
    if identity.email_verified and not other.has_provider_identity and other.active:
        return other
    raise SignInRefused(
        "e-mailadres hoort bij een ander account",
        N_("Er is al een account met uw e-mailadres"),
        N_(
            "Er bestaat in Rode Knop al een account met uw e-mailadres, dat niet aan uw account van de gemeente is"
            " gekoppeld. Om veiligheidsredenen neemt Rode Knop dat account niet zomaar over. Vraag de beheerder van"
            " Rode Knop om het te koppelen of aan te passen."
        ),
        status=409,
    )


def sign_in(
    identity: Identity,
    *,
    role_groups: dict[str, frozenset[str]],
    required_acr: str | None = None,
    required_amr: str | None = None,
) -> User:
    """The account `identity` signs in as: created, linked or updated (name, e-mail,
    provider roles). Raises SignInRefused before writing anything."""
    identity = Identity(**{**identity.__dict__, "email": normalize_email(identity.email)})
    _check_identity(identity)
    user = _account_for(identity)
    if user is not None and not user.active:
        raise SignInRefused(
            "account niet actief",
            N_("Uw account is uitgeschakeld"),
            N_(
                "Uw account bij Rode Knop is uitgeschakeld. Neem contact op met de beheerder van Rode Knop als dat niet klopt."
            ),
            status=403,
        )
    granted = roles_from_groups(role_groups, identity.groups)
    roles = _roles_after(user, granted)
    if roles & set(STAFF_ROLES) and not strong_sign_in(identity, required_acr, required_amr):
        raise SignInRefused(
            "inlogmethode niet sterk genoeg voor de rol",
            N_("Log in met een tweede stap"),
            N_(
                "U heeft in Rode Knop een rol waarmee u alle meldingen kunt zien. Daarvoor moet u bij de gemeente inloggen"
                " met een tweede stap, zoals een code uit een app. Log uit bij de gemeente en log opnieuw in met die"
                " tweede stap, of vraag uw ICT-servicedesk hoe dat moet."
            ),
            status=403,
        )

    if user is None:
        user = create_user(email=identity.email, name=_display_name(identity), roles=sorted(roles))
        for row in user.role_rows:
            row.from_provider = row.role in granted and row.role != FIRST_ROLE
        _link(user, identity, new=True)
        return user
    if not user.has_provider_identity:
        _link(user, identity, new=False)
    _update_person(user, identity)
    _update_roles(user, roles, granted)
    return user


def _link(user: User, identity: Identity, *, new: bool) -> None:
    user.oidc_issuer = identity.issuer
    user.oidc_subject = identity.subject
    db.session.flush()
    if not new:
        record_audit("sso_linked", actor=user, object_type="user", object_id=user.id)
        tell_account_changed(user, "sso_linked")


def _update_person(user: User, identity: Identity) -> None:
    """Name and e-mail follow the provider; an address another account holds is left alone."""
    name = _display_name(identity)
    if name != user.name:
        user.name = name
    if identity.email != user.email and get_user_by_email(identity.email) is None:
        old_email = user.email
        user.email = identity.email
        email_changed(user, old_email, actor=user, by_provider=True)


def _update_roles(user: User, roles: set[str], granted: set[str]) -> None:
    old_roles = user.roles
    rows = [row for row in user.role_rows if row.role in roles]
    for row in rows:
        # A role the provider now grants too stays a hand-granted one (False stays False).
        if row.from_provider and row.role not in granted:
            row.from_provider = False
    rows += [UserRole(role=role, from_provider=role in granted) for role in sorted(roles - old_roles)]
    if roles == old_roles:
        return
    user.role_rows = rows
    roles_changed(user, old_roles, roles, actor=user, by_provider=True)
