"""Lines the tests collect for the end of the run (the fuzz walk's totals, minor axe-core
findings, pages the browser sweep could not open), printed by tests/conftest.py after the
results. Under pytest-xdist each worker collects its own; the workers send them to the
controller, which prints them all."""

from __future__ import annotations

SECTIONS: dict[str, list[str]] = {}


def section(title: str) -> list[str]:
    """The list of lines printed under `title`."""
    return SECTIONS.setdefault(title, [])
