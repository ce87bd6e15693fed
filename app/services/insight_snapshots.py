"""Inzicht's kept figures: computing every figure reads every report of the period (half
a second at 100,000 reports), so a view's figures are kept in the database
(app.models.insight.InsightSnapshot), shared by every web worker, and the scheduler's
`insight` job computes them again for the views asked for lately as soon as something
changed. A page then reads one row instead of computing.

When are kept figures shown?
* nothing changed since they were computed (app.services.insight.change_marker, a
  statement of index look-ups) and it is still the same day: always;
* something changed: only when computing them is slow (longer than INSIGHT_SLOW_SECONDS) and they
  are younger than twice INSIGHT_REFRESH_SECONDS, so that a busy large installation shows
  figures at most a few minutes old (the page says when they were computed) instead of
  computing on every request, while a small one always shows the figures as they are.
Otherwise the page computes them and keeps them for the next.

A view is a period, a department and a language: the figures' texts (titles, columns,
labels, notes) are computed in the language of the reader who asked (app.i18n), and the job
computes them again in that language.

INSIGHT_REFRESH_SECONDS = 0 keeps nothing: every page computes its figures."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.clock import today
from app.extensions import db
from app.i18n import current_language
from app.models import InsightSnapshot
from app.models.base import utcnow
from app.models.insight import FIGURES_MAX
from app.services.insight import Figure, InsightFilters, Series, all_figures, change_marker
from app.transactions import read_only

# A view's last request is written at most this often.
VIEWED_EVERY = timedelta(hours=1)
# The job refreshes the views asked for within this time, at most REFRESHED_PER_RUN of them
# (the most recently asked for first), and forgets views not asked for within FORGET_AFTER.
WATCHED_FOR = timedelta(days=1)
REFRESHED_PER_RUN = 10
FORGET_AFTER = timedelta(days=7)


@dataclass
class Kept:
    figures: list[Figure]
    computed_at: datetime
    # Something changed since they were computed (see the module's docstring).
    behind: bool = False
    # A page last asked for them then (None: just computed).
    viewed_at: datetime | None = None

    def needs_viewed_mark(self, now: datetime | None = None) -> bool:
        return self.viewed_at is not None and (now or utcnow()) - self.viewed_at >= VIEWED_EVERY


def view_key(filters: InsightFilters, language: str | None = None) -> str:
    """start|end|department (0: all)|language (default: the one being rendered now)."""
    language = language or current_language()
    return f"{filters.start.isoformat()}|{filters.end.isoformat()}|{filters.department_id or 0}|{language}"


def language_of(snapshot: InsightSnapshot) -> str:
    """The language a kept view's texts are in (a key without one, or one no longer
    offered: the municipality's)."""
    parts = snapshot.view_key.split("|")
    languages = current_app.config["LANGUAGES"]
    return parts[3] if len(parts) > 3 and parts[3] in languages else current_app.config["LANGUAGE"]


def marker_text(marker: tuple) -> str:
    return "|".join("" if value is None else str(value) for value in marker)


def refresh_seconds() -> int:
    return current_app.config["INSIGHT_REFRESH_SECONDS"]


def keeping() -> bool:
    """Are figures kept at all (INSIGHT_REFRESH_SECONDS above 0)?"""
    return refresh_seconds() > 0


def _encode(figures: list[Figure]) -> str:
    return json.dumps([asdict(figure) for figure in figures], ensure_ascii=False, separators=(",", ":"))


def _decode(text: str) -> list[Figure]:
    return [
        Figure(**{**figure, "series": [Series(**series) for series in figure["series"]]}) for figure in json.loads(text)
    ]


def _snapshot(filters: InsightFilters, language: str | None = None) -> InsightSnapshot | None:
    return db.session.scalar(select(InsightSnapshot).where(InsightSnapshot.view_key == view_key(filters, language)))


def kept(filters: InsightFilters, *, now: datetime | None = None) -> tuple[Kept | None, str]:
    """The kept figures of this view if they may be shown (see the module's docstring),
    and the marker of changes as it is now (to keep freshly computed figures under).
    Reads only."""
    seconds = refresh_seconds()
    if seconds <= 0:
        return None, ""
    marker = marker_text(change_marker())
    now = now or utcnow()
    snapshot = _snapshot(filters)
    if snapshot is None or snapshot.day != today():
        return None, marker
    behind = snapshot.marker != marker
    if behind and (
        snapshot.seconds < current_app.config["INSIGHT_SLOW_SECONDS"]
        or now - snapshot.computed_at >= timedelta(seconds=2 * seconds)
    ):
        return None, marker
    return Kept(_decode(snapshot.figures), snapshot.computed_at, behind, snapshot.viewed_at), marker


def compute(filters: InsightFilters) -> tuple[list[Figure], float]:
    started = time.perf_counter()
    figures = all_figures(filters)
    return figures, time.perf_counter() - started


def keep(
    filters: InsightFilters,
    figures: list[Figure],
    marker: str,
    seconds: float,
    *,
    now: datetime | None = None,
    language: str | None = None,
):
    """Keep a view's figures (computed under `marker`, in `seconds`, in `language`: default
    the one being rendered now), for every worker.
    Writes and commits; two workers keeping the same view at once: the second one's rows
    win, or its insert loses to the first's and is dropped (they hold the same figures)."""
    if not keeping():
        return
    encoded = _encode(figures)
    if len(encoded) > FIGURES_MAX:
        return
    now = now or utcnow()
    values = {
        "day": today(),
        "marker": marker,
        "computed_at": now,
        "seconds": seconds,
        "viewed_at": now,
        "figures": encoded,
    }
    snapshot = _snapshot(filters, language)
    if snapshot is None:
        db.session.add(
            InsightSnapshot(
                view_key=view_key(filters, language),
                start_day=filters.start,
                end_day=filters.end,
                department_id=filters.department_id,
                **values,
            )
        )
    else:
        for name, value in values.items():
            setattr(snapshot, name, value)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def mark_viewed(filters: InsightFilters, *, now: datetime | None = None) -> None:
    """Note that a page asked for this view (the job refreshes views asked for lately)."""
    snapshot = _snapshot(filters)
    if snapshot is not None:
        snapshot.viewed_at = now or utcnow()
        db.session.commit()


def forget_all() -> None:
    """Drop every kept view (after retention removed data the figures may still count)."""
    db.session.execute(delete(InsightSnapshot))


def refresh(*, now: datetime | None = None) -> dict:
    """The scheduler's `insight` job: compute again the figures of the views asked for
    lately whose data changed (or whose day passed), and forget views nobody asked for in
    a week. Safe to run twice or from two schedulers: the same figures are kept twice."""
    now = now or utcnow()
    if not keeping():
        return {"refreshed": 0, "forgotten": 0}
    forgotten = db.session.execute(
        delete(InsightSnapshot).where(InsightSnapshot.viewed_at < now - FORGET_AFTER)
    ).rowcount
    db.session.commit()
    marker = marker_text(change_marker())
    day = today()
    watched = db.session.scalars(
        select(InsightSnapshot)
        .where(InsightSnapshot.viewed_at >= now - WATCHED_FOR)
        .order_by(InsightSnapshot.viewed_at.desc(), InsightSnapshot.id)
        .limit(REFRESHED_PER_RUN)
    ).all()
    views = [
        (InsightFilters(snapshot.start_day, snapshot.end_day, snapshot.department_id), language_of(snapshot))
        for snapshot in watched
        if snapshot.marker != marker or snapshot.day != day
    ]
    db.session.rollback()
    for filters, language in views:
        # Computing only reads: it must not keep SQLite's writers waiting.
        read_only(db.session)
        marker = marker_text(change_marker())
        with force_locale(language):
            figures, seconds = compute(filters)
        db.session.rollback()
        keep(filters, figures, marker, seconds, now=utcnow(), language=language)
    return {"refreshed": len(views), "forgotten": forgotten}
