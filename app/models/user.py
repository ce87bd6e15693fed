"""Users, their roles and their departments."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.i18n import N_
from app.models.base import UTCDateTime, utcnow

# Role code -> Dutch label, translated where shown (app.formatting.role_label). A user may hold several.
ROLES = {
    "employee": N_("medewerker"),
    "coach": N_("ontregelcoach"),
    "legal": N_("juridisch"),
    "admin": N_("beheerder"),
    # Management: reads the dashboard (Inzicht), and otherwise sees what every employee sees.
    "executive": N_("bestuurder"),
}

# How long what a beheerder types may be: the columns below and the forms use these.
EMAIL_MAX = 254  # the longest address SMTP allows
PERSON_NAME_MAX = 120
DEPARTMENT_NAME_MAX = 120
# An issuer URL and a provider's subject identifier (OpenID Connect allows up to 255 ASCII).
OIDC_ISSUER_MAX = 255
OIDC_SUBJECT_MAX = 255
LANGUAGE_CODE_MAX = 8  # "nl", "en" (app.i18n.LANGUAGE_NAMES)


# --- mail preferences ----------------------------------------------------------------------
#
# Every mail has a kind. For most kinds each user chooses: a mail straight away, the daily
# overview (app.notify.queue_digests), or none. Mails about one's own account (a changed
# password, an invitation) always arrive: they are queued with always=True.

DIRECT = "direct"
DIGEST = "digest"
NO_MAIL = "none"
MAIL_CHOICES = {
    DIRECT: N_("Direct een e-mail"),
    DIGEST: N_("Eén e-mail per dag met alles bij elkaar"),
    NO_MAIL: N_("Geen e-mail"),
}


@dataclass(frozen=True)
class MailKind:
    label: str
    hint: str
    roles: tuple[str, ...] | None = None  # who gets this kind of mail at all (None: everyone)
    choices: tuple[str, ...] = (DIRECT, DIGEST, NO_MAIL)


# Kind -> what the user reads on Mijn instellingen. A weekly mail has no daily overview: the
# agenda must be there before the session.
MAIL_KINDS: dict[str, MailKind] = {
    "own_reports": MailKind(
        N_("Nieuws over mijn eigen meldingen"), N_("Een besluit of bericht over een melding die u zelf deed.")
    ),
    "followed_reports": MailKind(
        N_("Nieuws over meldingen waar ik ook tegenaan loop"),
        N_("Een besluit of bericht over een melding van een ander die u steunt."),
    ),
    "assigned": MailKind(
        N_("Werk dat bij mij terechtkomt"),
        N_("Een melding of dossier wordt aan u toegewezen of door u overgenomen van een collega."),
        roles=("coach", "legal"),
    ),
    "reminders": MailKind(
        N_("Herinneringen"), N_("Een melding of dossier van u ligt te lang stil."), roles=("coach", "legal")
    ),
    "escalations": MailKind(
        N_("Nieuwe escalaties voor Juridische Zaken"),
        N_("Een melding is geëscaleerd: doorgestuurd naar Juridische Zaken omdat een landelijke regel in de weg zit."),
        roles=("legal",),
    ),
    "overviews": MailKind(
        N_("Agenda's en weekoverzichten"),
        N_("De agenda en de besluitenlijst van het weekoverleg, en het weekoverzicht van de dossiers."),
        roles=("coach", "legal"),
        choices=(DIRECT, NO_MAIL),
    ),
}
# Kinds nobody switches off: mails about one's own account, and the daily overview itself.
FIXED_MAIL_KINDS = ("account", "digest")


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class Department(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(DEPARTMENT_NAME_MAX), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Department {self.name}>"


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    # Granted through a group of the identity provider (OIDC_ROLE_GROUPS), so taken away again
    # when the group is gone; a role a beheerder granted by hand has False and stays.
    from_provider: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class User(UserMixin, db.Model):
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(PERSON_NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(255))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The password was chosen by someone else (the command line): the owner replaces it
    # before anything else (app.auth.gate).
    must_choose_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Part of the login cookie: rotating it ends every session of this user.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The second factor (app.services.mfa): the TOTP secret, encrypted; set while being set
    # up and kept once confirmed (totp_enabled_at). The last time step accepted refuses a
    # code used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # The identity provider's stable identity of this person (single sign-on, app/auth/sso.py):
    # the issuer and its `sub` claim. Both empty for an account that never signed in that way.
    oidc_issuer: Mapped[str | None] = mapped_column(String(OIDC_ISSUER_MAX))
    oidc_subject: Mapped[str | None] = mapped_column(String(OIDC_SUBJECT_MAX))
    # A service account: the identity an integration token (app/api) acts as, made by a
    # beheerder. It has no password anyone knows and never follows a report up.
    is_service_account: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The language this person reads pages and mails in (app/i18n.py); None: the municipality's.
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_CODE_MAX))

    department: Mapped[Department | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    # Loaded only when a mail is queued or the settings page is shown.
    mail_settings: Mapped[list[MailPreference]] = relationship(cascade="all, delete-orphan")

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    @property
    def has_provider_identity(self) -> bool:
        """Linked to the municipality's identity provider (single sign-on, app/services/sso.py)."""
        return self.oidc_subject is not None

    @property
    def has_second_factor(self) -> bool:
        """A code from an app is asked at every password login (app.services.mfa)."""
        return self.totp_enabled_at is not None

    def has_role(self, *roles: str) -> bool:
        # Asked for every card on the board: no set built per call.
        return any(row.role in roles for row in self.role_rows)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def mail_kinds(self) -> dict[str, MailKind]:
        """The kinds of mail this user can get, in the order of MAIL_KINDS."""
        return {code: kind for code, kind in MAIL_KINDS.items() if kind.roles is None or self.has_role(*kind.roles)}

    def mail_choice(self, kind: str) -> str:
        """How this user wants mail of `kind`: DIRECT, DIGEST or NO_MAIL (unknown and fixed
        kinds: DIRECT). The one answer, asked when a mail is queued and when it is sent."""
        if kind not in MAIL_KINDS:
            return DIRECT
        chosen = next((row.choice for row in self.mail_settings if row.kind == kind), DIRECT)
        return chosen if chosen in MAIL_KINDS[kind].choices else DIRECT

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class MailPreference(db.Model):
    """One user's choice for one kind of mail; no row means DIRECT."""

    __tablename__ = "mail_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    choice: Mapped[str] = mapped_column(String(10))


class RecoveryCode(db.Model):
    """One single-use code that replaces a code from the app (a lost phone). Only a salted
    hash is kept; the user saw the code once."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
