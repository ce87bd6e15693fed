"""The coaches' triage board: every open report and what ended recently, in columns of
compact cards, with filters. Each column shows its count and one page of cards at a time.
A card's actions ('Ik pak hem op', 'Verplaats naar…') live on one small page per report
(also what the board's single action dialog and drag-and-drop send); what they offer is
what app.services.workflow.report_actions allows this user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, func, literal_column, or_, union_all
from sqlalchemy.orm import joinedload, lazyload, load_only

from app.anonymity import anonymously_followed, name_for
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
from app.services.reports import get_by_reference, parse_reference
from app.services.users import active_coaches
from app.web import Failure, csrf_failed, rerender_on_csrf_error, run_form

bp = Blueprint("board", __name__)

NEW = workflow.NEW
IN_PROGRESS = workflow.IN_PROGRESS
ESCALATED = workflow.ESCALATED
DONE = (workflow.RESOLVED, workflow.EXPLAINED, workflow.MERGED)

# Cards per column per page: the page's size does not grow with the number of reports.
PAGE_SIZE = 25
FILTER_KEYS = ("afdeling", "coach", "mijn", "stil", "zoek")
# The card that was just moved: shown in its column even when it is not on that page.
MOVED_KEY = "kaart"
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

    @property
    def page_key(self) -> str:
        """The query parameter with the page of this column's cards."""
        return f"{self.key}-pagina"

    def order(self):
        # The longest waiting first; what ended, the latest first.
        if self.statuses == DONE:
            return (Report.last_activity_at.desc(), Report.id.desc())
        return (Report.created_at, Report.id)

    def sort(self, reports: list[Report]) -> list[Report]:
        """`reports` in the order of order(), for rows fetched by id."""
        if self.statuses == DONE:
            return sorted(reports, key=lambda r: (r.last_activity_at, r.id), reverse=True)
        return sorted(reports, key=lambda r: (r.created_at, r.id))


COLUMNS = (
    Column("nieuw", "Nieuw", (NEW,), "Geen nieuwe meldingen."),
    Column("in-behandeling", "In behandeling", (IN_PROGRESS,), "Niets in behandeling."),
    Column("geescaleerd", "Geëscaleerd", (ESCALATED,), "Niets geëscaleerd."),
    Column("afgerond", "Afgerond", DONE, "Niets afgerond in deze periode."),
)
PAGE_KEYS = tuple(column.page_key for column in COLUMNS)


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
    """The board's query string as it came in (filters and the page of each column), to
    return to the same view after an action (the board itself checks it again)."""
    return {key: request.args[key][:SEARCH_MAX] for key in FILTER_KEYS + PAGE_KEYS if request.args.get(key)}


def board_statement(filters: BoardFilters, user: User, now: datetime):
    """The reports on the board under `filters`, unordered: the cards of a column and the
    count per status are both read from it."""
    config = current_app.config
    recent = now - timedelta(days=config["RECENT_DONE_DAYS"])
    stmt = db.select(Report).where(
        or_(
            Report.status.in_((NEW, IN_PROGRESS, ESCALATED)),
            and_(Report.status.in_(DONE), Report.last_activity_at >= recent),
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
    return stmt


def status_counts(stmt) -> dict[str, int]:
    """How many reports of each status `stmt` selects: one GROUP BY, no report loaded."""
    counting = stmt.with_only_columns(Report.status, func.count(Report.id), maintain_column_froms=True)
    return dict(db.session.execute(counting.group_by(Report.status)).all())


# Counting tens of thousands of open reports costs more than the rest of the board, so a
# worker keeps the counts of a view until a report is added or changes status or hands
# (every such change sets a newer last_activity_at, see app.services.workflow), and at
# most this long (the 'recently ended' window and 'te lang stil' move with the clock).
COUNTS_MAX_AGE = timedelta(seconds=30)
COUNTS_KEPT = 256


def _change_marker() -> tuple:
    """Changes whenever a report is added or acted on: two index look-ups, not a scan."""
    newest = db.select(func.max(Report.id)).scalar_subquery()
    latest = db.select(func.max(Report.last_activity_at)).scalar_subquery()
    return tuple(db.session.execute(db.select(newest, latest)).one())


def board_counts(filters: BoardFilters, user: User, stmt, now: datetime) -> dict[str, int]:
    """status_counts(stmt), kept per worker while nothing changed (see COUNTS_MAX_AGE)."""
    kept = current_app.extensions.setdefault("board_counts", {})
    key = (
        filters.department_id,
        filters.coach,
        user.id if filters.mine else None,
        filters.overdue,
        filters.text,
    )
    marker = _change_marker()
    found = kept.get(key)
    if found is not None and found[0] == marker and now - found[1] < COUNTS_MAX_AGE:
        return found[2]
    counts = status_counts(stmt)
    if len(kept) >= COUNTS_KEPT:
        kept.clear()
    kept[key] = (marker, now, counts)
    return counts


# What a card reads of a report and of who follows it up: not the long texts, not the
# password hash. (Department is joined by the model; the assignee's roles are not needed
# on a board only staff see.)
CARD_COLUMNS = (
    Report.year,
    Report.number,
    Report.rule,
    Report.status,
    Report.version,
    Report.department_id,
    Report.assignee_id,
    Report.is_anonymous,
    Report.reporter_pseudonym,
    Report.created_at,
    Report.last_activity_at,
)


def _card_options():
    return (
        load_only(*CARD_COLUMNS),
        joinedload(Report.assignee).options(load_only(User.name), lazyload(User.role_rows), lazyload(User.department)),
    )


def card_reports(
    stmt, pages: list[tuple[Column, int]], moved: tuple[int, int] | None
) -> tuple[list[list[Report]], list[Report]]:
    """One page of each column's reports, and the report just moved (if it is on the
    board): their ids in one statement (a UNION of one bounded, index-ordered part per
    column), then the reports themselves in a second one."""
    parts = [
        stmt.where(Report.status.in_(column.statuses))
        .with_only_columns(Report.id)
        .order_by(*column.order())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        for column, page in pages
    ]
    if moved is not None:
        parts.append(stmt.where(Report.year == moved[0], Report.number == moved[1]).with_only_columns(Report.id))
    rows = db.session.execute(
        union_all(*(db.select(part.subquery().c.id, literal_column(str(index))) for index, part in enumerate(parts)))
    ).all()
    reports = {}
    if rows:
        reports = {
            report.id: report
            for report in db.session.scalars(
                db.select(Report).where(Report.id.in_({row[0] for row in rows})).options(*_card_options())
            ).unique()
        }
    found: list[list[Report]] = [[] for _ in parts]
    for report_id, index in rows:
        found[index].append(reports[report_id])
    columns = [column.sort(part) for (column, _), part in zip(pages, found, strict=False)]
    return columns, (found[-1] if moved is not None else [])


def move_label(from_status: str, to: str) -> str:
    """How the board names a move; endings ask for an explanation on the report page first."""
    label = STATUS_LABELS[ReportStatus(to)]
    if to == IN_PROGRESS:
        return label + (" (ik pak hem op)" if from_status == NEW else " (heropenen, met reden)")
    if to == workflow.MERGED:
        return label + " (melding kiezen)"
    return label + " (uitleg schrijven)"


@dataclass
class MoveOption:
    to: str
    label: str


def move_options(actions: workflow.ReportActions, report: Report) -> list[MoveOption]:
    """The moves this user may make with `report`."""
    return [MoveOption(to, move_label(report.status, to)) for to in actions.moves]


def every_move_option() -> list[tuple[str, MoveOption]]:
    """Every (from status, move) of the transition table, for the board's one action
    dialog; a card says which of them are its own (report_actions decides)."""
    return [(from_status, MoveOption(to, move_label(from_status, to))) for from_status, to in workflow.TRANSITIONS]


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
    follows_up: str  # who follows it up, as the viewer may know them
    url: str  # the report's page
    actions_url: str  # the card's action page, with the board's query string
    moved: bool = False  # just moved here, shown although it is on another page

    @property
    def move_list(self) -> str:
        return " ".join(move.to for move in self.moves)


class CardLinks:
    """A card's two links, built by url_for once per page (not twice per card: a page
    with a hundred cards spent more on building links than on its queries)."""

    MARK = "RK-0000-0000"

    def __init__(self, args: dict[str, str]):
        self.report = url_for("reports.detail", reference=self.MARK)
        self.actions = url_for("board.move", reference=self.MARK, **args)

    def __call__(self, report: Report) -> tuple[str, str]:
        # A reference has only letters, digits and dashes: nothing to quote.
        return self.report.replace(self.MARK, report.reference), self.actions.replace(self.MARK, report.reference)


def make_card(
    report: Report, viewer: User, actions: workflow.ReportActions, supporters: int, now: datetime, links: CardLinks
) -> Card:
    url, actions_url = links(report)
    return Card(
        report=report,
        supporters=supporters,
        age=days_label((now - report.created_at).days),
        overdue=report.is_overdue(overdue_cutoff(now)),
        idle=days_label((now - report.last_activity_at).days),
        moves=move_options(actions, report),
        can_take_on=actions.take_on,
        decidable=actions.decide,
        follows_up=name_for(viewer, report.assignee, nobody="Nog niemand"),
        url=url,
        actions_url=actions_url,
    )


@dataclass
class ColumnPage:
    column: Column
    cards: list[Card]
    count: int
    page: int
    pages: int

    @property
    def shown_from(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def shown_until(self) -> int:
        return min(self.page * PAGE_SIZE, self.count)

    @property
    def remaining(self) -> int:
        return self.count - self.shown_until

    def url(self, page: int) -> str:
        args = {key: value for key, value in filter_args().items() if key != self.column.page_key}
        if page > 1:
            args[self.column.page_key] = str(page)
        return url_for("board.index", **args, _anchor=f"kolom-{self.column.key}")


def _page_number(value: str | None, pages: int) -> int:
    """The page asked for, within 1..pages (anything else: the nearest that exists)."""
    number = parse_id(value) or 1
    return max(1, min(number, pages))


def _moved_reference() -> tuple[int, int] | None:
    """The report named by ?kaart= (the card just moved): shown even when it is on
    another page of its column."""
    return parse_reference(request.args.get(MOVED_KEY, "")[:SEARCH_MAX])


def board_columns(filters: BoardFilters, now: datetime) -> list[ColumnPage]:
    """The columns as shown: each its count (one GROUP BY for all) and one page of cards
    (one query per column); the SQL does not depend on the number of reports."""
    stmt = board_statement(filters, current_user, now)
    counts = board_counts(filters, current_user, stmt, now)
    pages = []
    for column in COLUMNS:
        count = sum(counts.get(status, 0) for status in column.statuses)
        last = max(1, -(-count // PAGE_SIZE))
        pages.append(ColumnPage(column, [], count, _page_number(request.args.get(column.page_key), last), last))
    found, moved = card_reports(stmt, [(page.column, page.page) for page in pages], _moved_reference())
    reports = [report for part in found for report in part] + moved
    supporters = support_counts([report.id for report in reports])
    # The user itself, not the request-bound proxy: asked for every card.
    viewer = current_user._get_current_object()
    actions = workflow.report_actions_for(reports, viewer, anonymously_followed(viewer, reports))
    links = CardLinks(filter_args())
    for page, shown in zip(pages, found, strict=True):
        # The card just moved comes first when its place is on another page of the column.
        pinned = [r for r in moved if r.status in page.column.statuses and r not in shown]
        for report in pinned + shown:
            card = make_card(report, viewer, actions[report.id], supporters.get(report.id, 0), now, links)
            card.moved = report in pinned
            page.cards.append(card)
    return pages


@dataclass
class BoardError:
    """A move that did not happen, shown at the top and at the form."""

    message: str
    title: str = "Dat lukte niet"
    on_select: bool = False


@bp.route("/")
@area_required("board")
def index():
    now = utcnow()
    departments = list(db.session.scalars(db.select(Department).order_by(Department.name)))
    coaches = active_coaches()
    filters = read_filters(request.args, departments, coaches)
    can_act = current_user.has_role(*workflow.HANDLER_ROLES)
    return render_template(
        "board/index.html",
        columns=board_columns(filters, now),
        filters=filters,
        departments=departments,
        coaches=coaches,
        can_act=can_act,
        every_move=every_move_option() if can_act else [],
        page_size=PAGE_SIZE,
        args=filter_args(),
        overdue_days=current_app.config["OVERDUE_DAYS"],
        recent_days=current_app.config["RECENT_DONE_DAYS"],
    )


def _board_url(reference: str | None = None) -> str:
    """Back to the board as it was, at the card that was acted on (?kaart= keeps it in
    view when it moved to a column's later page)."""
    args = filter_args()
    if reference:
        args[MOVED_KEY] = reference
    return url_for("board.index", **args, _anchor=f"kaart-{reference}" if reference else None)


# --- a card's actions --------------------------------------------------------------------


def _render_actions(report: Report, *, error: BoardError | None = None, status: int = 200):
    """The actions of one card on a page of their own: where the card's 'Acties' link goes
    without JavaScript, and where a move that did not happen says why."""
    viewer = current_user._get_current_object()
    actions = workflow.report_actions(report, viewer)
    card = make_card(
        report, viewer, actions, support_counts([report.id]).get(report.id, 0), utcnow(), CardLinks(filter_args())
    )
    return (
        render_template(
            "board/actions.html",
            card=card,
            withheld=workflow.WITHHELD if actions.withheld else None,
            error=error,
            args=filter_args(),
            back=_board_url(report.reference),
        ),
        status,
    )


def _failure(report: Report, failure: Failure, field=None):
    """The card's action page again, with what went wrong."""
    form = failure.form
    if csrf_failed(form):
        return _render_actions(
            report, error=BoardError("Het formulier was verlopen. Probeer het opnieuw."), status=failure.status
        )
    if failure.conflict:
        return _render_actions(
            report, error=BoardError(failure.conflict, title="Iemand anders was u voor"), status=failure.status
        )
    field_errors = field.errors if field is not None else []
    messages = list(field_errors) + list(form.form_errors)
    if not messages:
        messages = [message for errors in form.errors.values() for message in errors] or [
            "Het formulier was verlopen. Probeer het opnieuw."
        ]
    return _render_actions(report, error=BoardError(messages[0], on_select=bool(field_errors)), status=failure.status)


@bp.route("/meldingen/<reference>/oppakken", methods=["POST"])
@role_required(*workflow.HANDLER_ROLES)
@rerender_on_csrf_error
def take_on(reference: str):
    """'Ik pak hem op' for a card: back to the board, on the same card."""
    report = _report_or_404(reference)
    form = TakeOnForm(prefix="oppakken")
    return run_form(
        form,
        lambda: workflow.take_on(report, current_user, expected_version=form.expected_version),
        success=f"U gaat achter {report.reference} aan.",
        redirect_to=lambda: _board_url(report.reference),
        render=lambda failure: _failure(report, failure),
        current_version=report.version,
        conflict=lambda: workflow.ReportConflict(report, current_user),
    )


@bp.route("/meldingen/<reference>/verplaatsen", methods=["GET", "POST"])
@role_required(*workflow.HANDLER_ROLES)
@rerender_on_csrf_error
def move(reference: str):
    """A card's actions (GET), and 'Verplaats naar…' (POST; also what the board's action
    dialog and drag-and-drop send). Taking a new report on happens here; every other move
    needs words for the reporter, written on the report page."""
    report = _report_or_404(reference)
    if request.method == "GET":
        return _render_actions(report)
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
        render=lambda failure: _failure(report, failure, form.to),
        current_version=report.version,
        conflict=lambda: workflow.ReportConflict(report, current_user),
    )
