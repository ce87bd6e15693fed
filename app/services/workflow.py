"""The life of a report: the one table of allowed transitions and who may make them.
Nothing else changes a report's status. Every transition writes an event and queues the
notifications in the same transaction; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.anonymity import follows_anonymously, is_reporter, name_for
from app.extensions import db
from app.i18n import N_, StoredText
from app.models import Dossier, Report, ReportStatus, Support, User
from app.models.base import utcnow
from app.models.report import TEXT_MAX, EventKind
from app.notify import enqueue, external_url, follower_kind, followers, notify_followers
from app.permissions import NOTE_ROLES
from app.services import ConflictError, DomainError
from app.services.dossiers import LegalReference, attach_to_dossier, validate_reference
from app.services.impact import Estimate, estimate_of, store_estimate
from app.services.reports import record_event

NEW = ReportStatus.NEW.value
IN_PROGRESS = ReportStatus.IN_PROGRESS.value
RESOLVED = ReportStatus.RESOLVED.value
ESCALATED = ReportStatus.ESCALATED.value
EXPLAINED = ReportStatus.EXPLAINED.value
MERGED = ReportStatus.MERGED.value

ENDINGS = (RESOLVED, ESCALATED, EXPLAINED, MERGED)
DECISIONS = (RESOLVED, ESCALATED, EXPLAINED)

# (from, to) -> the roles that may make that move.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (NEW, IN_PROGRESS): frozenset({"coach"}),
    (NEW, MERGED): frozenset({"coach"}),
    (IN_PROGRESS, RESOLVED): frozenset({"coach"}),
    (IN_PROGRESS, ESCALATED): frozenset({"coach"}),
    (IN_PROGRESS, EXPLAINED): frozenset({"coach"}),
    (IN_PROGRESS, MERGED): frozenset({"coach"}),
    # Reopening an ended report.
    (RESOLVED, IN_PROGRESS): frozenset({"coach"}),
    (ESCALATED, IN_PROGRESS): frozenset({"coach"}),
    (EXPLAINED, IN_PROGRESS): frozenset({"coach"}),
    (MERGED, IN_PROGRESS): frozenset({"coach"}),
}

# Who writes internal notes and messages to the reporter (no change of status): the roles
# that read the internal notes.
WRITER_ROLES = frozenset(NOTE_ROLES)

HEADLINES = {
    IN_PROGRESS: _l("een ontregelcoach gaat erachteraan"),
    RESOLVED: _l("opgelost"),
    ESCALATED: _l("landelijk geagendeerd"),
    EXPLAINED: _l("de regel blijft, met uitleg"),
    MERGED: _l("samengevoegd met een eerdere melding"),
}


class ReportConflict(ConflictError):
    """Someone else changed the report since `viewer`'s page was loaded."""

    def __init__(self, report: Report, viewer: User | None):
        last = report.events[-1] if report.events else None
        names = {"status": report.status_enum.label}
        if last is not None and last.actor_id is not None:
            names["actor"] = name_for(viewer, last.actor)
        if report.assignee:
            names["assignee"] = name_for(viewer, report.assignee)
        changed = {
            ("actor", "assignee"): N_(
                "Deze melding is intussen gewijzigd door %(actor)s. De status is nu: %(status)s, en %(assignee)s "
                "gaat erachteraan. Uw wijziging is niet opgeslagen; bekijk de actuele stand en probeer het zo "
                "nodig opnieuw."
            ),
            ("actor",): N_(
                "Deze melding is intussen gewijzigd door %(actor)s. De status is nu: %(status)s. Uw wijziging is "
                "niet opgeslagen; bekijk de actuele stand en probeer het zo nodig opnieuw."
            ),
            ("assignee",): N_(
                "Deze melding is intussen gewijzigd. De status is nu: %(status)s, en %(assignee)s gaat "
                "erachteraan. Uw wijziging is niet opgeslagen; bekijk de actuele stand en probeer het zo nodig "
                "opnieuw."
            ),
            (): N_(
                "Deze melding is intussen gewijzigd. De status is nu: %(status)s. Uw wijziging is niet "
                "opgeslagen; bekijk de actuele stand en probeer het zo nodig opnieuw."
            ),
        }
        super().__init__(gettext(changed[tuple(key for key in ("actor", "assignee") if key in names)], **names))
        self.report = report


def allowed(report: Report, to: str, user: User) -> bool:
    """The transition table alone: may `user`'s roles move `report` to `to`?"""
    roles = TRANSITIONS.get((report.status, to))
    return bool(roles) and user.has_role(*roles)


@dataclass(frozen=True)
class ReportActions:
    """What a user may do with a report now. The one answer, derived from the transition
    table; pages show what it allows and the services below refuse what it does not."""

    take_on: bool = False
    assign: bool = False
    outcomes: tuple[str, ...] = ()  # the decisions that can end it now
    merge: bool = False
    reopen: bool = False
    note: bool = False
    update: bool = False
    estimate: bool = False  # give or change the impact estimate (as a coach)
    moves: tuple[str, ...] = ()  # every status the board may move it to
    # Staff who would act here but follow this report anonymously: they do nothing with it.
    withheld: bool = False

    @property
    def decide(self) -> bool:
        return bool(self.outcomes)

    @property
    def handles(self) -> bool:
        return self.take_on or self.assign or self.decide or self.merge or self.reopen


NO_ACTIONS = ReportActions()


def report_actions(report: Report, user: User | None, *, anonymous: bool | None = None) -> ReportActions:
    """`anonymous`: whether `user` follows the report anonymously, when the caller already
    knows (a list asks app.anonymity.anonymously_followed once for all its reports)."""
    if user is None or not user.is_authenticated or not user.active:
        return NO_ACTIONS
    moves = tuple(to for (from_status, to) in TRANSITIONS if from_status == report.status and allowed(report, to, user))
    writes = user.has_role(*WRITER_ROLES)
    if follows_anonymously(user, report) if anonymous is None else anonymous:
        return ReportActions(withheld=bool(moves) or writes)
    # Who may take a new report on may also say who follows up while it is open.
    assigners = TRANSITIONS[(NEW, IN_PROGRESS)]
    assign = report.is_open and user.has_role(*assigners)
    outcomes = tuple(
        outcome
        for outcome in DECISIONS
        if (report.status == IN_PROGRESS and allowed(report, outcome, user))
        # Decided straight away (the weekly session): taken on and ended in one go.
        or (
            report.status == NEW
            and allowed(report, IN_PROGRESS, user)
            and user.has_role(*TRANSITIONS[(IN_PROGRESS, outcome)])
        )
    )
    return ReportActions(
        take_on=assign and report.assignee_id != user.id,
        assign=assign,
        outcomes=outcomes,
        merge=MERGED in moves,
        reopen=report.status in ENDINGS and IN_PROGRESS in moves,
        note=writes,
        update=writes,
        estimate=user.has_role(*ESTIMATE_ROLES),
        moves=moves,
    )


def report_actions_for(reports, user: User | None, anonymous_ids: set[int]) -> dict[int, ReportActions]:
    """report_actions for every report of a list (the board): reports alike in what
    report_actions reads (status, whether the user follows it up, whether they follow it
    anonymously) get the same answer, worked out once."""
    known: dict[tuple, ReportActions] = {}
    answers = {}
    for report in reports:
        anonymous = report.id in anonymous_ids
        key = (report.status, user is not None and report.assignee_id == user.id, anonymous)
        if key not in known:
            known[key] = report_actions(report, user, anonymous=anonymous)
        answers[report.id] = known[key]
    return answers


# Roles that change a report's status at all (take on, decide, merge, reopen).
HANDLER_ROLES = frozenset().union(*TRANSITIONS.values())
# Who sets a report's impact estimate at any time (and confirms it when solving): the
# roles that solve a report.
ESTIMATE_ROLES = TRANSITIONS[(IN_PROGRESS, RESOLVED)]
# decide_report's estimate when the caller offered none.
KEEP = object()


def may_estimate(report: Report, user: User | None) -> bool:
    """Who may give or change the impact estimate of `report`: a coach (report_actions), and
    its reporter (named or anonymous) while the report is open."""
    if user is None or not user.is_authenticated or not user.active:
        return False
    if report.is_open and is_reporter(user, report):
        return True
    return report_actions(report, user).estimate


ONLY_COACHES = N_("Alleen ontregelcoaches kunnen dit doen.")
# Said only to the person it is about, who knows they reported it (translated where it is said).
# A decision's text: the explanation, with what changed or the law article.
DECIDED_WHAT_CHANGED = StoredText(N_("%(explanation)s\n\nWat er veranderd is: %(what_changed)s"))
DECIDED_LAW = StoredText(N_("%(explanation)s\n\nWetsartikel: %(law)s"))
# Lines the workflow writes on a report's timeline (stored in Dutch, shown in the reader's
# language: app.i18n.StoredText).
ASSIGNED = StoredText(N_("%(name)s gaat erachteraan."))
ASSIGNED_INSTEAD = StoredText(N_("%(name)s gaat erachteraan, in plaats van %(former)s."))
MERGED_INTO = StoredText(N_("Samengevoegd met %(reference)s. %(explanation)s"))
MERGED_IN = StoredText(N_("Melding %(reference)s (%(rule)s) is met deze melding samengevoegd."))

WITHHELD = N_("U volgt deze melding anoniem. Om uw anonimiteit te beschermen, handelt een collega hem af.")
WITHHELD_TARGET = N_(
    "U volgt die melding anoniem. Om uw anonimiteit te beschermen, laat u dit samenvoegen aan een collega over."
)


def _actions(report: Report, actor: User, roles=HANDLER_ROLES, message: str = ONLY_COACHES) -> ReportActions:
    """What `actor` may do with `report`; refuses at once who may do nothing here."""
    if not actor.has_role(*roles):
        raise DomainError(gettext(message))
    actions = report_actions(report, actor)
    if actions.withheld:
        raise DomainError(gettext(WITHHELD))
    return actions


def _check_version(report: Report, expected_version: int | None, viewer: User) -> None:
    if expected_version is not None and int(expected_version) != report.version:
        raise ReportConflict(report, viewer)


def _text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(gettext(message), field=field)
    if len(value) > TEXT_MAX:
        raise DomainError(gettext("Gebruik maximaal %(max)d tekens.", max=TEXT_MAX), field=field)
    return value


def _transition(
    report: Report, to: str, actor: User | None, *, text: str | None, public: bool = True, by_table: bool = True
) -> None:
    """`by_table=False`: the two moves outside the table, made by Rode Knop itself rather
    than by a coach: a report handed back to Nieuw when its coach's account ends
    (hand_over_report), and a solved report back on the board when someone who follows it
    answers 'Merkbaar beter?' with no (reopen_after_checkback)."""
    if by_table and not allowed(report, to, actor):
        raise DomainError(
            gettext(
                "Van %(from_status)s naar %(to_status)s kan niet.",
                from_status=report.status_enum.label,
                to_status=ReportStatus(to).label,
            )
        )
    from_status = report.status
    report.status = to
    report.version += 1
    now = utcnow()
    report.last_activity_at = now
    report.updated_at = now
    report.resolved_at = now if to == RESOLVED else (None if to in (NEW, IN_PROGRESS) else report.resolved_at)
    report.note_first_steps(from_status, to, now)
    record_event(
        report,
        EventKind.STATUS_CHANGED,
        actor=actor,
        from_status=from_status,
        to_status=to,
        text=text,
        is_public=public,
    )


# Who can be the one who follows a report up.
FOLLOW_UP_ROLE = "coach"


def may_follow_up(user: User | None) -> bool:
    """Who can be the one who follows a report up: an active ontregelcoach (a person, not
    the service account of an integration)."""
    return user is not None and user.active and not user.is_service_account and user.has_role(FOLLOW_UP_ROLE)


def _assign(report: Report, assignee: User, actor: User, *, text: str | None = None, notify: bool = True) -> None:
    if not may_follow_up(assignee):
        raise DomainError(gettext("Kies een ontregelcoach."), field="assignee_id")
    if report.assignee_id == assignee.id:
        return
    report.assignee = assignee
    report.version += 1
    report.last_activity_at = utcnow()
    record_event(
        report,
        EventKind.ASSIGNED,
        actor=actor,
        text=text or ASSIGNED.store(name=assignee.name),
    )
    if notify and assignee.id != actor.id:
        enqueue(
            assignee,
            "assigned",
            _l("%(reference)s is aan u toegewezen", reference=report.reference),
            report=report,
            actor=actor,
            url=external_url("reports.detail", reference=report.reference),
            kind="assigned",
        )


def take_on(report: Report, coach: User, *, expected_version: int | None = None) -> None:
    """'Ik pak hem op': the coach follows up on this report."""
    assign_report(report, coach, actor=coach, expected_version=expected_version)


def assign_report(report: Report, assignee: User, *, actor: User, expected_version: int | None = None) -> None:
    """Decide who follows up (wie gaat erachteraan). A new report goes to In behandeling."""
    actions = _actions(report, actor)
    _check_version(report, expected_version, actor)
    if not actions.assign:
        raise DomainError(gettext("Deze melding is afgerond. Heropen hem eerst."))
    _assign(report, assignee, actor)
    if report.status == NEW:
        _transition(report, IN_PROGRESS, actor, text=None)
        notify_followers(
            report, HEADLINES[IN_PROGRESS], text=_l("%(name)s gaat erachteraan.", name=assignee.name), exclude=actor
        )
    db.session.flush()


def decide_report(
    report: Report,
    *,
    actor: User,
    outcome: str,
    explanation: str | None,
    what_changed: str | None = None,
    legal: LegalReference | None = None,
    dossier: Dossier | None = None,
    expected_version: int | None = None,
    estimate: Estimate | object | None = KEEP,
    text_public: bool = False,
) -> None:
    """End a report as opgelost, geëscaleerd or uitgelegd, with an explanation for the reporter.
    Escalating links the report to the dossier about its law article (created if needed).
    Solving it confirms the impact `estimate` the coach saw (None: no estimate; KEEP: the
    caller offered none, nothing is confirmed). `text_public`: the coach marks the report's
    texts as fit for the open data (app.opendata.data)."""
    actions = _actions(report, actor)
    _check_version(report, expected_version, actor)
    if outcome not in DECISIONS:
        raise DomainError(gettext("Kies een besluit."), field="outcome")
    if outcome not in actions.outcomes:
        raise DomainError(gettext("Deze melding is al afgerond. Heropen hem eerst."))
    explanation = _text(explanation, "explanation", N_("Schrijf voor de melder op wat er besloten is en waarom."))
    if outcome == RESOLVED:
        what_changed = _text(what_changed, "what_changed", N_("Beschrijf wat er veranderd is."))
    if outcome == ESCALATED and dossier is None:
        legal = validate_reference(legal or LegalReference(""))
    if report.status == NEW:
        # Decided straight away in the weekly session: the deciding coach took it on.
        if report.assignee is None:
            _assign(report, actor, actor)
        _transition(report, IN_PROGRESS, actor, text=None)
    report.explanation = explanation
    if outcome == RESOLVED:
        report.outcome = what_changed
    # The timeline's text (in Dutch) and the followers' mail (in their language).
    text = mail_text = explanation
    if outcome == RESOLVED:
        parts = {"explanation": explanation, "what_changed": what_changed}
        text, mail_text = DECIDED_WHAT_CHANGED.store(**parts), _l(DECIDED_WHAT_CHANGED.msgid, **parts)
    if outcome == ESCALATED:
        attached = attach_to_dossier(report, legal or LegalReference(dossier.law_title), actor=actor, dossier=dossier)
        parts = {"explanation": explanation, "law": attached.legal_reference}
        text, mail_text = DECIDED_LAW.store(**parts), _l(DECIDED_LAW.msgid, **parts)
    _transition(report, outcome, actor, text=text)
    report.text_public = bool(text_public)
    if outcome == RESOLVED and estimate is not KEEP:
        had_estimate = report.has_estimate
        store_estimate(report, estimate, confirmed_by=actor)
        if estimate is not None or had_estimate:
            record_estimate(report, estimate, actor=actor, confirmed=estimate is not None)
    notify_followers(report, HEADLINES[outcome], text=mail_text, exclude=None)
    db.session.flush()


def record_estimate(report: Report, estimate: Estimate | None, *, actor: User | None, confirmed: bool) -> None:
    """The estimate's line on the timeline. `actor` None: the anonymous reporter, who reads as
    'Anoniem' there (app.anonymity.event_actor_name) and only to the day."""
    if estimate is None:
        text = "Schatting van de impact verwijderd."
    elif confirmed:
        text = f"Schatting bevestigd: {estimate.sentence()}"
    else:
        text = f"Schatting: {estimate.sentence()}"
    record_event(report, EventKind.ESTIMATED, actor=actor, text=text)


def set_estimate(
    report: Report, *, actor: User, estimate: Estimate | None, expected_version: int | None = None
) -> None:
    """Give, change or (None) remove the impact estimate of `report` (see may_estimate). A
    coach's change to a solved report is that coach's confirmation; any other change leaves
    it unconfirmed until the report is solved. The anonymous reporter's change is recorded
    without an actor: nobody can see who gave it."""
    if not may_estimate(report, actor):
        if follows_anonymously(actor, report):
            raise DomainError(gettext(WITHHELD))
        raise DomainError(gettext("U kunt de schatting van deze melding niet wijzigen."))
    _check_version(report, expected_version, actor)
    coach = report_actions(report, actor).estimate
    confirmed = coach and report.status == RESOLVED and estimate is not None
    if estimate == estimate_of(report) and (report.impact_confirmed_at is not None or not confirmed):
        return
    store_estimate(report, estimate, confirmed_by=actor if confirmed else None)
    report.version += 1
    anonymous = report.is_anonymous and not coach
    record_estimate(report, estimate, actor=None if anonymous else actor, confirmed=confirmed)
    if coach:
        report.last_activity_at = utcnow()
    db.session.flush()


def check_merge(report: Report, target: Report, *, actor: User, expected_version: int | None = None) -> None:
    """Refuse (DomainError) a merge of `report` into `target` that merge_report would
    refuse, before anything changes: a preview asks this."""
    actions = _actions(report, actor)
    _check_version(report, expected_version, actor)
    if target.id == report.id:
        raise DomainError(gettext("Een melding kan niet met zichzelf worden samengevoegd."), field="target")
    if target.status == MERGED:
        raise DomainError(
            gettext("Die melding is zelf al samengevoegd. Kies de melding waarmee hij is samengevoegd."), field="target"
        )
    if not actions.merge:
        raise DomainError(gettext("Deze melding kan nu niet worden samengevoegd."))
    if follows_anonymously(actor, target):
        raise DomainError(gettext(WITHHELD_TARGET), field="target")


def merge_report(
    report: Report,
    target: Report,
    *,
    actor: User,
    explanation: str | None,
    expected_version: int | None = None,
) -> None:
    """Merge a report into an earlier one about the same rule. Its reporter and supporters
    follow the target from now on, as they followed this one: named or anonymously.

    What the merge adds to the target must look the same whoever is anonymous: every
    anonymous follower becomes a new anonymous supporter of the target, also when they
    already follow it (otherwise the count would stay put exactly when the anonymous person
    is the target's reporter or a supporter, and name them). Only a named follower who
    already follows the target by name is not added twice; that is visible from the names
    on both sides anyway."""
    check_merge(report, target, actor=actor, expected_version=expected_version)
    explanation = _text(explanation, "explanation", N_("Schrijf voor de melder op waarom deze meldingen samengaan."))
    # The target's followers as they were: they hear of the merge below.
    told = followers(target)
    named = {s.user_id for s in target.supports if not s.anonymous} | (
        {target.reporter_id} if target.reporter_id and not target.is_anonymous else set()
    )
    moving = [(s.user_id, s.follower_pseudonym, s.anonymous, s.note) for s in report.supports]
    note = f"Melding {report.reference}: {report.rule}"
    if report.is_anonymous:
        if report.reporter_pseudonym:
            moving.insert(0, (None, report.reporter_pseudonym, True, note))
    elif report.reporter_id:
        moving.insert(0, (report.reporter_id, None, False, note))
    for user_id, follower_pseudonym, anonymous, support_note in moving:
        if anonymous:
            if follower_pseudonym:
                db.session.add(
                    Support(
                        report_id=target.id, follower_pseudonym=follower_pseudonym, anonymous=True, note=support_note
                    )
                )
        elif user_id is not None and user_id not in named:
            db.session.add(Support(report_id=target.id, user_id=user_id, note=support_note))
            named.add(user_id)
    report.duplicate_of_id = target.id
    report.explanation = explanation
    _transition(report, MERGED, actor, text=MERGED_INTO.store(reference=target.reference, explanation=explanation))
    record_event(
        target,
        EventKind.MERGED_IN,
        actor=actor,
        text=MERGED_IN.store(reference=report.reference, rule=report.rule),
    )
    target.last_activity_at = utcnow()
    notify_followers(report, _l("samengevoegd met %(reference)s", reference=target.reference), text=explanation)
    # The target's own followers hear that more colleagues run into the same rule.
    for follower in told:
        if not follower.anonymous and follower.user.id == actor.id:
            continue
        enqueue(
            follower.user,
            "report_update",
            _l("%(reference)s: een vergelijkbare melding is samengevoegd", reference=target.reference),
            anonymous=follower.anonymous,
            report=target,
            headline=_l("een vergelijkbare melding is hiermee samengevoegd"),
            text=_l(
                "Melding %(reference)s ging over dezelfde regel. Wie die melding deed of steunde, volgt nu deze melding.",
                reference=report.reference,
            ),
            is_reporter=follower.is_reporter,
            url=external_url("reports.detail", reference=target.reference),
            kind=follower_kind(follower.is_reporter),
        )
    db.session.flush()


def _forget_ending(report: Report) -> None:
    """A report that is open again (a coach reopened it, or 'Merkbaar beter?' was answered
    no) is no longer merged into another, and when it ends again the coach decides again
    whether its texts may be public."""
    report.duplicate_of_id = None
    report.text_public = False


def reopen_report(report: Report, *, actor: User, reason: str | None, expected_version: int | None = None) -> None:
    """A coach reopens an ended report; the reporter hears why."""
    actions = _actions(report, actor)
    _check_version(report, expected_version, actor)
    if not actions.reopen:
        raise DomainError(gettext("Alleen een afgeronde melding kan worden heropend."))
    reason = _text(reason, "reason", N_("Schrijf op waarom de melding weer open gaat."))
    _forget_ending(report)
    _transition(report, IN_PROGRESS, actor, text=reason)
    record_event(report, EventKind.REOPENED, actor=actor, text=reason)
    if report.assignee is None:
        _assign(report, actor, actor)
    notify_followers(report, _l("heropend"), text=reason, exclude=actor)
    db.session.flush()


# The timeline's text (in Dutch) and the followers' mail (in their language).
CHECKBACK_REOPENED = N_(
    "Iemand die deze melding volgt, merkt geen verbetering. De melding is daarom heropend: "
    "een ontregelcoach kijkt er opnieuw naar."
)
StoredText(CHECKBACK_REOPENED)


def reopen_after_checkback(report: Report) -> None:
    """Someone who follows `report` answered 'Merkbaar beter?' with no (their answer and
    comment are in the timeline already, app.services.checkback): the report goes back on
    the board. With its coach still there, to In behandeling and the coach hears why;
    without one, to Nieuw, so that the weekly session takes it up. Rode Knop makes the move
    (no actor): naming the answerer stays with their answer's line of the timeline."""
    if report.status != RESOLVED:
        return
    _forget_ending(report)
    coach = report.assignee if may_follow_up(report.assignee) else None
    if coach is None:
        report.assignee = None
    _transition(report, IN_PROGRESS if coach else NEW, None, text=CHECKBACK_REOPENED, by_table=False)
    record_event(report, EventKind.REOPENED, actor=None, text=CHECKBACK_REOPENED)
    if coach is not None:
        enqueue(
            coach,
            "checkback_reopened",
            _l("%(reference)s is heropend: geen verbetering gemerkt", reference=report.reference),
            report=report,
            url=external_url("reports.detail", reference=report.reference),
            kind="assigned",
        )
    notify_followers(report, _l("heropend"), text=_l(CHECKBACK_REOPENED))
    db.session.flush()


def add_note(report: Report, *, actor: User, text: str | None) -> None:
    """An internal note: only coaches and legal staff see it."""
    _actions(report, actor, WRITER_ROLES, N_("Alleen ontregelcoaches en Juridische Zaken kunnen notities maken."))
    text = _text(text, "text", N_("Schrijf een notitie."))
    record_event(report, EventKind.NOTE, actor=actor, text=text, is_public=False)
    report.last_activity_at = utcnow()
    db.session.flush()


def post_update(report: Report, *, actor: User, text: str | None) -> None:
    """A public update: the reporter and supporters read it and get a mail."""
    _actions(report, actor, WRITER_ROLES, N_("Alleen ontregelcoaches en Juridische Zaken kunnen berichten sturen."))
    text = _text(text, "text", N_("Schrijf een bericht voor de melder."))
    record_event(report, EventKind.PUBLIC_UPDATE, actor=actor, text=text, is_public=True)
    report.last_activity_at = utcnow()
    notify_followers(report, _l("nieuw bericht"), text=text, exclude=actor)
    db.session.flush()


def hand_over_report(report: Report, to: User | None, *, actor: User, former: User) -> None:
    """`former`'s account ends (or loses the coach role): the open report they follow up
    goes to coach `to`, or, with nobody, back to Nieuw without a coach, so that the weekly
    session takes it up again. The beheerder does it; the new coach gets one mail for all
    of it (app.services.handover), none here."""
    if not report.is_open or report.assignee_id != former.id:
        return
    if to is not None:
        _assign(report, to, actor, text=ASSIGNED_INSTEAD.store(name=to.name, former=former.name), notify=False)
        return
    report.assignee = None
    report.version += 1
    text = f"{former.name} werkt niet meer met Rode Knop. De melding komt terug in het weekoverleg."
    if report.status == IN_PROGRESS:
        _transition(report, NEW, actor, text=text, by_table=False)
    else:
        report.last_activity_at = utcnow()
        record_event(report, EventKind.ASSIGNED, actor=actor, text=text)
