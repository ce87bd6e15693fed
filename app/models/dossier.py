"""Escalation dossiers: national rules put on the national government's agenda, tracked by
Juridische Zaken until there is an answer."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, and_
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.i18n import N_
from app.models.base import UTCDateTime, utcnow
from app.models.report import TEXT_MAX
from app.models.user import User

OFFICIAL_LAW_URL = "https://wetten.overheid.nl/{bwb_id}/"

# How long each part of a dossier may be: the columns below, the forms and the services use
# these. Answers and notes are texts someone writes (TEXT_MAX, from the report model).
LAW_TITLE_MAX = 300
ARTICLE_MAX = 100
BWB_ID_MAX = 20
CHANNEL_MAX = 200
ADDRESSEE_NAME_MAX = 200


class DossierStatus(str, enum.Enum):
    PREPARING = "preparing"
    SENT = "sent"
    ANSWERED = "answered"
    PROMISED = "promised"
    REJECTED = "rejected"
    LAW_CHANGED = "law_changed"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return gettext(DOSSIER_STATUS_LABELS[self])


# msgids (app/i18n.py): translated where they are shown (.label; the mails:
# _(dossier.status_enum.label)); the stored values and what leaves the installation (API,
# register) stay as they are.
DOSSIER_STATUS_LABELS = {
    DossierStatus.PREPARING: N_("In voorbereiding"),
    DossierStatus.SENT: N_("Verstuurd"),
    DossierStatus.ANSWERED: N_("Antwoord ontvangen"),
    DossierStatus.PROMISED: N_("Toegezegd"),
    DossierStatus.REJECTED: N_("Afgewezen"),
    DossierStatus.LAW_CHANGED: N_("Wet of regeling aangepast"),
    DossierStatus.CLOSED: N_("Afgesloten"),
}

ADDRESSEE_KINDS = {  # the labels translated where shown (beheer); the stored value is the key
    "ministry": N_("Ministerie"),
    "agency": N_("Uitvoeringsorganisatie"),
    "vng": N_("VNG"),
    "maatwerkplaats": N_("Maatwerkplaats"),
    "other": N_("Anders"),
}


def format_dossier_reference(dossier_id: int) -> str:
    """How a dossier is named everywhere: ESC-0007."""
    return f"ESC-{dossier_id:04d}"


class Addressee(db.Model):
    """Who an escalation goes to; the beheerder maintains the list."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(ADDRESSEE_NAME_MAX), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="ministry")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Who at Juridische Zaken takes a dossier to this addressee by default: it becomes the
    # owner when the addressee is chosen for a dossier that has none.
    default_owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    default_owner: Mapped[User | None] = relationship()


class Dossier(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    law_title: Mapped[str] = mapped_column(String(LAW_TITLE_MAX))
    bwb_id: Mapped[str | None] = mapped_column(String(BWB_ID_MAX), index=True)
    article: Mapped[str | None] = mapped_column(String(ARTICLE_MAX))
    addressee_id: Mapped[int | None] = mapped_column(ForeignKey("addressee.id"))
    channel: Mapped[str | None] = mapped_column(String(CHANNEL_MAX))
    sent_on: Mapped[date | None] = mapped_column(Date)
    answer_due: Mapped[date | None] = mapped_column(Date, index=True)
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=DossierStatus.PREPARING.value, index=True)
    answer: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    answer_summary: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    addressee: Mapped[Addressee | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")
    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", order_by="DossierEvent.created_at, DossierEvent.id"
    )
    reports: Mapped[list[Report]] = relationship(back_populates="dossier", order_by="Report.id")  # noqa: F821

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def reference(self) -> str:
        return format_dossier_reference(self.id)

    @property
    def status_enum(self) -> DossierStatus:
        return DossierStatus(self.status)

    @property
    def law_url(self) -> str | None:
        return OFFICIAL_LAW_URL.format(bwb_id=self.bwb_id) if self.bwb_id else None

    @property
    def legal_reference(self) -> str:
        return ", ".join(part for part in (self.law_title, self.article) if part)

    # --- the rules about a dossier's state, each usable in Python and in SQL --------------

    @hybrid_property
    def is_open(self) -> bool:
        """Not closed yet."""
        return self.status != DossierStatus.CLOSED.value

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return cls.status != DossierStatus.CLOSED.value

    @hybrid_method
    def answer_late(self, today: date) -> bool:
        """Sent, and the answer was expected before `today`: 'Antwoord te laat'."""
        return self.status == DossierStatus.SENT.value and self.answer_due is not None and self.answer_due < today

    @answer_late.inplace.expression
    @classmethod
    def _answer_late_expression(cls, today: date):
        return and_(cls.status == DossierStatus.SENT.value, cls.answer_due.is_not(None), cls.answer_due < today)

    @hybrid_method
    def follow_up_due(self, today: date) -> bool:
        """Open, and its follow-up date has come: 'Opvolgen'."""
        return self.is_open and self.follow_up_on is not None and self.follow_up_on <= today

    @follow_up_due.inplace.expression
    @classmethod
    def _follow_up_due_expression(cls, today: date):
        return and_(cls.is_open, cls.follow_up_on.is_not(None), cls.follow_up_on <= today)


class DossierEvent(db.Model):
    """The dossier's own append-only timeline."""

    __tablename__ = "dossier_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
