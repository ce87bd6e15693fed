"""The list of dossiers behind the overview and the exports: filters and sorting, each
checked against an allow-list (an unknown value is ignored, never an error)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import selectinload

from app.extensions import db
from app.forms import parse_id
from app.i18n import N_
from app.models import Addressee, Dossier, DossierStatus, User, UserRole

NOBODY = "geen"
OPEN = "open"
UP, DOWN = "op", "af"

# The attention filter: what stands out in the overview.
ATTENTION = {
    "te-laat": N_("Antwoord te laat"),
    "opvolgen": N_("Opvolgen"),
    "een-van-beide": N_("Antwoord te laat of opvolgen"),
}

STATUS_ORDER = {status.value: position for position, status in enumerate(DossierStatus)}


@dataclass
class Row:
    dossier: Dossier
    answer_overdue: bool
    follow_up_due: bool

    @property
    def needs_attention(self) -> bool:
        return self.answer_overdue or self.follow_up_due

    @property
    def report_count(self) -> int:
        return len(self.dossier.reports)


def _text(value: str | None) -> str | None:
    return value.casefold() if value else None


# Sortable columns: query value -> (what a row is sorted on; None sorts last either way).
SORTS = {
    "nummer": lambda row: row.dossier.id,
    "wet": lambda row: (_text(row.dossier.law_title), _text(row.dossier.article) or ""),
    "geadresseerde": lambda row: _text(row.dossier.addressee.name) if row.dossier.addressee else None,
    "status": lambda row: STATUS_ORDER.get(row.dossier.status, len(STATUS_ORDER)),
    "verzonden": lambda row: row.dossier.sent_on,
    "antwoord": lambda row: row.dossier.answer_due,
    "opvolgen": lambda row: row.dossier.follow_up_on,
    "eigenaar": lambda row: _text(row.dossier.owner.name) if row.dossier.owner else None,
    "meldingen": lambda row: row.report_count,
    # What needs doing first: late answers and due follow-ups, then the nearest dates; closed last.
    "aandacht": lambda row: (
        0 if row.needs_attention else 1,
        0 if row.dossier.is_open else 1,
        row.dossier.follow_up_on or date.max,
        row.dossier.answer_due or date.max,
    ),
}
DEFAULT_SORT = "aandacht"


@dataclass
class Filters:
    status: str = ""
    addressee: int | str | None = None  # an addressee's id, or NOBODY
    owner: int | str | None = None  # a legal user's id, or NOBODY
    attention: str = ""
    sort: str = DEFAULT_SORT
    direction: str = UP

    @property
    def active(self) -> bool:
        return bool(self.status or self.addressee or self.owner or self.attention)

    def filter_args(self) -> dict[str, str]:
        """The filters as a query string (for sort links and export links)."""
        args = {}
        if self.status:
            args["status"] = self.status
        if self.addressee:
            args["geadresseerde"] = str(self.addressee)
        if self.owner:
            args["eigenaar"] = str(self.owner)
        if self.attention:
            args["aandacht"] = self.attention
        return args

    def args(self, **changes) -> dict[str, str]:
        """Filters and sorting as a query string; `changes` override (sort=..., richting=...)."""
        args = self.filter_args()
        sort = changes.get("sorteer", self.sort)
        direction = changes.get("richting", self.direction)
        if sort != DEFAULT_SORT:
            args["sorteer"] = sort
        if direction != UP:
            args["richting"] = direction
        return args

    def sort_link_args(self, column: str) -> dict[str, str]:
        """Clicking the column that is sorted on turns the direction around."""
        direction = DOWN if self.sort == column and self.direction == UP else UP
        return self.args(sorteer=column, richting=direction)


def read_filters(args, addressees: list[Addressee], owners: list[User]) -> Filters:
    """Only values from the allow-lists count; anything else is ignored."""
    filters = Filters()
    status = (args.get("status") or "").strip()
    if status == OPEN or status in STATUS_ORDER:
        filters.status = status
    addressee = (args.get("geadresseerde") or "").strip()
    if addressee == NOBODY:
        filters.addressee = NOBODY
    elif parse_id(addressee) in {a.id for a in addressees}:
        filters.addressee = parse_id(addressee)
    owner = (args.get("eigenaar") or "").strip()
    if owner == NOBODY:
        filters.owner = NOBODY
    elif parse_id(owner) in {u.id for u in owners}:
        filters.owner = parse_id(owner)
    attention = (args.get("aandacht") or "").strip()
    if attention in ATTENTION:
        filters.attention = attention
    sort = (args.get("sorteer") or "").strip()
    if sort in SORTS:
        filters.sort = sort
    if (args.get("richting") or "").strip() == DOWN:
        filters.direction = DOWN
    return filters


def owner_choices() -> list[User]:
    """Who can own a dossier (active legal users), plus whoever owns one now."""
    legal = db.select(UserRole.user_id).where(UserRole.role == "legal")
    owning = db.select(Dossier.owner_id).where(Dossier.owner_id.is_not(None))
    return list(
        db.session.scalars(
            db.select(User)
            .where(((User.id.in_(legal)) & User.active.is_(True)) | User.id.in_(owning))
            .order_by(User.name, User.id)
        )
    )


def dossier_rows(filters: Filters, on: date) -> list[Row]:
    stmt = db.select(Dossier).options(selectinload(Dossier.reports))
    if filters.status == OPEN:
        stmt = stmt.where(Dossier.is_open)
    elif filters.status:
        stmt = stmt.where(Dossier.status == filters.status)
    if filters.addressee == NOBODY:
        stmt = stmt.where(Dossier.addressee_id.is_(None))
    elif filters.addressee:
        stmt = stmt.where(Dossier.addressee_id == filters.addressee)
    if filters.owner == NOBODY:
        stmt = stmt.where(Dossier.owner_id.is_(None))
    elif filters.owner:
        stmt = stmt.where(Dossier.owner_id == filters.owner)
    late, follow_up = Dossier.answer_late(on), Dossier.follow_up_due(on)
    if filters.attention == "te-laat":
        stmt = stmt.where(late)
    elif filters.attention == "opvolgen":
        stmt = stmt.where(follow_up)
    elif filters.attention == "een-van-beide":
        stmt = stmt.where(late | follow_up)
    rows = [
        Row(dossier, dossier.answer_late(on), dossier.follow_up_due(on))
        for dossier in db.session.scalars(stmt.order_by(Dossier.id)).unique()
    ]
    return sort_rows(rows, filters.sort, filters.direction)


def sort_rows(rows: list[Row], sort: str, direction: str) -> list[Row]:
    """Sort on one column; rows without a value (no date, no owner) come last in both
    directions, and equal values keep the dossier order."""
    key = SORTS.get(sort, SORTS[DEFAULT_SORT])
    with_value = [row for row in rows if key(row) is not None]
    without = [row for row in rows if key(row) is None]
    with_value.sort(key=lambda row: row.dossier.id)
    with_value.sort(key=key, reverse=direction == DOWN)
    return with_value + without
