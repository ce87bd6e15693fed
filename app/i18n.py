"""Languages and tone: which gettext catalog a page or a mail is rendered with (Flask-Babel).

The msgids are the Dutch text in the formal tone ("u"); `translations/` holds the English
catalog (domain `messages`) and the informal Dutch one (domain `je`, locale `nl`), which
overrides only the messages that address the reader. The municipality chooses the tone
(TONE) and its language (LANGUAGE); each user may choose another language under Mijn
instellingen (User.language). README, "Languages and tone", says how to extract, update and
compile.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, has_app_context, has_request_context
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

# Every language there is a catalog for, named in its own language (as a chooser shows it).
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
TONES = ("u", "je")
# The catalog domain that holds the informal tone's overrides (locale nl only).
TONE_DOMAIN = "je"


def N_(text: str) -> str:
    """Marks `text` for the catalogs without translating it here: module-level tables whose
    values are translated where they are shown (app.formatting.status_label, say)."""
    return text


def init_app(app: Flask) -> None:
    """Bind Flask-Babel to `app` with the configured tone. A Babel object per app: Flask-Babel
    caches loaded catalogs on it, and apps in one process (the tests) may differ in tone."""
    languages, language, tone = app.config["LANGUAGES"], app.config["LANGUAGE"], app.config["TONE"]
    unknown = [code for code in (*languages, language) if code not in LANGUAGE_NAMES]
    if unknown:
        raise RuntimeError(f"Unknown language(s) {', '.join(unknown)}: choose from {', '.join(LANGUAGE_NAMES)}")
    if language not in languages:
        raise RuntimeError(f"LANGUAGE {language!r} must be one of LANGUAGES ({', '.join(languages)})")
    if tone not in TONES:
        raise RuntimeError(f"TONE must be one of {', '.join(TONES)}, not {tone!r}")
    uncompiled = [str(po) for po in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po") if not po.with_suffix(".mo").exists()]
    if uncompiled:  # otherwise English readers would silently get Dutch
        raise RuntimeError(f"Compile the message catalogs first (make catalogs-compile): {', '.join(uncompiled)}")
    directory = str(TRANSLATIONS_DIR)
    app.config["BABEL_DEFAULT_LOCALE"] = language
    # Catalogs later in the list override earlier ones (Flask-Babel merges them in order).
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = directory if tone == "u" else f"{directory};{directory}"
    app.config["BABEL_DOMAIN"] = "messages" if tone == "u" else f"messages;{TONE_DOMAIN}"
    Babel(app, locale_selector=_request_language)
    # {% trans %} blocks are extracted with their whitespace collapsed (babel.cfg), so rendered so too.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.install_gettext_callables(
        gettext=_template_gettext, ngettext=_template_ngettext, newstyle=True, pgettext=None, npgettext=None
    )
    app.jinja_env.globals.update(current_language=current_language, LANGUAGE_NAMES=LANGUAGE_NAMES)
    app.jinja_env.filters["stored_text"] = shown_text


# Jinja marks a translation safe (it may hold a link's markup), so the quotes and ampersands
# of its text would no longer be escaped as they were before the text was wrapped. Escaped
# here, outside tags and entities, in HTML templates only.
_UNESCAPED = re.compile(r"(<[^>]*>|&#?\w+;)|(['\"&])")
_ESCAPES = {"'": "&#39;", '"': "&#34;", "&": "&amp;"}


def _as_html(text: str) -> str:
    return _UNESCAPED.sub(lambda match: match.group(1) or _ESCAPES[match.group(2)], text)


@pass_eval_context
def _template_gettext(eval_ctx, message: str) -> str:
    text = get_translations().ugettext(message)
    return _as_html(text) if eval_ctx.autoescape else text


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, number: int) -> str:
    text = get_translations().ungettext(singular, plural, number)
    return _as_html(text) if eval_ctx.autoescape else text


def language_for(user) -> str:
    """The language `user` reads: their own choice, else the municipality's."""
    return chosen_language(getattr(user, "language", None))


def chosen_language(code: str | None) -> str:
    """`code` if it is a language on offer (LANGUAGES), else the municipality's."""
    return code if code in current_app.config["LANGUAGES"] else current_app.config["LANGUAGE"]


def _request_language() -> str:
    if has_request_context() and current_user.is_authenticated:
        return language_for(current_user)
    return current_app.config["LANGUAGE"]


def current_language() -> str:
    """The language of what is being rendered now (`<html lang>`)."""
    locale = get_locale()
    if locale is not None:
        return locale.language
    return current_app.config["LANGUAGE"] if has_app_context() else "nl"


@contextmanager
def in_language_of(user):
    """Render a mail to `user` in their language, whoever's request caused it."""
    with force_locale(language_for(user)):
        yield


class StoredText:
    """A text the app itself writes into the database (a timeline's line, say), read later by
    people in other languages. It is stored as its Dutch msgid filled in (`store`), so that
    the database, webhooks and exports keep the text they always had, rows written before
    this existed included; pages and the API's answers show it through `shown_text`, which
    recognises the stored text and renders it in the reader's language. `params` translates
    a parameter that is itself a text from the catalogs (a headline, a list of field labels);
    `tail` allows what a person typed after it, separated by a blank line, shown as it is."""

    _all: list[StoredText] = []

    def __init__(self, msgid: str, *, params: dict | None = None, tail: bool = False):
        self.msgid, self.params, self.tail = msgid, params or {}, tail
        pieces = re.split(r"%\((\w+)\)s", msgid)  # text, name, text, name, ..., text
        pattern = "".join(
            f"(?P<{piece}>.+?)" if odd else re.escape(piece.replace("%%", "%"))
            for odd, piece in ((index % 2, piece) for index, piece in enumerate(pieces))
        )
        self.pattern = re.compile(f"^{pattern}" + (r"(?:\n\n(?P<_tail>.*))?$" if tail else "$"), re.DOTALL)
        # The text's own words: when two patterns match ("Samengevoegd met RK-1" and
        # "Samengevoegd met RK-1. Omdat …"), the one with more of its own words is the text.
        self.fixed = len("".join(pieces[0::2]))
        StoredText._all.append(self)
        StoredText._all.sort(key=lambda stored: -stored.fixed)

    def store(self, tail: str | None = None, **params) -> str:
        """The text to store: the Dutch msgid, filled in (never translated)."""
        text = self.msgid % params
        return f"{text}\n\n{tail}" if tail else text

    def show(self, text: str) -> str | None:
        match = self.pattern.match(text)
        if match is None:
            return None
        values = {name: value for name, value in match.groupdict().items() if name != "_tail"}
        for name, translate in self.params.items():
            values[name] = translate(values[name])
        shown = get_translations().ugettext(self.msgid) % values
        tail = match.groupdict().get("_tail")
        return f"{shown}\n\n{tail}" if tail else shown


def shown_text(text: str | None) -> str | None:
    """A stored text in the reader's language when the app wrote it (StoredText), else as
    it is (what a person typed)."""
    if not text:
        return text
    for stored in StoredText._all:
        shown = stored.show(text)
        if shown is not None:
            return shown
    return text


def translated(text: str) -> str:
    """A parameter that is itself a msgid (StoredText `params`)."""
    return get_translations().ugettext(text)


def translated_list(text: str) -> str:
    """A stored list of msgids joined by ", " (StoredText `params`)."""
    return ", ".join(translated(part) for part in text.split(", "))
