"""Who may go where and see what: the roles of each area, and object-level access.

Routes use the decorators, templates ask the same functions (through template globals),
and what a user may *do* with a report or a dossier is answered next to the transition
tables (app.services.workflow.report_actions, app.services.dossiers.dossier_actions)."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app
from flask_login import current_user, login_required

from app.anonymity import STAFF_ROLES, follows_anonymously, is_reporter
from app.extensions import db
from app.models import Event, Report, User

# Area -> the roles that open it.
AREAS: dict[str, tuple[str, ...]] = {
    "board": STAFF_ROLES,  # the board and the list of all reports
    "triage": ("coach",),  # the weekly session
    "dossiers": ("legal", "admin"),  # Juridische Zaken; the beheerder may look
    "admin": ("admin",),
    # Downloading the open data (app.opendata): staff and management; anyone at all when
    # OPEN_DATA_PUBLIC is on.
    "open_data": ("coach", "legal", "admin", "executive"),
    # Inzicht, the dashboard of figures: the staff, and management (read-only, role executive).
    "insight": (*STAFF_ROLES, "executive"),
}
# Internal notes on a report: written and read by coaches and Juridische Zaken only.
NOTE_ROLES = ("coach", "legal")


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


def area_required(area: str):
    return role_required(*AREAS[area])


def may_enter(user: User, area: str) -> bool:
    return user.is_authenticated and user.has_role(*AREAS[area])


def may_download_open_data(user: User) -> bool:
    return bool(current_app.config["OPEN_DATA_PUBLIC"]) or may_enter(user, "open_data")


def open_data_required(view):
    """The open data: public when OPEN_DATA_PUBLIC is on (no login), otherwise its area."""
    guarded = area_required("open_data")(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_app.config["OPEN_DATA_PUBLIC"]:
            return view(*args, **kwargs)
        return guarded(*args, **kwargs)

    return wrapped


def is_staff(user: User) -> bool:
    return user.is_authenticated and user.has_role(*STAFF_ROLES)


def can_read_notes(user: User) -> bool:
    return user.is_authenticated and user.has_role(*NOTE_ROLES)


def can_view_report(user: User, report: Report) -> bool:
    """Reporter, supporters and staff may open a report; everyone else gets a 404."""
    if not user.is_authenticated:
        return False
    if is_staff(user) or is_reporter(user, report) or follows_anonymously(user, report):
        return True
    return any(support.user_id == user.id for support in report.supports)


def visible_events(report: Report, user: User) -> list[Event]:
    """The timeline as `user` may read it: internal notes only for coaches and legal."""
    notes = can_read_notes(user)
    return [event for event in report.events if event.is_public or notes]


def last_visible_events(report_ids: list[int], user: User) -> dict[int, Event]:
    """The last line of each report's timeline as `user` may read it (visible_events), in
    one query for a whole list."""
    if not report_ids:
        return {}
    newest_first = db.func.row_number().over(
        partition_by=Event.report_id, order_by=(Event.created_at.desc(), Event.id.desc())
    )
    ranked = db.select(Event.id, newest_first.label("position")).where(Event.report_id.in_(report_ids))
    if not can_read_notes(user):
        ranked = ranked.where(Event.is_public)
    ranked = ranked.subquery()
    events = db.session.scalars(db.select(Event).join(ranked, ranked.c.id == Event.id).where(ranked.c.position == 1))
    return {event.report_id: event for event in events}


def template_globals() -> dict:
    return {"may_enter": may_enter, "may_download_open_data": may_download_open_data}
