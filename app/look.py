"""The municipality's own look: its name, its logo and its NL Design System theme, checked
once at start-up (README, "A municipality's own name, logo, look and tone"). Configure,
don't fork: a municipality changes these settings, never the templates or app.css.

* THEME names a shipped theme (THEMES); THEME_CSS, a local design tokens file, overrides it
  and THEME_CLASS then names the class its tokens are scoped to (e.g. `.gemeente-theme`).
* MUNICIPALITY_LOGO is the path of an SVG file. It is the municipality's own file, so it is
  never trusted: it is only ever served by `main.logo` (image/svg+xml, nosniff, a CSP that
  forbids script) and shown through <img>, where a browser runs no script at all.

Anything wrong refuses to start with a clear message (LookError), so no page can fail on it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from flask import Flask, current_app, url_for


class LookError(RuntimeError):
    """A look setting that cannot work; the message says which and why."""


@dataclass(frozen=True)
class Theme:
    """A theme shipped under app/static/vendor (licences: app/static/vendor/README.md)."""

    name: str
    label: str
    css_class: str  # the class the tokens are scoped to; set on <html>
    tokens: str  # the tokens CSS, relative to app/static
    # The theme's own colours on the app's --rk-* tokens (app/static/css/themes/), loaded
    # after app.css; None: app.css's own values (its fallbacks for every token) stay.
    bridge: str | None = None


THEMES: dict[str, Theme] = {
    theme.name: theme
    for theme in (
        Theme(
            name="voorbeeld",
            label="NL Design System, open voorbeeldthema",
            css_class="voorbeeld-theme",
            tokens="vendor/utrecht/voorbeeld-theme.css",
        ),
        Theme(
            name="denhaag",
            label="Gemeente Den Haag",
            css_class="denhaag-theme",
            tokens="vendor/gemeente-denhaag/design-tokens-theme.css",
            bridge="css/themes/denhaag.css",
        ),
    )
}
DEFAULT_THEME = "voorbeeld"
# The components every theme styles; app.css comes after it (it fills in what a theme
# leaves out), then the theme's bridge.
COMPONENTS_CSS = "vendor/utrecht/component-library.css"
APP_CSS = "css/app.css"

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MAX_LOGO_BYTES = 256 * 1024
MAX_TOKENS_BYTES = 2 * 1024 * 1024
# What an NL Design System theme class looks like: lower-case words joined by hyphens.
_CLASS_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# A local tokens file is served from this origin under a CSP of 'self': anything it would
# load from elsewhere is blocked in the browser, so refuse it here, where it is explained.
_REMOTE_RE = re.compile(rb"@import|url\(\s*[\"']?\s*(https?:)?//", re.IGNORECASE)
# The logo's own policy when it is opened by itself: no script, nothing fetched, only the
# style attributes an SVG editor writes.
LOGO_CSP = {"default-src": "'none'", "style-src": "'unsafe-inline'"}


@dataclass(frozen=True)
class Look:
    """What the pages, mails and /knop show: read from the configuration once."""

    municipality: str
    theme: Theme | None  # None: a local tokens file (THEME_CSS)
    theme_class: str
    logo: bytes | None
    local_tokens: bytes | None

    def stylesheets(self) -> list[str]:
        """The stylesheets of a page, in order (needs a request or app context)."""
        if self.theme is None:
            tokens = url_for("main.theme_css")
        else:
            tokens = url_for("static", filename=self.theme.tokens)
        sheets = [tokens, url_for("static", filename=COMPONENTS_CSS), url_for("static", filename=APP_CSS)]
        if self.theme is not None and self.theme.bridge:
            sheets.append(url_for("static", filename=self.theme.bridge))
        return sheets


def read_look(config) -> Look:
    """The look `config` asks for, or LookError saying what is wrong with it."""
    municipality = " ".join(str(config.get("MUNICIPALITY_NAME") or "").split())
    if not municipality:
        raise LookError("MUNICIPALITY_NAME is empty: set the municipality's name, e.g. 'Gemeente Voorbeeldstad'")
    logo = _read_logo(config.get("MUNICIPALITY_LOGO"))
    tokens_path = (config.get("THEME_CSS") or "").strip()
    if tokens_path:
        css_class = (config.get("THEME_CLASS") or "").strip().lstrip(".")
        local_tokens = _read_tokens(tokens_path, css_class)
        return Look(municipality, None, css_class, logo, local_tokens)
    name = (config.get("THEME") or DEFAULT_THEME).strip().lower()
    if name not in THEMES:
        raise LookError(f"THEME {name!r} is not a shipped theme; choose one of: {', '.join(sorted(THEMES))}")
    theme = THEMES[name]
    return Look(municipality, theme, theme.css_class, logo, None)


def init_app(app: Flask) -> None:
    """Check the look settings and keep the result (again after a test changed them)."""
    app.extensions["rodeknop_look"] = read_look(app.config)


def current_look() -> Look:
    return current_app.extensions["rodeknop_look"]


def _read_file(setting: str, path: str, limit: int) -> bytes:
    file = Path(path).expanduser()
    if not file.is_file():
        raise LookError(f"{setting}: no such file: {path}")
    try:
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise LookError(f"{setting}: cannot read {path}: {error.strerror}") from error
    if len(data) > limit:
        raise LookError(f"{setting}: {path} is larger than {limit // 1024} KB")
    return data


def _read_logo(path: str | None) -> bytes | None:
    path = (path or "").strip()
    if not path:
        return None
    if Path(path).suffix.lower() != ".svg":
        raise LookError(f"MUNICIPALITY_LOGO must be an SVG file (*.svg): {path}")
    data = _read_file("MUNICIPALITY_LOGO", path, MAX_LOGO_BYTES)
    parser = expat.ParserCreate(namespace_separator=" ")
    # No entities: an SVG needs none, and they are how an XML file grows a billion times.
    parser.EntityDeclHandler = lambda *_: _refuse_entities(path)
    elements: list[str] = []
    parser.StartElementHandler = lambda name, _attributes: elements.append(name)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise LookError(f"MUNICIPALITY_LOGO: {path} is not a valid SVG file ({error})") from error
    if elements[:1] != [f"{SVG_NAMESPACE} svg"]:
        raise LookError(
            f'MUNICIPALITY_LOGO: {path} is not an SVG image (its root element must be <svg xmlns="{SVG_NAMESPACE}">)'
        )
    return data


def _refuse_entities(path: str):
    raise LookError(f"MUNICIPALITY_LOGO: {path} declares XML entities; save the SVG without them")


def _read_tokens(path: str, css_class: str) -> bytes:
    if not css_class:
        raise LookError("THEME_CSS needs THEME_CLASS: the class its tokens are scoped to, e.g. gemeente-theme")
    if not _CLASS_RE.match(css_class):
        raise LookError(f"THEME_CLASS {css_class!r} is not a class name like 'gemeente-theme'")
    if Path(path).suffix.lower() != ".css":
        raise LookError(f"THEME_CSS must be a CSS file (*.css): {path}")
    data = _read_file("THEME_CSS", path, MAX_TOKENS_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LookError(f"THEME_CSS: {path} is not UTF-8 text") from error
    if not re.search(rf"\.{re.escape(css_class)}(?![\w-])", text):
        raise LookError(f"THEME_CSS: {path} defines no tokens on .{css_class} (THEME_CLASS)")
    if _REMOTE_RE.search(data):
        raise LookError(
            f"THEME_CSS: {path} loads something from elsewhere (@import or a remote url()); "
            "the pages may load files from this installation only: copy them in"
        )
    return data
