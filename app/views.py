"""What templates can use: Dutch dates and labels, how people are named to the viewer
(app.anonymity decides), who may see what (app.permissions decides), mail links."""

from __future__ import annotations

from flask import current_app, g
from flask_login import current_user

from app import permissions
from app.anonymity import (
    SYSTEM,
    event_actor_name,
    event_moment,
    name_for,
    reporter_name,
    submitted_at,
)
from app.formatting import (
    calendar_date,
    count,
    dutch_date,
    dutch_datetime,
    dutch_number,
    dutch_weekday_date,
    figure_number,
    hours,
    iso,
    moment,
    origin_label,
    ran_into,
    role_label,
    status_label,
    status_line,
    status_meaning,
    supporters,
)
from app.forms import max_length
from app.look import current_look
from app.models import ROLES, Event, Report, User
from app.models.report import STATUS_LABELS
from app.notify import external_url
from app.search import SEARCH_MAX


def reporter_display(report: Report) -> str:
    return reporter_name(report, current_user)


def actor_display(event: Event, report: Report) -> str:
    return event_actor_name(event, report, current_user)


def person(user: User | None, viewer: User | None = None, *, you: str | None = "U", nobody: str = SYSTEM) -> str:
    """Anyone else shown on a page (who follows up, a dossier's owner, an attendee).
    In a mail, `viewer` is the recipient. `you`, `nobody`: see app.anonymity.name_for."""
    return name_for(viewer if viewer is not None else current_user, user, you=you, nobody=nobody)


def template_globals() -> dict:
    return {
        "ROLES": ROLES,
        "STATUS_LABELS": {status.value: label for status, label in STATUS_LABELS.items()},
        "reporter_display": reporter_display,
        "actor_display": actor_display,
        "person": person,
        "submitted_at": lambda report: submitted_at(report, current_user),
        "event_moment": lambda event, report: event_moment(event, report, current_user),
        "municipality_name": lambda: current_look().municipality,
        "look": current_look,
        "register_mode": lambda: current_app.config["MODE"] == "register",
        "csrf_failed": lambda: bool(g.get("csrf_error")),
        "external_url": external_url,
        "max_length": max_length,
        "SEARCH_MAX": SEARCH_MAX,
        **permissions.template_globals(),
    }


def template_filters() -> dict:
    return {
        "dutch_date": dutch_date,
        "dutch_datetime": dutch_datetime,
        "dutch_number": dutch_number,
        "figure_number": figure_number,
        "dutch_weekday_date": dutch_weekday_date,
        "calendar_date": calendar_date,
        "hours": hours,
        "iso": iso,
        "moment": moment,
        "status_label": status_label,
        "role_label": role_label,
        "origin_label": origin_label,
        "count": count,
        "supporters": supporters,
        "ran_into": ran_into,
        "status_line": status_line,
        "status_meaning": status_meaning,
    }
