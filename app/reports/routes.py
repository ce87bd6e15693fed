"""The red button, similar reports, support ('ik ook') and Mijn meldingen."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.forms import apply_domain_error
from app.models import Event, Report, ReportStatus
from app.models.base import utcnow
from app.permissions import can_view_report, is_staff, role_required
from app.reports.forms import ReportForm, SupportForm
from app.search import find_similar, support_counts
from app.services import DomainError
from app.services.reports import (
    get_by_reference,
    my_reports,
    next_session,
    submit_report,
    support_report,
    supported_reports,
)
from app.services.users import active_departments
from app.web import rerender_on_csrf_error

bp = Blueprint("reports", __name__)


def _report_or_404(reference: str, *, check=can_view_report) -> Report:
    """Someone else's report answers exactly like one that does not exist."""
    report = get_by_reference(reference)
    if report is None or not check(current_user, report):
        abort(404)
    return report


def _next_session():
    config = current_app.config
    return next_session(utcnow(), config["TRIAGE_WEEKDAY"], config["TRIAGE_TIME"], config["TIMEZONE"])


@bp.route("/melden", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_error
def new():
    departments = active_departments()
    form = ReportForm(departments=departments)
    if request.method == "GET":
        form.submission_key.data = uuid.uuid4().hex
        if current_user.department_id and any(d.id == current_user.department_id for d in departments):
            form.department_id.data = current_user.department_id
    if request.method == "POST" and "edit" in request.form:
        # Back from the 'is dit al gemeld?' step to change the text.
        return render_template("reports/new.html", form=form)
    if form.validate_on_submit():
        if not form.similar_seen.data and "confirm_new" not in request.form:
            # Without JavaScript the similar reports come as a step after submitting.
            similar = find_similar(form.rule.data + " " + form.problem.data)
            if similar:
                return render_template("reports/check.html", form=form, similar=similar)
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
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            return redirect(url_for("reports.confirmation", reference=report.reference))
    if not form.submission_key.data:
        form.submission_key.data = uuid.uuid4().hex
    status = 400 if form.errors or form.form_errors else 200
    return render_template("reports/new.html", form=form), status


@bp.route("/melden/vergelijkbaar")
@login_required
def similar():
    """An HTML fragment with similar open reports, fetched while the user types."""
    query = " ".join(request.args.get(name, "")[:2000] for name in ("rule", "problem"))
    results = find_similar(query)
    return render_template("reports/_similar.html", similar=results)


@bp.route("/meldingen/<reference>/bevestiging")
@login_required
def confirmation(reference: str):
    report = _report_or_404(reference, check=lambda user, r: r.reporter_id == user.id)
    return render_template("reports/confirmation.html", report=report, next_session=_next_session())


@bp.route("/meldingen/<reference>/ik-ook", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_error
def support(reference: str):
    report = get_by_reference(reference)
    if report is None or not (report.status_enum.is_open or can_view_report(current_user, report)):
        abort(404)
    form = SupportForm()
    if form.validate_on_submit():
        try:
            support_report(current_user, report, form.note.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            flash(f"U loopt hier ook tegenaan. Dat is toegevoegd aan melding {report.reference}.", "success")
            return redirect(url_for("reports.detail", reference=report.reference))
    status = 400 if form.errors or form.form_errors else 200
    supporters = support_counts([report.id]).get(report.id, 0)
    return render_template("reports/support.html", report=report, form=form, supporters=supporters), status


@bp.route("/meldingen/<reference>")
@login_required
def detail(reference: str):
    report = _report_or_404(reference)
    staff = is_staff(current_user)
    events = [event for event in report.events if staff or event.is_public]
    return render_template("reports/detail.html", report=report, events=events, staff=staff)


@bp.route("/mijn-meldingen")
@login_required
def mine():
    own = my_reports(current_user)
    supported = supported_reports(current_user)
    ids = [r.id for r in own] + [r.id for r, _ in supported]
    if ids:
        # One query for every timeline on the page, not one per report.
        db.session.scalars(
            db.select(Report).where(Report.id.in_(ids)).options(selectinload(Report.events).selectinload(Event.actor))
        ).all()
    counts = support_counts(ids)
    return render_template("reports/mine.html", own=own, supported=supported, counts=counts)


@bp.route("/meldingen")
@role_required("coach", "legal", "admin")
def index():
    status = request.args.get("status", "")
    allowed = {s.value for s in ReportStatus}
    stmt = db.select(Report).order_by(Report.created_at.desc(), Report.id.desc())
    if status in allowed:
        stmt = stmt.where(Report.status == status)
    else:
        status = ""
    reports = list(db.session.scalars(stmt.limit(500)))
    counts = support_counts([r.id for r in reports])
    return render_template("reports/index.html", reports=reports, counts=counts, status=status)
