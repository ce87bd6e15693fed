"""'Merkbaar beter?': some weeks after a report was solved, its reporter and supporters are
asked once whether things got noticeably better, through a signed, single-use, expiring
link per recipient that works without logging in. 'Nee' puts the report back on the board.

What is kept (app.models.checkback): per recipient an invitation (a hash of the link's
secret; a named recipient's user id; for an anonymous one nothing that points to them),
and per answer the answer, comment and moment, apart from the invitation: never who.
The dashboard reads the counts through checkback_answers."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.i18n import N_
from app.models import CheckbackAnswer, CheckbackInvite, Report, ReportStatus
from app.models.base import utcnow
from app.models.checkback import ANSWER_LABELS, NO, UNSURE, YES
from app.models.report import TEXT_MAX, EventKind
from app.notify import Follower, enqueue, external_url, follower_kind, followers, recipient_key
from app.services import DomainError
from app.services.reports import record_event
from app.services.workflow import reopen_after_checkback

# A report solved longer ago than the term plus this is not asked any more: switching the
# check on (or a scheduler that was down for days) does not mail about old solutions, and
# a missed day is still caught up.
CATCH_UP = timedelta(days=14)
LINK_MAX = 300  # longer than any link this makes; a longer one is not ours

# Why a link does not open the question (the page says it in Dutch).
USED = "used"
EXPIRED = "expired"
INVALID = "invalid"
# Translated where shown (the link's page).
LINK_PROBLEMS = {
    USED: (
        N_("U heeft deze vraag al beantwoord"),
        N_("Met deze link is al geantwoord. Elke link werkt één keer. Bedankt voor uw antwoord!"),
    ),
    EXPIRED: (
        N_("Deze link werkt niet meer"),
        N_(
            "De termijn om op deze vraag te antwoorden is voorbij. Wilt u toch iets laten weten over de melding? "
            "Log in bij Rode Knop en kijk bij Mijn meldingen."
        ),
    ),
    INVALID: (
        N_("Deze link klopt niet"),
        N_("De link is niet compleet of niet geldig. Kopieer de hele link uit de e-mail, of klik er direct op."),
    ),
}


# --- asking ----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="rode-knop-checkback")


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _max_age() -> int:
    return current_app.config["CHECKBACK_ANSWER_DAYS"] * 86400


def due_for_checkback(now: datetime) -> list[Report]:
    """Solved reports whose term (CHECKBACK_WEEKS) has passed, within the catch-up window."""
    weeks = current_app.config["CHECKBACK_WEEKS"]
    if not weeks:
        return []
    due = now - timedelta(weeks=weeks)
    return list(
        db.session.scalars(
            select(Report)
            .where(
                Report.status == ReportStatus.RESOLVED.value,
                Report.resolved_at <= due,
                Report.resolved_at > due - CATCH_UP,
            )
            .order_by(Report.resolved_at, Report.id)
        )
    )


def _recipient(report: Report, follower: Follower) -> str:
    """Who is asked about which solution, as one key: the same for a second run or a second
    scheduler (the unique column refuses the copy); for an anonymous follower built from
    their pseudonym, so it names nobody."""
    who = recipient_key(follower.user, follower.anonymous)
    return _hash(f"checkback:{report.id}:{report.resolved_at.isoformat()}:{who}")


def ask_checkback(report: Report, *, now: datetime | None = None) -> int:
    """Ask everyone who follows `report` (reporter and supporters, named or anonymously)
    'Merkbaar beter?', once per person and solution. Returns the number of mails queued.
    Someone who chose no mail about the report is not asked (and not asked later)."""
    now = now or utcnow()
    weeks = max((now - report.resolved_at).days // 7, 1)  # as it is, also when a run was missed
    queued = 0
    for follower in followers(report):
        key = _recipient(report, follower)
        if db.session.scalar(select(CheckbackInvite.id).where(CheckbackInvite.recipient_key == key)):
            continue
        secret = secrets.token_urlsafe(24)
        link = external_url("checkback.answer", checkback_token=_serializer().dumps(secret))
        expires_at = now + timedelta(seconds=_max_age())
        try:
            with db.session.begin_nested():
                invite = CheckbackInvite(
                    report_id=report.id,
                    solved_at=report.resolved_at,
                    recipient_key=key,
                    user_id=None if follower.anonymous else follower.user.id,
                    token_hash=_hash(secret),
                    expires_at=expires_at,
                    created_at=now,
                )
                db.session.add(invite)
                db.session.flush()  # a second scheduler's copy fails here, before any mail
                message = enqueue(
                    follower.user,
                    "checkback",
                    _l("Merkbaar beter? Uw ervaring met %(reference)s", reference=report.reference),
                    dedupe_key=f"checkback:{key}",
                    anonymous=follower.anonymous,
                    report=report,
                    is_reporter=follower.is_reporter,
                    weeks=weeks,
                    links={code: f"{link}?antwoord={ANSWER_WORDS[code]}" for code in ANSWER_LABELS},
                    labels=ANSWER_LABELS,
                    expires_at=expires_at,
                    kind=follower_kind(follower.is_reporter),
                )
                invite.mailed = message is not None
        except IntegrityError:  # another run asked them at this very moment
            continue
        queued += invite.mailed
    return queued


# --- answering -------------------------------------------------------------------------

# The answer as the mail's links carry it (?antwoord=nee): Dutch words, like the page.
ANSWER_WORDS = {YES: "ja", NO: "nee", UNSURE: "weet-niet"}
ANSWER_BY_WORD = {word: code for code, word in ANSWER_WORDS.items()}


@dataclass(frozen=True)
class LinkCheck:
    invite: CheckbackInvite | None
    problem: str | None  # USED, EXPIRED or INVALID when invite is None


def check_link(token: str, *, now: datetime | None = None) -> LinkCheck:
    """The invitation a link belongs to while it can still be answered; else why not."""
    now = now or utcnow()
    if not isinstance(token, str) or not token or len(token) > LINK_MAX:
        return LinkCheck(None, INVALID)
    serializer = _serializer()
    try:
        secret = serializer.loads(token, max_age=_max_age())
    except SignatureExpired:
        return LinkCheck(None, EXPIRED)
    except BadSignature:
        return LinkCheck(None, INVALID)
    if not isinstance(secret, str):
        return LinkCheck(None, INVALID)
    invite = db.session.scalar(select(CheckbackInvite).where(CheckbackInvite.token_hash == _hash(secret)))
    if invite is None:
        # Signed by us, so it was a real link: used (its hash is gone) or forgotten.
        return LinkCheck(None, USED)
    if invite.expires_at <= now:
        return LinkCheck(None, EXPIRED)
    return LinkCheck(invite, None)


def answer_checkback(invite: CheckbackInvite, answer: str | None, comment: str | None) -> CheckbackAnswer:
    """Record an answer given through `invite`'s link and use the link up. 'Nee' puts a
    report that is still solved as asked back on the board (app.services.workflow). The
    answer is stored without who gave it; the timeline names a named answerer as
    app.anonymity says and an anonymous one as 'Anoniem'. The caller commits."""
    if answer not in ANSWER_LABELS:
        raise DomainError(gettext("Kies ja, nee of weet ik niet."), field="answer")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > TEXT_MAX:
        raise DomainError(gettext("Gebruik maximaal %(max)d tekens.", max=TEXT_MAX), field="comment")
    # Single use, also when the same link is sent twice at once: whoever clears the hash first.
    used = db.session.execute(
        update(CheckbackInvite)
        .where(CheckbackInvite.id == invite.id, CheckbackInvite.token_hash.is_not(None))
        .values(token_hash=None, answered=True)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise DomainError(gettext(LINK_PROBLEMS[USED][1]))
    now = utcnow()
    stored = CheckbackAnswer(
        report_id=invite.report_id, solved_at=invite.solved_at, answer=answer, comment=comment, answered_at=now
    )
    db.session.add(stored)
    # The report as it is now, locked until commit: two 'nee's at once reopen it once.
    report = db.session.scalar(
        select(Report)
        .where(Report.id == invite.report_id)
        .with_for_update(of=Report)
        .execution_options(populate_existing=True)
    )
    text = f"Merkbaar beter? {ANSWER_LABELS[answer]}." + (f"\n\nToelichting: {comment}" if comment else "")
    answerer = invite.user if invite.user_id is not None else None
    # Internal: only the coaches and Juridische Zaken read the answer and the comment.
    record_event(report, EventKind.CHECKBACK, actor=answerer, text=text, is_public=False, at=now)
    if answer == NO and report.status == ReportStatus.RESOLVED.value and report.resolved_at == invite.solved_at:
        reopen_after_checkback(report)
    db.session.flush()
    return stored


# --- the figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckbackCounts:
    yes: int = 0
    no: int = 0
    unsure: int = 0
    unanswered: int = 0

    @property
    def asked(self) -> int:
        return self.yes + self.no + self.unsure + self.unanswered


def checkback_answers(start: datetime, end: datetime, department_id: int | None = None) -> CheckbackCounts:
    """For the dashboard: how the 'Merkbaar beter?' questions about reports solved in
    [start, end) (of one department, or all) were answered: ja, nee, weet niet, and how
    many mailed questions have no answer (yet). One SQL statement, whatever the data."""

    def scope(model):
        conditions = [model.solved_at >= start, model.solved_at < end]
        if department_id is not None:
            conditions.append(model.report_id.in_(select(Report.id).where(Report.department_id == department_id)))
        return conditions

    def count_of(answer: str):
        return func.coalesce(func.sum(case((CheckbackAnswer.answer == answer, 1), else_=0)), 0)

    answers = select(count_of(YES), count_of(NO), count_of(UNSURE)).where(*scope(CheckbackAnswer)).subquery()
    unanswered = (
        select(func.count(CheckbackInvite.id))
        .where(*scope(CheckbackInvite), CheckbackInvite.mailed.is_(True), CheckbackInvite.answered.is_(False))
        .scalar_subquery()
    )
    row = db.session.execute(select(answers, unanswered)).one()
    return CheckbackCounts(*(int(value or 0) for value in row))


# --- retention -------------------------------------------------------------------------


def _settled_before(before: datetime):
    return select(Report.id).where(Report.is_settled, Report.last_activity_at < before)


def forget_checkback_links(before: datetime, *, dry_run: bool = False) -> int:
    """With the anonymous links (RETENTION_ANONYMOUS_LINK_DAYS): the invitations about
    reports that ended for good before `before` no longer say who was asked, and their
    links stop working. The counts stay. Returns the number of invitations concerned."""
    concerned = (
        CheckbackInvite.report_id.in_(_settled_before(before)),
        (CheckbackInvite.recipient_key.is_not(None))
        | (CheckbackInvite.user_id.is_not(None))
        | (CheckbackInvite.token_hash.is_not(None)),
    )
    if dry_run:
        return db.session.scalar(select(func.count(CheckbackInvite.id)).where(*concerned)) or 0
    return (
        db.session.execute(
            update(CheckbackInvite)
            .where(*concerned)
            .values(recipient_key=None, user_id=None, token_hash=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


def forget_checkbacks(before: datetime, *, dry_run: bool = False) -> int:
    """With the report data (RETENTION_REPORT_DAYS): the questions and answers (with their
    free-text comments) about reports that ended for good before `before` are deleted.
    Returns the number of answers deleted."""
    reports = _settled_before(before)
    if dry_run:
        return (
            db.session.scalar(select(func.count(CheckbackAnswer.id)).where(CheckbackAnswer.report_id.in_(reports))) or 0
        )
    db.session.execute(delete(CheckbackInvite).where(CheckbackInvite.report_id.in_(reports)))
    return db.session.execute(delete(CheckbackAnswer).where(CheckbackAnswer.report_id.in_(reports))).rowcount or 0
