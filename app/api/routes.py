"""The operations of /api/v1. Every rule is asked of its home: app.services.reports
(submitting, supporting, similar reports, Mijn meldingen), app.permissions (who may see
what), app.anonymity (how anyone is named), app.services.workflow (what a coach may do,
with the report's version), app.board.routes (the board's columns, filters and cards),
app.dossiers.overview and app.services.insight. This module only translates. Each
operation's summary in the OpenAPI document is a msgid (@bp.doc), rendered in the reader's
language with the rest of the document (app.api.RodeKnopApi)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from flask import abort, current_app, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from app.anonymity import (
    attachment_moment,
    event_actor_name,
    event_moment,
    is_reporter,
    last_activity_at,
    name_for,
    pseudonym,
    submitted_at,
    uploader_name,
)
from app.api import bp, cursor
from app.api import schemas as s
from app.api.auth import requires
from app.api.problems import problem
from app.board import routes as board
from app.extensions import db, limiter
from app.formatting import status_label
from app.i18n import shown_text
from app.models import Dossier, Report
from app.models.base import utcnow
from app.models.dossier import DossierStatus
from app.models.report import SUBMISSION_KEY_MAX, ReportStatus
from app.permissions import can_view_report, visible_events
from app.search import find_similar, support_counts
from app.services import ConflictError, DomainError, workflow
from app.services.attachments import attachments_of
from app.services.dossiers import LegalReference
from app.services.reports import (
    followed_reports_after,
    following,
    get_by_reference,
    submit_report,
    support_report,
)
from app.services.users import coach_names, department_names
from app.transactions import reads_first, start_writing

IDEMPOTENCY_KEY_MAX = 200
# The OpenAPI document's texts are lazy (msgids): app.api renders the document per language.
NOT_MODIFIED = _l("Niet gewijzigd (If-None-Match)")


def _token_limit() -> str:
    return current_app.config["API_LIMIT_PER_TOKEN"]


def _token_key() -> str:
    from app.api.auth import token_key

    return token_key()


limiter.limit(_token_limit, key_func=_token_key)(bp)


# --- helpers -------------------------------------------------------------------------------


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _not_found():
    abort(problem(404))


def _report_or_404(reference: str) -> Report:
    """The report, if this caller may open it (app.permissions); 404 otherwise, the same
    answer as for a report that does not exist."""
    report = get_by_reference(reference[:40])
    if report is None or not can_view_report(current_user, report):
        _not_found()
    return report


def _page_cursor(kind: str, value: str | None):
    try:
        return cursor.decode(kind, value)
    except cursor.BadCursor:
        abort(
            problem(
                400,
                gettext("Ongeldige cursor"),
                gettext("Deze cursor is niet (meer) geldig. Begin opnieuw zonder cursor."),
            )
        )


def _domain_error(error: DomainError):
    db.session.rollback()
    message = str(error.message)  # in the reader's language, where the service wrapped it
    extra = {"errors": {error.field: [message]}} if error.field else {}
    return problem(422, gettext("Niet gelukt"), message, **extra)


def _summary(report: Report, supporters: int, viewer) -> dict:
    return {
        "reference": report.reference,
        "rule": report.rule,
        "status": report.status,
        "status_label": status_label(report.status),
        "version": report.version,
        "department": report.department.name if report.department else None,
        "created_at": _iso(submitted_at(report, viewer)),
        "last_activity_at": _iso(last_activity_at(report, viewer)),
        "supporters": supporters,
        "url": url_for("api.report", reference=report.reference, _external=False),
    }


def _actions(actions: workflow.ReportActions) -> dict:
    return {
        "take_on": actions.take_on,
        "assign": actions.assign,
        "outcomes": list(actions.outcomes),
        "merge": actions.merge,
        "reopen": actions.reopen,
        "note": actions.note,
        "update": actions.update,
        "moves": list(actions.moves),
    }


def report_out(report: Report, viewer) -> dict:
    """One report as `viewer` may see it: what the report page shows them."""
    supporters = len(report.supports)
    # Only a token that may triage is told what the workflow allows it.
    acts = workflow.report_actions(report, viewer) if "triage" in _scopes() else workflow.NO_ACTIONS
    return {
        **_summary(report, supporters, viewer),
        "problem": report.problem,
        "effect": report.effect,
        "suggestion": report.suggestion,
        "origin": report.origin,
        "explanation": report.explanation,
        "outcome": report.outcome if report.status == ReportStatus.RESOLVED.value else None,
        "follows_up": name_for(viewer, report.assignee) if report.assignee else None,
        "yours": is_reporter(viewer, report),
        "timeline": [
            {
                "kind": event.kind,
                "label": event.kind_label,
                "actor": event_actor_name(event, report, viewer),
                "at": _iso(event_moment(event, report, viewer)),
                "text": shown_text(event.text),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "internal": not event.is_public,
            }
            for event in visible_events(report, viewer)
        ],
        "attachments": [
            {
                "number": attachment.number,
                "name": attachment.label,
                "media_type": attachment.media_type,
                "kind": attachment.kind,
                "size": attachment.size,
                "pages": attachment.pages,
                "added_by": uploader_name(attachment, viewer),
                "at": _iso(attachment_moment(attachment, viewer)),
            }
            for attachment in attachments_of(report)
        ],
        "actions": _actions(acts),
    }


def _scopes():
    from flask import g

    return g.api_scopes


def _viewer():
    return current_user._get_current_object()


# --- reports -------------------------------------------------------------------------------


@bp.route("/reports", methods=["POST"])
@requires("report")
@reads_first
@bp.arguments(s.ReportIn)
@bp.response(201, s.ReportOut)
@bp.doc(
    summary=_l("Een melding doen."),
    description=_l(
        "Dezelfde regels als het formulier (ook anoniem). Stuur een `Idempotency-Key` mee: met dezelfde sleutel levert een tweede verzoek dezelfde melding op, geen tweede."
    ),
)
def submit(data):
    from flask import request

    key = request.headers.get("Idempotency-Key", "")[:IDEMPOTENCY_KEY_MAX]
    viewer = _viewer()
    # The key as stored: the caller's key, bound to them through their pseudonym (keyed,
    # app.anonymity), so that two callers' keys never meet and an anonymous report's key
    # names nobody.
    submission_key = (
        hashlib.sha256(f"api:{pseudonym(viewer.id)}:{key}".encode()).hexdigest()[:SUBMISSION_KEY_MAX] if key else None
    )
    start_writing()
    try:
        report = submit_report(
            viewer,
            rule=data["rule"],
            problem=data["problem"],
            effect=data.get("effect"),
            suggestion=data.get("suggestion"),
            origin=data["origin"],
            department_id=data.get("department_id"),
            anonymous=data["anonymous"],
            submission_key=submission_key,
        )
        db.session.flush()
        body = report_out(report, viewer)
        db.session.commit()
    except DomainError as error:
        return _domain_error(error)
    return body, 201, {"Location": body["url"]}


@bp.route("/reports/similar", methods=["GET"])
@requires("read")
@bp.arguments(s.SimilarQuery, location="query")
@bp.response(200, s.SimilarList)
@bp.doc(summary=_l("Vergelijkbare open meldingen (voor u meldt: loopt een collega hier al tegenaan?)."))
def similar(args):
    results = find_similar(args["rule"], extra=args.get("problem") or "")
    states = following(current_user, [item.report for item in results])
    return {
        "items": [
            {
                "reference": item.report.reference,
                "rule": item.report.rule,
                "status": item.report.status,
                "supporters": item.supporters,
                "following": states.get(item.report.id),
            }
            for item in results
        ]
    }


@bp.route("/reports/<reference>", methods=["GET"])
@requires("read")
@bp.response(200, s.ReportOut)
@bp.alt_response(304, description=NOT_MODIFIED)
@bp.doc(summary=_l("Eén melding, zoals u die mag zien."))
def report(reference):
    return report_out(_report_or_404(reference), _viewer())


@bp.route("/reports/<reference>/support", methods=["POST"])
@requires("report")
@bp.arguments(s.SupportIn)
@bp.response(201, s.SupportOut)
@bp.doc(summary=_l("‘Ik loop hier ook tegenaan’."))
def support(data, reference):
    found = get_by_reference(reference[:40])
    if found is None or not (found.is_open or can_view_report(current_user, found)):
        _not_found()
    try:
        support_report(_viewer(), found, data.get("note"))
        db.session.flush()
        count = support_counts([found.id]).get(found.id, 0)
        db.session.commit()
    except DomainError as error:
        return _domain_error(error)
    return {"reference": found.reference, "supporters": count}


@bp.route("/me/reports", methods=["GET"])
@requires("read")
@bp.arguments(s.PageQuery, location="query")
@bp.response(200, s.MyReportPage)
@bp.alt_response(304, description=NOT_MODIFIED)
@bp.doc(summary=_l("Mijn meldingen: wat u meldde of steunt, nieuwste activiteit eerst."))
def my_reports(args):
    viewer = _viewer()
    limit = args["limit"]
    after = _page_cursor("mine", args.get("cursor"))
    items = followed_reports_after(viewer, after, limit + 1)
    page = items[:limit]
    return {
        "items": [{**_summary(item.report, item.supporters, viewer), "reported": item.reported} for item in page],
        "next_cursor": cursor.encode("mine", page[-1].report.last_activity_at, page[-1].report.id)
        if len(items) > limit
        else None,
    }


# --- the board (coaches) -------------------------------------------------------------------


def _board_filters(args) -> board.BoardFilters:
    raw = MultiDict({key: str(value) for key, value in args.items() if key in board.FILTER_KEYS})
    return board.read_filters(raw, department_names(), coach_names())


def _column(key: str) -> board.Column:
    for column in board.COLUMNS:
        if column.key == key:
            return column
    _not_found()


@bp.route("/board", methods=["GET"])
@requires("triage", area="board")
@bp.arguments(s.BoardQuery, location="query")
@bp.response(200, s.BoardOut)
@bp.alt_response(304, description=NOT_MODIFIED)
@bp.doc(summary=_l("Het bord: de kolommen met hun aantallen, onder dezelfde filters als de pagina."))
def board_columns(args):
    now = utcnow()
    filters = _board_filters(args)
    statements = board.statements_for(filters, False)
    params = board.board_params(filters, current_user, now)
    counts = board.board_counts(filters, current_user, statements, params, now)
    query = {key: str(value) for key, value in args.items()}
    return {
        "columns": [
            {
                "key": column.key,
                "title": column.title,
                "statuses": list(column.statuses),
                "count": sum(counts.get(status, 0) for status in column.statuses),
                "url": url_for("api.board_column", column=column.key, **query),
            }
            for column in board.COLUMNS
        ]
    }


@bp.route("/board/columns/<column>", methods=["GET"])
@requires("triage", area="board")
@bp.arguments(s.ColumnQuery, location="query")
@bp.response(200, s.CardPage)
@bp.alt_response(304, description=NOT_MODIFIED)
@bp.doc(summary=_l("De kaarten van één kolom, een pagina tegelijk (cursor), in de volgorde van het bord."))
def board_column(args, column):
    found = _column(column)
    now = utcnow()
    filters = _board_filters(args)
    limit = args["limit"]
    after = _page_cursor(f"board:{found.key}", args.get("cursor"))
    params = board.board_params(filters, current_user, now)
    cards = board.column_cards(found, filters, params, after, limit + 1)
    more = len(cards) > limit
    cards = cards[:limit]
    statements = board.statements_for(filters, False)
    counts = board.board_counts(filters, current_user, statements, params, now)
    viewer = _viewer()
    actions = workflow.report_actions_for(cards, viewer, {r.id for r in cards if r.followed_anonymously})
    names: dict = {}
    items = []
    for card in cards:
        if card.assignee_id not in names:
            names[card.assignee_id] = name_for(viewer, card.assignee, nobody="Nog niemand")
        acts = actions[card.id]
        items.append(
            {
                "reference": card.reference,
                "rule": card.rule,
                "status": card.status,
                "version": card.version,
                "department": card.department,
                "follows_up": names[card.assignee_id],
                "supporters": card.supporters,
                "created_at": _iso(submitted_at(card, viewer)),
                "last_activity_at": _iso(last_activity_at(card, viewer)),
                "overdue": card.overdue,
                "moves": list(acts.moves),
                "take_on": acts.take_on,
            }
        )
    return {
        "column": found.key,
        "count": sum(counts.get(status, 0) for status in found.statuses),
        "items": items,
        "next_cursor": cursor.encode(f"board:{found.key}", *found.position(cards[-1])) if more and cards else None,
    }


# --- workflow actions (coaches) ------------------------------------------------------------


def _act(reference: str, perform):
    """Run a workflow action on the report; 409 with the current state when the version is
    stale (app.services.workflow.ReportConflict), 422 when the workflow refuses."""
    found = _report_or_404(reference)
    viewer = _viewer()
    try:
        perform(found, viewer)
        db.session.flush()
        body = report_out(found, viewer)
        db.session.commit()
    except (ConflictError, StaleDataError) as error:
        # A stale version, or a write that lost a race with another worker's.
        db.session.rollback()
        fresh = _report_or_404(reference)
        message = error.message if isinstance(error, ConflictError) else workflow.ReportConflict(fresh, viewer).message
        return problem(409, gettext("Intussen gewijzigd"), str(message), current=report_out(fresh, viewer))
    except DomainError as error:
        return _domain_error(error)
    return body


@bp.route("/reports/<reference>/take-on", methods=["POST"])
@requires("triage", area="board")
@bp.arguments(s.Versioned)
@bp.response(200, s.ReportOut)
@bp.doc(summary=_l("‘Ik pak hem op’."))
def take_on(data, reference):
    return _act(reference, lambda report, user: workflow.take_on(report, user, expected_version=data["version"]))


@bp.route("/reports/<reference>/assign", methods=["POST"])
@requires("triage", area="board")
@bp.arguments(s.AssignIn)
@bp.response(200, s.ReportOut)
@bp.doc(summary=_l("Bepalen wie erachteraan gaat (een ontregelcoach)."))
def assign(data, reference):
    from app.models import User

    def perform(report, user):
        assignee = db.session.get(User, data["assignee_id"])
        if assignee is None:
            raise DomainError(_l("Kies een ontregelcoach."), field="assignee_id")
        workflow.assign_report(report, assignee, actor=user, expected_version=data["version"])

    return _act(reference, perform)


@bp.route("/reports/<reference>/decide", methods=["POST"])
@requires("triage", area="board")
@bp.arguments(s.DecideIn)
@bp.response(200, s.ReportOut)
@bp.doc(summary=_l("Een besluit: opgelost, geëscaleerd of uitgelegd, met uitleg voor de melder."))
def decide(data, reference):
    def perform(report, user):
        legal = None
        if data["outcome"] == workflow.ESCALATED:
            legal = LegalReference(data.get("law_title") or "", data.get("bwb_id"), data.get("article"))
        workflow.decide_report(
            report,
            actor=user,
            outcome=data["outcome"],
            explanation=data["explanation"],
            what_changed=data.get("what_changed"),
            legal=legal,
            expected_version=data["version"],
        )

    return _act(reference, perform)


@bp.route("/reports/<reference>/merge", methods=["POST"])
@requires("triage", area="board")
@bp.arguments(s.MergeIn)
@bp.response(200, s.ReportOut)
@bp.doc(summary=_l("Samenvoegen met een eerdere melding over dezelfde regel."))
def merge(data, reference):
    def perform(report, user):
        target = get_by_reference(data["target"])
        if target is None or not can_view_report(user, target):
            raise DomainError(_l("Die melding bestaat niet."), field="target")
        workflow.merge_report(
            report, target, actor=user, explanation=data["explanation"], expected_version=data["version"]
        )

    return _act(reference, perform)


@bp.route("/reports/<reference>/reopen", methods=["POST"])
@requires("triage", area="board")
@bp.arguments(s.ReasonIn)
@bp.response(200, s.ReportOut)
@bp.doc(summary=_l("Een afgeronde melding heropenen, met de reden."))
def reopen(data, reference):
    return _act(
        reference,
        lambda report, user: workflow.reopen_report(
            report, actor=user, reason=data["reason"], expected_version=data["version"]
        ),
    )


@bp.route("/reports/<reference>/notes", methods=["POST"])
@requires("triage", area="board")
@bp.arguments(s.TextIn)
@bp.response(200, s.ReportOut)
@bp.doc(summary=_l("Een interne notitie (alleen ontregelcoaches en Juridische Zaken lezen die)."))
def note(data, reference):
    return _act(reference, lambda report, user: workflow.add_note(report, actor=user, text=data["text"]))


@bp.route("/reports/<reference>/updates", methods=["POST"])
@requires("triage", area="board")
@bp.arguments(s.TextIn)
@bp.response(200, s.ReportOut)
@bp.doc(summary=_l("Een bericht voor de melder en wie de melding steunt."))
def update(data, reference):
    return _act(reference, lambda report, user: workflow.post_update(report, actor=user, text=data["text"]))


# --- dossiers (Juridische Zaken) -----------------------------------------------------------


def _dossier_summary(dossier: Dossier, viewer) -> dict:
    return {
        "id": dossier.id,
        "reference": dossier.reference,
        "law_title": dossier.law_title,
        "legal_reference": dossier.legal_reference,
        "status": dossier.status,
        "status_label": DossierStatus(dossier.status).label,
        "owner": name_for(viewer, dossier.owner) if dossier.owner else None,
        "addressee": dossier.addressee.name if dossier.addressee else None,
        "version": dossier.version,
        "created_at": _iso(dossier.created_at),
        "updated_at": _iso(dossier.updated_at),
    }


def _dossier_or_404(dossier_id: int) -> Dossier:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        _not_found()
    return dossier


@bp.route("/dossiers", methods=["GET"])
@requires("legal", area="dossiers")
@bp.arguments(s.PageQuery, location="query")
@bp.response(200, s.DossierPage)
@bp.alt_response(304, description=NOT_MODIFIED)
@bp.doc(summary=_l("De dossiers van Juridische Zaken, oudste eerst."))
def dossiers(args):
    limit = args["limit"]
    after = _page_cursor("dossiers", args.get("cursor"))
    stmt = db.select(Dossier).order_by(Dossier.id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(Dossier.id > after[1])
    found = list(db.session.scalars(stmt))
    viewer = _viewer()
    page = found[:limit]
    return {
        "items": [_dossier_summary(dossier, viewer) for dossier in page],
        "next_cursor": cursor.encode("dossiers", page[-1].created_at, page[-1].id) if len(found) > limit else None,
    }


@bp.route("/dossiers/<int:dossier_id>", methods=["GET"])
@requires("legal", area="dossiers")
@bp.response(200, s.DossierOut)
@bp.alt_response(304, description=NOT_MODIFIED)
@bp.doc(summary=_l("Eén dossier, met de meldingen die erbij horen."))
def dossier(dossier_id):
    found = _dossier_or_404(dossier_id)
    viewer = _viewer()
    counts = support_counts([report.id for report in found.reports])
    return {
        **_dossier_summary(found, viewer),
        "bwb_id": found.bwb_id,
        "article": found.article,
        "channel": found.channel,
        "sent_on": _iso(found.sent_on),
        "answer_due": _iso(found.answer_due),
        "follow_up_on": _iso(found.follow_up_on),
        "answer_summary": found.answer_summary,
        "reports": [_summary(report, counts.get(report.id, 0), viewer) for report in found.reports],
    }


@bp.route("/dossiers/<int:dossier_id>/timeline", methods=["GET"])
@requires("legal", area="dossiers")
@bp.response(200, s.DossierTimeline)
@bp.alt_response(304, description=NOT_MODIFIED)
@bp.doc(summary=_l("De tijdlijn van een dossier."))
def dossier_timeline(dossier_id):
    from app.dossiers.routes import event_label

    found = _dossier_or_404(dossier_id)
    viewer = _viewer()
    return {
        "items": [
            {
                "kind": event_label(event),
                "actor": name_for(viewer, event.actor),
                "at": _iso(event.created_at),
                "text": shown_text(event.text),
            }
            for event in found.events
        ]
    }


# --- statistics (Inzicht) ------------------------------------------------------------------


@bp.route("/statistics", methods=["GET"])
@requires("read", area="insight")
@bp.arguments(s.StatisticsQuery, location="query")
@bp.response(200, s.StatisticsOut)
@bp.alt_response(304, description=NOT_MODIFIED)
@bp.doc(summary=_l("De cijfers van Inzicht, over dezelfde periode en afdeling als de pagina (van, tot, afdeling)."))
def statistics(args):
    from app.insight.forms import InsightFilterForm
    from app.insight.routes import figures_of

    form = InsightFilterForm(
        MultiDict({key: str(value) for key, value in args.items()}), departments=department_names()
    )
    if not form.validate():
        return problem(
            422,
            gettext("Niet goed ingevuld"),
            gettext("Kies een geldige periode en afdeling."),
            errors={name: [str(message) for message in messages] for name, messages in form.errors.items()},
        )
    filters = form.filters()
    figures = figures_of(filters).figures
    return {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "figures": [
            {
                "key": figure.key,
                "title": figure.title,
                "columns": list(figure.columns),
                "rows": [[_cell(value) for value in row] for row in figure.rows],
            }
            for figure in figures
        ],
    }


def _cell(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
