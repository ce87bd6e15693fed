"""Who may know who someone is: the one place that names a person to a viewer, and that
knows who follows a report anonymously.

Pages, mails, minutes, exports, timelines and conflict messages name people only through
`name_for` (or the small helpers below, which only decide whether the person appears
anonymously there and then ask `name_for`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.models import Dossier, Event, Report, Support, User

STAFF_ROLES = ("coach", "legal", "admin")

YOU = "U"
YOU_ANONYMOUS = "U (anoniem)"
ANONYMOUS = "Anoniem"
A_COLLEAGUE = "Een collega"
SYSTEM = "Rode Knop"


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
      is then not needed, and never looked at).
    * The viewer is "U" to themselves (`you`: "u" mid-sentence; None in a record such as
      the minutes, where everyone is named the same way).
    * No person (the application itself): `nobody`.
    * Coaches, Juridische Zaken and beheerders are named to everyone; other colleagues
      are named only to them, and are "Een collega" to everyone else.
    """
    if anonymous:
        return YOU_ANONYMOUS if is_viewer else ANONYMOUS
    if person is None:
        return nobody
    if you is not None and viewer is not None and getattr(viewer, "id", None) == person.id:
        return you
    if _is_staff(viewer) or _is_staff(person):
        return person.name
    return A_COLLEAGUE


# --- who follows a report, and how ---------------------------------------------------


def is_reporter(user: User | None, report: Report) -> bool:
    return user is not None and getattr(user, "id", None) is not None and report.reporter_id == user.id


def follows_anonymously(user: User | None, report: Report) -> bool:
    """The user reported this report anonymously, or follows it anonymously because their
    anonymous report was merged into it. Such a user never acts on the report: every trace
    of their action (an event, an assignment, a conflict message, a minutes line) would sit
    next to 'Anoniem' and name them."""
    if user is None or getattr(user, "id", None) is None:
        return False
    if report.is_anonymous and report.reporter_id == user.id:
        return True
    return any(support.anonymous and support.user_id == user.id for support in report.supports)


def anonymously_followed(user: User | None, reports: list[Report]) -> set[int]:
    """The ids among `reports` that `user` follows anonymously, in one query (for lists)."""
    if user is None or getattr(user, "id", None) is None or not reports:
        return set()
    from app.extensions import db
    from app.models import Support

    ids = {report.id for report in reports if report.is_anonymous and report.reporter_id == user.id}
    ids.update(
        db.session.scalars(
            db.select(Support.report_id).where(
                Support.user_id == user.id,
                Support.anonymous.is_(True),
                Support.report_id.in_([report.id for report in reports]),
            )
        )
    )
    return ids


def follows_dossier_anonymously(user: User | None, dossier: Dossier) -> bool:
    return any(follows_anonymously(user, report) for report in dossier.reports)


# --- naming helpers for the objects that show people ----------------------------------


def reporter_name(report: Report, viewer: User | None) -> str:
    if report.is_anonymous:
        return name_for(viewer, None, anonymous=True, is_viewer=is_reporter(viewer, report))
    return name_for(viewer, report.reporter, nobody=ANONYMOUS)


def supporter_name(support: Support, viewer: User | None) -> str:
    if support.anonymous:
        return name_for(viewer, None, anonymous=True, is_viewer=viewer is not None and support.user_id == viewer.id)
    return name_for(viewer, support.user)


def event_actor_name(event: Event, report: Report, viewer: User | None) -> str:
    """Who did what in a report's timeline. The submission of an anonymous report has no
    actor: it reads as the anonymous reporter."""
    if event.actor_id is None and event.kind == "submitted" and report.is_anonymous:
        return reporter_name(report, viewer)
    return name_for(viewer, event.actor)
