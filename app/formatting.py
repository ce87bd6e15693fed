"""Dates, times, numbers and labels in the reader's language (app.i18n), for pages, mails and
exports alike (no request needed). Dutch is written out here; another language through Babel's
locale data (month and day names, digit grouping)."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal
from flask_babel import gettext, ngettext

from app.clock import local
from app.i18n import current_language
from app.models.report import ORIGIN_LABELS, STATUS_LABELS, STATUS_MEANINGS, Origin, ReportStatus
from app.models.user import ROLES

WEEKDAYS_NL = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
MONTHS_NL = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def calendar_date(value: date | None) -> str:
    """A calendar date (no time, no zone): 1 november 2026."""
    if value is None:
        return ""
    if (language := current_language()) != "nl":
        return babel_date(value, "d MMMM y", locale=language)
    return f"{value.day} {MONTHS_NL[value.month - 1]} {value.year}"


def dutch_date(value: datetime | None) -> str:
    """The local date of a moment: 1 november 2026."""
    return calendar_date(local(value).date()) if value is not None else ""


def dutch_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    if (language := current_language()) != "nl":
        return babel_datetime(local(value), "d MMMM y, HH:mm", locale=language)
    return f"{dutch_date(value)}, {local(value):%H:%M}"


def dutch_weekday_date(value: datetime) -> str:
    moment = local(value)
    if (language := current_language()) != "nl":
        return babel_datetime(moment, "EEEE d MMMM 'at' HH:mm", locale=language)
    return f"{WEEKDAYS_NL[moment.weekday()]} {moment.day} {MONTHS_NL[moment.month - 1]} om {moment:%H:%M}"


def moment(value: datetime | date | None) -> str:
    """A moment to the minute, or only its day when that is all the viewer may know."""
    if isinstance(value, datetime):
        return dutch_datetime(value)
    return calendar_date(value)


def dutch_number(value: int) -> str:
    """A whole number as Dutch readers write it: 17.000 (English: 17,000)."""
    if (language := current_language()) != "nl":
        return format_decimal(value, locale=language)
    return f"{value:,}".replace(",", ".")


def figure_number(value: float) -> str:
    """A number in a figure (Inzicht's tables and charts): Dutch thousands, and one decimal
    with a comma when it is not whole (1.680; 12,5; English: 1,680; 12.5)."""
    if float(value).is_integer():
        return dutch_number(int(value))
    if (language := current_language()) != "nl":
        return format_decimal(value, "#,##0.0", locale=language)
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def file_size(size: int) -> str:
    """A file size or a limit in decimal units, rounded down (a limit never reads as more
    than it is): '10 MB', '2,5 MB', '500 kB' (English: '2.5 MB')."""
    if size >= 1_000_000:
        value, unit = (size // 100_000) / 10, "MB"
    else:
        value, unit = max(1, size // 1000), "kB"
    return f"{format_decimal(value, format='#,##0.#', locale=current_language())} {unit}"


def one_decimal(value: float) -> str:
    """A number with exactly one decimal, without thousands: 3,5 and 12,0 (English: 3.5)."""
    if (language := current_language()) != "nl":
        return format_decimal(value, "0.0", locale=language)
    return f"{value:.1f}".replace(".", ",")


def hours(value: float | None) -> str:
    """Hours (of an estimate) as a page says them: whole hours, Dutch thousands ('1.240 uur')."""
    whole = round(value or 0)
    return ngettext("%(hours)s uur", "%(hours)s uur", whole, hours=dutch_number(whole))


def iso(value: datetime | date | None) -> str:
    """For <time datetime>: HTML allows at most milliseconds, so whole seconds."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat() if value else ""


def count(number: int, singular: str, plural: str) -> str:
    """'1 melding', '3 meldingen': the number with the noun (or verb phrase) that fits it."""
    return f"{number} {singular if number == 1 else plural}"


def supporters(number: int) -> str:
    """The one wording, on every page and in every mail, for how many colleagues support a report."""
    if number == 0:
        return gettext("nog geen collega’s lopen hier ook tegenaan")
    return ngettext("%(num)d collega loopt hier ook tegenaan", "%(num)d collega’s lopen hier ook tegenaan", number)


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS[ReportStatus(status)])


def role_label(role: str) -> str:
    """A role as the reader calls it (an unknown code as it is)."""
    return gettext(ROLES[role]) if role in ROLES else role


def status_meaning(status: str) -> str:
    return gettext(STATUS_MEANINGS[ReportStatus(status)])


def ran_into(number: int) -> str:
    """On 'Wat we ontregelden': everyone who ran into a rule, the reporter included."""
    return ngettext("%(num)d collega liep hier tegenaan", "%(num)d collega’s liepen hier tegenaan", number)


def status_line(status: str, headline: str) -> str:
    """'Status: Opgelost.' and what happened, without saying the status twice
    ('Opgelost — opgelost.') or ending on two full stops."""
    label = status_label(status)
    headline = headline.strip().rstrip(".")
    if not headline or headline.lower() == label.lower():
        return gettext("Status: %(status)s.", status=label)
    if headline.lower().startswith(label.lower()):
        return gettext("Status: %(status)s.", status=label + headline[len(label) :])
    return gettext("Status: %(status)s — %(headline)s.", status=label, headline=headline)


def origin_label(origin: str) -> str:
    return gettext(ORIGIN_LABELS[Origin(origin)])
