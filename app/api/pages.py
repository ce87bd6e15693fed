"""The pages around the API's keys: 'API-sleutels' under Mijn instellingen (a user's own
personal tokens: make one, see its secret once, see when it was last used, revoke it), and
under Beheer (every token, revoking any, and making an integration: a service account
with its token). Everything they change goes through app.services.tokens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from app.api.forms import IntegrationForm, TokenForm
from app.extensions import db
from app.forms import apply_domain_error
from app.models import ApiToken
from app.models.api_token import KINDS, SCOPES
from app.models.base import utcnow
from app.permissions import area_required
from app.services import DomainError
from app.services.tokens import (
    all_tokens,
    allowed_scopes,
    create_service_account,
    create_token,
    max_days,
    may_revoke,
    revoke_token,
    tokens_of,
)
from app.web import rerender_on_csrf_error

bp = Blueprint("api_keys", __name__)


def _days(form) -> int | None:
    value = form.days.data
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _made(token: ApiToken, secret: str, back: str):
    """The secret, this once (never in a redirect or a flash message: those pass the cookie)."""
    return render_template("api/token_made.html", token=token, secret=secret, back=back, scopes=SCOPES)


@bp.route("/instellingen/api-sleutels", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_error
def mine():
    user = current_user._get_current_object()
    form = TokenForm(scopes=allowed_scopes(user), max_days=max_days())

    def render(status: int = 200):
        return render_template(
            "api/tokens.html", form=form, tokens=tokens_of(user), scopes=SCOPES, kinds=KINDS, now=utcnow()
        ), status

    if not form.is_submitted():
        return render()
    if form.validate_on_submit():
        try:
            token, secret = create_token(
                user, name=form.name.data, scopes=form.scopes.data, days=_days(form), actor=user
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            return _made(token, secret, url_for("api_keys.mine"))
    return render(400)


def _token_or_404(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or not may_revoke(token, current_user):
        abort(404)
    return token


@bp.route("/instellingen/api-sleutels/<int:token_id>/intrekken", methods=["POST"])
@login_required
def revoke(token_id: int):
    token = _token_or_404(token_id)
    revoke_token(token, actor=current_user._get_current_object())
    db.session.commit()
    flash(gettext("De sleutel ‘%(name)s’ is ingetrokken. Hij werkt niet meer.", name=token.name), "success")
    target = request.form.get("terug")
    return redirect(url_for("api_keys.admin") if target == "beheer" else url_for("api_keys.mine"), 303)


@bp.route("/beheer/api-sleutels", methods=["GET", "POST"])
@area_required("admin")
@rerender_on_csrf_error
def admin():
    form = IntegrationForm(scopes=tuple(SCOPES), max_days=max_days())

    def render(status: int = 200):
        return render_template(
            "api/admin_tokens.html", form=form, tokens=all_tokens(), scopes=SCOPES, kinds=KINDS, now=utcnow()
        ), status

    if not form.is_submitted():
        return render()
    if form.validate_on_submit():
        actor = current_user._get_current_object()
        try:
            account = create_service_account(form.account.data, form.roles.data, actor=actor)
            token, secret = create_token(
                account, name=form.name.data, scopes=form.scopes.data, days=_days(form), actor=actor
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            return _made(token, secret, url_for("api_keys.admin"))
    return render(400)
