"""Wat we ontregelden: the rules that were fixed locally, for every employee."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request
from flask_login import login_required

from app.extensions import db
from app.models import Report
from app.search import support_counts
from app.services.impact import hours_saved
from app.services.workflow import RESOLVED

bp = Blueprint("results", __name__)

PER_PAGE = 20
MAX_PAGE = 10_000


def _page() -> int:
    value = request.args.get("pagina", "")
    if re.fullmatch(r"[0-9]{1,5}", value) and 1 <= int(value) <= MAX_PAGE:
        return int(value)
    return 1


@bp.route("/")
@login_required
def index():
    """Newest first. No reporter names at all: that is the simplest way never to show who
    made an anonymous report."""
    page = _page()
    total = db.session.scalar(db.select(db.func.count(Report.id)).where(Report.status == RESOLVED))
    reports = list(
        db.session.scalars(
            db.select(Report)
            .where(Report.status == RESOLVED)
            .order_by(Report.resolved_at.desc(), Report.id.desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE + 1)
        )
    )
    has_more = len(reports) > PER_PAGE
    reports = reports[:PER_PAGE]
    counts = support_counts([r.id for r in reports])
    # Who ran into it: the reporter and every colleague who said "ik ook".
    colleagues = {r.id: 1 + counts.get(r.id, 0) for r in reports}
    return render_template(
        "results/index.html",
        reports=reports,
        colleagues=colleagues,
        total=total,
        page=page,
        has_more=has_more,
        saved=hours_saved(),
    )
