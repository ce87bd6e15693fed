"""The register's JSON API for its members, /api/v1/register (RODEKNOP_MODE=register only).

Every request is signed with the member's Ed25519 key (app.register_signing); a request
that is not (unknown or inactive member, missing headers, an old date, a wrong digest or
signature) is refused with 401 and logged with who it claimed to be and why
(app.services.register_book.record_refusal). Errors are problem+json like the rest of
/api/v1. Writes are idempotent: a message the register has applied changes nothing again."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext
from flask_limiter.util import get_remote_address

from app.api.problems import problem
from app.extensions import db, limiter
from app.register import messages
from app.register_signing import problem_with, read_claim
from app.services import DomainError
from app.services.register_book import (
    apply_join,
    apply_publish,
    apply_withdraw,
    articles,
    member_for,
    record_refusal,
)
from app.transactions import start_writing

bp = Blueprint("register_api", __name__)


def _client_limit() -> str:
    return current_app.config["REGISTER_LIMIT_PER_CLIENT"]


# Per client address, refused requests too: nobody fills the refusal log without end.
limiter.limit(_client_limit, key_func=lambda: f"register-api:{get_remote_address()}")(bp)


@bp.before_request
def verify_signature():
    claim = read_claim(request.headers)
    member, public_key = member_for(claim)
    body = request.get_data(cache=True)
    path = request.full_path if request.query_string else request.path
    reason = problem_with(
        claim,
        public_key,
        request.method,
        path,
        body,
        max_skew=current_app.config["REGISTER_MAX_SKEW_SECONDS"],
    )
    if reason is not None:
        start_writing()  # a refused GET is recorded too (app.transactions)
        record_refusal(claim, remote_addr=request.remote_addr, method=request.method, path=path, reason=reason)
        return problem(401, gettext(messages.REFUSED_TITLE), reason)
    g.register_member = member
    return None


def _body() -> dict:
    try:
        body = json.loads(request.get_data(cache=True) or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise DomainError(gettext("De inhoud moet een JSON-object zijn."))
    return body


def _apply(action):
    try:
        changed = action(_body())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return problem(422, gettext(messages.INVALID_TITLE), error.message)
    return jsonify({"changed": changed})


@bp.route("/entries/<int:dossier_id>", methods=["PUT"])
def publish(dossier_id: int):
    return _apply(lambda body: apply_publish(g.register_member, dossier_id, body))


@bp.route("/entries/<int:dossier_id>/withdraw", methods=["POST"])
def withdraw(dossier_id: int):
    return _apply(lambda body: apply_withdraw(g.register_member, dossier_id, body))


@bp.route("/letters", methods=["POST"])
def join_letter():
    return _apply(lambda body: apply_join(g.register_member, body))


@bp.route("/articles")
def all_articles():
    return jsonify({"articles": [article.as_json() for article in articles()]})
