"""The domain's tables, one module per aggregate."""
from app.models.audit import AuditEntry
from app.models.report import Event, Origin, Report, ReportStatus, Support
from app.models.user import ROLES, Department, User, UserRole

__all__ = [
    "AuditEntry",
    "Department",
    "Event",
    "Origin",
    "ROLES",
    "Report",
    "ReportStatus",
    "Support",
    "User",
    "UserRole",
]
