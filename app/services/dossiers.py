"""Escalation dossiers at Juridische Zaken: created when a report is escalated (reports
about the same law article share one), then tracked step by step until an answer. Status
changes go through one table, write the dossier's timeline and tell every reporter and
supporter of the linked reports about each public step."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.extensions import db
from app.models import Addressee, Dossier, DossierEvent, DossierStatus, Report, User
from app.models.base import utcnow
from app.models.dossier import DOSSIER_STATUS_LABELS
from app.models.report import EventKind
from app.notify import notify_followers
from app.services import DomainError
from app.services.reports import TEXT_MAX, record_event

BWB_RE = re.compile(r"^BWB[RV]\d{7}$")

PREPARING = DossierStatus.PREPARING.value
SENT = DossierStatus.SENT.value
ANSWERED = DossierStatus.ANSWERED.value
PROMISED = DossierStatus.PROMISED.value
REJECTED = DossierStatus.REJECTED.value
LAW_CHANGED = DossierStatus.LAW_CHANGED.value
CLOSED = DossierStatus.CLOSED.value

# (from, to) -> roles. Everything a dossier can go through, and only that.
DOSSIER_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (PREPARING, SENT): frozenset({"legal"}),
    (SENT, ANSWERED): frozenset({"legal"}),
    (ANSWERED, PROMISED): frozenset({"legal"}),
    (ANSWERED, REJECTED): frozenset({"legal"}),
    (ANSWERED, LAW_CHANGED): frozenset({"legal"}),
    (PROMISED, LAW_CHANGED): frozenset({"legal"}),
    (PROMISED, CLOSED): frozenset({"legal"}),
    (REJECTED, CLOSED): frozenset({"legal"}),
    (LAW_CHANGED, CLOSED): frozenset({"legal"}),
    (PREPARING, CLOSED): frozenset({"legal"}),
}

# What reporters and supporters read in their mail for each public step.
PUBLIC_HEADLINES = {
    SENT: "landelijk geagendeerd: de brief is verstuurd",
    ANSWERED: "er is antwoord van het Rijk",
    PROMISED: "toegezegd: de regel wordt aangepast",
    REJECTED: "afgewezen: de regel blijft",
    LAW_CHANGED: "de wet of regeling is aangepast",
    CLOSED: "het escalatiedossier is afgesloten",
}


@dataclass
class LegalReference:
    law_title: str
    bwb_id: str | None = None
    article: str | None = None


def _clean(value: str | None, maximum: int, field: str) -> str | None:
    value = " ".join((value or "").split())
    if len(value) > maximum:
        raise DomainError(f"Gebruik maximaal {maximum} tekens.", field=field)
    return value or None


def validate_reference(reference: LegalReference) -> LegalReference:
    title = _clean(reference.law_title, 300, "law_title")
    if not title:
        raise DomainError("Vul in om welke wet of regeling het gaat, bijvoorbeeld: Participatiewet.", field="law_title")
    bwb_id = _clean(reference.bwb_id, 20, "bwb_id")
    if bwb_id:
        bwb_id = bwb_id.upper()
        if not BWB_RE.match(bwb_id):
            raise DomainError("Een BWB-id ziet eruit als BWBR0015703 (BWBR of BWBV en zeven cijfers).", field="bwb_id")
    article = _clean(reference.article, 100, "article")
    return LegalReference(title, bwb_id, article)


def _article_key(article: str | None) -> str:
    return re.sub(r"[^0-9a-z]", "", (article or "").lower().replace("artikel", "").replace("art", ""))


def find_open_dossier(reference: LegalReference) -> Dossier | None:
    """An open dossier about the same law and article, to link another report to."""
    stmt = db.select(Dossier).where(Dossier.status != CLOSED)
    if reference.bwb_id:
        stmt = stmt.where(Dossier.bwb_id == reference.bwb_id)
    else:
        stmt = stmt.where(db.func.lower(Dossier.law_title) == reference.law_title.lower())
    for dossier in db.session.scalars(stmt.order_by(Dossier.id)):
        if _article_key(dossier.article) == _article_key(reference.article):
            return dossier
    return None


def record_dossier_event(
    dossier: Dossier,
    kind: str,
    *,
    actor: User | None,
    text: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    is_public: bool = False,
) -> DossierEvent:
    event = DossierEvent(
        dossier=dossier,
        actor_id=actor.id if actor else None,
        kind=kind,
        text=text,
        from_status=from_status,
        to_status=to_status,
        is_public=is_public,
    )
    db.session.add(event)
    return event


def attach_to_dossier(
    report: Report, reference: LegalReference, *, actor: User, dossier: Dossier | None = None
) -> Dossier:
    """Link an escalated report to the dossier about its law article, creating it if needed."""
    reference = validate_reference(reference)
    dossier = dossier or find_open_dossier(reference)
    if dossier is None:
        dossier = Dossier(
            law_title=reference.law_title,
            bwb_id=reference.bwb_id,
            article=reference.article,
            status=PREPARING,
            version=1,
        )
        db.session.add(dossier)
        db.session.flush()
        record_dossier_event(
            dossier,
            "created",
            actor=actor,
            to_status=PREPARING,
            text=f"Dossier aangemaakt bij het escaleren van {report.reference}.",
        )
    else:
        record_dossier_event(dossier, "linked", actor=actor, text=f"{report.reference} toegevoegd aan dit dossier.")
    report.dossier = dossier
    return dossier


def dossier_allowed(dossier: Dossier, to: str, user: User) -> bool:
    roles = DOSSIER_TRANSITIONS.get((dossier.status, to))
    return bool(roles) and user.has_role(*roles)


def _check_version(dossier: Dossier, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != dossier.version:
        raise DomainError(
            f"Dit dossier is intussen gewijzigd; de status is nu: {DOSSIER_STATUS_LABELS[dossier.status_enum]}. "
            "Uw wijziging is niet opgeslagen; bekijk de actuele stand en probeer het opnieuw."
        )


def _require_legal(user: User) -> None:
    if not user.has_role("legal"):
        raise DomainError("Alleen Juridische Zaken kan dossiers bijwerken.")


def update_dossier(
    dossier: Dossier,
    *,
    actor: User,
    reference: LegalReference,
    addressee_id: int | None,
    channel: str | None,
    sent_on: date | None,
    answer_due: date | None,
    follow_up_on: date | None,
    owner_id: int | None,
    expected_version: int | None = None,
) -> None:
    """Edit the dossier's facts: legal reference, addressee, channel, dates, owner."""
    _require_legal(actor)
    _check_version(dossier, expected_version)
    reference = validate_reference(reference)
    addressee = None
    if addressee_id is not None:
        addressee = db.session.get(Addressee, addressee_id)
        if addressee is None or (not addressee.active and addressee.id != dossier.addressee_id):
            raise DomainError("Kies een geadresseerde uit de lijst.", field="addressee_id")
    owner = None
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.active or not owner.has_role("legal"):
            raise DomainError("Kies een medewerker van Juridische Zaken.", field="owner_id")
    if sent_on and answer_due and answer_due < sent_on:
        raise DomainError("De antwoorddatum ligt voor de verzenddatum.", field="answer_due")
    changes = []
    for name, value in (
        ("law_title", reference.law_title),
        ("bwb_id", reference.bwb_id),
        ("article", reference.article),
        ("addressee_id", addressee.id if addressee else None),
        ("channel", _clean(channel, 200, "channel")),
        ("sent_on", sent_on),
        ("answer_due", answer_due),
        ("follow_up_on", follow_up_on),
        ("owner_id", owner.id if owner else None),
    ):
        if getattr(dossier, name) != value:
            setattr(dossier, name, value)
            changes.append(name)
    if changes:
        dossier.version += 1
        record_dossier_event(
            dossier, "updated", actor=actor, text="Gewijzigd: " + ", ".join(FIELD_LABELS[c] for c in changes)
        )
    db.session.flush()


FIELD_LABELS = {
    "law_title": "wet of regeling",
    "bwb_id": "BWB-id",
    "article": "artikel",
    "addressee_id": "geadresseerde",
    "channel": "kanaal",
    "sent_on": "verzenddatum",
    "answer_due": "antwoord verwacht",
    "follow_up_on": "volgende opvolgdatum",
    "owner_id": "eigenaar",
}


def change_dossier_status(
    dossier: Dossier,
    to: str,
    *,
    actor: User,
    text: str | None = None,
    answer: str | None = None,
    answer_summary: str | None = None,
    expected_version: int | None = None,
) -> None:
    """Move a dossier one step; every step but a return to preparation is public."""
    _require_legal(actor)
    _check_version(dossier, expected_version)
    if not dossier_allowed(dossier, to, actor):
        raise DomainError(
            f"Van {DOSSIER_STATUS_LABELS[dossier.status_enum]} naar {DOSSIER_STATUS_LABELS[DossierStatus(to)]} kan niet."
        )
    if to == SENT and (dossier.addressee_id is None or dossier.sent_on is None):
        raise DomainError("Vul eerst de geadresseerde en de verzenddatum in.", field="to_status")
    if to == ANSWERED:
        answer = _clean_text(answer, "answer", "Vul het antwoord in.")
        answer_summary = _clean_text(answer_summary, "answer_summary", "Vat het antwoord samen voor de melders.")
        dossier.answer = answer
        dossier.answer_summary = answer_summary
    text = (text or "").strip() or None
    if text and len(text) > TEXT_MAX:
        raise DomainError(f"Gebruik maximaal {TEXT_MAX} tekens.", field="text")
    from_status = dossier.status
    dossier.status = to
    dossier.version += 1
    public_text = answer_summary if to == ANSWERED else text
    record_dossier_event(
        dossier, "status_changed", actor=actor, from_status=from_status, to_status=to, text=public_text, is_public=True
    )
    for report in dossier.reports:
        record_event(
            report,
            EventKind.PUBLIC_UPDATE,
            actor=actor,
            text=f"Escalatiedossier: {PUBLIC_HEADLINES[to]}." + (f"\n\n{public_text}" if public_text else ""),
        )
        report.last_activity_at = utcnow()
        notify_followers(report, PUBLIC_HEADLINES[to], text=public_text)
    db.session.flush()


def _clean_text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field)
    if len(value) > TEXT_MAX:
        raise DomainError(f"Gebruik maximaal {TEXT_MAX} tekens.", field=field)
    return value


def add_dossier_note(dossier: Dossier, *, actor: User, text: str | None) -> None:
    _require_legal(actor)
    record_dossier_event(dossier, "note", actor=actor, text=_clean_text(text, "text", "Schrijf een notitie."))
    db.session.flush()


def is_answer_overdue(dossier: Dossier, today: date) -> bool:
    return dossier.status == SENT and dossier.answer_due is not None and dossier.answer_due < today


def is_follow_up_due(dossier: Dossier, today: date) -> bool:
    return dossier.status != CLOSED and dossier.follow_up_on is not None and dossier.follow_up_on <= today
