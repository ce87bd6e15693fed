"""The red button anywhere: /knop, a small page an intranet page shows in a frame, with a
link that opens the report form in a new window (the session cookie is not sent inside
a frame on another site, so nobody logs in inside the frame).

Only the origins in EMBED_ORIGINS may frame /knop (CSP frame-ancestors, for that page
alone); every other page keeps frame-ancestors 'none'. A button may choose the department:
/knop?afdeling=<id or name> passes it on to /melden?afdeling=..., where the form shows it
chosen; an unknown value is ignored."""

from __future__ import annotations

import re

from flask import Flask, current_app, request

from app.models import Department

EMBED_ENDPOINT = "main.embed"
# An origin as a browser sends it: scheme, host, optional port; no path, no wildcard.
_ORIGIN_RE = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$", re.IGNORECASE)


def check_origins(config) -> None:
    """At start-up: every EMBED_ORIGINS entry is one origin; "*" or a path would let any
    site (or none) frame the button without anyone noticing."""
    bad = [origin for origin in config["EMBED_ORIGINS"] if not _ORIGIN_RE.match(origin)]
    if bad:
        raise RuntimeError(
            f"EMBED_ORIGINS must list origins like https://intranet.gemeente.nl (no '*', no path): {bad}"
        )


def chosen_department(value: str | None, departments: list[Department]) -> Department | None:
    """The department `value` (?afdeling=) names among `departments` (the ones a report
    may get): its id, or its name in any case; None for anything else."""
    value = " ".join((value or "").split()).lower()
    if not value:
        return None
    for department in departments:
        if value == str(department.id) or value == department.name.lower():
            return department
    return None


def _policy(policy: dict, origins: tuple[str, ...]) -> str:
    frame = " ".join(origins) if origins else "'none'"
    return "; ".join(f"{key} {frame if key == 'frame-ancestors' else value}" for key, value in policy.items())


def register(app: Flask, policy: dict) -> None:
    """Register before Talisman: after_request hooks run in reverse order, so this one runs
    after Talisman set its headers, and changes them for /knop alone."""

    @app.after_request
    def embed_headers(response):
        if request.endpoint != EMBED_ENDPOINT:
            return response
        origins = current_app.config["EMBED_ORIGINS"]
        response.headers["Content-Security-Policy"] = _policy(policy, origins)
        if origins:
            # X-Frame-Options knows no list of origins; frame-ancestors says it all.
            response.headers.pop("X-Frame-Options", None)
        return response
