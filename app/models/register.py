"""The shared register of national rules (README, "Het gedeelde register").

Two sides in one schema (the same application, two modes; each installation's database
holds only its side's rows):

* the register (RODEKNOP_MODE=register): its members (a municipality's installation and
  its public key), the entries they published (one per member and dossier), who joined the
  shared letter about an article, and every refused request;
* an installation: what waits to go to the register (an outbox, like the mail's), what it
  published (the public summary Juridische Zaken wrote), and its local copy of what the
  register says about each law article (so a dossier page never waits for the register).

Nothing personal is stored on either side's register tables: laws, articles, statuses,
organisations, dates and texts Juridische Zaken wrote for publication."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.dossier import ADDRESSEE_NAME_MAX, ARTICLE_MAX, BWB_ID_MAX, LAW_TITLE_MAX, DossierStatus
from app.models.report import TEXT_MAX

MEMBER_NAME_MAX = 200
PUBLIC_KEY_MAX = 200
# A published entry's public summary and the answer's summary: texts Juridische Zaken
# wrote, as long as the dossier's own.
SUMMARY_MAX = TEXT_MAX
# What the register says about all articles (one row's JSON per article).
MIRROR_MAX = 200_000
REGISTER_PAYLOAD_MAX = 20_000


# --- the register's side ------------------------------------------------------------------


class RegisterMember(db.Model):
    """A municipality's installation, registered by the register's beheerder with the
    public half of its Ed25519 key."""

    __tablename__ = "register_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(MEMBER_NAME_MAX), unique=True)
    # The raw 32-byte Ed25519 public key, base64 (app.register_signing).
    public_key: Mapped[str] = mapped_column(String(PUBLIC_KEY_MAX))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegisterEntry(db.Model):
    """One member's dossier about one law article, as it published it last."""

    __tablename__ = "register_entry"
    __table_args__ = (UniqueConstraint("member_id", "dossier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("register_member.id", ondelete="CASCADE"), index=True)
    # The dossier's id at the member (its reference: ESC-0007) and the number of the
    # member's last message about it: a message with a number not above this one changes
    # nothing (sent twice, or overtaken), so publishing is idempotent.
    dossier_id: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    law_title: Mapped[str] = mapped_column(String(LAW_TITLE_MAX))
    bwb_id: Mapped[str] = mapped_column(String(BWB_ID_MAX), index=True)
    article: Mapped[str | None] = mapped_column(String(ARTICLE_MAX))
    article_key: Mapped[str] = mapped_column(String(ARTICLE_MAX))
    status: Mapped[str] = mapped_column(String(20))
    addressee: Mapped[str | None] = mapped_column(String(ADDRESSEE_NAME_MAX))
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX))
    answer_summary: Mapped[str | None] = mapped_column(String(SUMMARY_MAX))
    created_on: Mapped[date] = mapped_column(Date)
    sent_on: Mapped[date | None] = mapped_column(Date)
    answer_due: Mapped[date | None] = mapped_column(Date)
    first_published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Withdrawn by the member: no longer shown, kept so a late copy does not bring it back.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[RegisterMember] = relationship(lazy="joined")

    @property
    def status_label(self) -> str:
        return DossierStatus(self.status).label


class RegisterLetterJoin(db.Model):
    """A member joined the shared letter to the ministry about one law article."""

    __tablename__ = "register_letter_join"
    __table_args__ = (UniqueConstraint("member_id", "bwb_id", "article_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("register_member.id", ondelete="CASCADE"), index=True)
    bwb_id: Mapped[str] = mapped_column(String(BWB_ID_MAX))
    article_key: Mapped[str] = mapped_column(String(ARTICLE_MAX))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[RegisterMember] = relationship(lazy="joined")


class RegisterRefusal(db.Model):
    """A request the register refused: who it claimed to come from, and why."""

    __tablename__ = "register_refusal"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_member: Mapped[str | None] = mapped_column(String(40))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(String(300))


# --- an installation's side -------------------------------------------------------------


class RegisterPublication(db.Model):
    """What this installation published of one dossier: the public summary Juridische
    Zaken wrote for it, and whether it is (still) in the register."""

    __tablename__ = "register_publication"

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    letter_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RegisterDelivery(db.Model):
    """A message waiting for the register (publish, withdraw, join the letter). Column
    names follow the mail outbox's, so app.notify's claim and backoff serve it too."""

    __tablename__ = "register_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    payload: Mapped[str] = mapped_column(String(REGISTER_PAYLOAD_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


class RegisterMirror(db.Model):
    """The register's view of one law article, as last fetched (app.services.register)."""

    __tablename__ = "register_mirror"
    __table_args__ = (UniqueConstraint("bwb_id", "article_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bwb_id: Mapped[str] = mapped_column(String(BWB_ID_MAX))
    article_key: Mapped[str] = mapped_column(String(ARTICLE_MAX))
    data: Mapped[str] = mapped_column(String(MIRROR_MAX))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
