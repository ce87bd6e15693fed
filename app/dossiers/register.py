"""Juridische Zaken and the shared register (an installation's side; app.services.register):
the page that shows exactly what goes to the register and publishes it, withdrawing a
dossier from it, and joining the shared letter about its law article."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.dossiers.routes import bp
from app.extensions import db
from app.models import Dossier
from app.permissions import role_required
from app.register import messages
from app.register.forms import PublishForm
from app.services import DomainError
from app.services.dossiers import EDITOR_ROLES
from app.services.register import (
    clean_summary,
    join_letter,
    publication,
    publish,
    publish_problem,
    published_entry,
    withdraw,
)
from app.web import rerender_on_csrf_error, run_form


def _render(dossier: Dossier, form: PublishForm, status: int = 200):
    summary = form.summary.data or ""
    try:
        preview = published_entry(dossier, clean_summary(summary)) if summary.strip() else None
    except DomainError:
        preview = None
    return render_template(
        "dossiers/register.html",
        dossier=dossier,
        form=form,
        preview=preview,
        problem=publish_problem(dossier),
    ), status


@bp.route("/dossiers/<int:dossier_id>/register", methods=["GET", "POST"])
@role_required(*EDITOR_ROLES)
@rerender_on_csrf_error
def register_publish(dossier_id: int):
    """GET: the form with the summary published last (if any) and the preview of what goes
    out. POST with "voorbeeld": the preview of what was typed. POST "publiceren": publish."""
    dossier = db.get_or_404(Dossier, dossier_id)
    form = PublishForm()
    if not form.is_submitted():
        row = publication(dossier)
        form.summary.data = row.summary if row else ""
        return _render(dossier, form)
    if request.form.get("action") == "voorbeeld":
        form.validate()
        return _render(dossier, form, 400 if form.errors else 200)
    return run_form(
        form,
        lambda: (
            publish(dossier, form.summary.data, actor=current_user)
            and gettext(messages.PUBLISHED, reference=dossier.reference)
        ),
        success="",
        redirect_to=url_for("dossiers.detail", dossier_id=dossier.id, _anchor="register"),
        render=lambda failure: _render(dossier, form, failure.status),
    )


def _action(dossier_id: int, perform, message: str):
    """A button on the dossier page (no fields): do it, or say why not, and go back there.
    CSRF is checked before (app-wide)."""
    dossier = db.get_or_404(Dossier, dossier_id)
    try:
        perform(dossier, actor=current_user)
        db.session.commit()
        flash(gettext(message, reference=dossier.reference), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("dossiers.detail", dossier_id=dossier.id, _anchor="register"), 303)


@bp.route("/dossiers/<int:dossier_id>/register/intrekken", methods=["POST"])
@role_required(*EDITOR_ROLES)
def register_withdraw(dossier_id: int):
    return _action(dossier_id, withdraw, messages.WITHDRAWN)


@bp.route("/dossiers/<int:dossier_id>/register/brief", methods=["POST"])
@role_required(*EDITOR_ROLES)
def register_join_letter(dossier_id: int):
    return _action(dossier_id, join_letter, messages.JOINED)
