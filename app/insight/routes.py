"""Inzicht: the dashboard of figures for coaches, Juridische Zaken, beheerders and
bestuurders (management, read-only). Each figure is a chart, its table and a CSV download;
the figures themselves come from app.services.insight."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app import charts
from app.export import Column, export_or_refuse
from app.insight.forms import InsightFilterForm
from app.models.base import utcnow
from app.permissions import area_required
from app.services import insight_snapshots
from app.services.insight import FIGURE_KEYS, InsightFilters, presets
from app.services.insight_snapshots import Kept
from app.services.users import department_names
from app.transactions import done_writing, start_writing

bp = Blueprint("insight", __name__)

FILTER_KEYS = ("van", "tot", "afdeling")


def figures_of(filters: InsightFilters) -> Kept:
    """The view's figures: kept ones when they may be shown, or computed now and kept for
    the next page (app.services.insight_snapshots). Both write only after start_writing()."""
    found, marker = insight_snapshots.kept(filters)
    if found is not None:
        if found.needs_viewed_mark():
            start_writing()
            insight_snapshots.mark_viewed(filters)
            done_writing()
        return found
    figures, seconds = insight_snapshots.compute(filters)
    if insight_snapshots.keeping():
        start_writing()
        insight_snapshots.keep(filters, figures, marker, seconds)
        done_writing()
    return Kept(figures, utcnow())


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
    kept = figures_of(filters)
    figures = kept.figures
    return render_template(
        "insight/index.html",
        form=form,
        filters=filters,
        figures=figures,
        kept=kept,
        charts={figure.key: charts.build(figure) for figure in figures},
        presets=presets(),
        department=request.args.get("afdeling", ""),
        filter_args=_filter_args(),
    )


@bp.route("/download.csv")
@area_required("insight")
def download():
    """One figure's table as CSV (app.export's rules: safe cells, an audit line)."""
    key = request.args.get("figuur", "")
    if key not in FIGURE_KEYS:
        abort(404)
    form = _form()
    if not form.validate():
        return redirect(url_for("insight.index", **_filter_args()), 303)
    filters = form.filters()
    # The figure as the page shows it.
    figure = next(figure for figure in figures_of(filters).figures if figure.key == key)
    return export_or_refuse(
        [Column(header, 20) for header in figure.columns],
        figure.rows,
        kind="csv",
        name=f"inzicht-{figure.key}-{filters.start.isoformat()}-{filters.end.isoformat()}",
        title=gettext("Inzicht: %(title)s", title=figure.title),
        actor=current_user,
        back_to=url_for("insight.index", **_filter_args()),
    )
