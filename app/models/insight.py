"""Inzicht's kept figures: per view of the dashboard (a period and a department) the
figures as they were last computed, shared by every web worker and kept up to date by the
scheduler (app.services.insight_snapshots). Nothing personal: the same figures the page
shows to everyone who may see Inzicht."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime

VIEW_KEY_MAX = 40
MARKER_MAX = 300
# The figures of a view as JSON: about 40 kB for the longest period; a view whose figures
# would not fit is not kept (app.services.insight_snapshots).
FIGURES_MAX = 1_000_000


class InsightSnapshot(db.Model):
    __tablename__ = "insight_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    # start|end|department (0: all departments): one row per view.
    view_key: Mapped[str] = mapped_column(String(VIEW_KEY_MAX), unique=True)
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    department_id: Mapped[int | None] = mapped_column(Integer)
    # The local day the figures are for (what waits too long moves with the clock), and
    # app.services.insight.change_marker when they were computed.
    day: Mapped[date] = mapped_column(Date)
    marker: Mapped[str] = mapped_column(String(MARKER_MAX))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seconds: Mapped[float] = mapped_column(Float)  # how long computing them took
    # Last asked for by a page (written at most once an hour): the scheduler refreshes views
    # asked for lately and forgets the others.
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    figures: Mapped[str] = mapped_column(String(FIGURES_MAX))  # JSON
