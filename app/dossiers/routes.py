"""Juridische Zaken: the overview of escalation dossiers, a dossier page with its linked
reports, timeline and actions, and exports of the list. Legal users act; the beheerder may
look (read-only). Every change goes through app.services.dossiers."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.clock import today
from app.dossiers.export import COLUMNS, TITLE, dossier_cells
from app.dossiers.forms import DossierForm, DossierNoteForm, DossierStatusForm, DossierTakeOnForm, optional_id
from app.dossiers.overview import (
    ATTENTION,
    NOBODY,
    OPEN,
    dossier_rows,
    owner_choices,
    read_filters,
)
from app.export import export_or_refuse, too_many
from app.extensions import db
from app.i18n import N_
from app.models import Dossier, DossierEvent
from app.models.dossier import DossierStatus
from app.permissions import area_required, role_required
from app.services.addressees import all_addressees
from app.services.dossiers import (
    ANSWERED,
    EDITOR_ROLES,
    DossierActions,
    DossierConflict,
    LegalReference,
    add_dossier_note,
    change_dossier_status,
    dossier_actions,
    possible_owners,
    take_on_dossier,
    update_dossier,
)
from app.services.register import register_view
from app.web import Failure, FormsPage, rerender_on_csrf_error, run_form

bp = Blueprint("dossiers", __name__)


# --- the overview ----------------------------------------------------------------------


def _filters():
    addressees = all_addressees()
    owners = owner_choices()
    return read_filters(request.args, addressees, owners), addressees, owners


@bp.route("/")
@area_required("dossiers")
def index():
    filters, addressees, owners = _filters()
    day = today()
    rows = dossier_rows(filters, day)
    return render_template(
        "dossiers/index.html",
        rows=rows,
        filters=filters,
        addressees=addressees,
        owners=owners,
        statuses={status: status.label for status in DossierStatus},
        attention_options={value: gettext(label) for value, label in ATTENTION.items()},
        NOBODY=NOBODY,
        OPEN=OPEN,
        late_count=sum(row.answer_overdue for row in rows),
        follow_up_count=sum(row.follow_up_due for row in rows),
        export_refused=too_many(len(rows)),
    )


def _export(kind: str):
    filters, _, _ = _filters()
    return export_or_refuse(
        COLUMNS,
        [dossier_cells(row) for row in dossier_rows(filters, today())],
        kind=kind,
        name="escalatiedossiers",
        title=TITLE,
        actor=current_user,
        back_to=url_for("dossiers.index", **filters.args()),
    )


@bp.route("/export.csv")
@area_required("dossiers")
def export_csv():
    return _export("csv")


@bp.route("/export.xlsx")
@area_required("dossiers")
def export_xlsx():
    return _export("xlsx")


# --- one dossier -------------------------------------------------------------------------

# Form name -> (form class, prefix and anchor on the page).
FORMS = {
    "edit": (DossierForm, "gegevens"),
    "status": (DossierStatusForm, "status"),
    "note": (DossierNoteForm, "notitie"),
    "take_on": (DossierTakeOnForm, "eigenaar"),
}

# What each step on a dossier's timeline is called (msgids, translated in event_label).
EVENT_LABELS = {
    "created": N_("Dossier aangemaakt"),
    "linked": N_("Melding toegevoegd"),
    "unlinked": N_("Melding uit het dossier gehaald"),
    "updated": N_("Gegevens gewijzigd"),
    "note": N_("Notitie"),
    "owner": N_("Eigenaar"),
    "register_published": N_("Gepubliceerd in het gedeelde register"),
    "register_withdrawn": N_("Uit het gedeelde register gehaald"),
    "register_letter_joined": N_("Aangesloten bij de gezamenlijke brief"),
}


def _make_form(name: str, dossier: Dossier, *, bound: bool):
    cls, prefix = FORMS[name]
    kwargs = {"prefix": prefix}
    if not bound:
        kwargs["formdata"] = None
    if cls is DossierForm:
        kwargs.update(addressees=all_addressees(), owners=possible_owners(), current_addressee_id=dossier.addressee_id)
    elif cls is DossierStatusForm:
        kwargs["statuses"] = dossier_actions(dossier, current_user).statuses
    form = cls(**kwargs)
    if not bound:
        _fill(form, dossier)
        if cls is DossierStatusForm and len(kwargs["statuses"]) == 1:
            # One way forward (after 'verstuurd' only the answer): choose it already.
            form.to_status.data = kwargs["statuses"][0]
    return form


def _fill(form, dossier: Dossier) -> None:
    """An unbound form shows the dossier as it is now."""
    form.version.data = str(dossier.version)
    if isinstance(form, DossierForm):
        for name in ("law_title", "bwb_id", "article", "channel", "sent_on", "answer_due", "follow_up_on"):
            getattr(form, name).data = getattr(dossier, name)
        form.addressee_id.data = str(dossier.addressee_id) if dossier.addressee_id else ""
        form.owner_id.data = str(dossier.owner_id) if dossier.owner_id else ""


def event_label(event: DossierEvent) -> str:
    if event.kind == "status_changed" and event.to_status:
        return gettext("Status: %(status)s", status=DossierStatus(event.to_status).label)
    return gettext(EVENT_LABELS[event.kind]) if event.kind in EVENT_LABELS else event.kind


@dataclass
class DossierPage(FormsPage):
    ANCHORS = {name: prefix for name, (_cls, prefix) in FORMS.items()}

    dossier: Dossier
    actions: DossierActions
    forms: dict
    answer_overdue: bool
    follow_up_due: bool
    submitted: str | None = None
    conflict: str | None = None

    @property
    def can_act(self) -> bool:
        return self.actions.any

    @property
    def statuses(self) -> tuple[str, ...]:
        return self.actions.statuses

    @property
    def shows_answer_fields(self) -> bool:
        """The answer can only be recorded from 'verstuurd'; what was typed always comes back."""
        if ANSWERED in self.statuses:
            return True
        form = self.forms.get("status") if self.submitted == "status" else None
        return bool(
            form and (form.answer.data or form.answer_summary.data or form.answer.errors or form.answer_summary.errors)
        )

    @property
    def closed(self) -> bool:
        return not self.statuses and self.submitted != "status"


def _render_dossier(dossier: Dossier, *, submitted: str | None = None, failure: Failure | None = None):
    actions = dossier_actions(dossier, current_user)
    form = failure.form if failure else None
    conflict = failure.conflict if failure else None
    forms = {}
    if actions.any or submitted:
        for name in FORMS:
            forms[name] = form if name == submitted else _make_form(name, dossier, bound=False)
        if conflict and form is not None:
            # The user has now seen the current state; sending again is a deliberate choice.
            form.version.data = str(dossier.version)
    day = today()
    page = DossierPage(
        dossier=dossier,
        actions=actions,
        forms=forms,
        answer_overdue=dossier.answer_late(day),
        follow_up_due=dossier.follow_up_due(day),
        submitted=submitted,
        conflict=conflict,
    )
    return render_template(
        "dossiers/detail.html",
        page=page,
        dossier=dossier,
        event_label=event_label,
        ANSWERED=ANSWERED,
        register=register_view(dossier),
    ), failure.status if failure else 200


@bp.route("/dossiers/<int:dossier_id>")
@area_required("dossiers")
def detail(dossier_id: int):
    return _render_dossier(db.get_or_404(Dossier, dossier_id))


def _dossier_action(dossier_id: int, name: str, perform, success: str):
    """One action of the dossier page: app.web.run_form with this dossier's version and its
    conflict message, and the dossier page as the place a form comes back to."""
    dossier = db.get_or_404(Dossier, dossier_id)
    form = _make_form(name, dossier, bound=True)
    return run_form(
        form,
        lambda: perform(dossier, form),
        success=success,
        redirect_to=lambda: url_for("dossiers.detail", dossier_id=dossier.id, _anchor=FORMS[name][1]),
        render=lambda failure: _render_dossier(dossier, submitted=name, failure=failure),
        current_version=dossier.version,
        conflict=lambda: DossierConflict(dossier, current_user),
    )


@bp.route("/dossiers/<int:dossier_id>/gegevens", methods=["POST"])
@role_required(*EDITOR_ROLES)
@rerender_on_csrf_error
def edit(dossier_id: int):
    def perform(dossier, form):
        version = dossier.version
        update_dossier(
            dossier,
            actor=current_user,
            reference=LegalReference(form.law_title.data, form.bwb_id.data, form.article.data),
            addressee_id=optional_id(form.addressee_id.data),
            channel=form.channel.data,
            sent_on=form.sent_on.data,
            answer_due=form.answer_due.data,
            follow_up_on=form.follow_up_on.data,
            owner_id=optional_id(form.owner_id.data),
            expected_version=form.expected_version,
        )
        return (
            None
            if dossier.version != version
            else gettext("Er was niets gewijzigd; de gegevens zijn hetzelfde gebleven.")
        )

    return _dossier_action(dossier_id, "edit", perform, gettext("De gegevens van het dossier zijn opgeslagen."))


@bp.route("/dossiers/<int:dossier_id>/status", methods=["POST"])
@role_required(*EDITOR_ROLES)
@rerender_on_csrf_error
def status(dossier_id: int):
    def perform(dossier, form):
        to = form.to_status.data
        change_dossier_status(
            dossier,
            to,
            actor=current_user,
            text=form.text.data,
            answer=form.answer.data,
            answer_summary=form.answer_summary.data,
            expected_version=form.expected_version,
        )
        names = {"reference": dossier.reference, "status": DossierStatus(to).label}
        if dossier.reports:
            return gettext(
                "%(reference)s staat nu op %(status)s. De melders en wie hun melding steunen, krijgen bericht.", **names
            )
        return gettext("%(reference)s staat nu op %(status)s.", **names)

    return _dossier_action(dossier_id, "status", perform, gettext("De status is gewijzigd."))


@bp.route("/dossiers/<int:dossier_id>/notitie", methods=["POST"])
@role_required(*EDITOR_ROLES)
@rerender_on_csrf_error
def note(dossier_id: int):
    def perform(dossier, form):
        add_dossier_note(dossier, actor=current_user, text=form.text.data, expected_version=form.expected_version)
        return None

    return _dossier_action(dossier_id, "note", perform, gettext("Uw notitie is toegevoegd aan het dossier."))


@bp.route("/dossiers/<int:dossier_id>/oppakken", methods=["POST"])
@role_required(*EDITOR_ROLES)
@rerender_on_csrf_error
def take_on(dossier_id: int):
    def perform(dossier, form):
        take_on_dossier(dossier, actor=current_user, expected_version=form.expected_version)
        return gettext("U bent nu eigenaar van %(reference)s.", reference=dossier.reference)

    return _dossier_action(dossier_id, "take_on", perform, gettext("U bent nu eigenaar van het dossier."))
