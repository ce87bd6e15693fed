"""The coaches' triage board: every open report and what ended recently, in columns of
compact cards, with filters. Each column shows its count and one page of cards at a time.
A card's actions ('Ik pak hem op', 'Verplaats naar…') live on one small page per report
(also what the board's single action dialog and drag-and-drop send); what they offer is
what app.services.workflow.report_actions allows this user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, bindparam, func, literal_column, or_, union_all
from sqlalchemy.orm import aliased

from app import formatting
from app.anonymity import anonymously_followed_condition, name_for, pseudonym_of
from app.board.forms import MoveForm
from app.extensions import db
from app.forms import parse_id
from app.i18n import N_
from app.models import Department, Report, User
from app.models.base import utcnow
from app.models.report import format_reference, overdue_cutoff
from app.permissions import area_required, role_required
from app.reports.forms import TakeOnForm
from app.search import SEARCH_MAX, clean_search, support_count, text_condition
from app.services import DomainError, workflow
from app.services.reports import get_by_reference, parse_reference
from app.services.users import coach_names, department_names
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
        return gettext("vandaag")
    return ngettext("%(num)d dag", "%(num)d dagen", days)


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

    def after(self, moment: datetime, report_id: int):
        """The reports that come after the one with (moment, id) in order(): a keyset page
        (the API's cursor; `moment` as position() gives it)."""
        if self.statuses == DONE:
            return or_(Report.last_activity_at < moment, and_(Report.last_activity_at == moment, Report.id < report_id))
        return or_(Report.created_at > moment, and_(Report.created_at == moment, Report.id > report_id))

    def position(self, report: CardReport) -> tuple[datetime, int]:
        """The values of order() for `report` (see after)."""
        return (report.last_activity_at if self.statuses == DONE else report.created_at), report.id

    def sort(self, reports: list[CardReport]) -> list[CardReport]:
        """`reports` in the order of order(), for rows fetched by id."""
        if self.statuses == DONE:
            return sorted(reports, key=lambda r: (r.last_activity_at, r.id), reverse=True)
        return sorted(reports, key=lambda r: (r.created_at, r.id))


COLUMNS = (
    Column("nieuw", _l("Nieuw"), (NEW,), _l("Geen nieuwe meldingen.")),
    Column("in-behandeling", _l("In behandeling"), (IN_PROGRESS,), _l("Niets in behandeling.")),
    Column("geescaleerd", _l("Geëscaleerd"), (ESCALATED,), _l("Niets geëscaleerd.")),
    Column("afgerond", _l("Afgerond"), DONE, _l("Niets afgerond in deze periode.")),
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


def read_filters(args, departments: list, coaches: list) -> BoardFilters:
    """Only values from the allow-lists (rows with an id: department_names, coach_names)
    count; anything else is ignored."""
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


def board_statement(filters: BoardFilters):
    """The reports on the board under `filters`, unordered: the cards of a column and the
    count per status are both read from it. The moments and ids it compares with are named
    parameters (board_params gives their values), so that one statement serves every view
    of its kind (see BoardStatements)."""
    stmt = db.select(Report).where(
        or_(
            Report.status.in_((NEW, IN_PROGRESS, ESCALATED)),
            and_(Report.status.in_(DONE), Report.last_activity_at >= bindparam("recent")),
        )
    )
    if filters.department_id:
        stmt = stmt.where(Report.department_id == bindparam("afdeling"))
    if filters.coach == NOBODY:
        stmt = stmt.where(Report.assignee_id.is_(None))
    elif filters.coach:
        stmt = stmt.where(Report.assignee_id == bindparam("coach"))
    if filters.mine:
        stmt = stmt.where(Report.assignee_id == bindparam("mijn"))
    if filters.overdue:
        stmt = stmt.where(Report.is_overdue(bindparam("cutoff")))
    if filters.text:
        # The one typo-tolerant search (app.search), as a subquery on its index.
        stmt = stmt.where(text_condition(filters.text))
    return stmt


def board_params(filters: BoardFilters, user: User, now: datetime) -> dict:
    """The values of board_statement's parameters for this view, now."""
    return {
        "recent": now - timedelta(days=current_app.config["RECENT_DONE_DAYS"]),
        "cutoff": overdue_cutoff(now),
        "afdeling": filters.department_id,
        "coach": filters.coach if filters.coach != NOBODY else None,
        "mijn": user.id,
        "own": pseudonym_of(user),
    }


def status_counts(statements: BoardStatements, params: dict) -> dict[str, int]:
    """How many reports of each status the view selects: one GROUP BY, no report loaded."""
    return dict(db.session.execute(statements.counts, params).all())


# Counting tens of thousands of open reports costs more than the rest of the board, so a
# worker keeps the counts of a view until a report is added or changes status or hands
# (every such change sets a newer last_activity_at, see app.services.workflow), and at
# most this long (the 'recently ended' window and 'te lang stil' move with the clock).
COUNTS_MAX_AGE = timedelta(seconds=30)
COUNTS_KEPT = 256


# Changes whenever a report is added or acted on: two index look-ups, not a scan.
CHANGE_MARKER = db.select(
    db.select(func.max(Report.id)).scalar_subquery(),
    db.select(func.max(Report.last_activity_at)).scalar_subquery(),
)


def board_counts(filters: BoardFilters, user: User, statements: BoardStatements, params: dict, now: datetime):
    """status_counts of the view, kept per worker while nothing changed (see COUNTS_MAX_AGE)."""
    kept = current_app.extensions.setdefault("board_counts", {})
    key = (
        filters.department_id,
        filters.coach,
        user.id if filters.mine else None,
        filters.overdue,
        filters.text,
    )
    marker = tuple(db.session.execute(CHANGE_MARKER).one())
    found = kept.get(key)
    if found is not None and found[0] == marker and now - found[1] < COUNTS_MAX_AGE:
        return found[2]
    counts = status_counts(statements, params)
    if len(kept) >= COUNTS_KEPT:
        kept.clear()
    kept[key] = (marker, now, counts)
    return counts


@dataclass(frozen=True)
class Person:
    """Who follows a card up, as far as a card needs them (app.anonymity.name_for names
    them: the board is for staff, to whom every colleague is named)."""

    id: int
    name: str


@dataclass(slots=True)
class CardReport:
    """What a card shows of a report, read as plain rows in one statement (_card_statement
    selects these fields in this order): a board of a hundred cards spent more on loading
    ORM objects than on everything else."""

    id: int
    year: int
    number: int
    rule: str
    status: str
    version: int
    department: str | None  # its name
    assignee_id: int | None
    assignee_name: str | None
    is_anonymous: bool
    reporter_pseudonym: str | None
    created_at: datetime
    last_activity_at: datetime
    is_open: bool
    overdue: bool
    supporters: int
    followed_anonymously: bool  # by the viewer (app.anonymity)

    @property
    def reference(self) -> str:
        return format_reference(self.year, self.number)

    @property
    def assignee(self) -> Person | None:
        return Person(self.assignee_id, self.assignee_name) if self.assignee_id is not None else None


def _card_statement(ids):
    """The cards of the report ids that `ids` selects (columns: id, part), with the part
    each belongs to: the report's own columns, its department's and assignee's names, its
    state by the model's rules (Report.is_open, Report.is_overdue since the parameter
    'cutoff'), its supporters, and whether the viewer (pseudonym 'own') follows it
    anonymously."""
    assignee = aliased(User)
    return (
        db.select(
            ids.c.part,
            Report.id,
            Report.year,
            Report.number,
            Report.rule,
            Report.status,
            Report.version,
            Department.name,
            Report.assignee_id,
            assignee.name,
            Report.is_anonymous,
            Report.reporter_pseudonym,
            Report.created_at,
            Report.last_activity_at,
            Report.is_open,
            Report.is_overdue(bindparam("cutoff")),
            support_count(Report.id),
            anonymously_followed_condition(bindparam("own")),
        )
        .join_from(ids, Report, Report.id == ids.c.id)
        .outerjoin(Department, Department.id == Report.department_id)
        .outerjoin(assignee, assignee.id == Report.assignee_id)
    )


def _card_report(row) -> CardReport:
    _part, *fields = row
    return CardReport(*fields)


def column_cards(column: Column, filters: BoardFilters, params: dict, after, limit: int) -> list[CardReport]:
    """The cards of `column` under `filters` that come after the card at `after`
    (Column.position; None: from the start), the first `limit` in the column's order: one
    statement, a keyset page (the API's cursor pages)."""
    stmt = board_statement(filters).where(Report.status.in_(column.statuses))
    if after is not None:
        stmt = stmt.where(column.after(*after))
    ids = stmt.with_only_columns(Report.id).order_by(*column.order()).limit(limit).subquery()
    keyed = db.select(ids.c.id.label("id"), literal_column("0").label("part")).subquery("page")
    return column.sort([_card_report(row) for row in db.session.execute(_card_statement(keyed), params)])


class BoardStatements:
    """The statements of one kind of view: the count per status, and the cards of one page
    of each column (and of the card just moved, when `moved`) in one statement, where a
    UNION of one bounded, index-ordered part per column picks the ids and the cards are
    read around it. Building them costs more than running them, so a worker keeps those
    without a search (statements_for)."""

    def __init__(self, filters: BoardFilters, moved: bool):
        stmt = board_statement(filters)
        self.counts = stmt.with_only_columns(Report.status, func.count(Report.id), maintain_column_froms=True).group_by(
            Report.status
        )
        parts = [
            stmt.where(Report.status.in_(column.statuses))
            .with_only_columns(Report.id)
            .order_by(*column.order())
            .limit(PAGE_SIZE)
            .offset(bindparam(f"offset_{index}"))
            for index, column in enumerate(COLUMNS)
        ]
        if moved:
            parts.append(
                stmt.where(
                    Report.year == bindparam("kaart_year"), Report.number == bindparam("kaart_number")
                ).with_only_columns(Report.id)
            )
        ids = union_all(
            *(
                db.select(part.subquery().c.id.label("id"), literal_column(str(index)).label("part"))
                for index, part in enumerate(parts)
            )
        )
        self.cards = _card_statement(ids.subquery("page"))


_KEPT_STATEMENTS: dict[tuple, BoardStatements] = {}


def statements_for(filters: BoardFilters, moved: bool) -> BoardStatements:
    """The statements of this view: kept per worker by what is filtered on (the values are
    parameters), built afresh for a search (whose words are part of the statement)."""
    if filters.text:
        return BoardStatements(filters, moved)
    key = (
        bool(filters.department_id),
        filters.coach == NOBODY,
        bool(filters.coach),
        filters.mine,
        filters.overdue,
        moved,
    )
    found = _KEPT_STATEMENTS.get(key)
    if found is None:
        found = _KEPT_STATEMENTS[key] = BoardStatements(filters, moved)
    return found


def card_reports(
    statements: BoardStatements, params: dict, pages: list[int], moved: tuple[int, int] | None
) -> tuple[list[list[CardReport]], list[CardReport]]:
    """One page of each column's cards (`pages`: the page of each column of COLUMNS), and
    the card just moved, if it is on the board."""
    params = dict(params, **{f"offset_{index}": (page - 1) * PAGE_SIZE for index, page in enumerate(pages)})
    if moved is not None:
        params.update(kaart_year=moved[0], kaart_number=moved[1])
    found: list[list[CardReport]] = [[] for _ in range(len(COLUMNS) + 1)]
    for row in db.session.execute(statements.cards, params):
        found[row[0]].append(_card_report(row))
    columns = [column.sort(part) for column, part in zip(COLUMNS, found, strict=False)]
    return columns, found[-1]


def card_report(report: Report, now: datetime) -> CardReport:
    """The card of one report (its action page), read the way the board reads it."""
    ids = db.select(Report.id.label("id"), literal_column("0").label("part")).where(Report.id == report.id)
    params = {"cutoff": overdue_cutoff(now), "own": pseudonym_of(current_user)}
    return _card_report(db.session.execute(_card_statement(ids.subquery("page")), params).one())


def move_label(from_status: str, to: str) -> str:
    """How the board names a move; endings ask for an explanation on the report page first."""
    label = formatting.status_label(to)
    if to == IN_PROGRESS:
        if from_status == NEW:
            return gettext("%(status)s (ik pak hem op)", status=label)
        return gettext("%(status)s (heropenen, met reden)", status=label)
    if to == workflow.MERGED:
        return gettext("%(status)s (melding kiezen)", status=label)
    return gettext("%(status)s (uitleg schrijven)", status=label)


@dataclass
class MoveOption:
    to: str
    label: str


def move_options(actions: workflow.ReportActions, report: CardReport) -> list[MoveOption]:
    """The moves this user may make with `report`."""
    return [MoveOption(to, move_label(report.status, to)) for to in actions.moves]


def every_move_option() -> list[tuple[str, MoveOption]]:
    """Every (from status, move) of the transition table, for the board's one action
    dialog; a card says which of them are its own (report_actions decides)."""
    return [(from_status, MoveOption(to, move_label(from_status, to))) for from_status, to in workflow.TRANSITIONS]


@dataclass
class Card:
    report: CardReport
    supporters: str  # how many colleagues run into it, in the one wording, as a sentence
    age: str
    days: int  # since it was reported (0: today)
    overdue: bool
    idle: str
    moves: list[MoveOption]
    move_list: str  # the moves' target statuses, for the board's script
    can_take_on: bool
    decidable: bool  # an ending can be chosen for it on the report page
    follows_up: str  # who follows it up, as the viewer may know them
    url: str  # the report's page
    actions_url: str  # the card's action page, with the board's query string
    moved: bool = False  # just moved here, shown although it is on another page


class CardMaker:
    """Makes the cards of one page for `viewer`. What many cards share is worked out once
    per page: the links (url_for once, not twice per card), the moves of each kind of card,
    the name of each person who follows cards up; a page with a hundred cards spent more
    on these than on its queries."""

    MARK = "RK-0000-0000"

    def __init__(self, viewer: User, now: datetime, args: dict[str, str]):
        self.viewer = viewer
        self.now = now
        self.report_url = url_for("reports.detail", reference=self.MARK)
        self.actions_url = url_for("board.move", reference=self.MARK, **args)
        self._moves: dict[tuple, tuple[list[MoveOption], str]] = {}
        self._names: dict[int | None, str] = {}
        self._supporters: dict[int, str] = {}

    def __call__(self, report: CardReport, actions: workflow.ReportActions) -> Card:
        moves = self._moves.get((report.status, actions))
        if moves is None:
            options = move_options(actions, report)
            moves = self._moves[(report.status, actions)] = (options, " ".join(move.to for move in options))
        name = self._names.get(report.assignee_id)
        if name is None:
            name = self._names[report.assignee_id] = name_for(self.viewer, report.assignee, nobody=N_("Nog niemand"))
        supporters = self._supporters.get(report.supporters)
        if supporters is None:
            supporters = self._supporters[report.supporters] = formatting.supporters(report.supporters).capitalize()
        reference = report.reference  # letters, digits and dashes: nothing to quote
        return Card(
            report=report,
            supporters=supporters,
            age=days_label((self.now - report.created_at).days),
            days=max(0, (self.now - report.created_at).days),
            overdue=report.overdue,
            idle=days_label((self.now - report.last_activity_at).days),
            moves=moves[0],
            move_list=moves[1],
            can_take_on=actions.take_on,
            decidable=actions.decide,
            follows_up=name,
            url=self.report_url.replace(self.MARK, reference),
            actions_url=self.actions_url.replace(self.MARK, reference),
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
    moved_reference = _moved_reference()
    statements = statements_for(filters, moved_reference is not None)
    params = board_params(filters, current_user, now)
    counts = board_counts(filters, current_user, statements, params, now)
    pages = []
    for column in COLUMNS:
        count = sum(counts.get(status, 0) for status in column.statuses)
        last = max(1, -(-count // PAGE_SIZE))
        pages.append(ColumnPage(column, [], count, _page_number(request.args.get(column.page_key), last), last))
    found, moved = card_reports(statements, params, [page.page for page in pages], moved_reference)
    reports = [report for part in found for report in part] + moved
    # The user itself, not the request-bound proxy: asked for every card.
    viewer = current_user._get_current_object()
    actions = workflow.report_actions_for(reports, viewer, {r.id for r in reports if r.followed_anonymously})
    make_card = CardMaker(viewer, now, filter_args())
    for page, shown in zip(pages, found, strict=True):
        # The card just moved comes first when its place is on another page of the column.
        pinned = [r for r in moved if r.status in page.column.statuses and r not in shown]
        for report in pinned + shown:
            card = make_card(report, actions[report.id])
            card.moved = report in pinned
            page.cards.append(card)
    return pages


@dataclass
class BoardError:
    """A move that did not happen, shown at the top and at the form."""

    message: str
    title: str = _l("Dat lukte niet")
    on_select: bool = False


@bp.route("/")
@area_required("board")
def index():
    now = utcnow()
    departments = department_names()
    coaches = coach_names()
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
    now = utcnow()
    card = CardMaker(viewer, now, filter_args())(card_report(report, now), actions)
    return (
        render_template(
            "board/actions.html",
            card=card,
            withheld=gettext(workflow.WITHHELD) if actions.withheld else None,
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
            report, error=BoardError(gettext("Het formulier was verlopen. Probeer het opnieuw.")), status=failure.status
        )
    if failure.conflict:
        return _render_actions(
            report, error=BoardError(failure.conflict, title=gettext("Iemand anders was u voor")), status=failure.status
        )
    field_errors = field.errors if field is not None else []
    messages = list(field_errors) + list(form.form_errors)
    if not messages:
        messages = [message for errors in form.errors.values() for message in errors] or [
            gettext("Het formulier was verlopen. Probeer het opnieuw.")
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
        success=gettext("U gaat achter %(reference)s aan.", reference=report.reference),
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
            raise DomainError(gettext(workflow.WITHHELD))
        if to not in actions.moves:
            raise DomainError(
                gettext(
                    "Van %(from)s naar %(to)s kan niet.",
                    **{"from": formatting.status_label(report.status), "to": formatting.status_label(to)},
                ),
                field="to",
            )
        if to == IN_PROGRESS and report.status == NEW:
            workflow.take_on(report, current_user, expected_version=form.expected_version)
            return None
        if to == IN_PROGRESS:
            elsewhere.append(url_for("reports.detail", reference=report.reference, _anchor="heropenen"))
            return (gettext("Schrijf op waarom %(reference)s weer open gaat.", reference=report.reference), "info")
        if to == workflow.MERGED:
            elsewhere.append(url_for("reports.detail", reference=report.reference, _anchor="samenvoegen"))
            return (
                gettext(
                    "Kies de melding waarmee %(reference)s samengaat en leg uit waarom.", reference=report.reference
                ),
                "info",
            )
        elsewhere.append(url_for("reports.detail", reference=report.reference, besluit=to, _anchor="besluit"))
        return (
            gettext(
                "Schrijf voor de melder op wat er besloten is en waarom. Pas dan wordt %(reference)s afgerond.",
                reference=report.reference,
            ),
            "info",
        )

    return run_form(
        form,
        perform,
        success=gettext("U gaat achter %(reference)s aan.", reference=report.reference),
        redirect_to=lambda: elsewhere[0] if elsewhere else _board_url(report.reference),
        render=lambda failure: _failure(report, failure, form.to),
        current_version=report.version,
        conflict=lambda: workflow.ReportConflict(report, current_user),
    )
