"""'Merkbaar beter?': a signed, single-use link opens the question with the answer from the
mail already chosen. Opening it records nothing (mail scanners open links); the answer is
recorded only when the person presses the button (a POST with a CSRF token). The page
shows the report, never who is answering."""

from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext
from flask_limiter.util import get_remote_address

from app.checkback.forms import CheckbackForm
from app.extensions import limiter
from app.i18n import N_
from app.models.checkback import NO
from app.services.checkback import ANSWER_BY_WORD, LINK_PROBLEMS, answer_checkback, check_link
from app.web import rerender_on_csrf_error, run_form

bp = Blueprint("checkback", __name__)

THANKS = N_("Bedankt voor uw antwoord. De ontregelcoaches gebruiken het om te zien wat hun werk oplevert.")
THANKS_NO = N_(
    "Bedankt voor uw antwoord. Omdat u nog geen verbetering merkt, staat de melding weer op het bord "
    "van de ontregelcoaches. U hoort van hen wat ze ermee doen."
)


def _limit() -> str:
    return current_app.config["CHECKBACK_LIMIT_PER_CLIENT"]


def _client_key() -> str:
    return "checkback-client:" + hashlib.sha256((get_remote_address() or "").encode()).hexdigest()


def _refused(response) -> bool:
    """Only links that do not work (or answers that were refused) count."""
    return response.status_code >= 400


@bp.route("/bedankt")
def thanks():
    return render_template("checkback/thanks.html")


@bp.route("/<checkback_token>", methods=["GET", "POST"])
@limiter.limit(_limit, key_func=_client_key, deduct_when=_refused)
@rerender_on_csrf_error
def answer(checkback_token: str):
    check = check_link(checkback_token)
    if check.invite is None:
        title, message = LINK_PROBLEMS[check.problem]
        return render_template("errors/error.html", code=400, title=gettext(title), message=gettext(message)), 400
    invite = check.invite
    form = CheckbackForm()

    def page(status: int = 200):
        return render_template("checkback/answer.html", form=form, report=invite.report, invite=invite), status

    if not form.is_submitted():
        form.answer.data = ANSWER_BY_WORD.get(request.args.get("antwoord", ""))
        return page()

    def perform():
        answer_checkback(invite, form.answer.data, form.comment.data)
        return gettext(THANKS_NO if form.answer.data == NO else THANKS)

    return run_form(
        form,
        perform,
        success=gettext(THANKS),
        redirect_to=url_for("checkback.thanks"),
        render=lambda failure: page(failure.status),
    )
