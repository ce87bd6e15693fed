"""The weekly session of the ontregelcoaches (weekoverleg): the agenda, who attended, what
was decided per item, and the minutes (besluitenlijst). Every change to a report goes
through app.services.workflow; this module only records what the session decided."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import LazyString, gettext
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from app.anonymity import name_for
from app.extensions import db
from app.formatting import dutch_date
from app.i18n import N_, StoredText, shown_text, translated
from app.models import Dossier, Report, Support, TriageAttendee, TriageItem, TriageSession, User
from app.models.base import utcnow
from app.models.report import STATUS_LABELS, EventKind, ReportStatus, overdue_cutoff
from app.notify import (
    enqueue,
    external_url,
    hold_mail,
    release_held,
    withdraw_held,
    withdraw_held_to_former_followers,
)
from app.services import ConflictError, DomainError, workflow
from app.services.dossiers import LegalReference, record_dossier_event
from app.services.reports import get_by_reference, record_event, typed_reference
from app.services.users import active_coaches

PENDING = "pending"
HANDLED = "handled"
SKIPPED = "skipped"

REASON_NEW = "new"
REASON_CARRIED = "carried"
REASON_OVERDUE = "overdue"
REASONS = (REASON_NEW, REASON_CARRIED, REASON_OVERDUE)

ACTIONS = ("take_on", "assign", "decide", "merge")

# A session item's decision as the minutes keep it, and the lines an undo writes on the
# timelines: stored in Dutch, shown in the reader's language (app.i18n.StoredText).
DECIDED_FOLLOW_UP = StoredText(N_("%(name)s gaat erachteraan"))
DECIDED = {
    workflow.RESOLVED: StoredText(N_("Opgelost: %(summary)s")),
    workflow.ESCALATED: StoredText(N_("Landelijk geagendeerd: %(summary)s")),
    workflow.EXPLAINED: StoredText(N_("Uitgelegd: %(summary)s")),
}
DECIDED_ESCALATED_LAW = StoredText(N_("Landelijk geagendeerd (%(law)s): %(summary)s"))
DECIDED_MERGED = StoredText(N_("Samengevoegd met %(reference)s"))
UNDONE = StoredText(
    N_("In het weekoverleg ongedaan gemaakt: %(decision)s. De status is weer: %(status)s."),
    params={"decision": shown_text, "status": translated},
)
UNDONE_MERGE = StoredText(N_("Het samenvoegen van %(reference)s met deze melding is ongedaan gemaakt."))
UNDONE_DOSSIER = StoredText(
    N_("%(reference)s hoort niet meer bij dit dossier: het besluit in het weekoverleg is ongedaan gemaakt.")
)

# Any fixed number: serialises starting a session across workers on PostgreSQL, where
# there is no partial unique index saying "only one open session".
_START_LOCK_KEY = 0x524B5753


class SessionClosedError(DomainError):
    """The session was ended; nothing can be added to its minutes any more."""

    def __init__(self, session: TriageSession):
        super().__init__(gettext("Dit weekoverleg is al afgesloten. Er is niets gewijzigd."))
        self.session = session


class ItemHandledError(ConflictError):
    """Another coach already handled this item in the session."""

    def __init__(self, item: TriageItem, viewer: User | None):
        who = name_for(viewer, item.handled_by) if item.handled_by else gettext("een andere coach")
        super().__init__(
            gettext(
                "Dit punt is al behandeld door %(who)s: %(decision)s. De melding staat nu op: %(status)s. "
                "Uw besluit is niet opgeslagen.",
                who=who,
                decision=shown_text(item.decision) or gettext("besluit onbekend"),
                status=item.report.status_enum.label,
            )
        )
        self.item = item


# --- reading ---------------------------------------------------------------------------


def open_session() -> TriageSession | None:
    return db.session.scalar(
        db.select(TriageSession)
        .where(TriageSession.ended_at.is_(None))
        .order_by(TriageSession.started_at.desc())
        .limit(1)
    )


def last_session() -> TriageSession | None:
    return db.session.scalar(
        db.select(TriageSession).order_by(TriageSession.started_at.desc(), TriageSession.id.desc()).limit(1)
    )


def past_sessions(limit: int = 100) -> list[TriageSession]:
    return list(
        db.session.scalars(
            db.select(TriageSession)
            .where(TriageSession.ended_at.is_not(None))
            .order_by(TriageSession.started_at.desc(), TriageSession.id.desc())
            .limit(limit)
        )
    )


def build_agenda(*, now: datetime | None = None) -> list[tuple[Report, str]]:
    """What the next session discusses: every report that is new since the previous session
    started (all new reports before the first session); the ones an earlier session skipped
    or did not reach, still new; then every overdue open report. Each report once, in that
    order, oldest first within each group."""
    now = now or utcnow()
    cutoff = overdue_cutoff(now)
    previous = last_session()
    candidates = db.session.scalars(
        db.select(Report).where(Report.is_open).order_by(Report.created_at, Report.id)
    ).all()
    new, carried, overdue = [], [], []
    for report in candidates:
        if report.status == ReportStatus.NEW.value and (previous is None or report.created_at >= previous.started_at):
            new.append(report)
        elif report.is_overdue(cutoff):
            overdue.append(report)
        elif report.status == ReportStatus.NEW.value:
            # Skipped or not reached last time: it has not been triaged, so it comes back.
            carried.append(report)
    return (
        [(r, REASON_NEW) for r in new] + [(r, REASON_CARRIED) for r in carried] + [(r, REASON_OVERDUE) for r in overdue]
    )


def reason_label(reason: str) -> str:
    """Why a report is on the agenda, as the session page and the agenda mail say it."""
    if reason == REASON_OVERDUE:
        return gettext("Blijft liggen: %(num)s dagen of langer niets gebeurd", num=current_app.config["OVERDUE_DAYS"])
    if reason == REASON_CARRIED:
        return gettext("Nog niet besproken in het vorige weekoverleg")
    return gettext("Nieuw sinds het vorige weekoverleg")


@dataclass(frozen=True)
class AgendaGroup:
    reason: str
    label: str
    reports: list[Report]


def agenda_groups(agenda: list[tuple[Report, str]]) -> list[AgendaGroup]:
    """The agenda in its three groups (new, carried over, overdue), in that order."""
    return [
        AgendaGroup(reason, reason_label(reason), [report for report, why in agenda if why == reason])
        for reason in REASONS
    ]


@dataclass(frozen=True)
class Progress:
    total: int
    handled: int
    skipped: int
    pending: int


def progress(session: TriageSession) -> Progress:
    states = [item.state for item in session.items]
    return Progress(
        total=len(states),
        handled=states.count(HANDLED),
        skipped=states.count(SKIPPED),
        pending=states.count(PENDING),
    )


def current_item(session: TriageSession, item_id: int | None = None) -> TriageItem | None:
    """The item a coach asked for, or else the first one still to be discussed."""
    if item_id is not None:
        for item in session.items:
            if item.id == item_id:
                return item
    return next((item for item in session.items if item.state == PENDING), None)


@dataclass(frozen=True)
class NextItem:
    """Where the session goes after an item: `item` (None when nothing is left), and
    whether that meant going back to the start of the agenda (`wrapped`)."""

    item: TriageItem | None
    wrapped: bool = False


def next_item(session: TriageSession, after: TriageItem | None) -> NextItem:
    """The session only moves forward: the first item still to be discussed after `after`
    in agenda order. Only when nothing is left ahead does it go back, to an earlier item
    still to be discussed, else to a skipped one (and says so)."""
    position = after.position if after is not None else 0
    others = [item for item in session.items if item is not after]
    ahead = [item for item in others if item.state == PENDING and item.position > position]
    if ahead:
        return NextItem(ahead[0])
    for state in (PENDING, SKIPPED):
        behind = [item for item in others if item.state == state]
        if behind:
            return NextItem(behind[0], wrapped=after is not None)
    return NextItem(None)


def next_pending(session: TriageSession, after: TriageItem | None) -> TriageItem | None:
    """The 'Volgende punt' of the page (see next_item)."""
    return next_item(session, after).item


# --- changing --------------------------------------------------------------------------


def _require_coach(user: User) -> None:
    if not user.active or not user.has_role("coach"):
        raise DomainError(gettext("Alleen ontregelcoaches kunnen een weekoverleg voeren."))


def _require_open(session: TriageSession) -> None:
    if not session.is_open:
        raise SessionClosedError(session)


def _coaches_by_id(ids) -> dict[int, User]:
    wanted = {int(i) for i in ids or ()}
    if not wanted:
        return {}
    coaches = {user.id: user for user in active_coaches() if user.id in wanted}
    if set(coaches) != wanted:
        raise DomainError(gettext("Kies alleen actieve ontregelcoaches."), field="attendees")
    return coaches


def _add_attendee(session: TriageSession, user: User) -> None:
    if any(a.user_id == user.id for a in session.attendees):
        return
    try:
        with db.session.begin_nested():
            session.attendees.append(TriageAttendee(user=user))
    except IntegrityError:
        # Added by another request at the same moment: present either way.
        db.session.expire(session, ["attendees"])


def _lock_for_start() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _START_LOCK_KEY})


def start_session(
    coach: User,
    attendee_ids=(),
    *,
    now: datetime | None = None,
) -> TriageSession:
    """Start the weekly session with its agenda. There is one open session at a time:
    when one is already running, the coach (and the colleagues they ticked) join it."""
    _require_coach(coach)
    attendees = _coaches_by_id(attendee_ids)
    attendees.setdefault(coach.id, coach)  # whoever starts the session is present
    _lock_for_start()
    session = open_session()
    if session is None:
        now = now or utcnow()
        agenda = build_agenda(now=now)
        session = TriageSession(started_at=now, started_by=coach)
        db.session.add(session)
        for position, (report, reason) in enumerate(agenda, start=1):
            session.items.append(TriageItem(report=report, position=position, reason=reason, state=PENDING))
    for user in sorted(attendees.values(), key=lambda u: (u.name, u.id)):
        _add_attendee(session, user)
    db.session.flush()
    return session


def join_session(session: TriageSession, coach: User) -> None:
    """A coach who comes in later is recorded as present."""
    _require_coach(coach)
    _require_open(session)
    _add_attendee(session, coach)
    db.session.flush()


def set_attendees(session: TriageSession, attendee_ids, *, actor: User) -> None:
    """Correct the list of coaches present. Whoever corrects it is present themselves."""
    _require_coach(actor)
    _require_open(session)
    wanted = _coaches_by_id(attendee_ids)
    wanted.setdefault(actor.id, actor)
    for attendee in list(session.attendees):
        if attendee.user_id not in wanted:
            session.attendees.remove(attendee)
    for user in sorted(wanted.values(), key=lambda u: (u.name, u.id)):
        _add_attendee(session, user)
    db.session.flush()


def _claim(
    item: TriageItem,
    *,
    state: str,
    allowed_from: tuple[str, ...],
    actor: User,
    decision: str | None = None,
    follow_up: User | None = None,
) -> None:
    """Record the outcome on the item, only if it is still in one of `allowed_from`.
    A conditional UPDATE, so two coaches on the same item cannot both win, also when
    their requests run at the same moment in different workers."""
    result = db.session.execute(
        update(TriageItem)
        .where(TriageItem.id == item.id, TriageItem.state.in_(allowed_from))
        .values(
            state=state,
            decision=decision,
            follow_up_id=follow_up.id if follow_up else None,
            handled_by_id=actor.id,
            handled_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(item)
    if result.rowcount != 1:
        raise ItemHandledError(item, actor)


def _summary(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def handle_item(
    item: TriageItem,
    actor: User,
    action: str,
    *,
    expected_version: int | None = None,
    assignee_id: int | None = None,
    outcome: str | None = None,
    explanation: str | None = None,
    what_changed: str | None = None,
    legal: LegalReference | None = None,
    target_reference: str | None = None,
    estimate=workflow.KEEP,
    text_public: bool = False,
) -> None:
    """Handle one agenda item through the workflow and record the decision on it:
    take_on (the actor follows up), assign (assignee_id follows up), decide (outcome,
    explanation, what_changed; `legal` when escalating; the impact `estimate` a solving coach
    confirms and the `text_public` mark, see workflow.decide_report) or merge (target_reference,
    explanation). `expected_version` is the report's version as the page showed it."""
    session = item.session
    _require_coach(actor)
    _require_open(session)
    if action not in ACTIONS:
        raise DomainError(gettext("Kies wat het overleg met dit punt doet."))
    if item.state == HANDLED:
        raise ItemHandledError(item, actor)
    # Claim the item first: a second coach on the same item waits here and then hears
    # who was first, instead of changing the report a second time.
    _claim(item, state=HANDLED, allowed_from=(PENDING, SKIPPED), actor=actor)
    report = item.report
    before = _snapshot(report)
    target = None
    if action == "merge":
        target = merge_target(target_reference)
        target_before = {"last_activity_at": _iso(target.last_activity_at)}
        supports_before = set(db.session.scalars(db.select(Support.id).where(Support.report_id == target.id)))
    # Nobody hears of the decision until it can no longer be undone (see undo_item).
    with hold_mail(_mail_group(session), _owner(item), utcnow() + _hold_time()):
        if action == "take_on":
            workflow.take_on(report, actor, expected_version=expected_version)
            follow_up = actor
            decision = DECIDED_FOLLOW_UP.store(name=actor.name)
        elif action == "assign":
            assignee = db.session.get(User, assignee_id) if assignee_id else None
            if assignee is None:
                raise DomainError(gettext("Kies wie erachteraan gaat."), field="assignee_id")
            workflow.assign_report(report, assignee, actor=actor, expected_version=expected_version)
            follow_up = assignee
            decision = DECIDED_FOLLOW_UP.store(name=assignee.name)
        elif action == "decide":
            workflow.decide_report(
                report,
                actor=actor,
                outcome=outcome or "",
                explanation=explanation,
                what_changed=what_changed,
                legal=legal if outcome == workflow.ESCALATED else None,
                expected_version=expected_version,
                estimate=estimate,
                text_public=text_public,
            )
            follow_up = report.assignee
            summary = _summary(explanation or "")
            if outcome == workflow.ESCALATED and report.dossier is not None:
                decision = DECIDED_ESCALATED_LAW.store(law=report.dossier.legal_reference, summary=summary)
            else:
                decision = DECIDED[outcome].store(summary=summary)
        else:
            workflow.merge_report(
                report, target, actor=actor, explanation=explanation, expected_version=expected_version
            )
            follow_up = target.assignee
            decision = DECIDED_MERGED.store(reference=target.reference)
    db.session.flush()
    undo = {"action": action, "report": before, "version_after": report.version}
    if target is not None:
        added = set(db.session.scalars(db.select(Support.id).where(Support.report_id == target.id))) - supports_before
        undo["target"] = {
            "id": target.id,
            "before": target_before,
            "last_activity_at": _iso(target.last_activity_at),
            "support_ids": sorted(added),
        }
    if report.dossier_id is not None and report.dossier_id != before["dossier_id"]:
        kinds = [event.kind for event in report.dossier.events]
        undo["dossier"] = {"id": report.dossier_id, "created": kinds == ["created"]}
    item.decision = decision
    item.follow_up = follow_up
    item.undo_state = json.dumps(undo)
    _add_attendee(session, actor)
    db.session.flush()


def merge_target(reference: str | None) -> Report:
    """The report a coach named to merge into, or a Dutch message at the field."""
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(
            gettext("Vul het nummer in van de melding waarmee deze samengaat, bijvoorbeeld RK-2026-0003."),
            field="target",
        )
    target = get_by_reference(typed_reference(reference) or reference)
    if target is None:
        raise DomainError(
            gettext(
                "Er is geen melding met nummer %(reference)s. Gebruik een nummer als RK-2026-0003.", reference=reference
            ),
            field="target",
        )
    return target


def preview_merge(item: TriageItem, actor: User, target_reference: str | None, *, expected_version=None) -> Report:
    """The report the item would be merged into, after every check the merge itself makes
    (the workflow's); nothing changes."""
    _require_coach(actor)
    _require_open(item.session)
    if item.state == HANDLED:
        raise ItemHandledError(item, actor)
    target = merge_target(target_reference)
    workflow.check_merge(item.report, target, actor=actor, expected_version=expected_version)
    return target


# --- undoing a decision -----------------------------------------------------------------

TOO_LATE = N_(
    "Ongedaan maken kan niet meer: de e-mails over dit besluit zijn al verstuurd of worden nu verstuurd. "
    "Er is niets gewijzigd. Heropen de melding als dat nodig is."
)


class UndoConflict(ConflictError):
    """The report changed after the session's decision: undoing would overwrite that."""

    def __init__(self, report: Report, viewer: User | None):
        last = report.events[-1] if report.events else None
        names = {"reference": report.reference, "status": report.status_enum.label}
        if last is not None and last.actor_id is not None:
            message = gettext(
                "Ongedaan maken kan niet: %(reference)s is na dit besluit gewijzigd door %(actor)s. "
                "De status is nu: %(status)s. Er is niets teruggedraaid; "
                "pas de melding zo nodig aan op de pagina van de melding.",
                actor=name_for(viewer, last.actor),
                **names,
            )
        else:
            message = gettext(
                "Ongedaan maken kan niet: %(reference)s is na dit besluit gewijzigd. "
                "De status is nu: %(status)s. Er is niets teruggedraaid; "
                "pas de melding zo nodig aan op de pagina van de melding.",
                **names,
            )
        super().__init__(message)
        self.report = report


def _hold_time() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_MAIL_HOLD_MINUTES"])


def _mail_group(session: TriageSession) -> str:
    return f"triage:{session.id}"


def _owner(item: TriageItem) -> str:
    return f"triage-item:{item.id}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# What a decision may change on the report itself, restored as it was by an undo.
_RESTORED = (
    "status",
    "assignee_id",
    "explanation",
    "outcome",
    "duplicate_of_id",
    "dossier_id",
    "text_public",
    "impact_cases_per_month",
    "impact_minutes_inhabitant",
    "impact_minutes_staff",
    "impact_affected",
    "impact_confirmed_by_id",
)
_RESTORED_TIMES = ("resolved_at", "last_activity_at", "impact_confirmed_at", "taken_on_at", "decided_at")


def _snapshot(report: Report) -> dict:
    state = {name: getattr(report, name) for name in _RESTORED}
    state.update({name: _iso(getattr(report, name)) for name in _RESTORED_TIMES})
    return state


def can_undo(item: TriageItem, *, now: datetime | None = None) -> bool:
    """A decision taken in this session whose mails are still held: the session is open
    and the hold time has not passed (the session's end releases them)."""
    if not item.session.is_open or item.state != HANDLED or not item.undo_state or item.handled_at is None:
        return False
    return (now or utcnow()) < item.handled_at + _hold_time()


def undo_item(item: TriageItem, actor: User, *, expected_version: int | None = None) -> None:
    """Undo the session's decision on `item`: the report (status, who follows up, texts,
    supporters a merge moved, the dossier an escalation created or joined) is as it was,
    the held mails are withdrawn so nobody is told anything, and the item is back on the
    agenda. The timeline is append-only: it keeps the decision and gets an 'ongedaan
    gemaakt' line (the reporter could already have read the decision on the report page)."""
    session = item.session
    _require_coach(actor)
    _require_open(session)
    if item.state != HANDLED or not item.undo_state:
        raise DomainError(gettext("Bij dit punt is geen besluit om ongedaan te maken."))
    report = item.report
    if workflow.report_actions(report, actor).withheld:
        raise DomainError(gettext(workflow.WITHHELD))
    if not can_undo(item):
        raise DomainError(gettext(TOO_LATE))
    undo = json.loads(item.undo_state)
    if (expected_version is not None and int(expected_version) != report.version) or report.version != undo[
        "version_after"
    ]:
        raise UndoConflict(report, actor)
    target = db.session.get(Report, undo["target"]["id"]) if "target" in undo else None
    if target is not None and target.status == workflow.MERGED:
        # Its followers (ours among them) moved on to yet another report.
        raise UndoConflict(target, actor)
    if not withdraw_held(_mail_group(session), _owner(item)):
        raise DomainError(gettext(TOO_LATE))
    decision = item.decision
    before = undo["report"]
    now = utcnow()
    # A decision recorded before a field was added to the snapshot leaves that field as it is.
    for name in _RESTORED:
        if name in before:
            setattr(report, name, before[name])
    for name in _RESTORED_TIMES:
        if name in before:
            setattr(report, name, _when(before[name]))
    # Higher, never back: a page loaded at the decision's version must not act any more.
    report.version = undo["version_after"] + 1
    report.updated_at = now
    db.session.flush()
    db.session.expire(report, ["assignee", "dossier"])
    record_event(
        report,
        EventKind.UNDONE,
        actor=actor,
        # The decision may end in a full stop of its own (a typed explanation).
        text=UNDONE.store(decision=decision.rstrip("."), status=STATUS_LABELS[report.status_enum]),
    )
    if target is not None:
        for support_id in undo["target"]["support_ids"]:
            support = db.session.get(Support, support_id)
            if support is not None:
                db.session.delete(support)
        if _iso(target.last_activity_at) == undo["target"]["last_activity_at"]:
            target.last_activity_at = _when(undo["target"]["before"]["last_activity_at"])
        db.session.flush()
        db.session.expire(target, ["supports"])
        withdraw_held_to_former_followers(_mail_group(session), target)
        record_event(
            target,
            EventKind.UNDONE,
            actor=actor,
            text=UNDONE_MERGE.store(reference=report.reference),
        )
    if "dossier" in undo:
        _undo_dossier(db.session.get(Dossier, undo["dossier"]["id"]), report, undo["dossier"]["created"], actor)
    result = db.session.execute(
        update(TriageItem)
        .where(TriageItem.id == item.id, TriageItem.state == HANDLED, TriageItem.handled_at == item.handled_at)
        .values(state=PENDING, decision=None, follow_up_id=None, handled_by_id=None, handled_at=None, undo_state=None)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(item)
    if result.rowcount != 1:
        raise ItemHandledError(item, actor)
    db.session.flush()


def _undo_dossier(dossier: Dossier | None, report: Report, created: bool, actor: User) -> None:
    """A dossier the escalation created and nobody touched since goes as if it never was
    (Juridische Zaken never acted on it); otherwise the report leaves it, on its record."""
    if dossier is None:
        return
    db.session.flush()
    others = db.session.scalar(db.select(db.func.count(Report.id)).where(Report.dossier_id == dossier.id))
    untouched = created and dossier.version == 1 and [event.kind for event in dossier.events] == ["created"]
    if untouched and not others:
        for event in list(dossier.events):
            db.session.delete(event)
        db.session.flush()
        db.session.delete(dossier)
        return
    record_dossier_event(
        dossier,
        "unlinked",
        actor=actor,
        text=UNDONE_DOSSIER.store(reference=report.reference),
    )


def skip_item(item: TriageItem, actor: User) -> None:
    """Leave an item for now; it stays on the list and can still be handled later."""
    _require_coach(actor)
    _require_open(item.session)
    if item.state == SKIPPED:
        return
    if item.state == HANDLED:
        raise ItemHandledError(item, actor)
    if workflow.report_actions(item.report, actor).withheld:
        raise DomainError(gettext(workflow.WITHHELD))
    _claim(item, state=SKIPPED, allowed_from=(PENDING,), actor=actor)
    _add_attendee(item.session, actor)
    db.session.flush()


def minutes(session: TriageSession) -> dict[str, list[TriageItem]]:
    """The besluitenlijst: decisions, skipped items, and items the session did not reach."""
    return {
        "handled": [item for item in session.items if item.state == HANDLED],
        "skipped": [item for item in session.items if item.state == SKIPPED],
        "pending": [item for item in session.items if item.state == PENDING],
    }


def end_session(session: TriageSession, actor: User) -> int:
    """End the session, store its minutes, and queue them by mail to every active coach.
    Returns the number of mails queued."""
    _require_coach(actor)
    _require_open(session)
    now = utcnow()
    result = db.session.execute(
        update(TriageSession)
        .where(TriageSession.id == session.id, TriageSession.ended_at.is_(None))
        .values(ended_at=now, ended_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(session)
    if result.rowcount != 1:
        raise SessionClosedError(session)
    _add_attendee(session, actor)
    # The session's decisions can no longer be undone: their mails go out now.
    release_held(_mail_group(session), now=now)
    db.session.flush()
    parts = minutes(session)
    # In each coach's language, its date too (enqueue renders it so).
    subject = LazyString(lambda: gettext("Besluitenlijst weekoverleg %(date)s", date=dutch_date(session.started_at)))
    url = external_url("triage.minutes", session_id=session.id)
    sent = 0
    for coach in active_coaches():
        message = enqueue(
            coach,
            "minutes",
            subject,
            dedupe_key=f"triage-minutes:{session.id}:{coach.id}",
            session=session,
            handled=parts["handled"],
            skipped=parts["skipped"],
            pending=parts["pending"],
            url=url,
            kind="overviews",
        )
        sent += message is not None
    db.session.flush()
    return sent
