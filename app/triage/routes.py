"""The weekly session of the ontregelcoaches (weekoverleg): start it, go through the
agenda one item at a time, end it and read or mail the minutes (besluitenlijst)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.forms import VersionedForm, parse_id
from app.i18n import shown_text
from app.models import Report, TriageItem, TriageSession, User
from app.models.base import utcnow
from app.permissions import area_required
from app.reports.panel import merge_candidates
from app.search import clean_search
from app.services import DomainError, workflow
from app.services.dossiers import LegalReference
from app.services.triage import (
    HANDLED,
    PENDING,
    SKIPPED,
    SessionClosedError,
    UndoConflict,
    agenda_groups,
    build_agenda,
    can_undo,
    current_item,
    end_session,
    handle_item,
    next_item,
    next_pending,
    open_session,
    past_sessions,
    preview_merge,
    progress,
    reason_label,
    set_attendees,
    skip_item,
    start_session,
    undo_item,
)
from app.services.triage import (
    minutes as minutes_of,
)
from app.services.users import active_coaches
from app.services.workflow import ReportConflict
from app.triage.forms import (
    AssignForm,
    AttendeesForm,
    DecideForm,
    EndForm,
    MergeForm,
    SkipForm,
    StartForm,
    TakeOnForm,
    UndoForm,
)
from app.views import person
from app.web import STALE_FORM, csrf_failed, rerender_on_csrf_error, run_form

bp = Blueprint("triage", __name__)

ITEM_FORMS = {
    "take_on": TakeOnForm,
    "assign": AssignForm,
    "decide": DecideForm,
    "merge": MergeForm,
    "skip": SkipForm,
}


def _utc_iso(value: datetime) -> str:
    """Whole seconds in UTC with a Z: what every browser's Date.parse understands."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _age(value: datetime, now: datetime) -> str:
    days = (now - value).days
    if days <= 0:
        return gettext("vandaag gemeld")
    return ngettext("%(num)d dag geleden gemeld", "%(num)d dagen geleden gemeld", days)


def _timer(session: TriageSession, now: datetime) -> dict:
    total = current_app.config["TRIAGE_SESSION_MINUTES"]
    remaining = (session.started_at + timedelta(minutes=total) - now).total_seconds()
    return {
        "total": total,
        "remaining_minutes": max(0, math.ceil(remaining / 60)),
        "started_at": _utc_iso(session.started_at),
        "server_now": _utc_iso(now),
    }


def _item_forms(item: TriageItem | None, coaches) -> dict:
    """Fresh, empty forms for the actions on `item` (never filled from the request)."""
    forms = {}
    for action, form_class in ITEM_FORMS.items():
        kwargs = {"coaches": coaches} if form_class is AssignForm else {}
        form = form_class(formdata=None, prefix=action, **kwargs)
        if isinstance(form, VersionedForm):
            form.version.data = str(item.report.version) if item is not None else ""
        if isinstance(form, DecideForm) and item is not None:
            # Solving confirms the estimate as it stands: the coach sees it and may change it.
            form.fill_estimate(item.report)
        forms[action] = form
    return forms


def _render_session(
    session: TriageSession,
    item: TriageItem | None,
    *,
    submitted: tuple[str, object] | None = None,
    status: int = 200,
    problem: str | None = None,
    problem_title: str = _l("Niet opgeslagen: iemand was u voor"),
    unsaved: str | None = None,
    merge_target=None,
    merge_problem: str | None = None,
):
    coaches = active_coaches()
    # Every report on the agenda in one query (the list names each), not one per item;
    # held in this frame while the page renders (the identity map only keeps weak references).
    agenda_reports = db.session.scalars(
        db.select(Report).join(TriageItem, TriageItem.report_id == Report.id).where(TriageItem.session_id == session.id)
    ).all()
    forms = _item_forms(item, coaches)
    search, candidates, suggested = "", [], False
    attendees_form = AttendeesForm(formdata=None, prefix="attendees", coaches=coaches)
    attendees_form.attendees.data = [a.user_id for a in session.attendees]
    end_form = EndForm(formdata=None, prefix="end")
    active = None
    if submitted is not None:
        active, form = submitted
        if active in forms:
            forms[active] = form
        elif active == "attendees":
            attendees_form = form
        elif active == "end":
            end_form = form
    now = utcnow()
    error_form = None
    if submitted is not None and (submitted[1].errors or submitted[1].form_errors):
        error_form = submitted[1]
    actions = workflow.report_actions(item.report, current_user) if item is not None else None
    if item is not None and item.state != HANDLED and (actions.merge or active == "merge"):
        merge_form = forms["merge"]
        if submitted is None:
            # Chosen from the list below the form: shown before anything can happen.
            chosen = clean_search(request.args.get("doel"))
            if chosen:
                merge_form.target.data = chosen
                merge_target, merge_problem = _preview(item, chosen)
        elif merge_target is None and active == "merge" and merge_form.confirmed:
            # Came back (a missing explanation, a conflict): the chosen report stays in view.
            merge_target, _ = _preview(item, merge_form.target.data)
        # The confirming button acts only for the report this page shows.
        merge_form.confirm.data = merge_target.reference if merge_target is not None else ""
        search = clean_search(request.args.get("zoek")) if submitted is None else ""
        candidates, suggested = merge_candidates(item.report, search)
    undo_forms = {}
    for entry in session.items:
        if can_undo(entry, now=now):
            undo_forms[entry.id] = UndoForm(formdata=None, prefix="undo")
            undo_forms[entry.id].version.data = str(entry.report.version)
    return (
        render_template(
            "triage/session.html",
            session=session,
            item=item,
            items=session.items,
            next_item=next_pending(session, item),
            progress=progress(session),
            forms=forms,
            attendees_form=attendees_form,
            end_form=end_form,
            error_form=error_form,
            active=active,
            actions=actions,
            merge_target=merge_target,
            merge_problem=merge_problem,
            search=search,
            candidates=candidates,
            candidates_are_suggestions=suggested,
            undo_forms=undo_forms,
            agenda_reports=agenda_reports,
            coaches=coaches,
            timer=_timer(session, now),
            now=now,
            age=lambda value: _age(value, now),
            reason_label=reason_label,
            problem=problem,
            problem_title=problem_title,
            unsaved=unsaved,
            PENDING=PENDING,
            HANDLED=HANDLED,
            SKIPPED=SKIPPED,
        ),
        status,
    )


def _session_or_404(session_id: int) -> TriageSession:
    return db.get_or_404(TriageSession, session_id)


def _item_or_404(session: TriageSession, item_id: int) -> TriageItem:
    item = db.session.get(TriageItem, item_id)
    if item is None or item.session_id != session.id:
        abort(404)
    return item


def _to_minutes(session: TriageSession, message: str, category: str = "info"):
    flash(message, category)
    return redirect(url_for("triage.minutes", session_id=session.id), 303)


# --- start page ------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@area_required("triage")
@rerender_on_csrf_error
def index():
    coaches = active_coaches()
    form = StartForm(prefix="start", coaches=coaches)
    if not form.is_submitted():
        form.attendees.data = [current_user.id]
        return _render_index(form)
    started: list[TriageSession] = []

    def perform():
        running = open_session()
        session = start_session(current_user, form.attendees.data)
        started.append(session)
        if running is not None and running.id == session.id:
            return (
                gettext(
                    "Er liep al een weekoverleg, gestart door %(name)s. U doet nu mee.",
                    name=person(session.started_by),
                ),
                "info",
            )
        count = len(session.items)
        if not count:
            return gettext("Het weekoverleg is gestart. De agenda is leeg.")
        return ngettext(
            "Het weekoverleg is gestart. Er staat %(num)d punt op de agenda.",
            "Het weekoverleg is gestart. Er staan %(num)d punten op de agenda.",
            count,
        )

    return run_form(
        form,
        perform,
        success="",
        redirect_to=lambda: url_for("triage.session", session_id=started[0].id),
        render=lambda failure: _render_index(form, failure.status),
    )


def _render_index(form, status: int = 200):
    running = open_session()
    agenda = build_agenda() if running is None else []
    return (
        render_template(
            "triage/index.html",
            form=form,
            running=running,
            running_progress=progress(running) if running else None,
            agenda=agenda,
            groups={group.reason: group for group in agenda_groups(agenda)},
            past=past_sessions(),
            progress=progress,
        ),
        status,
    )


# --- the session -----------------------------------------------------------------------


@bp.route("/<int:session_id>")
@area_required("triage")
def session(session_id: int):
    triage_session = _session_or_404(session_id)
    if not triage_session.is_open:
        return redirect(url_for("triage.minutes", session_id=session_id))
    item = current_item(triage_session, parse_id(request.args.get("punt")))
    return _render_session(triage_session, item)


class _MergePreview(DomainError):
    """The merge form's first step: show the chosen report, change nothing."""

    def __init__(self, target):
        super().__init__("")
        self.target = target


def _preview(item: TriageItem, reference: str, expected_version: int | None = None):
    """(target, None) or (None, why not), asking the checks of the merge itself."""
    try:
        return preview_merge(item, current_user, reference, expected_version=expected_version), None
    except DomainError as error:
        db.session.rollback()
        return None, error.message


def _sentence(text: str) -> str:
    """`text` ending in one full stop (a decision may already end in one)."""
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _forward(triage_session: TriageSession, item: TriageItem) -> tuple[str, str]:
    """The page after an action on `item`: the next item ahead, never an earlier one
    unless nothing is left ahead (and then the coach is told)."""
    following = next_item(triage_session, item)
    if following.item is None:
        return url_for("triage.session", session_id=triage_session.id), ""
    note = ""
    if following.wrapped:
        if following.item.state == SKIPPED:
            note = gettext(
                "Er staat niets meer na dit punt op de agenda: u gaat terug naar punt %(position)d, dat is "
                "overgeslagen.",
                position=following.item.position,
            )
        else:
            note = gettext(
                "Er staat niets meer na dit punt op de agenda: u gaat terug naar punt %(position)d, dat nog niet "
                "is besproken.",
                position=following.item.position,
            )
        note = " " + note
    return url_for("triage.session", session_id=triage_session.id, punt=following.item.id), note


def _act(session_id: int, item_id: int, action: str):
    triage_session = _session_or_404(session_id)
    item = _item_or_404(triage_session, item_id)
    if not triage_session.is_open:
        return _to_minutes(triage_session, gettext("Dit weekoverleg is al afgesloten. Er is niets gewijzigd."), "error")
    kwargs = {"coaches": active_coaches()} if action == "assign" else {}
    form = ITEM_FORMS[action](prefix=action, **kwargs)
    reference = item.report.reference
    destination = []

    def perform():
        if action == "merge" and not form.confirmed:
            raise _MergePreview(
                preview_merge(item, current_user, form.target.data, expected_version=form.expected_version)
            )
        if action == "skip":
            skip_item(item, current_user)
            url, note = _forward(triage_session, item)
            destination.append(url)
            message = gettext(
                "%(reference)s is overgeslagen. U kunt er later op terugkomen via de agenda.", reference=reference
            )
            return (message + note, "info")
        handle_item(
            item,
            current_user,
            action,
            expected_version=form.expected_version,
            assignee_id=getattr(getattr(form, "assignee_id", None), "data", None),
            outcome=getattr(getattr(form, "outcome", None), "data", None),
            explanation=getattr(getattr(form, "explanation", None), "data", None),
            what_changed=getattr(getattr(form, "what_changed", None), "data", None),
            legal=_legal_reference(form),
            target_reference=getattr(getattr(form, "target", None), "data", None),
            **_decision_extras(form),
        )
        url, note = _forward(triage_session, item)
        destination.append(url)
        return (
            gettext(
                "%(reference)s: %(decision)s U kunt dit ongedaan maken zolang de e-mails nog niet weg zijn.",
                reference=reference,
                decision=_sentence(shown_text(item.decision)),
            )
            + note
        )

    def render(failure):
        if failure.conflict:
            return _conflict(triage_session, item, action, form, failure.conflict)
        return _render_session(triage_session, item, submitted=(action, form), status=failure.status)

    def show_preview(preview: _MergePreview):
        form.confirm.data = preview.target.reference
        return _render_session(triage_session, item, submitted=(action, form), merge_target=preview.target)

    return run_form(
        form,
        perform,
        success="",
        redirect_to=lambda: destination[0] if destination else url_for("triage.session", session_id=session_id),
        render=render,
        conflict=lambda: ReportConflict(item.report, current_user),
        escapes={
            SessionClosedError: lambda error: _to_minutes(triage_session, error.message, "error"),
            _MergePreview: show_preview,
        },
    )


@bp.route("/<int:session_id>/punten/<int:item_id>/ongedaan-maken", methods=["POST"])
@area_required("triage")
@rerender_on_csrf_error
def undo(session_id: int, item_id: int):
    """'Ongedaan maken': the session's decision on the item is undone; nobody is mailed."""
    triage_session = _session_or_404(session_id)
    item = _item_or_404(triage_session, item_id)
    if not triage_session.is_open:
        return _to_minutes(triage_session, gettext("Dit weekoverleg is al afgesloten. Er is niets gewijzigd."), "error")
    form = UndoForm(prefix="undo")
    reference = item.report.reference

    def perform():
        decision = shown_text(item.decision)
        undo_item(item, current_user, expected_version=form.expected_version)
        return (
            gettext(
                "Het besluit over %(reference)s (%(decision)s) is ongedaan gemaakt. Niemand krijgt er bericht over. "
                "Het punt staat weer open.",
                reference=reference,
                decision=decision,
            ),
            "info",
        )

    def render(failure):
        db.session.refresh(item)
        if csrf_failed(form):
            problem = gettext("Het formulier was verlopen. Er is niets ongedaan gemaakt; probeer het opnieuw.")
        else:
            problem = failure.conflict or _first_error(form)
        return _render_session(
            triage_session, item, status=failure.status, problem=problem, problem_title=gettext("Niet ongedaan gemaakt")
        )

    return run_form(
        form,
        perform,
        success="",
        redirect_to=url_for("triage.session", session_id=session_id, punt=item_id),
        render=render,
        # Two coaches undoing at the same moment: the second hears the state it left.
        conflict=lambda: UndoConflict(item.report, current_user),
        escapes={SessionClosedError: lambda error: _to_minutes(triage_session, error.message, "error")},
    )


def _first_error(form) -> str:
    errors = [*form.form_errors, *(error for errors in form.errors.values() for error in errors)]
    return errors[0] if errors else STALE_FORM


def _legal_reference(form) -> LegalReference | None:
    if not isinstance(form, DecideForm):
        return None
    return LegalReference(form.law_title.data or "", form.bwb_id.data or None, form.article.data or None)


def _decision_extras(form) -> dict:
    """A decision's impact estimate (confirmed when solving) and its open-data mark."""
    if not isinstance(form, DecideForm):
        return {}
    return {"estimate": form.estimate, "text_public": form.text_public.data}


def _typed_text(form) -> str | None:
    parts = []
    for name in ("explanation", "what_changed", "law_title", "article", "bwb_id", "target"):
        field = getattr(form, name, None)
        if field is not None and (field.data or "").strip():
            parts.append(f"{field.label.text}\n{field.data.strip()}")
    return "\n\n".join(parts) or None


def _conflict(triage_session: TriageSession, item: TriageItem, action: str, form, message: str):
    """409: tell the coach what changed, show the current state, keep what they typed."""
    if item.state == HANDLED:
        submitted = None
    else:
        # Their text stays in the form; the version is now the current one, so sending
        # it again is a deliberate choice made with the new state in view.
        form.version.data = str(item.report.version)
        submitted = (action, form)
    return _render_session(
        triage_session,
        item,
        submitted=submitted,
        status=409,
        problem=message,
        unsaved=_typed_text(form),
    )


@bp.route("/<int:session_id>/punten/<int:item_id>/oppakken", methods=["POST"])
@area_required("triage")
@rerender_on_csrf_error
def take_on(session_id: int, item_id: int):
    return _act(session_id, item_id, "take_on")


@bp.route("/<int:session_id>/punten/<int:item_id>/toewijzen", methods=["POST"])
@area_required("triage")
@rerender_on_csrf_error
def assign(session_id: int, item_id: int):
    return _act(session_id, item_id, "assign")


@bp.route("/<int:session_id>/punten/<int:item_id>/besluiten", methods=["POST"])
@area_required("triage")
@rerender_on_csrf_error
def decide(session_id: int, item_id: int):
    return _act(session_id, item_id, "decide")


@bp.route("/<int:session_id>/punten/<int:item_id>/samenvoegen", methods=["POST"])
@area_required("triage")
@rerender_on_csrf_error
def merge(session_id: int, item_id: int):
    return _act(session_id, item_id, "merge")


@bp.route("/<int:session_id>/punten/<int:item_id>/overslaan", methods=["POST"])
@area_required("triage")
@rerender_on_csrf_error
def skip(session_id: int, item_id: int):
    return _act(session_id, item_id, "skip")


@bp.route("/<int:session_id>/aanwezigen", methods=["POST"])
@area_required("triage")
@rerender_on_csrf_error
def attendees(session_id: int):
    triage_session = _session_or_404(session_id)
    if not triage_session.is_open:
        return _to_minutes(triage_session, gettext("Dit weekoverleg is al afgesloten. Er is niets gewijzigd."), "error")
    form = AttendeesForm(prefix="attendees", coaches=active_coaches())
    return run_form(
        form,
        lambda: set_attendees(triage_session, form.attendees.data, actor=current_user),
        success=gettext("De lijst met aanwezigen is bijgewerkt."),
        redirect_to=url_for("triage.session", session_id=session_id),
        render=lambda failure: _render_session(
            triage_session, current_item(triage_session), submitted=("attendees", form), status=failure.status
        ),
        escapes={SessionClosedError: lambda error: _to_minutes(triage_session, error.message, "error")},
    )


@bp.route("/<int:session_id>/afsluiten", methods=["POST"])
@area_required("triage")
@rerender_on_csrf_error
def end(session_id: int):
    triage_session = _session_or_404(session_id)
    if not triage_session.is_open:
        return _to_minutes(triage_session, gettext("Dit weekoverleg was al afgesloten."))
    form = EndForm(prefix="end")

    def perform():
        count = end_session(triage_session, current_user)
        if not count:
            return gettext("Het weekoverleg is afgesloten. De besluitenlijst staat hieronder.")
        return ngettext(
            "Het weekoverleg is afgesloten. De besluitenlijst staat hieronder en is naar %(num)d coach gemaild.",
            "Het weekoverleg is afgesloten. De besluitenlijst staat hieronder en is naar %(num)d coaches gemaild.",
            count,
        )

    return run_form(
        form,
        perform,
        success="",
        redirect_to=url_for("triage.minutes", session_id=session_id),
        render=lambda failure: _render_session(
            triage_session, current_item(triage_session), submitted=("end", form), status=failure.status
        ),
        escapes={
            SessionClosedError: lambda error: _to_minutes(triage_session, gettext("Dit weekoverleg was al afgesloten."))
        },
    )


@bp.route("/<int:session_id>/besluitenlijst")
@area_required("triage")
def minutes(session_id: int):
    triage_session = _session_or_404(session_id)
    return render_template(
        "triage/minutes.html",
        session=triage_session,
        parts=minutes_of(triage_session),
        ended_by=db.session.get(User, triage_session.ended_by_id) if triage_session.ended_by_id else None,
    )
