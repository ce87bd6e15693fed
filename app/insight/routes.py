"""Inzicht: the dashboard of figures for coaches, Juridische Zaken, beheerders and
bestuurders (management, read-only). Each figure is a chart, its table and a CSV download;
the figures themselves come from app.services.insight."""

from __future__ import annotations

import time
from collections import OrderedDict

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app import charts
from app.clock import today
from app.export import Column, export_or_refuse
from app.insight.forms import InsightFilterForm
from app.permissions import area_required
from app.services.insight import BY_KEY, Figure, InsightFilters, all_figures, change_marker, presets
from app.services.users import department_names

bp = Blueprint("insight", __name__)

FILTER_KEYS = ("van", "tot", "afdeling")
# Views whose figures a worker keeps (see kept_figures).
FIGURES_KEPT = 32


def kept_figures(filters: InsightFilters) -> list[Figure]:
    """all_figures for this view. At 100,000 reports they cost seconds, so a worker keeps
    them while nothing changed (app.services.insight.change_marker, a statement of index
    look-ups), at most INSIGHT_CACHE_SECONDS (0: never kept), and for the same day (what
    waits too long moves with the clock)."""
    seconds = current_app.config["INSIGHT_CACHE_SECONDS"]
    if seconds <= 0:
        return all_figures(filters)
    kept: OrderedDict = current_app.extensions.setdefault("insight_figures", OrderedDict())
    key = (filters, today())
    marker = change_marker()
    now = time.monotonic()
    found = kept.get(key)
    if found is not None and found[0] == marker and now - found[1] < seconds:
        return found[2]
    figures = all_figures(filters)
    kept[key] = (marker, now, figures)
    kept.move_to_end(key)
    while len(kept) > FIGURES_KEPT:
        kept.popitem(last=False)
    return figures


def _form() -> InsightFilterForm:
    return InsightFilterForm(request.args, departments=department_names())


def _filter_args() -> dict[str, str]:
    return {key: request.args[key][:40] for key in FILTER_KEYS if request.args.get(key)}


@bp.route("/")
@area_required("insight")
def index():
    form = _form()
    if not form.validate():
        return render_template("insight/index.html", form=form, figures=[], charts={}, presets=presets()), 400
    filters = form.filters()
    # Empty fields show the period the figures are about.
    form.van.data, form.tot.data = filters.start, filters.end
    figures = kept_figures(filters)
    return render_template(
        "insight/index.html",
        form=form,
        filters=filters,
        figures=figures,
        charts={figure.key: charts.build(figure) for figure in figures},
        presets=presets(),
        department=request.args.get("afdeling", ""),
        filter_args=_filter_args(),
    )


@bp.route("/download.csv")
@area_required("insight")
def download():
    """One figure's table as CSV (app.export's rules: safe cells, an audit line)."""
    compute = BY_KEY.get(request.args.get("figuur", ""))
    if compute is None:
        abort(404)
    form = _form()
    if not form.validate():
        return redirect(url_for("insight.index", **_filter_args()), 303)
    figure = compute(form.filters())
    filters = form.filters()
    return export_or_refuse(
        [Column(header, 20) for header in figure.columns],
        figure.rows,
        kind="csv",
        name=f"inzicht-{figure.key}-{filters.start.isoformat()}-{filters.end.isoformat()}",
        title=f"Inzicht: {figure.title}",
        actor=current_user,
        back_to=url_for("insight.index", **_filter_args()),
    )
