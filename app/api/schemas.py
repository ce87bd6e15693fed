"""The shapes of the API's requests and answers (marshmallow; flask-smorest turns them into
the OpenAPI document). Lengths come from the models' constants; the rules themselves stay
in the services, which answer 422 with their own message. The descriptions are msgids
(lazy): the OpenAPI document is rendered in the reader's language (app.api)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, fields, validate

from app.models.base import INT_MAX
from app.models.report import NOTE_MAX, RULE_MAX, TEXT_MAX, Origin, ReportStatus

Id = fields.Integer(validate=validate.Range(min=1, max=INT_MAX))
STATUSES = [status.value for status in ReportStatus]
PAGE_LIMIT_MAX = 100


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ProblemSchema(Schema):
    type = fields.String(required=True)
    title = fields.String(
        required=True, metadata={"description": _l("Wat er misging, in de taal van wie de API-sleutel gebruikt")}
    )
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(metadata={"description": _l("Per veld: wat er niet klopt")})
    current = fields.Dict(metadata={"description": _l("409: de actuele stand van de melding")})


# --- requests ------------------------------------------------------------------------------


class ReportIn(Strict):
    rule = fields.String(required=True, validate=validate.Length(max=RULE_MAX))
    problem = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))
    effect = fields.String(allow_none=True, validate=validate.Length(max=TEXT_MAX))
    suggestion = fields.String(allow_none=True, validate=validate.Length(max=TEXT_MAX))
    origin = fields.String(validate=validate.OneOf([o.value for o in Origin]), load_default=Origin.UNKNOWN.value)
    department_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=INT_MAX))
    anonymous = fields.Boolean(load_default=False)


class SupportIn(Strict):
    note = fields.String(allow_none=True, validate=validate.Length(max=NOTE_MAX))


class SimilarQuery(Strict):
    rule = fields.String(required=True, validate=validate.Length(max=RULE_MAX))
    problem = fields.String(validate=validate.Length(max=TEXT_MAX), load_default="")


class PageQuery(Strict):
    cursor = fields.String(validate=validate.Length(max=400))
    limit = fields.Integer(validate=validate.Range(min=1, max=PAGE_LIMIT_MAX), load_default=25)


class BoardQuery(Strict):
    """The board's filters, with the names the page uses (app.board.routes.read_filters)."""

    afdeling = fields.Integer(
        validate=validate.Range(min=1, max=INT_MAX), metadata={"description": _l("afdeling (id)")}
    )
    coach = fields.String(
        validate=validate.Length(max=12), metadata={"description": _l("id van een ontregelcoach, of 'geen'")}
    )
    mijn = fields.String(validate=validate.OneOf(["1"]), metadata={"description": _l("1: wat ik oppak")})
    stil = fields.String(validate=validate.OneOf(["1"]), metadata={"description": _l("1: te lang stil")})
    zoek = fields.String(validate=validate.Length(max=200))


class ColumnQuery(BoardQuery, PageQuery):
    pass


class Versioned(Strict):
    version = fields.Integer(required=True, validate=validate.Range(min=1, max=INT_MAX))


class AssignIn(Versioned):
    assignee_id = fields.Integer(required=True, validate=validate.Range(min=1, max=INT_MAX))


class DecideIn(Versioned):
    outcome = fields.String(required=True, validate=validate.OneOf(["resolved", "escalated", "explained"]))
    explanation = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))
    what_changed = fields.String(allow_none=True, validate=validate.Length(max=TEXT_MAX))
    law_title = fields.String(allow_none=True, validate=validate.Length(max=TEXT_MAX))
    bwb_id = fields.String(allow_none=True, validate=validate.Length(max=20))
    article = fields.String(allow_none=True, validate=validate.Length(max=100))


class MergeIn(Versioned):
    target = fields.String(required=True, validate=validate.Length(max=30))
    explanation = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))


class ReasonIn(Versioned):
    reason = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))


class TextIn(Strict):
    text = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))


class StatisticsQuery(Strict):
    """As the Inzicht page's form reads them (app.insight.forms)."""

    van = fields.String(
        validate=validate.Length(max=40), metadata={"description": _l("eerste dag, bijvoorbeeld 1-1-2026")}
    )
    tot = fields.String(validate=validate.Length(max=40), metadata={"description": _l("laatste dag")})
    afdeling = fields.String(validate=validate.Length(max=12), metadata={"description": _l("afdeling (id)")})


# --- answers -------------------------------------------------------------------------------


class EventOut(Schema):
    kind = fields.String(required=True)
    label = fields.String(required=True)
    actor = fields.String(required=True, metadata={"description": _l("wie, zoals u die mag kennen")})
    at = fields.String(required=True, metadata={"description": _l("moment (ISO 8601), of alleen de dag")})
    text = fields.String(allow_none=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    internal = fields.Boolean(required=True)


class AttachmentOut(Schema):
    """A file that came with the report: what may be known of it (never its original name)."""

    number = fields.Integer(required=True)
    name = fields.String(
        required=True, metadata={"description": _l("de naam die Rode Knop geeft, bijvoorbeeld Bijlage 2 (PDF, 1,2 MB)")}
    )
    media_type = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("image", "pdf")))
    size = fields.Integer(required=True, metadata={"description": _l("bytes")})
    pages = fields.Integer(allow_none=True, required=True)
    added_by = fields.String(required=True, metadata={"description": _l("wie, zoals u die mag kennen")})
    at = fields.String(required=True, metadata={"description": _l("moment (ISO 8601), of alleen de dag")})


class ActionsOut(Schema):
    take_on = fields.Boolean(required=True)
    assign = fields.Boolean(required=True)
    outcomes = fields.List(fields.String(), required=True)
    merge = fields.Boolean(required=True)
    reopen = fields.Boolean(required=True)
    note = fields.Boolean(required=True)
    update = fields.Boolean(required=True)
    moves = fields.List(fields.String(), required=True)


class ReportSummaryOut(Schema):
    reference = fields.String(required=True)
    rule = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    status_label = fields.String(required=True)
    version = fields.Integer(required=True)
    department = fields.String(allow_none=True, required=True)
    created_at = fields.String(required=True)
    last_activity_at = fields.String(required=True)
    supporters = fields.Integer(required=True)
    url = fields.String(required=True)


class ReportOut(ReportSummaryOut):
    problem = fields.String(required=True)
    effect = fields.String(allow_none=True, required=True)
    suggestion = fields.String(allow_none=True, required=True)
    origin = fields.String(required=True)
    explanation = fields.String(allow_none=True, required=True)
    outcome = fields.String(allow_none=True, required=True)
    follows_up = fields.String(allow_none=True, required=True)
    yours = fields.Boolean(required=True, metadata={"description": _l("u deed deze melding (ook anoniem)")})
    timeline = fields.List(fields.Nested(EventOut), required=True)
    attachments = fields.List(fields.Nested(AttachmentOut), required=True)
    actions = fields.Nested(ActionsOut, required=True)


class MyReportOut(ReportSummaryOut):
    reported = fields.Boolean(required=True, metadata={"description": _l("u deed hem; anders steunt u hem")})


class MyReportPage(Schema):
    items = fields.List(fields.Nested(MyReportOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class SimilarOut(Schema):
    reference = fields.String(required=True)
    rule = fields.String(required=True)
    status = fields.String(required=True)
    supporters = fields.Integer(required=True)
    following = fields.String(allow_none=True, required=True, metadata={"description": _l("own, supported of null")})


class SimilarList(Schema):
    items = fields.List(fields.Nested(SimilarOut), required=True)


class SupportOut(Schema):
    reference = fields.String(required=True)
    supporters = fields.Integer(required=True)


class CardOut(Schema):
    reference = fields.String(required=True)
    rule = fields.String(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)
    department = fields.String(allow_none=True, required=True)
    follows_up = fields.String(required=True)
    supporters = fields.Integer(required=True)
    created_at = fields.String(required=True)
    last_activity_at = fields.String(required=True)
    overdue = fields.Boolean(required=True)
    moves = fields.List(fields.String(), required=True)
    take_on = fields.Boolean(required=True)


class ColumnOut(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    statuses = fields.List(fields.String(), required=True)
    count = fields.Integer(required=True)
    url = fields.String(required=True)


class BoardOut(Schema):
    columns = fields.List(fields.Nested(ColumnOut), required=True)


class CardPage(Schema):
    column = fields.String(required=True)
    count = fields.Integer(required=True)
    items = fields.List(fields.Nested(CardOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class DossierSummaryOut(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    law_title = fields.String(required=True)
    legal_reference = fields.String(required=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    owner = fields.String(allow_none=True, required=True)
    addressee = fields.String(allow_none=True, required=True)
    version = fields.Integer(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)


class DossierOut(DossierSummaryOut):
    bwb_id = fields.String(allow_none=True, required=True)
    article = fields.String(allow_none=True, required=True)
    channel = fields.String(allow_none=True, required=True)
    sent_on = fields.String(allow_none=True, required=True)
    answer_due = fields.String(allow_none=True, required=True)
    follow_up_on = fields.String(allow_none=True, required=True)
    answer_summary = fields.String(allow_none=True, required=True)
    reports = fields.List(fields.Nested(ReportSummaryOut), required=True)


class DossierPage(Schema):
    items = fields.List(fields.Nested(DossierSummaryOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class DossierEventOut(Schema):
    kind = fields.String(required=True)
    actor = fields.String(required=True)
    at = fields.String(required=True)
    text = fields.String(allow_none=True, required=True)


class DossierTimeline(Schema):
    items = fields.List(fields.Nested(DossierEventOut), required=True)


class FigureOut(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    columns = fields.List(fields.String(), required=True)
    rows = fields.List(fields.List(fields.Raw()), required=True)


class StatisticsOut(Schema):
    start = fields.String(required=True)
    end = fields.String(required=True)
    figures = fields.List(fields.Nested(FigureOut), required=True)
