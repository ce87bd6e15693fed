"""The audit trail: who did what to which object, with what result (UTC). Append-only;
written by the services, read by the beheerder on the 'Logboek' page.

It records accounts, logins, the beheerder's lists and who downloaded which list (app.export),
never what anyone reported: the timeline of a report is its own record, and an anonymous
reporter appears in neither."""

from __future__ import annotations

from dataclasses import dataclass

from app.extensions import db
from app.models import Addressee, ApiToken, AuditEntry, Department, RegisterMember, User, Webhook

# Every action recorded, as the Logboek shows it.
ACTIONS = {
    "login": "Inloggen",
    "logout": "Uitloggen",
    "user_created": "Account aangemaakt",
    "invitation_sent": "Uitnodiging gestuurd",
    "password_link_sent": "Link voor nieuw wachtwoord gestuurd",
    "password_link_requested": "Wachtwoord vergeten: link aangevraagd",
    "password_choice_required": "Eigen wachtwoord kiezen verplicht",
    "password_set": "Eerste wachtwoord gekozen",
    "password_changed": "Wachtwoord gewijzigd",
    "login_second_factor": "Code bij inloggen",
    "mfa_enabled": "Tweestapsverificatie aangezet",
    "mfa_disabled": "Tweestapsverificatie uitgezet",
    "mfa_recovery_codes": "Nieuwe herstelcodes gemaakt",
    "mfa_recovery_code_used": "Herstelcode gebruikt",
    "mfa_reset": "Tweestapsverificatie gewist door beheerder",
    "email_changed": "E-mailadres gewijzigd",
    "sso_linked": "Gekoppeld aan het account van de gemeente",
    "roles_changed": "Rollen gewijzigd",
    "user_activated": "Account geactiveerd",
    "user_deactivated": "Account gedeactiveerd",
    "work_handed_over": "Werk overgedragen",
    "department_created": "Afdeling toegevoegd",
    "department_updated": "Afdeling gewijzigd",
    "addressee_created": "Geadresseerde toegevoegd",
    "addressee_updated": "Geadresseerde gewijzigd",
    "list_exported": "Lijst gedownload",
    "webhook_created": "Webhook geregistreerd",
    "webhook_updated": "Webhook gewijzigd",
    "webhook_secret_renewed": "Nieuw geheim voor webhook",
    "webhook_deleted": "Webhook verwijderd",
    "webhook_resent": "Webhookbericht opnieuw verstuurd",
    "api_token_created": "API-sleutel gemaakt",
    "api_token_revoked": "API-sleutel ingetrokken",
    "service_account_created": "Serviceaccount voor een koppeling aangemaakt",
    "register_member_added": "Lid van het register toegevoegd",
    "register_member_activated": "Lid van het register weer actief",
    "register_member_deactivated": "Lid van het register niet meer actief",
}
RESULTS = {"ok": "Gelukt", "failed": "Mislukt", "inactive": "Account niet actief"}
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
        return ACTIONS.get(self.entry.action, self.entry.action)

    @property
    def result(self) -> str:
        return RESULTS.get(self.entry.result, self.entry.result)


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
