"""What the report page shows coaches, Juridische Zaken and the beheerder beyond what the
reporter sees: supporters, internal notes, messages, and the forms of the actions this
user may take now (app.services.workflow.report_actions decides which)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request

from app.anonymity import supporter_name
from app.extensions import db
from app.models import Event, Report, Support, User
from app.models.report import EventKind
from app.permissions import can_read_notes
from app.reports.forms import (
    ActionForm,
    AssignForm,
    DecideForm,
    MergeForm,
    NoteForm,
    ReopenForm,
    TakeOnForm,
    UpdateForm,
)
from app.search import clean_search, find_similar, support_counts
from app.services import workflow
from app.services.reports import get_by_reference, parse_reference, typed_reference
from app.services.users import active_coaches
from app.web import FormsPage

# Form name -> (form class, prefix and anchor on the page).
FORMS = {
    "take_on": (TakeOnForm, "oppakken"),
    "assign": (AssignForm, "toewijzen"),
    "decide": (DecideForm, "besluit"),
    "merge": (MergeForm, "samenvoegen"),
    "reopen": (ReopenForm, "heropenen"),
    "note": (NoteForm, "notitie"),
    "update": (UpdateForm, "bericht"),
}
HANDLING = ("take_on", "assign", "decide", "merge", "reopen")


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
class ReportPanel(FormsPage):
    ANCHORS = {name: prefix for name, (_cls, prefix) in FORMS.items()}

    report: Report
    actions: workflow.ReportActions
    reads_notes: bool
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

    def show(self, name: str) -> bool:
        """A form is offered when this user may do it now, and always comes back after it
        was sent (with its message)."""
        return bool(getattr(self.actions, name)) or self.submitted == name

    @property
    def has_actions(self) -> bool:
        return any(self.show(name) for name in HANDLING)


def merge_candidates(report: Report, query: str) -> tuple[list, bool]:
    """Reports this one could be merged into: by reference, or by similar words (the
    report's own words when nothing was searched: then they are suggestions)."""
    suggestions = not query
    if suggestions:
        query = f"{report.rule} {report.problem}"
    reference = typed_reference(query)
    if reference:
        found = get_by_reference(reference)
        results = [found] if found is not None else []
        counts = support_counts([r.id for r in results])
        results = [(r, counts.get(r.id, 0)) for r in results]
    else:
        results = [
            (s.report, s.supporters) for s in find_similar(query, limit=8, exclude_ids=(report.id,), open_only=False)
        ]
    return [(r, n) for r, n in results if r.id != report.id and r.status != workflow.MERGED], suggestions


def build_panel(
    report: Report, viewer: User, *, submitted: str | None = None, form=None, conflict: str | None = None
) -> ReportPanel:
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
        target = request.args.get("doel", "")
        if parse_reference(target):
            forms["merge"].target.data = target.strip().upper()
    if forms["decide"] is not form:
        # Solving confirms the estimate as it stands: the coach sees it and may change it.
        forms["decide"].fill_estimate(report)
    if report.assignee_id and forms["assign"] is not form:
        forms["assign"].assignee_id.data = str(report.assignee_id)
    if conflict and isinstance(form, ActionForm):
        # The user has now seen the current state; sending again is a deliberate choice.
        form.version.data = str(report.version)
    reads_notes = can_read_notes(viewer)
    panel = ReportPanel(
        report=report,
        actions=workflow.report_actions(report, viewer),
        reads_notes=reads_notes,
        forms=forms,
        supporters=[Supporter(supporter_name(s, viewer), s) for s in report.supports],
        notes=[e for e in report.events if e.kind == EventKind.NOTE.value] if reads_notes else [],
        updates=[e for e in report.events if e.kind == EventKind.PUBLIC_UPDATE.value],
        merged_into=db.session.get(Report, report.duplicate_of_id) if report.duplicate_of_id else None,
        submitted=submitted,
        conflict=conflict,
    )
    if panel.show("merge"):
        panel.search = clean_search(request.args.get("zoek"))
        panel.candidates, panel.candidates_are_suggestions = merge_candidates(report, panel.search)
    return panel
