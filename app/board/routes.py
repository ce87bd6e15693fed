"""The coaches' triage board, and the actions on a report: take on, assign, decide, merge,
reopen, internal notes and public updates. Every change goes through app.services.workflow;
these views only read forms, commit, and tell the user what happened."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, or_
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.board.forms import (
    ActionForm,
    AssignForm,
    DecideForm,
    MergeForm,
    MoveForm,
    NoteForm,
    ReopenForm,
    TakeOnForm,
    UpdateForm,
)
from app.extensions import db
from app.forms import apply_domain_error
from app.models import Department, Event, Report, Support, User
from app.models.base import utcnow
from app.models.report import STATUS_LABELS, EventKind, ReportStatus
from app.permissions import is_staff, role_required
from app.search import find_similar, support_counts
from app.services import DomainError, workflow
from app.services.dossiers import LegalReference
from app.services.reports import get_by_reference, parse_reference
from app.services.users import active_coaches
from app.web import rerender_on_csrf_error

bp = Blueprint("board", __name__)

NEW = workflow.NEW
IN_PROGRESS = workflow.IN_PROGRESS
ESCALATED = workflow.ESCALATED
DONE = (workflow.RESOLVED, workflow.EXPLAINED, workflow.MERGED)

# Enough for any municipality's board; beyond it the filters are the way in.
BOARD_LIMIT = 500
SEARCH_MAX = 100
FILTER_KEYS = ("afdeling", "coach", "mijn", "stil", "zoek")
NOBODY = "geen"
STALE_FORM = (
    "Dit formulier was niet compleet of verouderd. Er is niets gewijzigd; probeer het opnieuw vanaf de actuele pagina."
)


def _number(value) -> int | None:
    """A positive whole number from a query string or form, else None (never an error)."""
    value = (value or "").strip()
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value) and int(value) > 0 else None


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
    department_id = _number(args.get("afdeling"))
    if department_id in {d.id for d in departments}:
        filters.department_id = department_id
    coach = (args.get("coach") or "").strip()
    if coach == NOBODY:
        filters.coach = NOBODY
    elif _number(coach) in {c.id for c in coaches}:
        filters.coach = _number(coach)
    filters.mine = args.get("mijn") == "1"
    filters.overdue = args.get("stil") == "1"
    filters.text = clean_search(args.get("zoek"))
    return filters


def clean_search(value: str | None) -> str:
    """Search text as typed, without control characters (PostgreSQL refuses NUL) or runs of space."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (value or "")[: SEARCH_MAX * 4])
    return " ".join(printable.split())[:SEARCH_MAX]


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
        stale = now - timedelta(days=config["OVERDUE_DAYS"])
        stmt = stmt.where(Report.status.in_((NEW, IN_PROGRESS)), Report.last_activity_at < stale)
    if filters.text:
        conditions = [
            Report.rule.icontains(filters.text, autoescape=True),
            Report.problem.icontains(filters.text, autoescape=True),
        ]
        parsed = parse_reference(filters.text)
        if parsed:
            conditions.append(and_(Report.year == parsed[0], Report.number == parsed[1]))
        elif _number(filters.text):
            conditions.append(Report.number == _number(filters.text))
        stmt = stmt.where(or_(*conditions))
    # Newest first, so that a board over its limit leaves out the oldest cards, never new ones.
    return stmt.order_by(Report.created_at.desc(), Report.id.desc()).limit(BOARD_LIMIT + 1)


@dataclass
class MoveOption:
    to: str
    label: str


def move_options(report: Report, user: User) -> list[MoveOption]:
    """Only the moves the workflow allows this user; endings ask for an explanation first."""
    options = []
    for (from_status, to), roles in workflow.TRANSITIONS.items():
        if from_status != report.status or not user.has_role(*roles):
            continue
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
    can_act = current_user.has_role("coach")
    overdue_days = current_app.config["OVERDUE_DAYS"]
    columns = []
    for column in COLUMNS:
        cards = []
        for report in reports:
            if report.status not in column.statuses:
                continue
            cards.append(
                Card(
                    report=report,
                    supporters=counts.get(report.id, 0),
                    age=days_label((now - report.created_at).days),
                    overdue=workflow.is_overdue(report, now, overdue_days),
                    idle=days_label((now - report.last_activity_at).days),
                    moves=move_options(report, current_user) if can_act else [],
                    can_take_on=can_act and report.status_enum.is_open and report.assignee_id != current_user.id,
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
            can_act=can_act,
            truncated=truncated,
            error=error,
            args=filter_args(),
            overdue_days=overdue_days,
            recent_days=current_app.config["RECENT_DONE_DAYS"],
        ),
        status,
    )


@bp.route("/")
@role_required("coach", "legal", "admin")
def index():
    return _render_board()


def _board_url(reference: str | None = None) -> str:
    return url_for("board.index", **filter_args(), _anchor=f"kaart-{reference}" if reference else None)


def _commit(report: Report, action) -> tuple[int | None, str | None, DomainError | None]:
    """Run a workflow action and commit. Returns (status, conflict message, domain error);
    status None means it worked. Nothing of a failed action is kept."""
    try:
        action()
        db.session.commit()
    except workflow.ConflictError as error:
        db.session.rollback()
        return 409, error.message, None
    except StaleDataError:
        # Changed by someone else between our check and our write (several workers).
        db.session.rollback()
        return 409, workflow.ConflictError(report).message, None
    except DomainError as error:
        db.session.rollback()
        return 400, None, error
    return None, None, None


def _take_on_from_board(report: Report, version: int):
    status, conflict, error = _commit(report, lambda: workflow.take_on(report, current_user, expected_version=version))
    if status is None:
        flash(f"U gaat achter {report.reference} aan.", "success")
        return redirect(_board_url(report.reference), 303)
    title = "Iemand anders was u voor" if conflict else "Dat lukte niet"
    return _render_board(error=BoardError(report.reference, conflict or error.message, title=title), status=status)


@bp.route("/meldingen/<reference>/verplaatsen", methods=["POST"])
@role_required("coach")
@rerender_on_csrf_error
def move(reference: str):
    """'Verplaats naar…' on a card (also what drag-and-drop submits)."""
    report = _report_or_404(reference)
    form = MoveForm(prefix="verplaats")
    if not form.validate_on_submit():
        message = form.to.errors[0] if form.to.errors else "Het formulier was verlopen. Probeer het opnieuw."
        return _render_board(error=BoardError(report.reference, message, on_select=bool(form.to.errors)), status=400)
    if form.expected_version is None:
        flash(STALE_FORM, "error")
        return redirect(_board_url(report.reference), 303)
    if form.expected_version != report.version:
        conflict = workflow.ConflictError(report).message
        return _render_board(error=BoardError(report.reference, conflict, title="Iemand anders was u voor"), status=409)
    to = form.to.data
    if not workflow.allowed(report, to, current_user):
        message = f"Van {report.status_enum.label} naar {STATUS_LABELS[ReportStatus(to)]} kan niet."
        return _render_board(error=BoardError(report.reference, message, on_select=True), status=400)
    if to == IN_PROGRESS and report.status == NEW:
        return _take_on_from_board(report, form.expected_version)
    # Endings need an explanation for the reporter, reopening a reason: finish on the report page.
    if to == IN_PROGRESS:
        flash(f"Schrijf op waarom {report.reference} weer open gaat.", "info")
        return redirect(url_for("reports.detail", reference=report.reference, _anchor="heropenen"), 303)
    if to == workflow.MERGED:
        flash(f"Kies de melding waarmee {report.reference} samengaat en leg uit waarom.", "info")
        return redirect(url_for("reports.detail", reference=report.reference, _anchor="samenvoegen"), 303)
    flash(f"Schrijf voor de melder op wat er besloten is en waarom. Pas dan wordt {report.reference} afgerond.", "info")
    return redirect(url_for("reports.detail", reference=report.reference, besluit=to, _anchor="besluit"), 303)


# --- the report page's staff section ---------------------------------------------------

FORMS = {
    "take_on": (TakeOnForm, "oppakken"),
    "assign": (AssignForm, "toewijzen"),
    "decide": (DecideForm, "besluit"),
    "merge": (MergeForm, "samenvoegen"),
    "reopen": (ReopenForm, "heropenen"),
    "note": (NoteForm, "notitie"),
    "update": (UpdateForm, "bericht"),
}


def make_form(name: str, *, coaches=None, bound: bool = True):
    cls, prefix = FORMS[name]
    kwargs = {"prefix": prefix}
    if not bound:
        kwargs["formdata"] = None
    if cls is AssignForm:
        kwargs["coaches"] = active_coaches() if coaches is None else coaches
    return cls(**kwargs)


@dataclass
class Supporter:
    label: str
    support: Support


@dataclass
class ReportPanel:
    """Everything the report page shows staff beyond what the reporter sees."""

    report: Report
    can_act: bool
    can_write: bool
    can_read_notes: bool
    forms: dict
    supporters: list[Supporter]
    notes: list[Event]
    updates: list[Event]
    merged_into: Report | None = None
    submitted: str | None = None
    conflict: str | None = None
    search: str = ""
    candidates: list = field(default_factory=list)
    candidates_are_suggestions: bool = False

    def applies(self, name: str) -> bool:
        report, user = self.report, current_user
        status = report.status
        if name in ("note", "update"):
            return self.can_write
        if not self.can_act:
            return False
        if name == "take_on":
            return report.status_enum.is_open and report.assignee_id != user.id
        if name == "assign":
            return report.status_enum.is_open
        if name == "decide":
            return status in (NEW, IN_PROGRESS)
        if name == "merge":
            return workflow.allowed(report, workflow.MERGED, user)
        if name == "reopen":
            return status in workflow.ENDINGS
        return False

    def show(self, name: str) -> bool:
        """A form is offered when it applies, and always comes back after it was sent."""
        return self.applies(name) or self.submitted == name

    @property
    def anchor(self) -> str | None:
        """Where the form that was sent sits on the page."""
        return FORMS[self.submitted][1] if self.submitted else None

    @property
    def has_actions(self) -> bool:
        return any(self.show(name) for name in ("take_on", "assign", "decide", "merge", "reopen"))

    @property
    def has_errors(self) -> bool:
        if self.submitted is None:
            return False
        form = self.forms[self.submitted]
        return bool(self.conflict or form.errors or form.form_errors or g.get("csrf_error"))


def _supporter_label(support: Support) -> str:
    if support.anonymous:
        return "U (anoniem)" if support.user_id == current_user.id else "Anonieme collega"
    return "U" if support.user_id == current_user.id else support.user.name


def _merge_candidates(report: Report, query: str) -> list:
    """Reports this one could be merged into: by reference, or by similar words."""
    if not query:
        query, suggestions = f"{report.rule} {report.problem}", True
    else:
        suggestions = False
    parsed = parse_reference(query)
    if parsed:
        found = get_by_reference(query)
        results = [found] if found is not None else []
        counts = support_counts([r.id for r in results])
        results = [(r, counts.get(r.id, 0)) for r in results]
    else:
        results = [
            (s.report, s.supporters) for s in find_similar(query, limit=8, exclude_ids=(report.id,), open_only=False)
        ]
    return [(r, n) for r, n in results if r.id != report.id and r.status != workflow.MERGED], suggestions


def build_panel(report: Report, *, submitted: str | None = None, form=None, conflict: str | None = None) -> ReportPanel:
    user = current_user
    coaches = active_coaches()
    forms = {}
    for name in FORMS:
        if name == submitted:
            forms[name] = form
            continue
        forms[name] = make_form(name, coaches=coaches, bound=False)
        if isinstance(forms[name], ActionForm):
            forms[name].version.data = str(report.version)
    if submitted is None:
        chosen = request.args.get("besluit", "")
        if chosen in workflow.DECISIONS:
            forms["decide"].outcome.data = chosen
        target = request.args.get("doel", "")[:30]
        if parse_reference(target):
            forms["merge"].target.data = target.upper()
    if report.assignee_id and forms["assign"] is not form:
        forms["assign"].assignee_id.data = str(report.assignee_id)
    if conflict and isinstance(form, ActionForm):
        # The user has now seen the current state; sending again is a deliberate choice.
        form.version.data = str(report.version)
    reads_notes = user.has_role("coach", "legal")
    panel = ReportPanel(
        report=report,
        can_act=user.has_role("coach"),
        can_write=user.has_role("coach", "legal"),
        can_read_notes=reads_notes,
        forms=forms,
        supporters=[Supporter(_supporter_label(s), s) for s in report.supports],
        notes=[e for e in report.events if e.kind == EventKind.NOTE.value] if reads_notes else [],
        updates=[e for e in report.events if e.kind == EventKind.PUBLIC_UPDATE.value],
        merged_into=db.session.get(Report, report.duplicate_of_id) if report.duplicate_of_id else None,
        submitted=submitted,
        conflict=conflict,
    )
    if panel.show("merge"):
        panel.search = clean_search(request.args.get("zoek"))
        panel.candidates, panel.candidates_are_suggestions = _merge_candidates(report, panel.search)
    return panel


@bp.app_template_global("board_panel")
def board_panel(report: Report) -> ReportPanel | None:
    """Used by templates/reports/detail.html when staff open a report."""
    if not is_staff(current_user):
        return None
    return build_panel(report)


def _render_report(report: Report, name: str, form, *, status: int, conflict: str | None = None):
    panel = build_panel(report, submitted=name, form=form, conflict=conflict)
    return (
        render_template("reports/detail.html", report=report, events=list(report.events), staff=True, panel=panel),
        status,
    )


def _report_action(reference: str, name: str, perform, success: str, anchor: str | None = None):
    """The shape every report-page action shares: validate, check the version, run the
    workflow, commit; or give the page back with the message and the user's text."""
    report = _report_or_404(reference)
    form = make_form(name)
    if not form.validate_on_submit():
        return _render_report(report, name, form, status=400)
    if isinstance(form, ActionForm) and form.expected_version is None:
        form.form_errors.append(STALE_FORM)
        return _render_report(report, name, form, status=400)
    done: list[str | None] = []
    status, conflict, error = _commit(report, lambda: done.append(perform(report, form)))
    if status is None:
        flash(done[0] or success.format(reference=report.reference), "success")
        return redirect(url_for("reports.detail", reference=report.reference, _anchor=anchor), 303)
    if error is not None:
        apply_domain_error(form, error)
    return _render_report(report, name, form, status=status, conflict=conflict)


@bp.route("/meldingen/<reference>/oppakken", methods=["POST"])
@role_required("coach")
@rerender_on_csrf_error
def take_on(reference: str):
    """'Ik pak hem op', from a board card or from the report page."""
    report = _report_or_404(reference)
    form = make_form("take_on")
    on_board = form.return_to.data == "bord"
    if not form.validate_on_submit():
        # Only an expired or missing CSRF token gets here: the form has no fields to fill in.
        if on_board:
            return _render_board(
                error=BoardError(report.reference, "Het formulier was verlopen. Probeer het opnieuw."), status=400
            )
        return _render_report(report, "take_on", form, status=400)
    if form.expected_version is None:
        flash(STALE_FORM, "error")
        back = _board_url(report.reference) if on_board else url_for("reports.detail", reference=report.reference)
        return redirect(back, 303)
    if on_board:
        return _take_on_from_board(report, form.expected_version)
    status, conflict, error = _commit(
        report, lambda: workflow.take_on(report, current_user, expected_version=form.expected_version)
    )
    if status is None:
        flash(f"U gaat achter {report.reference} aan.", "success")
        return redirect(url_for("reports.detail", reference=report.reference), 303)
    if error is not None:
        form.form_errors.append(error.message)
    return _render_report(report, "take_on", form, status=status, conflict=conflict)


@bp.route("/meldingen/<reference>/toewijzen", methods=["POST"])
@role_required("coach")
@rerender_on_csrf_error
def assign(reference: str):
    def perform(report, form):
        assignee = db.session.get(User, int(form.assignee_id.data))
        if assignee is None:
            raise DomainError("Kies een ontregelcoach.", field="assignee_id")
        unchanged = report.assignee_id == assignee.id
        workflow.assign_report(report, assignee, actor=current_user, expected_version=form.expected_version)
        if unchanged:
            return f"{assignee.name} ging al achter {report.reference} aan."
        if assignee.id == current_user.id:
            return f"U gaat achter {report.reference} aan."
        return f"{assignee.name} gaat achter {report.reference} aan en krijgt hierover bericht."

    return _report_action(reference, "assign", perform, "Toegewezen.")


@bp.route("/meldingen/<reference>/besluit", methods=["POST"])
@role_required("coach")
@rerender_on_csrf_error
def decide(reference: str):
    def perform(report, form):
        legal = None
        if form.outcome.data == workflow.ESCALATED:
            legal = LegalReference(form.law_title.data or "", form.bwb_id.data or None, form.article.data or None)
        workflow.decide_report(
            report,
            actor=current_user,
            outcome=form.outcome.data,
            explanation=form.explanation.data,
            what_changed=form.what_changed.data,
            legal=legal,
            expected_version=form.expected_version,
        )

    return _report_action(
        reference,
        "decide",
        perform,
        "Besluit vastgelegd voor {reference}. De melder en wie de melding steunen, krijgen bericht.",
    )


@bp.route("/meldingen/<reference>/samenvoegen", methods=["POST"])
@role_required("coach")
@rerender_on_csrf_error
def merge(reference: str):
    def perform(report, form):
        target = get_by_reference(form.target.data or "")
        if target is None:
            raise DomainError("Er is geen melding met dit nummer. Gebruik de vorm RK-2026-0012.", field="target")
        workflow.merge_report(
            report,
            target,
            actor=current_user,
            explanation=form.explanation.data,
            expected_version=form.expected_version,
        )

    return _report_action(
        reference,
        "merge",
        perform,
        "{reference} is samengevoegd. Iedereen die de melding volgde, volgt nu de andere melding en krijgt bericht.",
    )


@bp.route("/meldingen/<reference>/heropenen", methods=["POST"])
@role_required("coach")
@rerender_on_csrf_error
def reopen(reference: str):
    def perform(report, form):
        workflow.reopen_report(
            report, actor=current_user, reason=form.reason.data, expected_version=form.expected_version
        )

    return _report_action(
        reference, "reopen", perform, "{reference} is heropend. De melder en wie de melding steunen, krijgen bericht."
    )


@bp.route("/meldingen/<reference>/notitie", methods=["POST"])
@role_required("coach", "legal")
@rerender_on_csrf_error
def note(reference: str):
    def perform(report, form):
        workflow.add_note(report, actor=current_user, text=form.text.data)

    return _report_action(
        reference, "note", perform, "Notitie opgeslagen. Alleen coaches en Juridische Zaken zien hem.", "notities"
    )


@bp.route("/meldingen/<reference>/bericht", methods=["POST"])
@role_required("coach", "legal")
@rerender_on_csrf_error
def update(reference: str):
    def perform(report, form):
        workflow.post_update(report, actor=current_user, text=form.text.data)

    return _report_action(
        reference, "update", perform, "Bericht verstuurd aan de melder en wie de melding steunen.", "berichten"
    )
