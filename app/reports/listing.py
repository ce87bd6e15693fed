"""Alle meldingen: every report for coaches, Juridische Zaken and the beheerder, with a
search, department and status filters, a page at a time, and the filtered list as a file
(app.export's rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.anonymity import name_for
from app.clock import local
from app.export import EXPORT_MAX_ROWS, Cell, Column
from app.extensions import db
from app.forms import parse_id
from app.models import Report, ReportStatus
from app.notify import external_url
from app.paging import PER_PAGE, Page, Slot
from app.search import clean_search, support_counts, text_condition

# The list's query parameters besides 'pagina'.
FILTER_KEYS = ("zoek", "afdeling", "status")
STATUSES = tuple(status.value for status in ReportStatus)
NEWEST_FIRST = (Report.created_at.desc(), Report.id.desc())


@dataclass
class ListFilters:
    text: str = ""
    department_id: int | None = None
    status: str = ""

    @property
    def active(self) -> bool:
        return bool(self.text or self.department_id or self.status)

    def args(self) -> dict[str, str | int]:
        """The filters as query parameters (for the pager and the export links)."""
        values = {"zoek": self.text, "afdeling": self.department_id, "status": self.status}
        return {key: value for key, value in values.items() if value}


def read_filters(args, departments: list) -> ListFilters:
    """Only what the allow-lists know counts; anything else is ignored."""
    department_id = parse_id(args.get("afdeling"))
    status = (args.get("status") or "").strip()
    return ListFilters(
        text=clean_search(args.get("zoek")),
        department_id=department_id if department_id in {d.id for d in departments} else None,
        status=status if status in STATUSES else "",
    )


def _conditions(filters: ListFilters, *, status: bool = True) -> list:
    conditions = []
    if filters.text:
        # The one typo-tolerant search, as on the board (app.search).
        conditions.append(text_condition(filters.text))
    if filters.department_id:
        conditions.append(Report.department_id == filters.department_id)
    if status and filters.status:
        conditions.append(Report.status == filters.status)
    return conditions


def status_counts(filters: ListFilters) -> dict[str, int]:
    """How many reports each status has with the other filters (search, department)."""
    rows = db.session.execute(
        db.select(Report.status, db.func.count(Report.id))
        .where(*_conditions(filters, status=False))
        .group_by(Report.status)
    )
    return dict(rows.all())


@dataclass
class ReportList:
    page: Page[Report]
    counts: dict[str, int]  # per status, with the other filters
    supporters: dict[int, int]


def report_list(filters: ListFilters, page: int | None, per_page: int = PER_PAGE) -> ReportList:
    """A page of the filtered list, newest first. The count per status gives the total too."""
    counts = status_counts(filters)
    total = counts.get(filters.status, 0) if filters.status else sum(counts.values())
    slot = Slot.of(page, total, per_page)
    reports = []
    if total:
        reports = list(
            db.session.scalars(
                db.select(Report)
                .where(*_conditions(filters))
                # The reporter is named in the list (as app.anonymity decides).
                .options(selectinload(Report.reporter))
                .order_by(*NEWEST_FIRST)
                .offset(slot.offset)
                .limit(slot.size)
            )
        )
    return ReportList(Page(reports, slot), counts, support_counts([report.id for report in reports]))


# --- the export --------------------------------------------------------------------------

EXPORT_TITLE = _l("Alle meldingen")
EXPORT_NAME = "meldingen"
EXPORT_COLUMNS = [
    Column(_l("Nummer"), 14),
    Column(_l("Regel"), 40),
    Column(_l("Wat gaat er mis"), 60),
    Column(_l("Status"), 16),
    Column(_l("Afdeling"), 24),
    Column(_l("Ook tegenaan"), 10),
    Column(_l("Wie gaat erachteraan"), 24),
    Column(_l("Gemeld op"), 12),
    Column(_l("Laatste activiteit"), 12),
    Column(_l("Link"), 40, link=True),
]


def export_reports(filters: ListFilters) -> list[Report]:
    """The filtered list, newest first: at most one more than a file may hold (see
    app.export.too_many)."""
    return list(
        db.session.scalars(
            db.select(Report)
            .where(*_conditions(filters))
            .options(selectinload(Report.assignee))
            .order_by(*NEWEST_FIRST)
            .limit(EXPORT_MAX_ROWS + 1)
        )
    )


def _day(report_moment) -> date:
    return local(report_moment).date()


def export_cells(reports: list[Report]) -> list[list[Cell]]:
    """One row per report. Never who reported it, named or not: the file travels further
    than its downloader. Only days, for every report alike (an anonymous report's minute is
    never shown to anyone but its reporter, see app.anonymity.submitted_at)."""
    supporters = support_counts([report.id for report in reports])
    return [
        [
            report.reference,
            report.rule,
            report.problem,
            report.status_enum.label,
            report.department.name if report.department else None,
            supporters.get(report.id, 0),
            # Named as for any reader of the file.
            name_for(None, report.assignee) if report.assignee else None,
            _day(report.created_at),
            _day(report.last_activity_at),
            external_url("reports.detail", reference=report.reference),
        ]
        for report in reports
    ]
