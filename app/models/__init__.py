"""The domain's tables, one module per aggregate."""

from app.models.api_token import ApiToken
from app.models.attachment import Attachment
from app.models.audit import AuditEntry
from app.models.checkback import CheckbackAnswer, CheckbackInvite
from app.models.dossier import Addressee, Dossier, DossierEvent, DossierStatus
from app.models.insight import InsightSnapshot
from app.models.job import JobRun
from app.models.outbox import OutboxMessage
from app.models.register import (
    RegisterDelivery,
    RegisterEntry,
    RegisterLetterJoin,
    RegisterMember,
    RegisterMirror,
    RegisterPublication,
    RegisterRefusal,
)
from app.models.report import Event, Origin, Report, ReportStatus, Support
from app.models.triage import TriageAttendee, TriageItem, TriageSession
from app.models.user import ROLES, Department, MailPreference, RecoveryCode, User, UserRole
from app.models.webhook import Webhook, WebhookDelivery

__all__ = [
    "ROLES",
    "Addressee",
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "CheckbackAnswer",
    "CheckbackInvite",
    "Department",
    "Dossier",
    "DossierEvent",
    "DossierStatus",
    "Event",
    "InsightSnapshot",
    "JobRun",
    "MailPreference",
    "Origin",
    "OutboxMessage",
    "RecoveryCode",
    "RegisterDelivery",
    "RegisterEntry",
    "RegisterLetterJoin",
    "RegisterMember",
    "RegisterMirror",
    "RegisterPublication",
    "RegisterRefusal",
    "Report",
    "ReportStatus",
    "Support",
    "TriageAttendee",
    "TriageItem",
    "TriageSession",
    "User",
    "UserRole",
    "Webhook",
    "WebhookDelivery",
]
