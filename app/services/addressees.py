"""The list of addressees an escalation can be sent to (ministries, agencies, VNG, ...),
maintained by the beheerder. Addressees are never deleted: dossiers keep pointing at them."""

from __future__ import annotations

from flask_babel import gettext

from app.extensions import db
from app.models import Addressee, User
from app.models.dossier import ADDRESSEE_KINDS, ADDRESSEE_NAME_MAX
from app.services import DomainError
from app.services.audit import record_audit


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(gettext("Vul de naam van de geadresseerde in."), field="name")
    if len(name) > ADDRESSEE_NAME_MAX:
        raise DomainError(gettext("Gebruik maximaal %(max)d tekens.", max=ADDRESSEE_NAME_MAX), field="name")
    return name


def _check_kind(kind: str | None) -> str:
    if kind not in ADDRESSEE_KINDS:
        raise DomainError(gettext("Kies een soort uit de lijst."), field="kind")
    return kind


def _check_unique(name: str, addressee: Addressee | None = None) -> None:
    stmt = db.select(Addressee.id).where(db.func.lower(Addressee.name) == name.lower())
    if addressee is not None:
        stmt = stmt.where(Addressee.id != addressee.id)
    if db.session.scalar(stmt) is not None:
        raise DomainError(gettext("Er is al een geadresseerde met deze naam."), field="name")


def _check_owner(owner_id: int | None, addressee: Addressee | None = None) -> User | None:
    """A default owner: an active member of Juridische Zaken (or the one it has now)."""
    from app.services.dossiers import may_own

    if owner_id is None:
        return None
    owner = db.session.get(User, owner_id)
    if owner is None or not (may_own(owner) or (addressee is not None and addressee.default_owner_id == owner.id)):
        raise DomainError(gettext("Kies een medewerker van Juridische Zaken."), field="default_owner_id")
    return owner


def create_addressee(
    name: str | None, kind: str | None, *, actor: User, default_owner_id: int | None = None
) -> Addressee:
    name = _clean_name(name)
    kind = _check_kind(kind)
    _check_unique(name)
    owner = _check_owner(default_owner_id)
    addressee = Addressee(name=name, kind=kind, active=True, default_owner=owner)
    db.session.add(addressee)
    db.session.flush()
    record_audit(
        "addressee_created", actor=actor, object_type="addressee", object_id=addressee.id, detail=f"{name} ({kind})"
    )
    return addressee


def update_addressee(
    addressee: Addressee,
    *,
    name: str | None,
    kind: str | None,
    active: bool,
    actor: User,
    default_owner_id: int | None = None,
) -> None:
    """Rename, change the kind or the default owner, or (de)activate. An inactive addressee
    stays on the dossiers that have it, but cannot be chosen for others."""
    name = _clean_name(name)
    kind = _check_kind(kind)
    _check_unique(name, addressee)
    owner = _check_owner(default_owner_id, addressee)
    changes = []
    if addressee.default_owner_id != (owner.id if owner else None):
        changes.append(f"standaard eigenaar: {owner.name if owner else 'niemand'}")
        addressee.default_owner = owner
    if addressee.name != name:
        changes.append(f"naam: {addressee.name} -> {name}")
        addressee.name = name
    if addressee.kind != kind:
        changes.append(f"soort: {addressee.kind} -> {kind}")
        addressee.kind = kind
    if addressee.active != bool(active):
        changes.append("actief" if active else "niet actief")
        addressee.active = bool(active)
    if changes:
        db.session.flush()
        record_audit(
            "addressee_updated", actor=actor, object_type="addressee", object_id=addressee.id, detail="; ".join(changes)
        )


def all_addressees() -> list[Addressee]:
    return list(db.session.scalars(db.select(Addressee).order_by(Addressee.name, Addressee.id)))
