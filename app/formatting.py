"""Dates, times and labels in Dutch, for pages, mails and exports alike (no request needed)."""

from __future__ import annotations

from datetime import date, datetime

from app.clock import local
from app.models.report import ORIGIN_LABELS, STATUS_LABELS, Origin, ReportStatus

WEEKDAYS_NL = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
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


def calendar_date(value: date | None) -> str:
    """A calendar date (no time, no zone): 1 november 2026."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS_NL[value.month - 1]} {value.year}"


def dutch_date(value: datetime | None) -> str:
    """The local date of a moment: 1 november 2026."""
    return calendar_date(local(value).date()) if value is not None else ""


def dutch_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{dutch_date(value)}, {local(value):%H:%M}"


def dutch_weekday_date(value: datetime) -> str:
    moment = local(value)
    return f"{WEEKDAYS_NL[moment.weekday()]} {moment.day} {MONTHS_NL[moment.month - 1]} om {moment:%H:%M}"


def moment(value: datetime | date | None) -> str:
    """A moment to the minute, or only its day when that is all the viewer may know."""
    if isinstance(value, datetime):
        return dutch_datetime(value)
    return calendar_date(value)


def iso(value: datetime | date | None) -> str:
    return value.isoformat() if value else ""


def supporters(count: int) -> str:
    """The one wording, on every page, for how many colleagues said 'ik loop hier ook
    tegenaan' about a report."""
    return "1 collega loopt hier ook tegenaan" if count == 1 else f"{count} collega’s lopen hier ook tegenaan"


def status_label(status: str) -> str:
    return STATUS_LABELS[ReportStatus(status)]


def origin_label(origin: str) -> str:
    return ORIGIN_LABELS[Origin(origin)]
