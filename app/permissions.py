"""Role checks and object-level access, in one place."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.models import Report, User

STAFF_ROLES = ("coach", "legal", "admin")


def role_required(*roles: str):
    """Logged in and holding one of `roles`; anonymous visitors go to the login page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_staff(user: User) -> bool:
    return user.is_authenticated and user.has_role(*STAFF_ROLES)


def can_view_report(user: User, report: Report) -> bool:
    """Reporter, supporters and staff may open a report; everyone else gets a 404."""
    if not user.is_authenticated:
        return False
    if report.reporter_id == user.id or is_staff(user):
        return True
    return any(support.user_id == user.id for support in report.supports)


def can_see_reporter(user: User, report: Report) -> bool:
    """Who reported is hidden from everyone but the reporter when the report is anonymous."""
    if report.reporter_id == user.id:
        return True
    return not report.is_anonymous and is_staff(user)
