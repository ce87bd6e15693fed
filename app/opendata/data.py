"""Open data: the ended reports and the escalation dossiers without any personal data, as
CSV and JSON a municipality can publish and others can compare.

* The fields of each data set are defined once, below (name, type, meaning, and how each
  is read from the row of its one SELECT); the files, the page that describes them and the
  README's schema table (tests/test_opendata.py checks it against this definition) all come
  from that.
* No names, no user ids, no pseudonyms, no e-mail addresses: nothing of who reported,
  supported, followed up, confirmed or owns a dossier.
* No free text, unless the coach who ended the report marked it publishable
  (Report.text_public: "De tekst van deze melding mag openbaar"). A dossier's texts (the
  answer, its summary, the channel, notes) are never included; its law, article and BWB-id
  are public references, and its addressee is an organisation.
* Dates only, never times, in the municipality's time zone: a minute could be matched with
  a login and name an anonymous reporter.
* Never translated: the files' field names, codes and values are a public data contract that
  others compare across municipalities and languages; only the page that describes them
  (labels, titles, types) comes from the message catalogs.
* Streamed: rows are read from the database in batches and written as they come, so a
  hundred thousand rows never sit in memory at once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, null
from sqlalchemy.orm import aliased

from app.clock import local
from app.export import neutralise
from app.extensions import db
from app.i18n import N_
from app.models import Addressee, Department, Dossier, Event, Report
from app.models.dossier import format_dossier_reference
from app.models.report import EventKind, format_reference
from app.search import support_count
from app.services.workflow import ENDINGS, RESOLVED
from app.transactions import batches

# Raise when a field changes meaning or goes away (adding a field at the end does not).
SCHEMA_VERSION = 1
# Rows read from the database at a time while streaming.
BATCH = 1000

# The types a field can have, and how the page names them (msgids: the page translates them).
TYPE_LABELS = {
    "string": N_("tekst"),
    "integer": N_("geheel getal"),
    "number": N_("getal"),
    "boolean": N_("true/false"),
    "date": N_("datum (JJJJ-MM-DD)"),
}


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # what it is, in Dutch (a msgid: the page that offers the files translates it)
    type: str  # a key of TYPE_LABELS
    meaning: str  # in English, as the README documents it
    value: Callable[[Any], Any]  # the published value, from a row of the data set's SELECT
    nullable: bool = True


@dataclass(frozen=True)
class DataSet:
    name: str  # in file names and URLs
    endpoint: str  # opendata.<endpoint>_csv and _json serve it
    title: str  # in Dutch (a msgid), for the page (translated) and the audit line (as it is)
    fields: tuple[Field, ...]
    statement: Callable[[], Any]  # the one SELECT the fields are read from

    def rows(self) -> Iterator[tuple]:
        """The rows as published, read in batches of BATCH (a server-side cursor on
        PostgreSQL, in a connection and transaction of its own: app.transactions.batches)."""
        with batches(db.engine).connect() as connection:
            for row in connection.execute(self.statement().execution_options(yield_per=BATCH)):
                yield tuple(field.value(row) for field in self.fields)

    def count(self) -> int:
        return db.session.scalar(db.select(func.count()).select_from(self.statement().subquery()))


def local_date(value: datetime | date | None) -> str | None:
    """A moment as its local date, never its time; a date as it is."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return local(value).date().isoformat()
    return value.isoformat()


def _dossier_reference(dossier_id: int | None) -> str | None:
    return format_dossier_reference(dossier_id) if dossier_id is not None else None


def _hours(value: float | None) -> float | None:
    return round(float(value), 1) if value is not None else None


# --- ended reports -------------------------------------------------------------------------


def _public(column):
    """A report's text only where the coach marked it publishable; otherwise nothing."""
    return case((Report.text_public, column), else_=null())


def _counted(column):
    """An estimate's hours only where they count (Report.counts_hours_saved)."""
    return case((Report.counts_hours_saved, column), else_=null())


def _reports_statement():
    target = aliased(Report)
    # When the report reached its present ending: the last change of status to it.
    ended_at = (
        db.select(func.max(Event.created_at))
        .where(
            Event.report_id == Report.id,
            Event.kind == EventKind.STATUS_CHANGED.value,
            Event.to_status == Report.status,
        )
        .scalar_subquery()
    )
    return (
        db.select(
            Report.year.label("year"),
            Report.number.label("number"),
            Report.status.label("status"),
            Report.origin.label("origin"),
            Department.name.label("department"),
            Report.created_at.label("created_at"),
            case((Report.status == RESOLVED, Report.resolved_at), else_=ended_at).label("ended_at"),
            support_count(Report.id).label("supporters"),
            target.year.label("target_year"),
            target.number.label("target_number"),
            Report.dossier_id.label("dossier_id"),
            Report.impact_cases_per_month.label("cases_per_month"),
            Report.impact_minutes_inhabitant.label("minutes_inhabitant"),
            Report.impact_minutes_staff.label("minutes_staff"),
            Report.impact_affected.label("affected"),
            Report.impact_confirmed_at.is_not(None).label("estimate_confirmed"),
            _counted(Report.hours_saved_inhabitant).label("hours_inhabitant"),
            _counted(Report.hours_saved_staff).label("hours_staff"),
            Report.text_public.label("text_public"),
            _public(Report.rule).label("rule"),
            _public(Report.problem).label("problem"),
            _public(case((Report.status == RESOLVED, Report.outcome), else_=null())).label("what_changed"),
            _public(Report.explanation).label("explanation"),
        )
        .outerjoin(Department, Department.id == Report.department_id)
        .outerjoin(target, target.id == Report.duplicate_of_id)
        .where(Report.status.in_(ENDINGS))
        .order_by(Report.year, Report.number)
    )


REPORT_FIELDS: tuple[Field, ...] = (
    Field(
        "reference",
        N_("Nummer van de melding"),
        "string",
        "The report's public reference, e.g. `RK-2026-0042`.",
        lambda r: format_reference(r.year, r.number),
        nullable=False,
    ),
    Field(
        "status",
        N_("Hoe de melding afliep"),
        "string",
        "How it ended: `resolved` (the rule was changed locally), `escalated` (a national rule, "
        "put on the national agenda), `explained` (the rule stays, with reasons) or `merged` "
        "(into an earlier report of the same rule, see `merged_into`).",
        lambda r: r.status,
        nullable=False,
    ),
    Field(
        "origin",
        N_("Waar de regel vandaan komt"),
        "string",
        "Where the rule comes from, as the reporter said: `own` (the municipality's own rule or "
        "practice), `national` (a national law or regulation) or `unknown`.",
        lambda r: r.origin,
        nullable=False,
    ),
    Field(
        "department",
        N_("Afdeling waar de regel speelt"),
        "string",
        "The department where the rule applies.",
        lambda r: r.department,
    ),
    Field(
        "reported_on",
        N_("Datum van melden"),
        "date",
        "The day it was reported (local date, no time).",
        lambda r: local_date(r.created_at),
        nullable=False,
    ),
    Field(
        "ended_on",
        N_("Datum van afronden"),
        "date",
        "The day it reached its present ending (local date, no time).",
        lambda r: local_date(r.ended_at),
    ),
    Field(
        "supporters",
        N_("Aantal collega’s dat er ook tegenaan loopt"),
        "integer",
        "How many colleagues said they run into the same rule (the reporter not counted).",
        lambda r: int(r.supporters or 0),
        nullable=False,
    ),
    Field(
        "merged_into",
        N_("Samengevoegd met (nummer)"),
        "string",
        "For a merged report: the reference of the report it was merged into.",
        lambda r: format_reference(r.target_year, r.target_number) if r.target_year is not None else None,
    ),
    Field(
        "dossier",
        N_("Escalatiedossier (nummer)"),
        "string",
        "For an escalated report: the reference of its escalation dossier (see the dossiers data set), "
        "e.g. `ESC-0007`.",
        lambda r: _dossier_reference(r.dossier_id),
    ),
    Field(
        "cases_per_month",
        N_("Schatting: keer per maand"),
        "integer",
        "Estimate: how often a month the rule bites.",
        lambda r: r.cases_per_month,
    ),
    Field(
        "minutes_inhabitant",
        N_("Schatting: minuten per keer voor de inwoner of ondernemer"),
        "integer",
        "Estimate: minutes each case costs the inhabitant or entrepreneur.",
        lambda r: r.minutes_inhabitant,
    ),
    Field(
        "minutes_staff",
        N_("Schatting: minuten per keer voor medewerkers"),
        "integer",
        "Estimate: minutes each case costs the municipality's staff.",
        lambda r: r.minutes_staff,
    ),
    Field(
        "affected",
        N_("Schatting: wie er vooral last van heeft"),
        "string",
        "Estimate: who mostly bears it: `inhabitants`, `entrepreneurs`, `organisations` "
        "(social organisations and institutions), `staff` (only the municipality's staff) or `other`.",
        lambda r: r.affected,
    ),
    Field(
        "estimate_confirmed",
        N_("Schatting bevestigd door de ontregelcoach"),
        "boolean",
        "Whether the coach who solved the report confirmed the estimate.",
        lambda r: bool(r.estimate_confirmed),
        nullable=False,
    ),
    Field(
        "hours_saved_inhabitant_per_year",
        N_("Geschatte uren per jaar bespaard voor inwoners en ondernemers"),
        "number",
        "Estimated hours a year inhabitants and entrepreneurs no longer lose: cases_per_month × 12 × "
        "minutes_inhabitant / 60, one decimal. Only for a resolved report with a confirmed estimate.",
        lambda r: _hours(r.hours_inhabitant),
    ),
    Field(
        "hours_saved_staff_per_year",
        N_("Geschatte uren per jaar bespaard voor medewerkers"),
        "number",
        "Estimated hours a year staff no longer lose: cases_per_month × 12 × minutes_staff / 60, one "
        "decimal. Only for a resolved report with a confirmed estimate.",
        lambda r: _hours(r.hours_staff),
    ),
    Field(
        "text_public",
        N_("Tekst mag openbaar"),
        "boolean",
        "Whether the coach marked the report's texts publishable; the four text fields below are empty "
        "unless it is true.",
        lambda r: bool(r.text_public),
        nullable=False,
    ),
    Field(
        "rule",
        N_("De regel (alleen als de tekst openbaar mag)"),
        "string",
        "The rule, in a line (only when `text_public`).",
        lambda r: r.rule,
    ),
    Field(
        "problem",
        N_("Wat er misgaat (alleen als de tekst openbaar mag)"),
        "string",
        "What goes wrong (only when `text_public`).",
        lambda r: r.problem,
    ),
    Field(
        "what_changed",
        N_("Wat er veranderd is (alleen als de tekst openbaar mag)"),
        "string",
        "For a resolved report: what was changed (only when `text_public`).",
        lambda r: r.what_changed,
    ),
    Field(
        "explanation",
        N_("Besluit en uitleg (alleen als de tekst openbaar mag)"),
        "string",
        "The coach's decision and reasons (only when `text_public`).",
        lambda r: r.explanation,
    ),
)


# --- escalation dossiers ---------------------------------------------------------------------


def _dossiers_statement():
    reports = db.select(func.count(Report.id)).where(Report.dossier_id == Dossier.id).scalar_subquery()
    return (
        db.select(
            Dossier.id.label("id"),
            Dossier.law_title.label("law_title"),
            Dossier.article.label("article"),
            Dossier.bwb_id.label("bwb_id"),
            Addressee.name.label("addressee"),
            Addressee.kind.label("addressee_kind"),
            Dossier.status.label("status"),
            Dossier.created_at.label("created_at"),
            Dossier.sent_on.label("sent_on"),
            Dossier.answer_due.label("answer_due"),
            reports.label("reports"),
        )
        .outerjoin(Addressee, Addressee.id == Dossier.addressee_id)
        .order_by(Dossier.id)
    )


DOSSIER_FIELDS: tuple[Field, ...] = (
    Field(
        "reference",
        N_("Nummer van het dossier"),
        "string",
        "The dossier's reference, e.g. `ESC-0007` (the reports data set's `dossier`).",
        lambda r: _dossier_reference(r.id),
        nullable=False,
    ),
    Field(
        "law_title",
        N_("Wet of regeling"),
        "string",
        "The law or regulation, e.g. Participatiewet.",
        lambda r: r.law_title,
        nullable=False,
    ),
    Field("article", N_("Artikel"), "string", "The article, e.g. `art. 31, tweede lid`.", lambda r: r.article),
    Field(
        "bwb_id",
        N_("BWB-id"),
        "string",
        "The law's identifier on wetten.overheid.nl (BWB-id), e.g. `BWBR0015703`.",
        lambda r: r.bwb_id,
    ),
    Field(
        "addressee",
        N_("Geadresseerde"),
        "string",
        "The organisation it was sent to (a ministry, agency, VNG, …).",
        lambda r: r.addressee,
    ),
    Field(
        "addressee_kind",
        N_("Soort geadresseerde"),
        "string",
        "The kind of addressee: `ministry`, `agency`, `vng`, `maatwerkplaats` or `other`.",
        lambda r: r.addressee_kind,
    ),
    Field(
        "status",
        N_("Stand van het dossier"),
        "string",
        "Where it stands: `preparing`, `sent`, `answered`, `promised`, `rejected`, `law_changed` or `closed`.",
        lambda r: r.status,
        nullable=False,
    ),
    Field(
        "opened_on",
        N_("Datum geopend"),
        "date",
        "The day the dossier was opened (local date).",
        lambda r: local_date(r.created_at),
        nullable=False,
    ),
    Field(
        "sent_on",
        N_("Datum verstuurd"),
        "date",
        "The day it was sent to the addressee.",
        lambda r: local_date(r.sent_on),
    ),
    Field(
        "answer_due",
        N_("Antwoord verwacht op"),
        "date",
        "The day an answer was expected.",
        lambda r: local_date(r.answer_due),
    ),
    Field(
        "reports",
        N_("Aantal meldingen"),
        "integer",
        "How many reports are linked to it.",
        lambda r: int(r.reports or 0),
        nullable=False,
    ),
)

DATA_SETS = {
    "meldingen": DataSet(
        "meldingen", "reports", N_("Open data: afgeronde meldingen"), REPORT_FIELDS, _reports_statement
    ),
    "dossiers": DataSet(
        "dossiers", "dossiers", N_("Open data: escalatiedossiers"), DOSSIER_FIELDS, _dossiers_statement
    ),
}
KINDS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


# --- the files -------------------------------------------------------------------------------


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))


def stream_csv(data_set: DataSet) -> Iterator[str]:
    """RFC 4180 CSV (comma, CRLF, UTF-8), the field names as its header, a chunk per batch.
    Texts that a spreadsheet would run as a formula start with an apostrophe (app.export)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.name for field in data_set.fields])
    for number, row in enumerate(data_set.rows(), start=1):
        writer.writerow([_csv_cell(value) for value in row])
        if number % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def stream_json(data_set: DataSet, *, generated_on: date) -> Iterator[str]:
    """One JSON object: the data set, its schema version, the day it was made and its records
    (an object per row, keyed by field name), a chunk per batch."""
    head = {"dataset": data_set.name, "schema_version": SCHEMA_VERSION, "generated_on": generated_on.isoformat()}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "records": ['
    names = [field.name for field in data_set.fields]
    chunk = []
    for number, row in enumerate(data_set.rows()):
        chunk.append(
            ("," if number else "") + "\n" + json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False)
        )
        if len(chunk) == BATCH:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "\n]}\n"


def schema_table(data_set: DataSet) -> str:
    """The Markdown table of a data set's fields, as the README holds it."""
    lines = ["| field | type | meaning |", "|---|---|---|"]
    for field in data_set.fields:
        kind = field.type + ("" if field.nullable else ", always present")
        lines.append(f"| `{field.name}` | {kind} | {field.meaning} |")
    return "\n".join(lines)
