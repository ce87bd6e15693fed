"""Pages of a long list: which page is shown when a page number is asked for, and what the
pager under the list needs (templates/macros/pager.html). No request needed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

PER_PAGE = 25
# Page numbers shown on either side of the current one; the first and last always show.
WINDOW = 2


@dataclass(frozen=True)
class Slot:
    """Which page of `total` items is shown for a requested page number."""

    number: int  # 1-based; never beyond the last page
    size: int
    total: int
    requested: int | None = None  # the page asked for, when it does not exist

    @classmethod
    def of(cls, requested: int | None, total: int, size: int = PER_PAGE) -> Slot:
        """A missing or unreadable number is page 1; one past the end is the last page
        (and `requested` keeps what was asked, so the page can say so)."""
        pages = max(1, -(-total // size))
        number = requested or 1
        if number > pages:
            return cls(pages, size, total, requested=number)
        return cls(number, size, total)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    slot: Slot

    @property
    def number(self) -> int:
        return self.slot.number

    @property
    def pages(self) -> int:
        return self.slot.pages

    @property
    def total(self) -> int:
        return self.slot.total

    @property
    def requested(self) -> int | None:
        return self.slot.requested

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first(self) -> int:
        """The position of the first item shown (1-based), 0 on an empty list."""
        return self.slot.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.slot.offset + len(self.items)

    def window(self) -> list[int | None]:
        """The page numbers to link to, None where numbers are left out: 1 … 4 5 6 7 8 … 80."""
        shown = {1, self.pages} | set(range(max(1, self.number - WINDOW), min(self.pages, self.number + WINDOW) + 1))
        numbers: list[int | None] = []
        for number in sorted(shown):
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers
