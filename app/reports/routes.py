"""The red button, similar reports, support ('ik ook'), Mijn meldingen, the report page,
and what coaches and Juridische Zaken do on it (take on, assign, decide, merge, reopen,
internal notes, messages to the reporter) through app.services.workflow."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required

from app.anonymity import is_reporter
from app.clock import next_session
from app.embed import chosen_department
from app.export import export_or_refuse, too_many
from app.extensions import db, talisman
from app.forms import apply_domain_error, parse_id
from app.i18n import N_
from app.models import Department, Report, User
from app.permissions import (
    area_required,
    can_view_report,
    is_staff,
    last_visible_events,
    role_required,
    visible_events,
)
from app.reports.forms import AttachForm, EstimateForm, ReportForm, SupportForm
from app.reports.listing import (
    EXPORT_COLUMNS,
    EXPORT_NAME,
    EXPORT_TITLE,
    ListFilters,
    export_cells,
    export_reports,
    read_filters,
    report_list,
)
from app.reports.panel import build_panel, make_form
from app.search import find_similar, support_counts
from app.services import DomainError, attachments, workflow
from app.services.dossiers import LegalReference
from app.services.reports import OWN, followed_reports, following, get_by_reference, submit_report, support_report
from app.services.users import active_departments, department_names
from app.transactions import reads_first, start_writing
from app.web import Failure, accepts_files, rerender_on_csrf_error, run_form

bp = Blueprint("reports", __name__)


def _report_or_404(reference: str, *, check=can_view_report) -> Report:
    """Someone else's report answers exactly like one that does not exist."""
    report = get_by_reference(reference)
    if report is None or not check(current_user, report):
        abort(404)
    return report


@bp.route("/melden", methods=["GET", "POST"])
@accepts_files
@login_required
@rerender_on_csrf_error
@reads_first
def new():
    departments = active_departments()
    form = ReportForm(departments=departments)
    if request.method == "GET":
        form.submission_key.data = uuid.uuid4().hex
        # A red button on the intranet may choose the department (app.embed); else the user's own.
        chosen = chosen_department(request.args.get("afdeling"), departments)
        if chosen is not None:
            form.department_id.data = chosen.id
        elif current_user.department_id and any(d.id == current_user.department_id for d in departments):
            form.department_id.data = current_user.department_id
    if request.method == "POST" and "edit" in request.form:
        # Back from the 'is dit al gemeld?' step, or from a suggestion the user already
        # follows, to go on with the text.
        if not form.submission_key.data:
            form.submission_key.data = uuid.uuid4().hex
        return render_template("reports/new.html", form=form)
    if form.validate_on_submit():
        if not form.similar_seen.data and "confirm_new" not in request.form:
            # Without JavaScript the similar reports come as a step after submitting.
            similar = find_similar(form.rule.data, extra=form.problem.data)
            if similar:
                return render_template(
                    "reports/check.html",
                    form=form,
                    chose_files=bool(_chosen(form.attachments)),
                    similar=similar,
                    following=following(current_user, [item.report for item in similar]),
                    draft=(form.rule.data, form.problem.data),
                )
        try:
            # Cleaning files is CPU work: before the write lock, like the checks above.
            files = attachments.clean_files(_uploads(form.attachments))
        except DomainError as error:
            apply_domain_error(form, error)
            return _new_page(form, chose_files=True)
        # Only the write below holds SQLite's write lock (app.transactions).
        start_writing()
        try:
            report = submit_report(
                current_user,
                rule=form.rule.data,
                problem=form.problem.data,
                effect=form.effect.data,
                suggestion=form.suggestion.data,
                origin=form.origin.data,
                department_id=form.department_id.data,
                anonymous=form.anonymous.data,
                submission_key=form.submission_key.data,
                estimate=form.estimate,
                attachments=files,
            )
            # Before the commit, which expires the report: reading it back afterwards would
            # cost a query and, on SQLite, a second write transaction until the request ends.
            reference = report.reference
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            return redirect(url_for("reports.confirmation", reference=reference))
    return _new_page(form, chose_files=bool(_chosen(form.attachments)))


def _new_page(form: ReportForm, *, chose_files: bool):
    """The form again, with what was typed; files cannot come back (no browser fills a file
    field in), so the page says to choose them again."""
    if not form.submission_key.data:
        form.submission_key.data = uuid.uuid4().hex
    status = 400 if form.errors or form.form_errors else 200
    return render_template("reports/new.html", form=form, chose_files=chose_files), status


def _chosen(field) -> list:
    """The files sent in a file field (an empty field sends one without a name)."""
    return [file for file in request.files.getlist(field.name) if file and file.filename]


def _uploads(field) -> list[attachments.Upload]:
    """The files of a file field as the service takes them: at most one byte past the
    largest file is read, so a larger one is refused without reading it all."""
    limit = attachments.max_bytes() + 1
    return [attachments.Upload(file.stream.read(limit), file.filename or "") for file in _chosen(field)]


@bp.route("/melden/vergelijkbaar")
@login_required
def similar():
    """An HTML fragment with similar open reports, fetched while the user types."""
    results = find_similar(request.args.get("rule", "")[:2000], extra=request.args.get("problem", "")[:2000])
    return render_template(
        "reports/_similar.html",
        similar=results,
        following=following(current_user, [item.report for item in results]),
        draft=None,
    )


@bp.route("/meldingen/<reference>/bevestiging")
@login_required
def confirmation(reference: str):
    report = _report_or_404(reference, check=is_reporter)
    return render_template("reports/confirmation.html", report=report, next_session=next_session())


@bp.route("/meldingen/<reference>/ik-ook", methods=["GET", "POST"])
@accepts_files
@login_required
@rerender_on_csrf_error
def support(reference: str):
    report = get_by_reference(reference)
    if report is None or not (report.is_open or can_view_report(current_user, report)):
        abort(404)
    form = SupportForm()

    def render(status: int = 200):
        supporters = support_counts([report.id]).get(report.id, 0)
        state = following(current_user, [report]).get(report.id)
        if state:
            # Already following it (or a double click that lost the race): that is what
            # the user wanted, not an error; what they were typing comes back with it.
            status = 200
        page = render_template(
            "reports/support.html", report=report, form=form, supporters=supporters, state=state, own=OWN
        )
        return page, status

    def perform():
        files = attachments.clean_files(_uploads(form.attachments))
        support_report(current_user, report, form.note.data, attachments=files)

    if not form.is_submitted() or following(current_user, [report]):
        return render()
    return run_form(
        form,
        perform,
        success=gettext(
            "U loopt hier ook tegenaan. Dat is toegevoegd aan melding %(reference)s.", reference=report.reference
        ),
        redirect_to=url_for("reports.detail", reference=report.reference),
        render=lambda failure: render(failure.status),
    )


@bp.route("/meldingen/<reference>")
@login_required
def detail(reference: str):
    return _render_detail(_report_or_404(reference))


def _render_detail(report: Report, *, submitted: str | None = None, failure: Failure | None = None):
    """The report page; for staff with the panel, and the form that was sent if it came back."""
    panel = None
    own = submitted in (ESTIMATE, ATTACH)
    if is_staff(current_user):
        panel = build_panel(
            report,
            current_user,
            submitted=None if own else submitted,
            form=failure.form if failure and not own else None,
            conflict=failure.conflict if failure and not own else None,
        )
    own = submitted == ESTIMATE
    estimate_form = None
    if own:
        estimate_form = failure.form
        if failure.conflict:
            # The user has now seen the current state; sending again is a deliberate choice.
            estimate_form.version.data = str(report.version)
    elif workflow.may_estimate(report, current_user):
        estimate_form = EstimateForm(prefix=ESTIMATE_PREFIX, formdata=None)
        estimate_form.fill_estimate(report)
        estimate_form.version.data = str(report.version)
    attach_form = None
    if submitted == ATTACH:
        attach_form = failure.form
    elif attachments.may_add(report, current_user):
        attach_form = AttachForm(formdata=None)
    page = render_template(
        "reports/detail.html",
        report=report,
        events=visible_events(report, current_user),
        panel=panel,
        estimate_form=estimate_form,
        estimate_conflict=failure.conflict if own and failure else None,
        files=attachments.attachments_of(report),
        attach_form=attach_form,
        attach_hint=attachments.limits_hint() if attach_form else None,
    )
    return page, failure.status if failure else 200


ESTIMATE = "estimate"
ESTIMATE_PREFIX = "schatting"
ATTACH = "attach"


@bp.route("/meldingen/<reference>/bijlagen", methods=["POST"])
@accepts_files
@login_required
@rerender_on_csrf_error
@reads_first
def attach(reference: str):
    """More files on the report page: its reporter (while it is open) or a coach
    (app.services.attachments.adding_as)."""
    report = _report_or_404(reference)
    if not attachments.may_add(report, current_user):
        abort(403)
    form = AttachForm()

    def perform():
        uploads = _uploads(form.attachments)
        if not uploads:
            raise DomainError(gettext("Kies een of meer bestanden."), field="attachments")
        files = attachments.clean_files(uploads)
        start_writing()  # only the write holds SQLite's write lock, not the cleaning
        added = attachments.add_attachments(report, current_user, files)
        return ngettext("Het bestand is toegevoegd.", "De %(num)d bestanden zijn toegevoegd.", len(added))

    return run_form(
        form,
        perform,
        success=gettext("Het bestand is toegevoegd."),
        redirect_to=lambda: url_for("reports.detail", reference=reference, _anchor="bijlagen"),
        render=lambda failure: _render_detail(report, submitted=ATTACH, failure=failure),
    )


# Served files: never run as a page of ours (no script, no plug-in, no form, no same-origin
# access), whatever a browser makes of the bytes.
FILE_CSP = {"default-src": "'none'", "sandbox": ""}


def _attachment_or_404(reference: str, number: int):
    """The file of a report the user may see (the same rule as the page); 404 otherwise,
    also when it exists (do not reveal that)."""
    report = _report_or_404(reference)
    found = attachments.get_attachment(report, number)
    if found is None:
        abort(404)
    return found


def _file_response(data: bytes | None, media_type: str | None, name: str, *, inline: bool):
    if data is None or media_type is None:
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = media_type
    # The generated name only (never the uploader's): ASCII, no quotes to escape.
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/meldingen/<reference>/bijlagen/<int:number>")
@login_required
@talisman(content_security_policy=FILE_CSP)
def attachment(reference: str, number: int):
    """The file itself: a PDF always as a download; an image (re-encoded by app.uploads) may
    show in the browser."""
    found = _attachment_or_404(reference, number)
    return _file_response(attachments.read(found), found.media_type, found.download_name, inline=found.is_image)


@bp.route("/meldingen/<reference>/bijlagen/<int:number>/voorbeeld")
@login_required
@talisman(content_security_policy=FILE_CSP)
def attachment_preview(reference: str, number: int):
    """The small preview of an image, for the report page."""
    found = _attachment_or_404(reference, number)
    name = f"{found.report.reference}-bijlage-{found.number}-voorbeeld.{_extension(found.preview_media_type)}"
    return _file_response(attachments.read(found, preview=True), found.preview_media_type, name, inline=True)


def _extension(media_type: str | None) -> str:
    return {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(media_type or "", "bin")


@bp.route("/meldingen/<reference>/schatting", methods=["POST"])
@login_required
@rerender_on_csrf_error
def estimate(reference: str):
    """The impact estimate, given or changed by the reporter (while the report is open) or a
    coach (app.services.workflow.may_estimate, which set_estimate asks)."""
    report = _report_or_404(reference)
    form = EstimateForm(prefix=ESTIMATE_PREFIX)
    return run_form(
        form,
        lambda: workflow.set_estimate(
            report, actor=current_user, estimate=form.estimate, expected_version=form.expected_version
        ),
        success=gettext("De schatting is opgeslagen."),
        redirect_to=lambda: url_for("reports.detail", reference=report.reference, _anchor="impact"),
        render=lambda failure: _render_detail(report, submitted=ESTIMATE, failure=failure),
        current_version=report.version,
        conflict=lambda: workflow.ReportConflict(report, current_user),
    )


@bp.route("/mijn-meldingen")
@login_required
def mine():
    """What the user reported (also anonymously) and what they support, newest activity
    first, a page at a time; each report's whole timeline is on its own page."""
    page = followed_reports(current_user, page=parse_id(request.args.get("pagina")))
    return render_template(
        "reports/mine.html",
        page=page,
        steps=last_visible_events([item.report.id for item in page.items], current_user),
    )


def _list_filters() -> tuple[ListFilters, list[Department]]:
    departments = department_names()
    return read_filters(request.args, departments), departments


@bp.route("/meldingen")
@area_required("board")
def index():
    filters, departments = _list_filters()
    listed = report_list(filters, parse_id(request.args.get("pagina")))
    return render_template(
        "reports/index.html",
        listed=listed,
        page=listed.page,
        filters=filters,
        departments=departments,
        export_refused=too_many(listed.page.total),
    )


def _export(kind: str):
    filters, _ = _list_filters()
    return export_or_refuse(
        EXPORT_COLUMNS,
        export_cells(export_reports(filters)),
        kind=kind,
        name=EXPORT_NAME,
        title=EXPORT_TITLE,
        actor=current_user,
        back_to=url_for("reports.index", **filters.args()),
    )


@bp.route("/meldingen/export.csv")
@area_required("board")
def export_csv():
    return _export("csv")


@bp.route("/meldingen/export.xlsx")
@area_required("board")
def export_xlsx():
    return _export("xlsx")


# --- what coaches and Juridische Zaken do on the report page ---------------------------


def _staff_action(reference: str, name: str, perform, success: str, anchor: str | None = None):
    """One action of the report page: app.web.run_form with this report's version, its
    conflict message, and the report page as the place a form comes back to."""
    report = get_by_reference(reference)
    if report is None:
        abort(404)
    form = make_form(name)
    return run_form(
        form,
        lambda: perform(report, form),
        success=gettext(success, reference=report.reference),
        redirect_to=lambda: url_for("reports.detail", reference=report.reference, _anchor=anchor),
        render=lambda failure: _render_detail(report, submitted=name, failure=failure),
        current_version=report.version if name in HANDLING_FORMS else None,
        conflict=lambda: workflow.ReportConflict(report, current_user),
    )


# Forms that change the report's state carry its version (notes and messages do not).
HANDLING_FORMS = ("take_on", "assign", "decide", "merge", "reopen")


@bp.route("/meldingen/<reference>/oppakken", methods=["POST"])
@role_required(*workflow.HANDLER_ROLES)
@rerender_on_csrf_error
def take_on(reference: str):
    """'Ik pak hem op'."""

    def perform(report, form):
        workflow.take_on(report, current_user, expected_version=form.expected_version)
        return gettext("U gaat achter %(reference)s aan.", reference=report.reference)

    return _staff_action(reference, "take_on", perform, N_("U gaat achter %(reference)s aan."))


@bp.route("/meldingen/<reference>/toewijzen", methods=["POST"])
@role_required(*workflow.HANDLER_ROLES)
@rerender_on_csrf_error
def assign(reference: str):
    def perform(report, form):
        assignee = db.session.get(User, int(form.assignee_id.data))
        if assignee is None:
            raise DomainError(gettext("Kies een ontregelcoach."), field="assignee_id")
        unchanged = report.assignee_id == assignee.id
        workflow.assign_report(report, assignee, actor=current_user, expected_version=form.expected_version)
        if unchanged:
            return gettext("%(name)s ging al achter %(reference)s aan.", name=assignee.name, reference=report.reference)
        if assignee.id == current_user.id:
            return gettext("U gaat achter %(reference)s aan.", reference=report.reference)
        return gettext(
            "%(name)s gaat achter %(reference)s aan en krijgt hierover bericht.",
            name=assignee.name,
            reference=report.reference,
        )

    return _staff_action(reference, "assign", perform, N_("Toegewezen."))


@bp.route("/meldingen/<reference>/besluit", methods=["POST"])
@role_required(*workflow.HANDLER_ROLES)
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
            estimate=form.estimate,
            text_public=form.text_public.data,
        )

    return _staff_action(
        reference,
        "decide",
        perform,
        N_("Besluit vastgelegd voor %(reference)s. De melder en wie de melding steunen, krijgen bericht."),
    )


@bp.route("/meldingen/<reference>/samenvoegen", methods=["POST"])
@role_required(*workflow.HANDLER_ROLES)
@rerender_on_csrf_error
def merge(reference: str):
    def perform(report, form):
        target = get_by_reference(form.target.data or "")
        if target is None:
            raise DomainError(
                gettext("Er is geen melding met dit nummer. Gebruik de vorm RK-2026-0012."), field="target"
            )
        workflow.merge_report(
            report,
            target,
            actor=current_user,
            explanation=form.explanation.data,
            expected_version=form.expected_version,
        )

    return _staff_action(
        reference,
        "merge",
        perform,
        N_(
            "%(reference)s is samengevoegd. Iedereen die de melding volgde, volgt nu de andere melding en krijgt "
            "bericht."
        ),
    )


@bp.route("/meldingen/<reference>/heropenen", methods=["POST"])
@role_required(*workflow.HANDLER_ROLES)
@rerender_on_csrf_error
def reopen(reference: str):
    def perform(report, form):
        workflow.reopen_report(
            report, actor=current_user, reason=form.reason.data, expected_version=form.expected_version
        )

    return _staff_action(
        reference,
        "reopen",
        perform,
        N_("%(reference)s is heropend. De melder en wie de melding steunen, krijgen bericht."),
    )


@bp.route("/meldingen/<reference>/notitie", methods=["POST"])
@role_required(*workflow.WRITER_ROLES)
@rerender_on_csrf_error
def note(reference: str):
    def perform(report, form):
        workflow.add_note(report, actor=current_user, text=form.text.data)

    return _staff_action(
        reference, "note", perform, N_("Notitie opgeslagen. Alleen coaches en Juridische Zaken zien hem."), "notities"
    )


@bp.route("/meldingen/<reference>/bericht", methods=["POST"])
@role_required(*workflow.WRITER_ROLES)
@rerender_on_csrf_error
def update(reference: str):
    def perform(report, form):
        workflow.post_update(report, actor=current_user, text=form.text.data)

    return _staff_action(
        reference, "update", perform, N_("Bericht verstuurd aan de melder en wie de melding steunen."), "berichten"
    )
