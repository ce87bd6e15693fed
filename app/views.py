"""Helpers for templates: Dutch dates, labels, and how people are named on a page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, g
from flask_login import current_user

from app.models import ROLES, Event, Report
from app.models.report import ORIGIN_LABELS, STATUS_LABELS, Origin, ReportStatus
from app.permissions import can_see_reporter, is_staff
from config import WEEKDAYS_NL

MONTHS_NL = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def _local(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def dutch_date(value: datetime | None) -> str:
    if value is None:
        return ""
    local = _local(value)
    return f"{local.day} {MONTHS_NL[local.month - 1]} {local.year}"


def dutch_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = _local(value)
    return f"{dutch_date(value)}, {local:%H:%M}"


def dutch_weekday_date(value: datetime) -> str:
    local = _local(value)
    return f"{WEEKDAYS_NL[local.weekday()]} {local.day} {MONTHS_NL[local.month - 1]} om {local:%H:%M}"


def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def status_label(status: str) -> str:
    return STATUS_LABELS[ReportStatus(status)]


def origin_label(origin: str) -> str:
    return ORIGIN_LABELS[Origin(origin)]


def reporter_display(report: Report) -> str:
    """The reporter's name as the current user may see it."""
    if report.is_anonymous:
        if report.reporter_id == current_user.id:
            return "U (anoniem gemeld)"
        return "Anoniem"
    if report.reporter_id == current_user.id:
        return "U"
    if can_see_reporter(current_user, report):
        return report.reporter.name
    return "Een collega"


def actor_display(event: Event, report: Report) -> str:
    if event.actor_id is None:
        if event.kind == "submitted" and report.is_anonymous:
            return "U (anoniem)" if report.reporter_id == current_user.id else "Anoniem"
        return "Rode Knop"
    if event.actor_id == current_user.id:
        return "U"
    if event.actor_id == report.reporter_id and report.is_anonymous:
        return "Anoniem"
    actor = event.actor
    if actor is None:
        return "Onbekend"
    # Colleagues who report or support are named only to coaches and legal staff; the
    # coaches and lawyers who act on a report are named to everyone who follows it.
    if is_staff(current_user) or is_staff(actor):
        return actor.name
    return "Een collega"


def template_globals() -> dict:
    return {
        "ROLES": ROLES,
        "STATUS_LABELS": {status.value: label for status, label in STATUS_LABELS.items()},
        "reporter_display": reporter_display,
        "actor_display": actor_display,
        "is_staff": is_staff,
        "municipality_name": lambda: current_app.config["MUNICIPALITY_NAME"],
        "csrf_failed": lambda: bool(g.get("csrf_error")),
    }


def template_filters() -> dict:
    return {
        "dutch_date": dutch_date,
        "dutch_datetime": dutch_datetime,
        "dutch_weekday_date": dutch_weekday_date,
        "iso": iso,
        "status_label": status_label,
        "origin_label": origin_label,
    }
