"""Escalation dossiers at Juridische Zaken: created when a report is escalated (reports
about the same law article share one), then tracked step by step until an answer. Status
changes go through one table, write the dossier's timeline and tell every reporter and
supporter of the linked reports about each public step."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

from app.anonymity import ANONYMOUS, follows_dossier_anonymously, name_for
from app.extensions import db
from app.i18n import N_, StoredText, translated, translated_list
from app.models import Addressee, Dossier, DossierEvent, DossierStatus, Report, User
from app.models.base import utcnow
from app.models.dossier import ARTICLE_MAX, BWB_ID_MAX, CHANNEL_MAX, DOSSIER_STATUS_LABELS, LAW_TITLE_MAX
from app.models.report import TEXT_MAX, EventKind
from app.notify import enqueue, external_url, notify_followers
from app.services import ConflictError, DomainError
from app.services.reports import record_event
from app.services.users import users_with_role
from app.services.webhook_events import emit_dossier_event

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

# What reporters and supporters read for each public step, in their mail (msgids: the mail
# translates them, _l(PUBLIC_HEADLINES[to])) and on their report's timeline (ESCALATION_STEP).
PUBLIC_HEADLINES = {
    SENT: N_("landelijk geagendeerd: de brief is verstuurd"),
    ANSWERED: N_("er is antwoord van het Rijk"),
    PROMISED: N_("toegezegd: de regel wordt aangepast"),
    REJECTED: N_("afgewezen: de regel blijft"),
    LAW_CHANGED: N_("de wet of regeling is aangepast"),
    CLOSED: N_("het escalatiedossier is afgesloten"),
}

# The texts Rode Knop itself writes on timelines (app.i18n.StoredText): stored in Dutch as
# they always were, shown in the reader's language.
ESCALATION_STEP = StoredText(N_("Escalatiedossier: %(headline)s."), params={"headline": translated}, tail=True)
CREATED = StoredText(N_("Dossier aangemaakt bij het escaleren van %(reference)s."))
LINKED = StoredText(N_("%(reference)s toegevoegd aan dit dossier."))
CHANGED = StoredText(N_("Gewijzigd: %(fields)s"), params={"fields": translated_list})
OWNER_BY_RULE = StoredText(N_("%(name)s is eigenaar: standaard voor dossiers aan %(addressee)s."))
OWNER_INSTEAD = StoredText(N_("%(name)s is eigenaar, in plaats van %(former)s."))
OWNER = StoredText(N_("%(name)s is eigenaar."))
NO_OWNER = StoredText(N_("Dit dossier heeft geen eigenaar meer."))
OWNER_LEFT = StoredText(N_("%(name)s werkt niet meer met Rode Knop. Dit dossier heeft nu geen eigenaar."))
TAKEN_OVER = StoredText(N_("%(name)s pakt dit dossier op (was: %(former)s)."))
TAKEN_ON = StoredText(N_("%(name)s pakt dit dossier op."))


@dataclass
class LegalReference:
    law_title: str
    bwb_id: str | None = None
    article: str | None = None


def _clean(value: str | None, maximum: int, field: str) -> str | None:
    value = " ".join((value or "").split())
    if len(value) > maximum:
        raise DomainError(gettext("Gebruik maximaal %(max)d tekens.", max=maximum), field=field)
    return value or None


def validate_reference(reference: LegalReference) -> LegalReference:
    title = _clean(reference.law_title, LAW_TITLE_MAX, "law_title")
    if not title:
        raise DomainError(
            gettext("Vul in om welke wet of regeling het gaat, bijvoorbeeld: Participatiewet."), field="law_title"
        )
    bwb_id = _clean(reference.bwb_id, BWB_ID_MAX, "bwb_id")
    if bwb_id:
        bwb_id = bwb_id.upper()
        if not BWB_RE.match(bwb_id):
            raise DomainError(
                gettext("Een BWB-id ziet eruit als BWBR0015703 (BWBR of BWBV en zeven cijfers)."), field="bwb_id"
            )
    article = _clean(reference.article, ARTICLE_MAX, "article")
    return LegalReference(title, bwb_id, article)


def article_key(article: str | None) -> str:
    """How an article is compared: "Artikel 7:2, lid 1" and "art. 72 lid 1" are the same."""
    return re.sub(r"[^0-9a-z]", "", (article or "").lower().replace("artikel", "").replace("art", ""))


def find_open_dossier(reference: LegalReference) -> Dossier | None:
    """An open dossier about the same law and article, to link another report to."""
    stmt = db.select(Dossier).where(Dossier.is_open)
    if reference.bwb_id:
        stmt = stmt.where(Dossier.bwb_id == reference.bwb_id)
    else:
        stmt = stmt.where(db.func.lower(Dossier.law_title) == reference.law_title.lower())
    for dossier in db.session.scalars(stmt.order_by(Dossier.id)):
        if article_key(dossier.article) == article_key(reference.article):
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
    # The one place webhooks hear of dossiers from (app.services.webhook_events).
    emit_dossier_event(dossier, kind, from_status=from_status)
    # ... and the shared register, when the dossier is published there (app.services.register).
    from app.services.register import republish_if_published

    republish_if_published(dossier, kind)
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
            text=CREATED.store(reference=report.reference),
        )
        created = True
    else:
        record_dossier_event(dossier, "linked", actor=actor, text=LINKED.store(reference=report.reference))
        created = False
    report.dossier = dossier
    tell_legal(dossier, report, actor=actor, created=created)
    return dossier


def dossier_contacts(dossier: Dossier) -> list[User]:
    """Who at Juridische Zaken hears about a dossier: its owner, or, while it has none (or
    the owner left), everyone of Juridische Zaken, so that someone takes it on."""
    if may_own(dossier.owner):
        return [dossier.owner]
    return possible_owners()


def possible_owners() -> list[User]:
    """Everyone who may own a dossier (see may_own), by name."""
    return users_with_role(OWNER_ROLE)


def tell_legal(dossier: Dossier, report: Report, *, actor: User, created: bool) -> int:
    """Juridische Zaken hears at once of an escalation that starts or joins a dossier
    (dossier_contacts), by mail queued with the escalation. Every recipient reads the same
    text: an anonymous reporter is 'Anoniem' also to themselves, because the mail waits in
    the outbox under their name."""
    subject = (
        _l("Nieuw escalatiedossier %(dossier)s: %(law)s", dossier=dossier.reference, law=dossier.legal_reference)
        if created
        else _l("%(dossier)s: melding %(report)s toegevoegd", dossier=dossier.reference, report=report.reference)
    )
    queued = 0
    for person in dossier_contacts(dossier):
        if person.id == actor.id:
            continue  # they escalated it themselves
        # Names (and 'Anoniem') in the recipient's language: enqueue renders them so.
        reported_by = LazyString(
            name_for,
            person,
            None if report.is_anonymous else report.reporter,
            anonymous=report.is_anonymous,
            is_viewer=False,
            nobody=ANONYMOUS,
        )
        message = enqueue(
            person,
            "escalation",
            subject,
            kind="escalations",
            dossier=dossier,
            report=report,
            created=created,
            reported_by=reported_by,
            escalated_by=LazyString(name_for, person, actor),
            owner=LazyString(name_for, person, dossier.owner) if dossier.owner is not None else None,
            url=external_url("dossiers.detail", dossier_id=dossier.id),
            report_url=external_url("reports.detail", reference=report.reference),
        )
        queued += message is not None
    return queued


def _set_owner(
    dossier: Dossier,
    owner: User | None,
    *,
    actor: User | None,
    text: str,
    notify: bool = True,
    reason: LazyString | None = None,
) -> None:
    """A new owner (or none): an event on the dossier, and a mail to the new owner unless
    they did it themselves (`reason`: the event's text in the owner's language, when it
    differs from `text`). The caller raises the version."""
    dossier.owner = owner
    record_dossier_event(dossier, "owner", actor=actor, text=text)
    if notify and owner is not None and (actor is None or owner.id != actor.id):
        enqueue(
            owner,
            "dossier_assigned",
            _l("Dossier %(dossier)s is aan u toegewezen", dossier=dossier.reference),
            kind="assigned",
            dossier=dossier,
            reason=reason or text,
            url=external_url("dossiers.detail", dossier_id=dossier.id),
        )


def dossier_allowed(dossier: Dossier, to: str, user: User) -> bool:
    """The transition table alone: may `user`'s roles move `dossier` to `to`?"""
    roles = DOSSIER_TRANSITIONS.get((dossier.status, to))
    return bool(roles) and user.has_role(*roles)


# Who keeps a dossier's facts and notes (the roles of the transition table).
EDITOR_ROLES = frozenset().union(*DOSSIER_TRANSITIONS.values())
# Who can own a dossier: Juridische Zaken.
OWNER_ROLE = "legal"
OWNER_ROLES = frozenset({OWNER_ROLE})


@dataclass(frozen=True)
class DossierActions:
    """What a user may do with a dossier now: the one answer, from the transition table."""

    edit: bool = False
    note: bool = False
    statuses: tuple[str, ...] = ()  # the next steps, in the order of the table
    take_on: bool = False  # 'Ik pak dit dossier op': an open dossier someone else (or nobody) owns
    # Juridische Zaken who follow a linked report anonymously: they leave it to a colleague.
    withheld: bool = False

    @property
    def any(self) -> bool:
        return self.edit or self.note or bool(self.statuses)


def dossier_actions(dossier: Dossier, user: User | None) -> DossierActions:
    if user is None or not user.is_authenticated or not user.active or not user.has_role(*EDITOR_ROLES):
        return DossierActions()
    if follows_dossier_anonymously(user, dossier):
        return DossierActions(withheld=True)
    statuses = tuple(
        to
        for (from_status, to) in DOSSIER_TRANSITIONS
        if from_status == dossier.status and dossier_allowed(dossier, to, user)
    )
    take_on = dossier.is_open and dossier.owner_id != user.id and user.has_role(*OWNER_ROLES)
    return DossierActions(edit=True, note=True, statuses=statuses, take_on=take_on)


class DossierConflict(ConflictError):
    """A colleague changed the dossier since `viewer`'s page was loaded."""

    def __init__(self, dossier: Dossier, viewer: User | None):
        last = next((e for e in reversed(dossier.events) if e.kind != "note"), None)
        status = dossier.status_enum.label
        if last is not None and last.actor_id is not None and (viewer is None or last.actor_id != viewer.id):
            message = gettext(
                "Dit dossier is intussen gewijzigd door %(actor)s. De status is nu: %(status)s. Uw wijziging is "
                "niet opgeslagen. Bekijk hieronder de actuele stand; wat u invulde staat nog in het formulier.",
                actor=name_for(viewer, last.actor),
                status=status,
            )
        else:
            message = gettext(
                "Dit dossier is intussen gewijzigd. De status is nu: %(status)s. Uw wijziging is niet opgeslagen. "
                "Bekijk hieronder de actuele stand; wat u invulde staat nog in het formulier.",
                status=status,
            )
        super().__init__(message)
        self.dossier = dossier


# Said only to the person it is about (translated where it is said).
WITHHELD = N_(
    "U volgt een melding in dit dossier anoniem. Om uw anonimiteit te beschermen, werkt een collega het dossier bij."
)


def _actions(dossier: Dossier, actor: User, expected_version: int | None) -> DossierActions:
    """What `actor` may do; refuses who may do nothing, and a form from an older version."""
    if not actor.has_role(*EDITOR_ROLES):
        raise DomainError(gettext("Alleen Juridische Zaken kan dossiers bijwerken."))
    actions = dossier_actions(dossier, actor)
    if actions.withheld:
        raise DomainError(gettext(WITHHELD))
    if expected_version is not None and int(expected_version) != dossier.version:
        raise DossierConflict(dossier, actor)
    return actions


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
    _actions(dossier, actor, expected_version)
    reference = validate_reference(reference)
    addressee = None
    if addressee_id is not None:
        addressee = db.session.get(Addressee, addressee_id)
        if addressee is None or (not addressee.active and addressee.id != dossier.addressee_id):
            raise DomainError(gettext("Kies een geadresseerde uit de lijst."), field="addressee_id")
    owner = None
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if not may_own(owner):
            raise DomainError(gettext("Kies een medewerker van Juridische Zaken."), field="owner_id")
    by_rule = None
    if owner is None and addressee is not None and addressee.id != dossier.addressee_id:
        # The addressee's default owner takes a dossier nobody owns yet (app.admin).
        by_rule = addressee.default_owner if may_own(addressee.default_owner) else None
    if sent_on and answer_due and answer_due < sent_on:
        raise DomainError(gettext("De antwoorddatum ligt voor de verzenddatum."), field="answer_due")
    changes = []
    for name, value in (
        ("law_title", reference.law_title),
        ("bwb_id", reference.bwb_id),
        ("article", reference.article),
        ("addressee_id", addressee.id if addressee else None),
        ("channel", _clean(channel, CHANNEL_MAX, "channel")),
        ("sent_on", sent_on),
        ("answer_due", answer_due),
        ("follow_up_on", follow_up_on),
    ):
        if getattr(dossier, name) != value:
            setattr(dossier, name, value)
            changes.append(name)
    new_owner = owner or by_rule
    if changes:
        record_dossier_event(
            dossier, "updated", actor=actor, text=CHANGED.store(fields=", ".join(FIELD_LABELS[c] for c in changes))
        )
    if dossier.owner_id != (new_owner.id if new_owner else None):
        reason = None
        if by_rule is not None:
            names = {"name": by_rule.name, "addressee": addressee.name}
            text, reason = OWNER_BY_RULE.store(**names), _l(OWNER_BY_RULE.msgid, **names)
        elif new_owner is not None:
            text, reason = OWNER.store(name=new_owner.name), _l(OWNER.msgid, name=new_owner.name)
        else:
            text = NO_OWNER.store()
        _set_owner(dossier, new_owner, actor=actor, text=text, reason=reason)
        changes.append("owner_id")
    if changes:
        dossier.version += 1
    db.session.flush()


def may_own(user: User | None) -> bool:
    """An active member of Juridische Zaken: who can own a dossier."""
    return user is not None and user.active and user.has_role(*OWNER_ROLES)


def take_on_dossier(dossier: Dossier, *, actor: User, expected_version: int | None = None) -> None:
    """'Ik pak dit dossier op': the lawyer becomes its owner."""
    actions = _actions(dossier, actor, expected_version)
    if not actions.take_on:
        if dossier.owner_id == actor.id:
            raise DomainError(gettext("U bent al eigenaar van dit dossier."))
        raise DomainError(gettext("Dit dossier is afgesloten; het krijgt geen nieuwe eigenaar meer."))
    before = dossier.owner
    text = (
        TAKEN_OVER.store(name=actor.name, former=before.name) if before is not None else TAKEN_ON.store(name=actor.name)
    )
    _set_owner(dossier, actor, actor=actor, text=text)
    dossier.version += 1
    db.session.flush()


# How a changed field is named on the timeline (msgids: CHANGED shows them translated).
FIELD_LABELS = {
    "law_title": N_("wet of regeling"),
    "bwb_id": N_("BWB-id"),
    "article": N_("artikel"),
    "addressee_id": N_("geadresseerde"),
    "channel": N_("kanaal"),
    "sent_on": N_("verzenddatum"),
    "answer_due": N_("antwoord verwacht"),
    "follow_up_on": N_("volgende opvolgdatum"),
    "owner_id": N_("eigenaar"),
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
    actions = _actions(dossier, actor, expected_version)
    if to not in actions.statuses:
        if to not in DOSSIER_STATUS_LABELS:
            raise DomainError(gettext("Kies de nieuwe status."), field="to_status")
        raise DomainError(
            gettext(
                "Van %(from_status)s naar %(to_status)s kan niet.",
                from_status=dossier.status_enum.label,
                to_status=DossierStatus(to).label,
            )
        )
    if to == SENT and (dossier.addressee_id is None or dossier.sent_on is None):
        raise DomainError(gettext("Vul eerst de geadresseerde en de verzenddatum in."), field="to_status")
    if to == ANSWERED:
        answer = _clean_text(answer, "answer", gettext("Vul het antwoord in."))
        answer_summary = _clean_text(
            answer_summary, "answer_summary", gettext("Vat het antwoord samen voor de melders.")
        )
        dossier.answer = answer
        dossier.answer_summary = answer_summary
    text = (text or "").strip() or None
    if text and len(text) > TEXT_MAX:
        raise DomainError(gettext("Gebruik maximaal %(max)d tekens.", max=TEXT_MAX), field="text")
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
            text=ESCALATION_STEP.store(public_text, headline=PUBLIC_HEADLINES[to]),
        )
        report.last_activity_at = utcnow()
        notify_followers(report, _l(PUBLIC_HEADLINES[to]), text=public_text)
    db.session.flush()


def _clean_text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field)
    if len(value) > TEXT_MAX:
        raise DomainError(gettext("Gebruik maximaal %(max)d tekens.", max=TEXT_MAX), field=field)
    return value


def add_dossier_note(dossier: Dossier, *, actor: User, text: str | None, expected_version: int | None = None) -> None:
    _actions(dossier, actor, expected_version)
    record_dossier_event(dossier, "note", actor=actor, text=_clean_text(text, "text", gettext("Schrijf een notitie.")))
    db.session.flush()


def hand_over_dossier(dossier: Dossier, to: User | None, *, actor: User, former: User) -> None:
    """`former`'s account ends (or loses the legal role): the open dossier they own goes to
    `to`, or to nobody (then all of Juridische Zaken gets its reminders, dossier_contacts).
    The new owner gets one mail for all of it (app.services.handover), none here."""
    if not dossier.is_open or dossier.owner_id != former.id:
        return
    if to is not None and not may_own(to):
        raise DomainError(gettext("Kies een medewerker van Juridische Zaken."), field="dossiers_to")
    text = (
        OWNER_INSTEAD.store(name=to.name, former=former.name) if to is not None else OWNER_LEFT.store(name=former.name)
    )
    _set_owner(dossier, to, actor=actor, text=text, notify=False)
    dossier.version += 1
