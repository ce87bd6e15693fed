"""API tokens (app/api): personal tokens a user makes for themselves, and integration
tokens a beheerder makes for a service account. Only a SHA-256 of the secret is kept; the
secret itself was shown once."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.i18n import N_
from app.models.base import UTCDateTime, utcnow
from app.models.user import User

# Every scope a token can carry, as Mijn instellingen names it (msgids: translated where shown).
SCOPES = {
    "read": N_("Lezen: meldingen die u mag zien, en de cijfers van Inzicht als uw rol die mag zien"),
    "report": N_("Melden: een melding doen en 'ik loop hier ook tegenaan' zeggen"),
    "triage": N_("Triage: het bord en de acties van de ontregelcoaches"),
    "legal": N_("Dossiers: de dossiers van Juridische Zaken"),
}
TOKEN_NAME_MAX = 80
PERSONAL = "personal"
INTEGRATION = "integration"
KINDS = {PERSONAL: N_("Persoonlijk"), INTEGRATION: N_("Koppeling")}


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The person (or service account) the token acts as: it never does more than they may.
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), default=PERSONAL)
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX))
    scopes: Mapped[str] = mapped_column(String(60))  # space-separated, from SCOPES
    # SHA-256 (hex) of the whole secret: a lookup by hash, no secret kept.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The secret's first characters, shown in lists so its owner recognises it.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def scope_names(self) -> str:
        """The scopes as the pages name them, short: 'Lezen, Melden' (each label's part before
        its colon, in the reader's language)."""
        return ", ".join(gettext(SCOPES[scope]).split(":")[0] for scope in self.scopes.split() if scope in SCOPES)

    def is_valid(self, now: datetime) -> bool:
        """Not revoked, not expired, and its user still active."""
        return self.revoked_at is None and self.expires_at > now and self.user.active
