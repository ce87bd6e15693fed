"""Small server-rendered SVG charts for Inzicht: the geometry of a chart, computed here and
drawn by templates/macros/charts.html. No script and no inline style (the CSP allows
neither); every series has its own pattern as well as its own colour, and values are
written next to the bars, so colour never carries the meaning alone. The numbers
themselves are in the table under each chart."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import gettext

from app.formatting import figure_number
from app.services.insight import Figure

WIDTH = 720
# Per series: a colour (dark enough for white lines on it) and a pattern, in this order.
COLOURS = ("#154273", "#b8510d", "#39870c", "#6f2c91", "#5c5c5c")
PATTERNS = ("solid", "hatched", "dotted", "crossed", "lined")
LABEL_MAX = 38  # characters of a row label before it is shortened (the table has it whole)


@dataclass
class Box:
    x: float
    y: float
    width: float
    height: float
    fill: str  # a pattern id
    title: str  # a tooltip with the exact value


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    kind: str = "value"  # value, axis, label, legend


@dataclass
class Swatch:
    id: str
    colour: str
    pattern: str


@dataclass
class Chart:
    id: str
    title: str
    height: float
    boxes: list[Box] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    grid: list[tuple[float, float, float, float]] = field(default_factory=list)
    line: str = ""  # points of a polyline
    dots: list[tuple[float, float, str]] = field(default_factory=list)
    swatches: list[Swatch] = field(default_factory=list)
    width: float = WIDTH


def short(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def nice_max(value: float) -> float:
    """A round top for the value axis at or above `value`."""
    if value <= 0:
        return 1
    step = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * step:
            return factor * step
    return 10 * step


def _swatches(figure: Figure) -> list[Swatch]:
    return [
        Swatch(f"{figure.key}-serie-{n}", COLOURS[n % len(COLOURS)], series.pattern or PATTERNS[n % len(PATTERNS)])
        for n, series in enumerate(figure.series)
    ]


def _legend(chart: Chart, figure: Figure, y: float) -> None:
    if len(figure.series) < 2:
        return
    x = 0.0
    for swatch, series in zip(chart.swatches, figure.series, strict=True):
        chart.boxes.append(Box(x, y - 11, 14, 14, swatch.id, series.name))
        chart.texts.append(Text(x + 20, y, series.name, kind="legend"))
        x += 30 + 7.5 * len(series.name)


def build(figure: Figure) -> Chart | None:
    """The chart of `figure`, or None when it has none or nothing to show."""
    if not figure.chart or not figure.has_data:
        return None
    return {"columns": _columns, "line": _line, "bars": _bars, "stacked": _stacked}[figure.chart](figure)


def _title(figure: Figure) -> str:
    return gettext("%(title)s. De cijfers staan in de tabel onder de grafiek.", title=figure.title)


# --- a column per label (weeks) ----------------------------------------------------------------

PLOT_LEFT = 44
PLOT_TOP = 24
PLOT_HEIGHT = 180


def _value_axis(chart: Chart, top: float, right: float) -> None:
    for share in (0, 0.5, 1):
        y = PLOT_TOP + PLOT_HEIGHT * (1 - share)
        chart.grid.append((PLOT_LEFT, y, right, y))
        chart.texts.append(Text(PLOT_LEFT - 6, y + 4, figure_number(top * share), anchor="end", kind="axis"))


def _x_labels(chart: Chart, labels: list[str], centre) -> None:
    every = max(1, math.ceil(len(labels) / 8))
    for n, label in enumerate(labels):
        if n % every == 0:
            chart.texts.append(Text(centre(n), PLOT_TOP + PLOT_HEIGHT + 18, label, anchor="middle", kind="axis"))


def _columns(figure: Figure) -> Chart:
    values = figure.series[0].values
    chart = Chart(figure.key, _title(figure), PLOT_TOP + PLOT_HEIGHT + 30, swatches=_swatches(figure))
    top = nice_max(max(values))
    right = WIDTH - 8
    step = (right - PLOT_LEFT) / len(values)
    _value_axis(chart, top, right)
    for n, (label, value) in enumerate(zip(figure.labels, values, strict=True)):
        height = PLOT_HEIGHT * value / top
        x = PLOT_LEFT + n * step + step * 0.15
        y = PLOT_TOP + PLOT_HEIGHT - height
        chart.boxes.append(Box(x, y, step * 0.7, height, chart.swatches[0].id, f"{label}: {figure_number(value)}"))
        if value and len(values) <= 26:
            chart.texts.append(Text(x + step * 0.35, y - 4, figure_number(value), anchor="middle"))
    _x_labels(chart, figure.labels, lambda n: PLOT_LEFT + (n + 0.5) * step)
    return chart


def _line(figure: Figure) -> Chart:
    values = figure.series[0].values
    chart = Chart(figure.key, _title(figure), PLOT_TOP + PLOT_HEIGHT + 30, swatches=_swatches(figure))
    top = nice_max(max(values))
    right = WIDTH - 24
    step = (right - PLOT_LEFT) / max(1, len(values) - 1) if len(values) > 1 else 0
    _value_axis(chart, top, right)
    points = []
    for n, (label, value) in enumerate(zip(figure.labels, values, strict=True)):
        x = PLOT_LEFT + n * step if len(values) > 1 else (PLOT_LEFT + right) / 2
        y = PLOT_TOP + PLOT_HEIGHT * (1 - value / top)
        points.append(f"{x:.1f},{y:.1f}")
        chart.dots.append((x, y, f"{label}: {figure_number(value)}"))
    chart.line = " ".join(points)
    # The first, the highest and the last value written out.
    for n in sorted({0, values.index(max(values)), len(values) - 1}):
        x, y, _ = chart.dots[n]
        chart.texts.append(Text(x, y - 8, figure_number(values[n]), anchor="middle"))
    _x_labels(chart, figure.labels, lambda n: chart.dots[n][0])
    return chart


# --- a bar per row (departments, laws, reports) ------------------------------------------------

LABEL_WIDTH = 280
BAR = 16
GAP = 12


def _bars(figure: Figure) -> Chart:
    """Horizontal bars, one per series in each row, each with its value written after it."""
    series = figure.series
    legend = 28 if len(series) > 1 else 0
    row_height = len(series) * BAR + GAP
    chart = Chart(figure.key, _title(figure), legend + len(figure.labels) * row_height + 8, swatches=_swatches(figure))
    _legend(chart, figure, 14)
    top = max((v for s in series for v in s.values), default=0) or 1
    # Room after the longest bar for its value (and the series' name when there are several).
    room = WIDTH - LABEL_WIDTH - (140 if len(series) > 1 else 60)
    for n, label in enumerate(figure.labels):
        y = legend + n * row_height
        chart.texts.append(
            Text(LABEL_WIDTH - 8, y + len(series) * BAR / 2 + 4, short(label), anchor="end", kind="label")
        )
        for m, (one, swatch) in enumerate(zip(series, chart.swatches, strict=True)):
            value = one.values[n]
            width = room * value / top
            chart.boxes.append(
                Box(LABEL_WIDTH, y + m * BAR, width, BAR - 2, swatch.id, f"{label}, {one.name}: {figure_number(value)}")
            )
            name = f" {one.name.lower()}" if len(series) > 1 else ""
            chart.texts.append(Text(LABEL_WIDTH + width + 6, y + m * BAR + BAR - 4, figure_number(value) + name))
    return chart


def _stacked(figure: Figure) -> Chart:
    """One bar per row made of its series (patterns, legend on top), its total after it."""
    legend = 28
    row_height = BAR + 4 + GAP
    chart = Chart(figure.key, _title(figure), legend + len(figure.labels) * row_height + 8, swatches=_swatches(figure))
    _legend(chart, figure, 14)
    totals = [sum(s.values[n] for s in figure.series) for n in range(len(figure.labels))]
    top = max(totals, default=0) or 1
    room = WIDTH - LABEL_WIDTH - 50
    for n, label in enumerate(figure.labels):
        y = legend + n * row_height
        chart.texts.append(Text(LABEL_WIDTH - 8, y + BAR / 2 + 6, short(label), anchor="end", kind="label"))
        x = LABEL_WIDTH
        for one, swatch in zip(figure.series, chart.swatches, strict=True):
            value = one.values[n]
            if not value:
                continue
            width = room * value / top
            chart.boxes.append(Box(x, y, width, BAR + 4, swatch.id, f"{label}, {one.name}: {figure_number(value)}"))
            x += width
        chart.texts.append(Text(x + 6, y + BAR, figure_number(totals[n])))
    return chart
