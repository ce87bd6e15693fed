"""Inzicht, the dashboard: every figure for a period and a department, each computed in SQL
by one function in a fixed number of statements, whatever the number of reports.

Which reports a figure is about: the reports made in the period (local days, from the first
to the last day inclusive), in the chosen department. The backlog is the exception: it is
the number of open reports at the end of each week of the period, whenever they were made.

A figure is a `Figure`: its title, a caption, a table (the same rows go into its CSV) and
the data of its chart, its texts in the language it is computed in (the reader's: the kept
figures are kept per language, app.services.insight_snapshots). FIGURES lists them in the order of the page; a new figure is one
function taking `InsightFilters` and returning a Figure, and one line in FIGURES.

Durations are in days (fractions included) between two moments, computed by `days_between`
and rounded down by `whole` (the only places that know the dialect); medians and 80th
percentiles come from `spreads`: the database counts the durations per tenth of a day, the
precision the page shows, and the nearest rank is picked from those counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext, ngettext
from sqlalchemy import Float, and_, case, cast, func, literal, null, select, union_all
from sqlalchemy.types import Date, DateTime

from app.clock import today, zone
from app.extensions import db
from app.formatting import dutch_number, hours, one_decimal
from app.i18n import N_
from app.models import (
    Addressee,
    CheckbackAnswer,
    CheckbackInvite,
    Department,
    Dossier,
    DossierEvent,
    Event,
    Report,
    Support,
)
from app.models.base import UTCDateTime, utcnow
from app.models.checkback import ANSWER_LABELS, NO, UNSURE, YES
from app.models.dossier import DossierStatus
from app.models.report import (
    EventKind,
    Origin,
    ReportStatus,
    format_reference,
    is_open_status,
    overdue_cutoff,
    overdue_term,
)
from app.services import impact
from app.services.checkback import checkback_answers

# The longest period one view covers: a bar per week stays readable, and the work bounded.
MAX_PERIOD_DAYS = 3 * 366
# The laws and the reports the page lists: the most frequent this many.
TOP = 10

STATUS_CHANGED = EventKind.STATUS_CHANGED.value
NEW = ReportStatus.NEW.value
# How a report can end: the outcomes the dashboard counts, in this order.
OUTCOMES = (
    ReportStatus.RESOLVED.value,
    ReportStatus.EXPLAINED.value,
    ReportStatus.ESCALATED.value,
    ReportStatus.MERGED.value,
)
ANSWERED = DossierStatus.ANSWERED.value
NO_DEPARTMENT = N_("Geen afdeling opgegeven")
NO_ADDRESSEE = N_("Nog geen geadresseerde")


@dataclass(frozen=True)
class InsightFilters:
    start: date  # the first day of the period (local)
    end: date  # the last day of the period, inclusive
    department_id: int | None = None

    @property
    def since(self) -> datetime:
        """The UTC moment the period starts: local midnight of its first day."""
        return _local_midnight(self.start)

    @property
    def until(self) -> datetime:
        """The UTC moment the period ends (exclusive): local midnight after its last day."""
        return _local_midnight(self.end + timedelta(days=1))

    @property
    def first_monday(self) -> date:
        """The Monday of the period's first week: weeks run Monday to Sunday."""
        return self.start - timedelta(days=self.start.weekday())

    @property
    def weeks(self) -> list[date]:
        """The Mondays of every week the period touches."""
        count = (self.end - self.first_monday).days // 7 + 1
        return [self.first_monday + timedelta(weeks=n) for n in range(count)]


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone()).astimezone(UTC)


def default_filters(now_day: date | None = None) -> InsightFilters:
    """The last twelve months up to today."""
    end = now_day or today()
    return InsightFilters(start=_months_back(end, 12) + timedelta(days=1), end=end)


def _months_back(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def presets(now_day: date | None = None) -> list[tuple[str, date, date]]:
    """The periods offered with one click: (label, first day, last day)."""
    end = now_day or today()
    return [
        (gettext("Laatste 3 maanden"), _months_back(end, 3) + timedelta(days=1), end),
        (gettext("Laatste 12 maanden"), _months_back(end, 12) + timedelta(days=1), end),
        (gettext("Dit jaar"), date(end.year, 1, 1), end),
        (gettext("Vorig jaar"), date(end.year - 1, 1, 1), date(end.year - 1, 12, 31)),
    ]


# --- the figure -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    # How the series is told apart without colour: a pattern name the page knows.
    pattern: str = "solid"


@dataclass
class Figure:
    key: str  # in the CSV's file name and the page's anchors
    title: str
    caption: str
    columns: list[str]
    rows: list[list]
    chart: str | None = None  # "columns", "line", "bars", "stacked"; None: the table alone
    labels: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    unit: str = ""
    notes: list[str] = field(default_factory=list)  # the figure's key facts, in sentences
    empty: str = N_("Geen gegevens in deze periode.")  # each figure passes it translated

    @property
    def has_data(self) -> bool:
        return bool(self.rows)


def days_text(value: float | None) -> str:
    """A number of days with one decimal, as the reader writes it: 3,5 (English: 3.5)."""
    if value is None:
        return "–"
    return one_decimal(value)


# --- the dialect: durations and percentiles ---------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def days_between(start, end):
    """SQL: the days (with fractions) from moment `start` to moment `end` (columns or
    expressions of datetimes, or dates)."""
    if _dialect() == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", _instant(end) - _instant(start)) / 86400.0


def _instant(value):
    """PostgreSQL: a date as its midnight in UTC (as SQLite's julianday reads it), whatever
    the session's time zone; a moment as it is."""
    if isinstance(getattr(value, "type", None), Date):
        return func.timezone("UTC", cast(value, DateTime()))
    return value


def whole(expression):
    """SQL: a non-negative number rounded down."""
    if _dialect() == "sqlite":
        return cast(expression, db.Integer)
    return cast(func.floor(expression), db.Integer)


def moment(value: datetime):
    """A moment as a bound value of the stored type (SQLite compares the stored text)."""
    return literal(value, UTCDateTime)


# Durations are counted to the tenth of a day, the precision the page shows.
TENTHS = 10


@dataclass
class Spread:
    """The durations of one group, counted per tenth of a day (see `spreads`), with the
    group's sums. Nearest rank: the median is the smallest value with at least half of the
    known values at or below it, the 80th percentile the same with 80 percent."""

    rows: int = 0
    known: int = 0
    counts: list[tuple[int, int]] = field(default_factory=list)  # (tenths, how many), ascending
    sums: list[int] = field(default_factory=list)

    def at(self, share: float) -> float | None:
        if not self.known:
            return None
        rank = self.known * share
        seen = 0
        for tenths, count in self.counts:
            seen += count
            if seen >= rank:
                return tenths / TENTHS
        return None  # not reached: the counts add up to `known`

    @property
    def median(self) -> float | None:
        return self.at(0.5)

    @property
    def p80(self) -> float | None:
        return self.at(0.8)


def spreads(durations, group, days, *sums) -> dict:
    """Per `group` of the subquery `durations`: its rows, and its `days` (NULL: not known)
    counted per tenth of a day, plus the sum of each of `sums` (0/1 columns of the
    subquery). One grouped statement: the database counts, whatever the number of rows;
    the median and percentile are picked from the counts (a few hundred per group)."""
    counted = select(
        group.label("grp"),
        whole(days * TENTHS + 0.5).label("tenths"),
        *(column.label(f"s{n}") for n, column in enumerate(sums)),
    ).subquery()
    stmt = (
        select(
            counted.c.grp,
            counted.c.tenths,
            func.count(),
            *(func.sum(counted.c[f"s{n}"]) for n in range(len(sums))),
        )
        .group_by(counted.c.grp, counted.c.tenths)
        .order_by(counted.c.grp, counted.c.tenths)
    )
    found: dict = {}
    for grp, tenths, count, *totals in db.session.execute(stmt):
        spread = found.setdefault(grp, Spread(sums=[0] * len(sums)))
        spread.rows += int(count)
        spread.sums = [a + int(b or 0) for a, b in zip(spread.sums, totals, strict=True)]
        if tenths is not None:
            spread.known += int(count)
            spread.counts.append((int(tenths), int(count)))
    return found


# --- which reports --------------------------------------------------------------------------


def _in_department(filters: InsightFilters, column=None):
    column = Report.department_id if column is None else column
    return column == filters.department_id if filters.department_id else literal(True)


def _made_in_period(filters: InsightFilters):
    """The reports a figure is about (see the module's docstring)."""
    return and_(
        Report.created_at >= moment(filters.since), Report.created_at < moment(filters.until), _in_department(filters)
    )


# --- inflow and backlog -----------------------------------------------------------------------


def _week_of(moment_column, filters: InsightFilters):
    """SQL: the number of the week (0 = the period's first week) a moment falls in."""
    return whole(days_between(moment(_local_midnight(filters.first_monday)), moment_column) / 7)


def _week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    if week == 1 or (monday.month == 1 and monday.day <= 7):
        return gettext("week %(week)d (%(year)d)", week=week, year=year)
    return gettext("week %(week)d", week=week)


def _week_cell(monday: date) -> str:
    return monday.isoformat()


def inflow(filters: InsightFilters) -> Figure:
    """New reports per week."""
    week = _week_of(Report.created_at, filters)
    counts = dict(
        db.session.execute(
            select(week.label("week"), func.count(Report.id)).where(_made_in_period(filters)).group_by(week)
        ).all()
    )
    weeks = filters.weeks
    values = [int(counts.get(n, 0)) for n in range(len(weeks))]
    total = sum(values)
    return Figure(
        key="instroom",
        title=gettext("Instroom per week"),
        caption=gettext("Hoeveel meldingen er elke week binnenkwamen (week van maandag tot en met zondag)."),
        columns=[gettext("Week (maandag)"), gettext("Weeknummer"), gettext("Nieuwe meldingen")],
        rows=[[_week_cell(monday), monday.isocalendar()[1], value] for monday, value in zip(weeks, values, strict=True)]
        if total
        else [],
        chart="columns",
        labels=[_week_label(monday) for monday in weeks],
        series=[Series(gettext("Nieuwe meldingen"), values)],
        unit=gettext("meldingen"),
        notes=[
            ngettext(
                "%(number)s melding in deze periode.",
                "%(number)s meldingen in deze periode.",
                total,
                number=dutch_number(total),
            )
        ],
        empty=gettext("Geen meldingen in deze periode."),
    )


def _department_events(statement, filters: InsightFilters):
    """`statement` over events, narrowed to the reports of the chosen department."""
    if not filters.department_id:
        return statement
    return statement.join(Report, Report.id == Event.report_id).where(_in_department(filters))


def backlog(filters: InsightFilters) -> Figure:
    """Open reports (nieuw or in behandeling) at the end of each week. Counted back from
    the reports open now: a report's creation opens it and each status change adds or
    takes one, so the level when the period starts is the number open now minus every
    change since then; only the changes since the period's start are read."""
    first = moment(_local_midnight(filters.first_monday))
    until = moment(min(filters.until, utcnow()))
    is_open = is_open_status(Event.to_status)
    was_open = is_open_status(Event.from_status)
    steps = union_all(
        # The reports open now: one step without a moment.
        select(null().label("at"), func.count(Report.id).label("delta")).where(Report.is_open, _in_department(filters)),
        select(Report.created_at.label("at"), literal(1).label("delta")).where(
            Report.created_at >= first, _in_department(filters)
        ),
        _department_events(
            select(
                Event.created_at.label("at"),
                (case((is_open, 1), else_=0) - case((was_open, 1), else_=0)).label("delta"),
            ).where(Event.kind == STATUS_CHANGED, Event.created_at >= first),
            filters,
        ),
    ).subquery()
    now, later = -1, -2
    bucket = case((steps.c.at.is_(None), now), (steps.c.at >= until, later), else_=_week_of(steps.c.at, filters))
    changes = {
        key: int(value or 0)
        for key, value in db.session.execute(select(bucket, func.sum(steps.c.delta)).group_by(bucket))
    }
    open_now = changes.pop(now, 0)
    weeks = filters.weeks
    level = open_now - sum(changes.values())
    values = []
    for n in range(len(weeks)):
        level += int(changes.get(n) or 0)
        values.append(level)
    last_day = min(filters.end, today())
    shown = [(monday, value) for monday, value in zip(weeks, values, strict=True) if monday <= last_day]
    return Figure(
        key="werkvoorraad",
        title=gettext("Openstaande meldingen"),
        caption=gettext(
            "Hoeveel meldingen aan het eind van elke week nog open stonden (nieuw of in behandeling), "
            "ook meldingen van voor deze periode."
        ),
        columns=[gettext("Week (maandag)"), gettext("Weeknummer"), gettext("Open aan het eind van de week")],
        rows=[[_week_cell(monday), monday.isocalendar()[1], value] for monday, value in shown] if any(values) else [],
        chart="line",
        labels=[_week_label(monday) for monday, _ in shown],
        series=[Series(gettext("Open meldingen"), [value for _, value in shown])],
        unit=gettext("meldingen"),
        notes=[gettext("Aan het eind: %(number)s open.", number=dutch_number(shown[-1][1]))] if shown else [],
        empty=gettext("Geen open meldingen in deze periode."),
    )


# --- lead times ---------------------------------------------------------------------------------

TAKEN_ON = "opgepakt"
DECIDED = "besloten"
LEAD_LABELS = {TAKEN_ON: N_("Van melding tot opgepakt"), DECIDED: N_("Van melding tot besluit")}


def lead_times(filters: InsightFilters) -> Figure:
    """Reported -> taken on and reported -> decided: median and 80th percentile of the
    reports that got there, and how many waited (or still wait) longer than the agreed
    term (app.models.report.overdue_term)."""
    now = utcnow()
    term_days = overdue_term().total_seconds() / 86400
    parts = []
    for name, reached in ((TAKEN_ON, Report.taken_on_at), (DECIDED, Report.decided_at)):
        parts.append(
            select(
                literal(name).label("measure"),
                days_between(Report.created_at, reached).label("days"),
                # Still waiting: counted against the term from its creation until now.
                func.coalesce(
                    days_between(Report.created_at, reached), days_between(Report.created_at, moment(now))
                ).label("waited"),
            ).where(_made_in_period(filters))
        )
    durations = union_all(*parts).subquery()
    longer = case((durations.c.waited > term_days, 1), else_=0)
    found = spreads(durations, durations.c.measure, cast(durations.c.days, Float), longer)
    rows, medians, p80s = [], [], []
    for name in (TAKEN_ON, DECIDED):
        spread = found.get(name)
        if spread is None:
            continue
        median, p80 = spread.median, spread.p80
        rows.append(
            [gettext(LEAD_LABELS[name]), spread.known, days_text(median), days_text(p80), spread.sums[0], spread.rows]
        )
        medians.append(median or 0)
        p80s.append(p80 or 0)
    term = int(term_days)
    return Figure(
        key="doorlooptijden",
        title=gettext("Doorlooptijden"),
        caption=ngettext(
            "Hoeveel dagen meldingen uit deze periode wachtten: de mediaan (de helft wachtte korter) en het "
            "80e percentiel (80 procent wachtte korter). ‘Langer dan %(num)d dag’ telt ook meldingen die nu nog "
            "wachten.",
            "Hoeveel dagen meldingen uit deze periode wachtten: de mediaan (de helft wachtte korter) en het "
            "80e percentiel (80 procent wachtte korter). ‘Langer dan %(num)d dagen’ telt ook meldingen die nu nog "
            "wachten.",
            term,
        ),
        columns=[
            gettext("Stap"),
            gettext("Aantal meldingen met deze stap"),
            gettext("Mediaan (dagen)"),
            gettext("80e percentiel (dagen)"),
            ngettext("Langer dan %(num)d dag", "Langer dan %(num)d dagen", term),
            gettext("Meldingen in de periode"),
        ],
        rows=rows,
        chart="bars",
        labels=[row[0] for row in rows],
        series=[Series(gettext("Mediaan"), medians, "solid"), Series(gettext("80e percentiel"), p80s, "hatched")],
        unit=gettext("dagen"),
        notes=[ngettext("De afgesproken termijn is %(num)d dag.", "De afgesproken termijn is %(num)d dagen.", term)],
        empty=gettext("Geen meldingen in deze periode."),
    )


def overdue_now(filters: InsightFilters) -> int:
    """Open reports of the department in which nothing happened for longer than the agreed
    term, now (Report.is_overdue): the board's 'te lang stil'."""
    return db.session.scalar(
        select(func.count(Report.id)).where(Report.is_overdue(overdue_cutoff(utcnow())), _in_department(filters))
    )


# --- outcomes -------------------------------------------------------------------------------------


def _outcome_series(groups: dict[str, dict[str, int]]) -> tuple[list[str], list[Series], list[list]]:
    labels = list(groups)
    patterns = ("solid", "hatched", "dotted", "crossed")
    series = [
        Series(ReportStatus(status).label, [groups[label].get(status, 0) for label in labels], pattern)
        for status, pattern in zip(OUTCOMES, patterns, strict=True)
    ]
    series.append(Series(gettext("Nog open"), [groups[label].get("open", 0) for label in labels], "lined"))
    rows = [
        [label, *(groups[label].get(status, 0) for status in OUTCOMES), groups[label].get("open", 0)]
        for label in labels
    ]
    return labels, series, rows


def _outcome_columns(first: str) -> list[str]:
    return [first, *(ReportStatus(status).label for status in OUTCOMES), gettext("Nog open")]


def outcomes_by_department(filters: InsightFilters) -> Figure:
    """How the reports of the period ended, per department."""
    state = case((Report.is_open, literal("open")), else_=Report.status)
    name = func.coalesce(Department.name, literal(gettext(NO_DEPARTMENT)))
    rows = db.session.execute(
        select(name, state, func.count(Report.id))
        .outerjoin(Department, Department.id == Report.department_id)
        .where(_made_in_period(filters))
        .group_by(name, state)
        .order_by(name)
    ).all()
    groups: dict[str, dict[str, int]] = {}
    for label, status, count in rows:
        groups.setdefault(label, {})[status] = int(count)
    labels, series, table = _outcome_series(groups)
    return Figure(
        key="uitkomsten-afdeling",
        title=gettext("Uitkomsten per afdeling"),
        caption=gettext("Hoe de meldingen uit deze periode afliepen, per afdeling."),
        columns=_outcome_columns(gettext("Afdeling")),
        rows=table,
        chart="stacked",
        labels=labels,
        series=series,
        unit=gettext("meldingen"),
        empty=gettext("Geen gegevens in deze periode."),
    )


def outcomes_by_origin(filters: InsightFilters) -> Figure:
    """How the reports of the period ended, by where the rule comes from."""
    state = case((Report.is_open, literal("open")), else_=Report.status)
    rows = db.session.execute(
        select(Report.origin, state, func.count(Report.id))
        .where(_made_in_period(filters))
        .group_by(Report.origin, state)
    ).all()
    counted: dict[str, dict[str, int]] = {}
    for origin, status, count in rows:
        counted.setdefault(origin, {})[status] = int(count)
    groups = {o.label: counted[o.value] for o in Origin if o.value in counted}
    labels, series, table = _outcome_series(groups)
    return Figure(
        key="uitkomsten-herkomst",
        title=gettext("Uitkomsten per herkomst van de regel"),
        caption=gettext(
            "Hoe de meldingen uit deze periode afliepen: eigen regels van de gemeente en landelijke regels."
        ),
        columns=_outcome_columns(gettext("Herkomst")),
        rows=table,
        chart="stacked",
        labels=labels,
        series=series,
        unit=gettext("meldingen"),
        empty=gettext("Geen gegevens in deze periode."),
    )


# --- escalations ----------------------------------------------------------------------------------


def _dossiers_of_period(filters: InsightFilters):
    """Dossiers with at least one report of the period."""
    return select(Report.id).where(Report.dossier_id == Dossier.id, _made_in_period(filters)).exists()


def escalations(filters: InsightFilters) -> Figure:
    """Per addressee: dossiers, how long the answer took (from sending to 'antwoord
    ontvangen'), how many are open and how many answers are late (Dossier.answer_late)."""
    answered_at = (
        select(func.min(DossierEvent.created_at))
        .where(DossierEvent.dossier_id == Dossier.id, DossierEvent.to_status == ANSWERED)
        .scalar_subquery()
    )
    name = func.coalesce(Addressee.name, literal(gettext(NO_ADDRESSEE)))
    per_dossier = (
        select(
            name.label("addressee"),
            case((Dossier.sent_on.is_(None), None), else_=days_between(Dossier.sent_on, answered_at)).label("days"),
            case((Dossier.is_open, 1), else_=0).label("open"),
            case((Dossier.answer_late(today()), 1), else_=0).label("late"),
        )
        .outerjoin(Addressee, Addressee.id == Dossier.addressee_id)
        .where(_dossiers_of_period(filters))
        .subquery()
    )
    group = per_dossier.c.addressee
    found = spreads(per_dossier, group, cast(per_dossier.c.days, Float), per_dossier.c.open, per_dossier.c.late)
    rows = [
        [addressee, spread.rows, spread.known, days_text(spread.median), *spread.sums]
        for addressee, spread in sorted(found.items(), key=lambda item: (-item[1].rows, item[0]))
    ]
    return Figure(
        key="escalaties",
        title=gettext("Escalaties per geadresseerde"),
        caption=gettext(
            "Escalatiedossiers met meldingen uit deze periode, per ministerie of andere geadresseerde: hoe lang "
            "het antwoord duurde (mediaan, vanaf het versturen), hoeveel nog open zijn en hoeveel antwoorden te laat zijn."
        ),
        columns=[
            gettext("Geadresseerde"),
            gettext("Dossiers"),
            gettext("Beantwoord"),
            gettext("Mediaan tot antwoord (dagen)"),
            gettext("Open"),
            gettext("Antwoord te laat"),
        ],
        rows=rows,
        chart="stacked",
        labels=[row[0] for row in rows],
        series=[
            Series(gettext("Afgesloten"), [row[1] - row[4] for row in rows], "solid"),
            Series(gettext("Open, op tijd"), [row[4] - row[5] for row in rows], "dotted"),
            Series(gettext("Open, antwoord te laat"), [row[5] for row in rows], "crossed"),
        ],
        unit=gettext("dossiers"),
        empty=gettext("Geen escalaties met meldingen uit deze periode."),
    )


def laws(filters: InsightFilters) -> Figure:
    """The laws and articles that come back most often: reports of the period per dossier's
    legal reference."""
    article = func.coalesce(Dossier.article, literal(""))
    count = func.count(Report.id)
    rows = db.session.execute(
        select(Dossier.law_title, article, count)
        .join(Dossier, Dossier.id == Report.dossier_id)
        .where(_made_in_period(filters))
        .group_by(Dossier.law_title, article)
        .order_by(count.desc(), Dossier.law_title, article)
        .limit(TOP)
    ).all()
    table = [[law, article_text or "–", int(n)] for law, article_text, n in rows]
    return Figure(
        key="wetsartikelen",
        title=gettext("Wetten en artikelen die het vaakst terugkomen"),
        caption=gettext("De %(top)d wetsartikelen met de meeste geëscaleerde meldingen uit deze periode.", top=TOP),
        columns=[gettext("Wet of regeling"), gettext("Artikel"), gettext("Meldingen")],
        rows=table,
        chart="bars",
        labels=[f"{law}, {art}" if art != "–" else law for law, art, _ in table],
        series=[Series(gettext("Meldingen"), [n for _, _, n in table])],
        unit=gettext("meldingen"),
        empty=gettext("Geen geëscaleerde meldingen in deze periode."),
    )


def most_supported(filters: InsightFilters) -> Figure:
    """The reports of the period that most colleagues run into: counts of 'ik loop hier
    ook tegenaan', named and anonymous alike; never who."""
    supporters = func.count(Support.id)
    rows = db.session.execute(
        select(Report.year, Report.number, Report.rule, Report.status, supporters)
        .join(Support, Support.report_id == Report.id)
        .where(_made_in_period(filters))
        .group_by(Report.id, Report.year, Report.number, Report.rule, Report.status)
        .order_by(supporters.desc(), Report.id)
        .limit(TOP)
    ).all()
    table = [
        [format_reference(year, number), rule, ReportStatus(status).label, int(n)]
        for year, number, rule, status, n in rows
    ]
    return Figure(
        key="ik-ook",
        title=gettext("Waar de meeste collega’s tegenaan lopen"),
        caption=gettext(
            "De %(top)d meldingen uit deze periode met de meeste collega’s die zeiden: ik loop hier ook tegenaan.",
            top=TOP,
        ),
        columns=[
            gettext("Melding"),
            gettext("Regel"),
            gettext("Status"),
            gettext("Collega’s die hier ook tegenaan lopen"),
        ],
        rows=table,
        chart="bars",
        labels=[f"{ref}: {rule}" for ref, rule, _, _ in table],
        series=[Series(gettext("Collega’s"), [n for *_, n in table])],
        unit=gettext("collega’s"),
        empty=gettext("Nog niemand zei ‘ik loop hier ook tegenaan’ bij een melding uit deze periode."),
    )


def _solved_in_period(filters: InsightFilters):
    """The reports solved in the period (the two figures about what solving brought)."""
    return and_(
        Report.resolved_at >= moment(filters.since), Report.resolved_at < moment(filters.until), _in_department(filters)
    )


def hours_saved(filters: InsightFilters) -> Figure:
    """Hours saved per year, estimated: the rules solved in the period with a confirmed
    estimate (which ones count, and the formula, are app.services.impact's), the most
    saving first, and the total over all of them."""
    total = impact.hours_saved(filters.since, filters.until, filters.department_id)
    per_rule = Report.hours_saved_inhabitant + Report.hours_saved_staff
    rows = db.session.execute(
        select(Report.year, Report.number, Report.rule, Report.hours_saved_inhabitant, Report.hours_saved_staff)
        .where(Report.counts_hours_saved, _solved_in_period(filters))
        .order_by(per_rule.desc(), Report.id)
        .limit(TOP)
    ).all()
    table = [
        [format_reference(year, number), rule, round(float(inhabitant), 1), round(float(staff), 1)]
        for year, number, rule, inhabitant, staff in rows
    ]
    notes = []
    if total.rules:
        notes.append(
            gettext(
                "Samen geschat %(total)s per jaar: %(inhabitant)s voor inwoners en ondernemers, %(staff)s voor "
                "medewerkers, over %(rules)s met een bevestigde schatting.",
                total=hours(total.total),
                inhabitant=hours(total.inhabitant),
                staff=hours(total.staff),
                rules=ngettext("%(num)d opgeloste regel", "%(num)d opgeloste regels", total.rules),
            )
        )
    return Figure(
        key="tijdwinst",
        title=gettext("Geschatte tijdwinst per jaar"),
        caption=gettext(
            "Schatting: de uren per jaar die niet meer verloren gaan door de regels die in deze periode zijn "
            "opgelost, als de ontregelcoach de schatting bevestigde; de %(top)d grootste.",
            top=TOP,
        ),
        columns=[
            gettext("Melding"),
            gettext("Regel"),
            gettext("Uur per jaar voor inwoners (geschat)"),
            gettext("Uur per jaar voor medewerkers (geschat)"),
        ],
        rows=table,
        chart="stacked",
        labels=[f"{ref}: {rule}" for ref, rule, _, _ in table],
        series=[
            Series(gettext("Inwoners en ondernemers"), [row[2] for row in table], "solid"),
            Series(gettext("Medewerkers"), [row[3] for row in table], "hatched"),
        ],
        unit=gettext("uur per jaar"),
        notes=notes,
        empty=gettext("Geen opgeloste regels met een bevestigde schatting in deze periode."),
    )


def better_afterwards(filters: InsightFilters) -> Figure:
    """The answers to 'Merkbaar beter?' about the reports solved in the period
    (app.services.checkback counts them)."""
    answers = checkback_answers(filters.since, filters.until, filters.department_id)
    counted = [
        (gettext(ANSWER_LABELS[YES]), answers.yes),
        (gettext(ANSWER_LABELS[NO]), answers.no),
        (gettext(ANSWER_LABELS[UNSURE]), answers.unsure),
        (gettext("Nog geen antwoord"), answers.unanswered),
    ]
    notes = []
    if answers.asked:
        notes.append(
            gettext(
                "%(asked)s gesteld; %(yes)d keer ‘ja’, %(no)d keer ‘nee’. "
                "Na een ‘nee’ staat de melding weer op het bord van de ontregelcoaches.",
                asked=ngettext("%(num)d vraag", "%(num)d vragen", answers.asked),
                yes=answers.yes,
                no=answers.no,
            )
        )
    return Figure(
        key="merkbaar-beter",
        title=gettext("Merkbaar beter?"),
        caption=gettext(
            "Wat melders en collega’s zeiden toen hun een tijd na het oplossen werd gevraagd of het merkbaar beter is, "
            "over de meldingen die in deze periode zijn opgelost."
        ),
        columns=[gettext("Antwoord"), gettext("Aantal")],
        rows=[[label, n] for label, n in counted] if answers.asked else [],
        chart="bars",
        labels=[label for label, _ in counted],
        series=[Series(gettext("Antwoorden"), [n for _, n in counted])],
        unit=gettext("antwoorden"),
        notes=notes,
        empty=gettext(
            "Over de meldingen die in deze periode zijn opgelost, is nog niemand gevraagd of het merkbaar beter is."
        ),
    )


# The page, in this order.
FIGURES: tuple[Callable[[InsightFilters], Figure], ...] = (
    inflow,
    backlog,
    lead_times,
    outcomes_by_department,
    outcomes_by_origin,
    hours_saved,
    better_afterwards,
    escalations,
    laws,
    most_supported,
)
FIGURE_KEYS = (
    "instroom",
    "werkvoorraad",
    "doorlooptijden",
    "uitkomsten-afdeling",
    "uitkomsten-herkomst",
    "tijdwinst",
    "merkbaar-beter",
    "escalaties",
    "wetsartikelen",
    "ik-ook",
)


def all_figures(filters: InsightFilters) -> list[Figure]:
    return [figure(filters) for figure in FIGURES]


def change_marker() -> tuple:
    """Changes whenever a figure may change: a report made or acted on (every step, and an
    estimate, sets a newer last_activity_at), a colleague who says 'ik ook', a dossier
    changed, a 'Merkbaar beter?' question asked or answered. Index look-ups only: the page
    may keep its figures while this stays the same."""
    return tuple(
        db.session.execute(
            select(
                select(func.max(Report.id)).scalar_subquery(),
                select(func.max(Report.last_activity_at)).scalar_subquery(),
                select(func.max(Support.id)).scalar_subquery(),
                select(func.max(Dossier.updated_at)).scalar_subquery(),
                select(func.max(DossierEvent.id)).scalar_subquery(),
                select(func.max(CheckbackInvite.id)).scalar_subquery(),
                select(func.max(CheckbackAnswer.id)).scalar_subquery(),
            )
        ).one()
    )
