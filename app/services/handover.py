"""What an account holds (open reports it follows up as a coach, open dossiers it owns at
Juridische Zaken) and handing that over when the account ends or loses the role: nothing
is left behind with someone who can no longer act on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import LazyString, gettext, ngettext
from flask_babel import lazy_gettext as _l

from app.anonymity import name_for
from app.extensions import db
from app.formatting import count
from app.models import Dossier, Report, User
from app.notify import enqueue, external_url
from app.services import DomainError
from app.services.audit import record_audit
from app.services.dossiers import OWNER_ROLE, hand_over_dossier, may_own
from app.services.workflow import FOLLOW_UP_ROLE, hand_over_report, may_follow_up

# The choice 'niemand': reports go back to Nieuw, dossiers have no owner.
NOBODY = "niemand"


@dataclass
class Holdings:
    reports: list[Report] = field(default_factory=list)
    dossiers: list[Dossier] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.reports or self.dossiers)


def holdings(user: User) -> Holdings:
    """The open reports `user` follows up and the open dossiers they own."""
    reports = db.session.scalars(
        db.select(Report).where(Report.assignee_id == user.id, Report.is_open).order_by(Report.id)
    ).all()
    dossiers = db.session.scalars(
        db.select(Dossier).where(Dossier.owner_id == user.id, Dossier.is_open).order_by(Dossier.id)
    ).all()
    return Holdings(list(reports), list(dossiers))


def losing(user: User, *, active: bool, roles) -> Holdings:
    """What `user` can no longer hold after the change: everything when the account ends,
    the reports without the coach role, the dossiers without the legal role."""
    held = holdings(user)
    return Holdings(
        held.reports if not active or FOLLOW_UP_ROLE not in roles else [],
        held.dossiers if not active or OWNER_ROLE not in roles else [],
    )


def hand_over(
    user: User,
    lost: Holdings,
    *,
    reports_to: User | str | None,
    dossiers_to: User | str | None,
    actor: User,
) -> None:
    """Move what `user` loses: to the chosen colleague, or to NOBODY. None means nobody
    chose, which is refused: no silent orphans. Each new holder gets one mail listing all
    of it; timelines and the Logboek record the move."""
    if lost.reports and reports_to is None:
        n = len(lost.reports)
        raise DomainError(
            ngettext(
                "Kies wie er achter de open melding van %(name)s aangaat.",
                "Kies wie er achter de %(num)d open meldingen van %(name)s aangaat.",
                n,
                name=user.name,
            ),
            field="reports_to",
        )
    if lost.dossiers and dossiers_to is None:
        n = len(lost.dossiers)
        raise DomainError(
            ngettext(
                "Kies wie eigenaar wordt van het open dossier van %(name)s.",
                "Kies wie eigenaar wordt van de %(num)d open dossiers van %(name)s.",
                n,
                name=user.name,
            ),
            field="dossiers_to",
        )
    report_holder = reports_to if isinstance(reports_to, User) else None
    dossier_holder = dossiers_to if isinstance(dossiers_to, User) else None
    if lost.reports and report_holder is not None and (report_holder.id == user.id or not may_follow_up(report_holder)):
        raise DomainError(gettext("Kies een andere, actieve ontregelcoach."), field="reports_to")
    if lost.dossiers and dossier_holder is not None and (dossier_holder.id == user.id or not may_own(dossier_holder)):
        raise DomainError(gettext("Kies een andere, actieve medewerker van Juridische Zaken."), field="dossiers_to")
    received: dict[int, tuple[User, list[Report], list[Dossier]]] = {}
    for report in lost.reports:
        hand_over_report(report, report_holder, actor=actor, former=user)
        if report_holder is not None:
            received.setdefault(report_holder.id, (report_holder, [], []))[1].append(report)
    for dossier in lost.dossiers:
        hand_over_dossier(dossier, dossier_holder, actor=actor, former=user)
        if dossier_holder is not None:
            received.setdefault(dossier_holder.id, (dossier_holder, [], []))[2].append(dossier)
    for holder, reports, dossiers in received.values():
        enqueue(
            holder,
            "handover",
            _l("Werk van %(name)s is aan u overgedragen", name=user.name),
            kind="assigned",
            former=LazyString(name_for, holder, user),
            actor=LazyString(name_for, holder, actor),
            reports=reports,
            dossiers=dossiers,
            report_urls={r.id: external_url("reports.detail", reference=r.reference) for r in reports},
            dossier_urls={d.id: external_url("dossiers.detail", dossier_id=d.id) for d in dossiers},
        )
    if lost:
        parts = []
        if lost.reports:
            whom = report_holder.name if report_holder else "niemand (terug naar Nieuw)"
            parts.append(f"{count(len(lost.reports), 'melding', 'meldingen')} naar {whom}")
        if lost.dossiers:
            whom = dossier_holder.name if dossier_holder else "niemand (zonder eigenaar)"
            parts.append(f"{count(len(lost.dossiers), 'dossier', 'dossiers')} naar {whom}")
        record_audit("work_handed_over", actor=actor, object_type="user", object_id=user.id, detail="; ".join(parts))
    db.session.flush()


def update_account(
    user: User,
    *,
    reports_to: User | str | None,
    dossiers_to: User | str | None,
    actor: User,
    **changes,
) -> None:
    """The beheerder's change to an account (app.services.users.update_user), handing over
    what the account can no longer hold after it, in the same transaction."""
    from app.services.users import update_user

    lost = losing(user, active=changes["active"], roles=changes["roles"])
    update_user(user, actor=actor, **changes)
    hand_over(user, lost, reports_to=reports_to, dossiers_to=dossiers_to, actor=actor)
