"""The impact of a rule: an estimate per report of how often the rule bites (cases per
month), the minutes each case costs the inhabitant and the municipality's staff, and who
is affected; and the hours a year that solved rules save (Report.hours_saved, from the one
formula app.models.report.hours_per_year).

Which estimates count in 'uren bespaard': those of solved reports (opgelost) that the
solving coach confirmed (Report.counts_hours_saved). Who may give or change an estimate is
answered by app.services.workflow.may_estimate; the change itself is
app.services.workflow.set_estimate and, when solving, decide_report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func

from app.extensions import db
from app.formatting import dutch_number, hours
from app.i18n import N_
from app.models import Report, User
from app.models.base import utcnow
from app.models.report import AFFECTED_LABELS, CASES_MAX, MINUTES_MAX, Affected, hours_per_year
from app.services import DomainError

# The form fields of an estimate, wherever it is given (the services name them in errors).
FIELDS = ("cases_per_month", "minutes_inhabitant", "minutes_staff", "affected")
MISSING = {
    "cases_per_month": N_("Vul in hoe vaak per maand de regel ongeveer speelt."),
    "minutes_inhabitant": N_("Vul in hoeveel minuten het de inwoner of ondernemer per keer kost (0 mag)."),
    "minutes_staff": N_("Vul in hoeveel minuten het medewerkers per keer kost (0 mag)."),
    "affected": N_("Kies wie er vooral last van heeft."),
}
# A whole number as people type it: 1200, 1.200 or 1 200.
_NUMBER = re.compile(r"[0-9]{1,3}(?:[. ][0-9]{3})+|[0-9]{1,12}")


@dataclass(frozen=True)
class Estimate:
    cases_per_month: int
    minutes_inhabitant: int
    minutes_staff: int
    affected: str

    @property
    def hours_saved(self) -> float:
        return hours_per_year(self.cases_per_month, self.minutes_inhabitant + self.minutes_staff)

    @property
    def affected_label(self) -> str:
        return AFFECTED_LABELS[Affected(self.affected)]

    def sentence(self) -> str:
        """The estimate in one line (the timeline, the confirmation)."""
        return (
            f"ongeveer {dutch_number(self.cases_per_month)} keer per maand; "
            f"{dutch_number(self.minutes_inhabitant)} minuten voor de inwoner of ondernemer en "
            f"{dutch_number(self.minutes_staff)} minuten voor medewerkers per keer; "
            f"vooral: {self.affected_label.lower()}. "
            f"Geschat: {hours(self.hours_saved)} per jaar."
        )


def _number(value, field: str, maximum: int) -> int | None:
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    text = text.strip()
    if not text:
        return None
    message = gettext("Vul een heel getal in van 0 tot en met %(maximum)s.", maximum=dutch_number(maximum))
    if not _NUMBER.fullmatch(text):
        raise DomainError(message, field=field)
    number = int(text.replace(".", "").replace(" ", ""))
    if number > maximum:
        raise DomainError(message, field=field)
    return number


def read_estimate(cases_per_month, minutes_inhabitant, minutes_staff, affected) -> Estimate | None:
    """An estimate from what someone typed: all four parts, or none at all (None). Refuses
    (DomainError at the field) a part that is missing, not a whole number, or out of bounds."""
    values = {
        "cases_per_month": _number(cases_per_month, "cases_per_month", CASES_MAX),
        "minutes_inhabitant": _number(minutes_inhabitant, "minutes_inhabitant", MINUTES_MAX),
        "minutes_staff": _number(minutes_staff, "minutes_staff", MINUTES_MAX),
        "affected": (affected or "").strip() or None,
    }
    if values["affected"] is not None and values["affected"] not in {a.value for a in Affected}:
        raise DomainError(gettext("Kies een van de mogelijkheden."), field="affected")
    if all(value is None for value in values.values()):
        return None
    for name in FIELDS:
        if values[name] is None:
            raise DomainError(gettext(MISSING[name]), field=name)
    return Estimate(**values)


def estimate_of(report: Report) -> Estimate | None:
    if not report.has_estimate:
        return None
    return Estimate(
        report.impact_cases_per_month,
        report.impact_minutes_inhabitant,
        report.impact_minutes_staff,
        report.impact_affected,
    )


def store_estimate(report: Report, estimate: Estimate | None, *, confirmed_by: User | None = None) -> None:
    """Put `estimate` on the report (None takes it off). `confirmed_by`: the coach who
    confirms it now (solving the report); otherwise any earlier confirmation lapses."""
    report.impact_cases_per_month = estimate.cases_per_month if estimate else None
    report.impact_minutes_inhabitant = estimate.minutes_inhabitant if estimate else None
    report.impact_minutes_staff = estimate.minutes_staff if estimate else None
    report.impact_affected = estimate.affected if estimate else None
    confirmed = confirmed_by is not None and estimate is not None
    report.impact_confirmed_by_id = confirmed_by.id if confirmed else None
    report.impact_confirmed_at = utcnow() if confirmed else None


# --- hours saved ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HoursSaved:
    """Hours saved per year by solved rules with a confirmed estimate (see the module)."""

    inhabitant: float
    staff: float
    rules: int

    @property
    def total(self) -> float:
        return self.inhabitant + self.staff


def hours_saved_statement(*conditions):
    """One row (hours for inhabitants, hours for staff, number of rules) over the counted
    reports that meet `conditions`."""
    return db.select(
        func.coalesce(func.sum(Report.hours_saved_inhabitant), 0.0),
        func.coalesce(func.sum(Report.hours_saved_staff), 0.0),
        func.count(Report.id),
    ).where(Report.counts_hours_saved, *conditions)


def hours_saved(
    start: datetime | None = None, end: datetime | None = None, department_id: int | None = None
) -> HoursSaved:
    """For the dashboard: hours saved per year by the reports solved in [start, end) (UTC
    moments; None leaves that side open), of one department or of all. One SQL statement."""
    conditions = []
    if start is not None:
        conditions.append(Report.resolved_at >= start)
    if end is not None:
        conditions.append(Report.resolved_at < end)
    if department_id is not None:
        conditions.append(Report.department_id == department_id)
    inhabitant, staff, rules = db.session.execute(hours_saved_statement(*conditions)).one()
    return HoursSaved(float(inhabitant), float(staff), int(rules))
