"""The coaches' triage board: every open report and what ended recently, in columns, with
filters; on each card 'Ik pak hem op' and 'Verplaats naar…' (also by drag-and-drop). What
a card offers is what app.services.workflow.report_actions allows this user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, or_
from sqlalchemy.orm import joinedload

from app.anonymity import anonymously_followed
from app.board.forms import MoveForm
from app.extensions import db
from app.forms import parse_id
from app.models import Department, Report, User
from app.models.base import utcnow
from app.models.report import STATUS_LABELS, ReportStatus, overdue_cutoff
from app.permissions import area_required, role_required
from app.reports.forms import TakeOnForm
from app.search import SEARCH_MAX, clean_search, support_counts, text_condition
from app.services import DomainError, workflow
from app.services.reports import get_by_reference
from app.services.users import active_coaches
from app.web import Failure, csrf_failed, rerender_on_csrf_error, run_form

bp = Blueprint("board", __name__)

NEW = workflow.NEW
IN_PROGRESS = workflow.IN_PROGRESS
ESCALATED = workflow.ESCALATED
DONE = (workflow.RESOLVED, workflow.EXPLAINED, workflow.MERGED)

# Enough for any municipality's board; beyond it the filters are the way in.
BOARD_LIMIT = 500
FILTER_KEYS = ("afdeling", "coach", "mijn", "stil", "zoek")
NOBODY = "geen"


def _report_or_404(reference: str) -> Report:
    report = get_by_reference(reference)
    if report is None:
        abort(404)
    return report


def days_label(days: int) -> str:
    if days <= 0:
        return "vandaag"
    return "1 dag" if days == 1 else f"{days} dagen"


# --- the board ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    statuses: tuple[str, ...]
    empty: str


COLUMNS = (
    Column("nieuw", "Nieuw", (NEW,), "Geen nieuwe meldingen."),
    Column("in-behandeling", "In behandeling", (IN_PROGRESS,), "Niets in behandeling."),
    Column("geescaleerd", "Geëscaleerd", (ESCALATED,), "Niets geëscaleerd."),
    Column("afgerond", "Afgerond", DONE, "Niets afgerond in deze periode."),
)


@dataclass
class BoardFilters:
    department_id: int | None = None
    coach: int | str | None = None  # a coach's id, or NOBODY
    mine: bool = False
    overdue: bool = False
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.department_id or self.coach or self.mine or self.overdue or self.text)


def read_filters(args, departments: list[Department], coaches: list[User]) -> BoardFilters:
    """Only values from the allow-lists count; anything else is ignored."""
    filters = BoardFilters()
    department_id = parse_id(args.get("afdeling"))
    if department_id in {d.id for d in departments}:
        filters.department_id = department_id
    coach = (args.get("coach") or "").strip()
    if coach == NOBODY:
        filters.coach = NOBODY
    elif parse_id(coach) in {c.id for c in coaches}:
        filters.coach = parse_id(coach)
    filters.mine = args.get("mijn") == "1"
    filters.overdue = args.get("stil") == "1"
    filters.text = clean_search(args.get("zoek"))
    return filters


def filter_args() -> dict[str, str]:
    """The board's query string as it came in, to return to the same view after an action
    (the board itself checks it again)."""
    return {key: request.args[key][:SEARCH_MAX] for key in FILTER_KEYS if request.args.get(key)}


def board_statement(filters: BoardFilters, user: User, now: datetime):
    config = current_app.config
    recent = now - timedelta(days=config["RECENT_DONE_DAYS"])
    stmt = (
        db.select(Report)
        # Department is joined by the model; the assignee's roles are not needed here.
        .options(joinedload(Report.assignee).lazyload(User.role_rows))
        .where(
            or_(
                Report.status.in_((NEW, IN_PROGRESS, ESCALATED)),
                and_(Report.status.in_(DONE), Report.last_activity_at >= recent),
            )
        )
    )
    if filters.department_id:
        stmt = stmt.where(Report.department_id == filters.department_id)
    if filters.coach == NOBODY:
        stmt = stmt.where(Report.assignee_id.is_(None))
    elif filters.coach:
        stmt = stmt.where(Report.assignee_id == filters.coach)
    if filters.mine:
        stmt = stmt.where(Report.assignee_id == user.id)
    if filters.overdue:
        stmt = stmt.where(Report.is_overdue(overdue_cutoff(now)))
    if filters.text:
        # The one typo-tolerant search (app.search), as a subquery on its index.
        stmt = stmt.where(text_condition(filters.text))
    # Newest first, so that a board over its limit leaves out the oldest cards, never new ones.
    return stmt.order_by(Report.created_at.desc(), Report.id.desc()).limit(BOARD_LIMIT + 1)


@dataclass
class MoveOption:
    to: str
    label: str


def move_options(actions: workflow.ReportActions, report: Report) -> list[MoveOption]:
    """The moves this user may make; endings ask for an explanation on the report page first."""
    options = []
    for to in actions.moves:
        label = STATUS_LABELS[ReportStatus(to)]
        if to == IN_PROGRESS:
            label += " (ik pak hem op)" if report.status == NEW else " (heropenen, met reden)"
        elif to == workflow.MERGED:
            label += " (melding kiezen)"
        else:
            label += " (uitleg schrijven)"
        options.append(MoveOption(to, label))
    return options


@dataclass
class Card:
    report: Report
    supporters: int
    age: str
    overdue: bool
    idle: str
    moves: list[MoveOption]
    can_take_on: bool
    decidable: bool  # an ending can be chosen for it on the report page


@dataclass
class BoardError:
    """A move that did not happen, shown at the top and on the card itself."""

    reference: str
    message: str
    title: str = "Dat lukte niet"
    on_select: bool = False


def _render_board(*, error: BoardError | None = None, status: int = 200):
    now = utcnow()
    departments = list(db.session.scalars(db.select(Department).order_by(Department.name)))
    coaches = active_coaches()
    filters = read_filters(request.args, departments, coaches)
    reports = list(db.session.scalars(board_statement(filters, current_user, now)).unique())
    truncated = len(reports) > BOARD_LIMIT
    # On the board the longest waiting card comes first.
    reports = sorted(reports[:BOARD_LIMIT], key=lambda report: (report.created_at, report.id))
    counts = support_counts([r.id for r in reports])
    cutoff = overdue_cutoff(now)
    anonymous = anonymously_followed(current_user, reports)
    columns = []
    for column in COLUMNS:
        cards = []
        for report in reports:
            if report.status not in column.statuses:
                continue
            actions = workflow.report_actions(report, current_user, anonymous=report.id in anonymous)
            cards.append(
                Card(
                    report=report,
                    supporters=counts.get(report.id, 0),
                    age=days_label((now - report.created_at).days),
                    overdue=report.is_overdue(cutoff),
                    idle=days_label((now - report.last_activity_at).days),
                    moves=move_options(actions, report),
                    can_take_on=actions.take_on,
                    decidable=actions.decide,
                )
            )
        if column.statuses == DONE:
            cards.sort(key=lambda card: card.report.last_activity_at, reverse=True)
        columns.append((column, cards))
    return (
        render_template(
            "board/index.html",
            columns=columns,
            filters=filters,
            departments=departments,
            coaches=coaches,
            can_act=current_user.has_role(*workflow.HANDLER_ROLES),
            truncated=truncated,
            error=error,
            args=filter_args(),
            overdue_days=current_app.config["OVERDUE_DAYS"],
            recent_days=current_app.config["RECENT_DONE_DAYS"],
        ),
        status,
    )


@bp.route("/")
@area_required("board")
def index():
    return _render_board()


def _board_url(reference: str | None = None) -> str:
    return url_for("board.index", **filter_args(), _anchor=f"kaart-{reference}" if reference else None)


def _card_failure(report: Report, failure: Failure, field=None):
    """The board again, with what went wrong at the top and on the card."""
    form = failure.form
    if csrf_failed(form):
        return _render_board(
            error=BoardError(report.reference, "Het formulier was verlopen. Probeer het opnieuw."),
            status=failure.status,
        )
    if failure.conflict:
        return _render_board(
            error=BoardError(report.reference, failure.conflict, title="Iemand anders was u voor"),
            status=failure.status,
        )
    field_errors = field.errors if field is not None else []
    messages = list(field_errors) + list(form.form_errors)
    if not messages:
        messages = [message for errors in form.errors.values() for message in errors] or [
            "Het formulier was verlopen. Probeer het opnieuw."
        ]
    return _render_board(
        error=BoardError(report.reference, messages[0], on_select=bool(field_errors)), status=failure.status
    )


def _card_action(report: Report, form, perform, field=None):
    return run_form(
        form,
        perform,
        success=f"U gaat achter {report.reference} aan.",
        redirect_to=lambda: _board_url(report.reference),
        render=lambda failure: _card_failure(report, failure, field),
        current_version=report.version,
        conflict=lambda: workflow.ReportConflict(report, current_user),
    )


@bp.route("/meldingen/<reference>/oppakken", methods=["POST"])
@role_required(*workflow.HANDLER_ROLES)
@rerender_on_csrf_error
def take_on(reference: str):
    """'Ik pak hem op' on a card: back to the board, on the same card."""
    report = _report_or_404(reference)
    form = TakeOnForm(prefix="oppakken")
    return _card_action(
        report, form, lambda: workflow.take_on(report, current_user, expected_version=form.expected_version)
    )


@bp.route("/meldingen/<reference>/verplaatsen", methods=["POST"])
@role_required(*workflow.HANDLER_ROLES)
@rerender_on_csrf_error
def move(reference: str):
    """'Verplaats naar…' on a card (also what drag-and-drop submits). Taking a new report on
    happens here; every other move needs words for the reporter, written on the report page."""
    report = _report_or_404(reference)
    form = MoveForm(prefix="verplaats")
    elsewhere: list[str] = []

    def perform():
        to = form.to.data
        actions = workflow.report_actions(report, current_user)
        if actions.withheld:
            raise DomainError(workflow.WITHHELD)
        if to not in actions.moves:
            raise DomainError(
                f"Van {report.status_enum.label} naar {STATUS_LABELS[ReportStatus(to)]} kan niet.", field="to"
            )
        if to == IN_PROGRESS and report.status == NEW:
            workflow.take_on(report, current_user, expected_version=form.expected_version)
            return None
        if to == IN_PROGRESS:
            elsewhere.append(url_for("reports.detail", reference=report.reference, _anchor="heropenen"))
            return (f"Schrijf op waarom {report.reference} weer open gaat.", "info")
        if to == workflow.MERGED:
            elsewhere.append(url_for("reports.detail", reference=report.reference, _anchor="samenvoegen"))
            return (f"Kies de melding waarmee {report.reference} samengaat en leg uit waarom.", "info")
        elsewhere.append(url_for("reports.detail", reference=report.reference, besluit=to, _anchor="besluit"))
        return (
            f"Schrijf voor de melder op wat er besloten is en waarom. Pas dan wordt {report.reference} afgerond.",
            "info",
        )

    return run_form(
        form,
        perform,
        success=f"U gaat achter {report.reference} aan.",
        redirect_to=lambda: elsewhere[0] if elsewhere else _board_url(report.reference),
        render=lambda failure: _card_failure(report, failure, form.to),
        current_version=report.version,
        conflict=lambda: workflow.ReportConflict(report, current_user),
    )
