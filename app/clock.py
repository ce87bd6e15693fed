"""Time as the municipality lives it: every local date and time in the configured TIMEZONE.

Stored times are UTC (app.models.base.utcnow); whatever a person reads or a rule counts in
days (a report's year, 'today', the weekly session) is local time, and only this module
knows which zone that is."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from app.models.base import utcnow


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local(value: datetime) -> datetime:
    return value.astimezone(zone())


def today(now: datetime | None = None) -> date:
    """Today where the municipality is: a date 'passes' at local midnight."""
    return local(now or utcnow()).date()


def next_session(now: datetime | None = None) -> datetime:
    """The next weekly session of the coaches (TRIAGE_WEEKDAY at TRIAGE_TIME, local time),
    strictly after `now`."""
    config = current_app.config
    hour, minute = (int(part) for part in config["TRIAGE_TIME"].split(":"))
    local_now = local(now or utcnow())
    candidate = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    candidate += timedelta(days=(config["TRIAGE_WEEKDAY"] - local_now.weekday()) % 7)
    if candidate <= local_now:
        candidate += timedelta(days=7)
    return candidate
