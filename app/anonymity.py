"""Who may know who someone is.

* The one place that names a person to a viewer (`name_for`): pages, mails, minutes,
  exports, timelines and conflict messages name people only through it (or through the
  small helpers below, which only decide whether someone appears anonymously there).
* Who follows a report anonymously. The database never holds an anonymous reporter's (or
  anonymous follower's) user id: only a keyed pseudonym, HMAC-SHA256 of the user id under
  ANONYMITY_KEY, a key of its own (not SECRET_KEY). The application recognises the person
  by computing their pseudonym at run time (Mijn meldingen, who may see a report) and
  finds the person behind a pseudonym only to mail them (`user_for_pseudonym`). Without
  the key a dump, a backup or a query by a DBA cannot tell who it is. The README's threat
  model says what the holder of every key can still do."""

from __future__ import annotations

import functools
import hashlib
import hmac
import threading
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext
from sqlalchemy import and_, bindparam, exists, false, or_

from app.i18n import N_

if TYPE_CHECKING:
    from app.models import Attachment, Dossier, Event, Report, Support, User

STAFF_ROLES = ("coach", "legal", "admin")

# The names are msgids (app/i18n.py): name_for translates whichever it returns.
YOU = N_("U")
YOU_MID_SENTENCE = N_("u")
YOU_ANONYMOUS = N_("U (anoniem)")
ANONYMOUS = N_("Anoniem")
A_COLLEAGUE = N_("Een collega")
SYSTEM = N_("Rode Knop")


# --- naming ------------------------------------------------------------------------------


def _is_staff(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.has_role(*STAFF_ROLES)


def name_for(
    viewer: User | None,
    person: User | None,
    *,
    anonymous: bool = False,
    is_viewer: bool | None = None,
    nobody: str = SYSTEM,
    you: str | None = YOU,
) -> str:
    """How `person` is named to `viewer`.

    * Someone who appears anonymously here is "U (anoniem)" to themselves and "Anoniem" to
      everyone else (`is_viewer` says whether the viewer is that person; the person itself
      is not needed, and not known).
    * The viewer is "U" to themselves (`you`: "u" mid-sentence; None in a record such as
      the minutes, where everyone is named the same way).
    * No person (the application itself, or a reporter forgotten after the retention
      term): `nobody`.
    * Coaches, Juridische Zaken and beheerders are named to everyone; other colleagues
      are named only to them, and are "Een collega" to everyone else.
    """
    if anonymous:
        return gettext(YOU_ANONYMOUS if is_viewer else ANONYMOUS)
    if person is None:
        return gettext(nobody) if nobody else nobody
    if you is not None and viewer is not None and getattr(viewer, "id", None) == person.id:
        return gettext(you)
    if _is_staff(viewer) or _is_staff(person):
        return person.name
    return gettext(A_COLLEAGUE)


# --- pseudonyms --------------------------------------------------------------------------


def _key() -> bytes:
    return current_app.config["ANONYMITY_KEY"].encode("utf-8")


def pseudonym(user_id: int) -> str:
    """The keyed pseudonym of a user: what the database stores instead of their id
    wherever they are anonymous."""
    return hmac.new(_key(), f"rode-knop-follower:{int(user_id)}".encode(), hashlib.sha256).hexdigest()


def recorded_as(user: User, anonymous: bool) -> tuple[int | None, str | None]:
    """How a person is recorded on what they make (a report, a file): (their id, None), or,
    anonymous, (None, their keyed pseudonym) — never the id."""
    return (None, pseudonym(user.id)) if anonymous else (user.id, None)


def pseudonym_of(user: User | None) -> str | None:
    user_id = getattr(user, "id", None) if user is not None else None
    return pseudonym(user_id) if user_id is not None else None


class _Directory:
    """Pseudonym -> user id, built by computing the pseudonyms of user ids (HMAC cannot be
    turned around). Ids only grow, so the map only grows; one per key, per process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._maps: dict[bytes, tuple[dict[str, int], int]] = {}

    def user_id(self, value: str) -> int | None:
        from app.extensions import db
        from app.models import User

        fingerprint = hashlib.sha256(_key()).digest()
        with self._lock:
            found, highest = self._maps.get(fingerprint, ({}, 0))
            if value not in found:
                newest = db.session.scalar(db.select(db.func.max(User.id))) or 0
                for user_id in range(highest + 1, newest + 1):
                    found[pseudonym(user_id)] = user_id
                highest = max(highest, newest)
                self._maps[fingerprint] = (found, highest)
            return found.get(value)


_directory = _Directory()


def user_for_pseudonym(value: str | None) -> User | None:
    """The person behind a pseudonym: only to mail them what happened to what they follow."""
    if not value:
        return None
    from app.extensions import db
    from app.models import User

    user_id = _directory.user_id(value)
    return db.session.get(User, user_id) if user_id is not None else None


# --- who follows a report, and how -------------------------------------------------------


def is_reporter(user: User | None, report: Report) -> bool:
    if user is None or getattr(user, "id", None) is None:
        return False
    if report.is_anonymous:
        return report.reporter_pseudonym is not None and report.reporter_pseudonym == pseudonym(user.id)
    return report.reporter_id == user.id


def supports_anonymously(user: User | None, support: Support) -> bool:
    own = pseudonym_of(user)
    return support.anonymous and own is not None and support.follower_pseudonym == own


def follows_anonymously(user: User | None, report: Report) -> bool:
    """The user reported this report anonymously, or follows it anonymously because their
    anonymous report was merged into it. Such a user never acts on the report: every trace
    of an action (an event, an assignment, a conflict message, a minutes line) would stand
    next to 'Anoniem' and name them."""
    own = pseudonym_of(user)
    if own is None:
        return False
    if report.is_anonymous and report.reporter_pseudonym == own:
        return True
    return any(support.anonymous and support.follower_pseudonym == own for support in report.supports)


def anonymously_followed(user: User | None, reports: list[Report]) -> set[int]:
    """The ids among `reports` that `user` follows anonymously, in one query (for lists)."""
    own = pseudonym_of(user)
    if own is None or not reports:
        return set()
    from app.extensions import db

    ids = {report.id for report in reports if report.is_anonymous and report.reporter_pseudonym == own}
    ids.update(db.session.scalars(_anonymous_supports(), {"own": own, "ids": [report.id for report in reports]}))
    return ids


def anonymously_followed_condition(own):
    """anonymously_followed as SQL on Report, for a statement that reads reports itself (the
    board's cards): `own` is the viewer's pseudonym, a value or a bind parameter."""
    from app.models import Report, Support

    return or_(
        and_(Report.is_anonymous, Report.reporter_pseudonym == own),
        exists().where(Support.report_id == Report.id, Support.follower_pseudonym == own),
    )


@functools.cache
def _anonymous_supports():
    """The reports among the parameter 'ids' that the pseudonym 'own' supports: built once
    (the board asks on every view)."""
    from app.extensions import db
    from app.models import Support

    return db.select(Support.report_id).where(
        Support.follower_pseudonym == bindparam("own"), Support.report_id.in_(bindparam("ids", expanding=True))
    )


def follows_dossier_anonymously(user: User | None, dossier: Dossier) -> bool:
    return any(follows_anonymously(user, report) for report in dossier.reports)


def reporter_terms(user: User) -> tuple:
    """SQL: each way a report can be `user`'s, named or anonymously; `reported_by` is
    their OR. A long list asks them one at a time, each on its own index."""
    from app.models import Report

    return (Report.reporter_id == user.id, Report.reporter_pseudonym == pseudonym(user.id))


def reported_by(user: User):
    """SQL: the reports `user` made, named or anonymously."""
    return or_(*reporter_terms(user))


def supporter_terms(user: User) -> tuple:
    """SQL: each way a support row can be `user`'s, named or anonymously (see reporter_terms)."""
    from app.models import Support

    own = pseudonym_of(user)
    return (Support.user_id == user.id, Support.follower_pseudonym == own if own else false())


def supported_by(user: User):
    """SQL: the support rows of `user`, named or anonymous."""
    return or_(*supporter_terms(user))


# --- when, to the minute -----------------------------------------------------------------


def submitted_at(report: Report, viewer: User | None) -> datetime | date:
    """When the report was made, as `viewer` may know it. For an anonymous report only the
    day, to anyone but its reporter: the minute could be matched with a login in the
    Logboek."""
    if report.is_anonymous and not is_reporter(viewer, report):
        from app.clock import local

        return local(report.created_at).date()
    return report.created_at


def last_activity_at(report: Report, viewer: User | None) -> datetime | date:
    """When the report last changed, as `viewer` may know it: for an anonymous report only
    the day, to anyone but its reporter (until someone acts on it, it is the moment it was
    made: see submitted_at)."""
    if report.is_anonymous and not is_reporter(viewer, report):
        from app.clock import local

        return local(report.last_activity_at).date()
    return report.last_activity_at


# Timeline lines an anonymous reporter writes themselves (without an actor): the
# submission, an impact estimate given on their own report, and files they added.
_REPORTER_KINDS = ("submitted", "estimated", "attached")


def by_anonymous_reporter(event: Event, report: Report) -> bool:
    """The line was written by the report's anonymous reporter (it has no actor)."""
    return event.actor_id is None and event.kind in _REPORTER_KINDS and report.is_anonymous


def by_anonymous_follower(event: Event) -> bool:
    """An answer to 'Merkbaar beter?' without an actor: it came from someone who follows the
    report anonymously (the reporter or a supporter); which of them is recorded nowhere."""
    return event.actor_id is None and event.kind == "checkback"


def event_moment(event: Event, report: Report, viewer: User | None) -> datetime | date:
    if event.kind == "submitted":
        return submitted_at(report, viewer)
    if (by_anonymous_reporter(event, report) and not is_reporter(viewer, report)) or by_anonymous_follower(event):
        # Only the day, as for the submission: the minute could be matched with a login,
        # or with the mail system's record of who opened which link when.
        from app.clock import local

        return local(event.created_at).date()
    return event.created_at


# --- naming helpers for the objects that show people -------------------------------------


def reporter_name(report: Report, viewer: User | None) -> str:
    if report.is_anonymous:
        return name_for(viewer, None, anonymous=True, is_viewer=is_reporter(viewer, report))
    return name_for(viewer, report.reporter, nobody=ANONYMOUS)


def supporter_name(support: Support, viewer: User | None) -> str:
    if support.anonymous:
        return name_for(viewer, None, anonymous=True, is_viewer=supports_anonymously(viewer, support))
    return name_for(viewer, support.user, nobody=ANONYMOUS)


def uploaded_by_viewer(attachment: Attachment, viewer: User | None) -> bool:
    """The viewer added this file (also anonymously, as the report's anonymous reporter)."""
    if attachment.anonymous:
        own = pseudonym_of(viewer)
        return own is not None and attachment.uploader_pseudonym == own
    return (
        viewer is not None
        and attachment.uploader_id is not None
        and attachment.uploader_id == getattr(viewer, "id", None)
    )


def uploader_name(attachment: Attachment, viewer: User | None) -> str:
    """Who added a file, as `viewer` may know it: the reporter of an anonymous report who
    added it is shown exactly like the reporter (reporter_name)."""
    if attachment.anonymous:
        return name_for(viewer, None, anonymous=True, is_viewer=uploaded_by_viewer(attachment, viewer))
    return name_for(viewer, attachment.uploader, nobody=ANONYMOUS)


def attachment_moment(attachment: Attachment, viewer: User | None) -> datetime | date:
    """When a file was added, as `viewer` may know it: only the day for a file added
    anonymously, to anyone but its uploader (as submitted_at)."""
    if attachment.anonymous and not uploaded_by_viewer(attachment, viewer):
        from app.clock import local

        return local(attachment.created_at).date()
    return attachment.created_at


def event_actor_name(event: Event, report: Report, viewer: User | None) -> str:
    """Who did what in a report's timeline. The submission of an anonymous report has no
    actor: it reads as the anonymous reporter."""
    if by_anonymous_reporter(event, report):
        return reporter_name(report, viewer)
    if by_anonymous_follower(event):
        # Not even to themselves: who of the anonymous followers answered is recorded nowhere.
        return name_for(viewer, None, anonymous=True)
    return name_for(viewer, event.actor)
