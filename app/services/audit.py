"""The audit trail: who did what to which object, with what result (UTC). Append-only;
written by the services, read by the beheerder on the 'Logboek' page.

It records accounts, logins, the beheerder's lists and who downloaded which list (app.export),
never what anyone reported: the timeline of a report is its own record, and an anonymous
reporter appears in neither."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext

from app.extensions import db
from app.i18n import N_
from app.models import Addressee, ApiToken, AuditEntry, Department, RegisterMember, User, Webhook

# Every action recorded, as the Logboek shows it (translated there).
ACTIONS = {
    "login": N_("Inloggen"),
    "logout": N_("Uitloggen"),
    "user_created": N_("Account aangemaakt"),
    "invitation_sent": N_("Uitnodiging gestuurd"),
    "password_link_sent": N_("Link voor nieuw wachtwoord gestuurd"),
    "password_link_requested": N_("Wachtwoord vergeten: link aangevraagd"),
    "password_choice_required": N_("Eigen wachtwoord kiezen verplicht"),
    "password_set": N_("Eerste wachtwoord gekozen"),
    "password_changed": N_("Wachtwoord gewijzigd"),
    "login_second_factor": N_("Code bij inloggen"),
    "mfa_enabled": N_("Tweestapsverificatie aangezet"),
    "mfa_disabled": N_("Tweestapsverificatie uitgezet"),
    "mfa_recovery_codes": N_("Nieuwe herstelcodes gemaakt"),
    "mfa_recovery_code_used": N_("Herstelcode gebruikt"),
    "mfa_reset": N_("Tweestapsverificatie gewist door beheerder"),
    "email_changed": N_("E-mailadres gewijzigd"),
    "sso_linked": N_("Gekoppeld aan het account van de gemeente"),
    "roles_changed": N_("Rollen gewijzigd"),
    "user_activated": N_("Account geactiveerd"),
    "user_deactivated": N_("Account gedeactiveerd"),
    "work_handed_over": N_("Werk overgedragen"),
    "department_created": N_("Afdeling toegevoegd"),
    "department_updated": N_("Afdeling gewijzigd"),
    "addressee_created": N_("Geadresseerde toegevoegd"),
    "addressee_updated": N_("Geadresseerde gewijzigd"),
    "list_exported": N_("Lijst gedownload"),
    "webhook_created": N_("Webhook geregistreerd"),
    "webhook_updated": N_("Webhook gewijzigd"),
    "webhook_secret_renewed": N_("Nieuw geheim voor webhook"),
    "webhook_deleted": N_("Webhook verwijderd"),
    "webhook_resent": N_("Webhookbericht opnieuw verstuurd"),
    "api_token_created": N_("API-sleutel gemaakt"),
    "api_token_revoked": N_("API-sleutel ingetrokken"),
    "service_account_created": N_("Serviceaccount voor een koppeling aangemaakt"),
    "register_member_added": N_("Lid van het register toegevoegd"),
    "register_member_activated": N_("Lid van het register weer actief"),
    "register_member_deactivated": N_("Lid van het register niet meer actief"),
}
RESULTS = {"ok": N_("Gelukt"), "failed": N_("Mislukt"), "inactive": N_("Account niet actief")}
OBJECTS = {
    "user": User,
    "department": Department,
    "addressee": Addressee,
    "webhook": Webhook,
    "api_token": ApiToken,
    "register_member": RegisterMember,
}


def record_audit(
    action: str,
    *,
    actor: User | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    result: str = "ok",
    detail: str | None = None,
) -> AuditEntry:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to ACTIONS")
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        result=result,
        detail=(detail or None) and detail[:500],
    )
    db.session.add(entry)
    return entry


@dataclass
class AuditLine:
    entry: AuditEntry
    actor: User | None
    subject: object | None  # the user, department or addressee it is about

    @property
    def action(self) -> str:
        return gettext(ACTIONS[self.entry.action]) if self.entry.action in ACTIONS else self.entry.action

    @property
    def result(self) -> str:
        return gettext(RESULTS[self.entry.result]) if self.entry.result in RESULTS else self.entry.result


def audit_page(*, action: str | None, page: int, per_page: int = 50) -> tuple[list[AuditLine], bool]:
    """One page of the trail, newest first (and whether there is a next page). The people
    and objects of the page come in one query per kind, not one per line."""
    stmt = db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    entries = list(db.session.scalars(stmt.offset((page - 1) * per_page).limit(per_page + 1)))
    more = len(entries) > per_page
    entries = entries[:per_page]
    wanted: dict[str, set[int]] = {kind: set() for kind in OBJECTS}
    for entry in entries:
        if entry.actor_id is not None:
            wanted["user"].add(entry.actor_id)
        if entry.object_type in OBJECTS and entry.object_id is not None:
            wanted[entry.object_type].add(entry.object_id)
    found = {
        kind: {obj.id: obj for obj in db.session.scalars(db.select(model).where(model.id.in_(wanted[kind])))}
        if wanted[kind]
        else {}
        for kind, model in OBJECTS.items()
    }
    lines = [
        AuditLine(
            entry,
            found["user"].get(entry.actor_id),
            found.get(entry.object_type or "", {}).get(entry.object_id),
        )
        for entry in entries
    ]
    return lines, more
