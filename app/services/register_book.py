"""The register's side of the shared register of national rules (RODEKNOP_MODE=register):
its members and their keys, applying what members send (idempotent by member, dossier and
the message's sequence number), the shared letters, every refused request, and what its
pages and its answer to members show per law article. Nothing personal is kept or shown:
municipalities, laws, statuses, dates and texts Juridische Zaken wrote for publication."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.models import RegisterEntry, RegisterLetterJoin, RegisterMember, RegisterRefusal, User
from app.models.base import utcnow
from app.models.dossier import ADDRESSEE_NAME_MAX, DossierStatus
from app.models.register import MEMBER_NAME_MAX, SUMMARY_MAX
from app.register import messages
from app.register_signing import Claim, parse_public_key
from app.services import DomainError
from app.services.audit import record_audit
from app.services.dossiers import LegalReference, article_key, validate_reference
from app.services.register import payload_problems

log = logging.getLogger(__name__)


# --- members ---------------------------------------------------------------------------------


def members() -> list[RegisterMember]:
    return list(db.session.scalars(select(RegisterMember).order_by(RegisterMember.name)))


def add_member(name: str | None, public_key: str | None, *, actor: User | None) -> RegisterMember:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(gettext(messages.MEMBER_NAME_REQUIRED), field="name")
    if len(name) > MEMBER_NAME_MAX:
        raise DomainError(gettext(messages.SUMMARY_TOO_LONG, max=MEMBER_NAME_MAX), field="name")
    key = (public_key or "").strip()
    if parse_public_key(key) is None:
        raise DomainError(gettext(messages.MEMBER_KEY_INVALID), field="public_key")
    if db.session.scalar(select(RegisterMember.id).where(RegisterMember.name == name)) is not None:
        raise DomainError(gettext(messages.MEMBER_NAME_TAKEN), field="name")
    member = RegisterMember(name=name, public_key=key, active=True)
    db.session.add(member)
    db.session.flush()
    record_audit("register_member_added", actor=actor, object_type="register_member", object_id=member.id, detail=name)
    return member


def set_member_active(member: RegisterMember, active: bool, *, actor: User) -> None:
    if member.active == active:
        return
    member.active = active
    record_audit(
        "register_member_activated" if active else "register_member_deactivated",
        actor=actor,
        object_type="register_member",
        object_id=member.id,
        detail=member.name,
    )


def member_for(claim: Claim) -> tuple[RegisterMember | None, object | None]:
    """The active member a request claims to come from, and its public key."""
    if not claim.member.isdigit() or len(claim.member) > 9:
        return None, None
    member = db.session.get(RegisterMember, int(claim.member))
    if member is None or not member.active:
        return None, None
    return member, parse_public_key(member.public_key)


def record_refusal(claim: Claim, *, remote_addr: str | None, method: str, path: str, reason: str) -> None:
    """Log a refused request (who it claimed to be, why), in the log and in the table the
    beheerder reads. Committed at once: the refusal's answer rolls nothing back."""
    log.warning(
        "register refused %s %s from %s claiming member %r: %s", method, path, remote_addr, claim.member, reason
    )
    db.session.add(
        RegisterRefusal(
            claimed_member=claim.member or None,
            remote_addr=(remote_addr or "")[:64] or None,
            method=method[:10],
            path=path[:300],
            reason=reason[:300],
        )
    )
    db.session.commit()


def refusals(limit: int = 50) -> list[RegisterRefusal]:
    return list(db.session.scalars(select(RegisterRefusal).order_by(RegisterRefusal.id.desc()).limit(limit)))


# --- what members send -------------------------------------------------------------------------


def _sequence(body: dict) -> int:
    sequence = body.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or not 0 < sequence < 2**31:
        raise DomainError(gettext("sequence: een geheel getal groter dan 0."), field="sequence")
    return sequence


def _text(entry: dict, name: str, maximum: int, *, required: bool = False) -> str | None:
    value = entry.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > maximum:
        raise DomainError(gettext("%(name)s: tekst van hoogstens %(max)d tekens.", name=name, max=maximum), field=name)
    return value.strip() or None


def _date(entry: dict, name: str, *, required: bool = False) -> date | None:
    value = entry.get(name)
    if value is None and not required:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise DomainError(gettext("%(name)s: een datum als 2026-12-31.", name=name), field=name) from None


def _entry_fields(entry: dict, dossier_id: int) -> dict:
    if not isinstance(entry, dict):
        raise DomainError(gettext("entry: een object."), field="entry")
    problems = payload_problems(entry)
    if problems:
        raise DomainError(
            gettext("Niet toegestaan in een vermelding: %(keys)s", keys=", ".join(sorted(problems))), field="entry"
        )
    for name in ("law_title", "bwb_id", "article", "status"):
        if not isinstance(entry.get(name), str | None):
            raise DomainError(gettext("%(name)s: tekst.", name=name), field=name)
    if entry.get("dossier_id") != dossier_id:
        raise DomainError(gettext("dossier_id: hetzelfde als in het adres."), field="dossier_id")
    reference = validate_reference(
        LegalReference(entry.get("law_title") or "", entry.get("bwb_id") or "", entry.get("article") or "")
    )
    if not reference.bwb_id:
        raise DomainError(gettext(messages.NEEDS_BWB_ID), field="bwb_id")
    status = entry.get("status")
    if status not in {s.value for s in DossierStatus}:
        raise DomainError(
            gettext("status: een van %(values)s", values=", ".join(s.value for s in DossierStatus)), field="status"
        )
    return {
        "law_title": reference.law_title,
        "bwb_id": reference.bwb_id,
        "article": reference.article,
        "article_key": article_key(reference.article),
        "status": status,
        "addressee": _text(entry, "addressee", ADDRESSEE_NAME_MAX),
        "summary": _text(entry, "summary", SUMMARY_MAX, required=True),
        "answer_summary": _text(entry, "answer_summary", SUMMARY_MAX),
        "created_on": _date(entry, "created_on", required=True),
        "sent_on": _date(entry, "sent_on"),
        "answer_due": _date(entry, "answer_due"),
    }


def _entry(member: RegisterMember, dossier_id: int) -> RegisterEntry | None:
    return db.session.scalar(
        select(RegisterEntry).where(RegisterEntry.member_id == member.id, RegisterEntry.dossier_id == dossier_id)
    )


def apply_publish(member: RegisterMember, dossier_id: int, body: dict) -> bool:
    """A member's dossier, as it sent it. True when it changed the register; False for a
    message it had already applied (or one overtaken by a later one)."""
    sequence = _sequence(body)
    values = _entry_fields(body.get("entry"), dossier_id)
    row = _entry(member, dossier_id)
    if row is not None and row.sequence >= sequence:
        return False
    now = utcnow()
    if row is None:
        row = RegisterEntry(member_id=member.id, dossier_id=dossier_id, first_published_at=now)
        db.session.add(row)
    elif row.withdrawn_at is not None:
        row.first_published_at = now
    for name, value in values.items():
        setattr(row, name, value)
    row.sequence = sequence
    row.updated_at = now
    row.withdrawn_at = None
    db.session.flush()
    return True


def apply_withdraw(member: RegisterMember, dossier_id: int, body: dict) -> bool:
    sequence = _sequence(body)
    row = _entry(member, dossier_id)
    if row is None or row.sequence >= sequence:
        return False
    row.sequence = sequence
    row.withdrawn_at = row.updated_at = utcnow()
    return True


def apply_join(member: RegisterMember, body: dict) -> bool:
    _sequence(body)
    bwb_id = body.get("bwb_id")
    key = body.get("article_key")
    if not isinstance(bwb_id, str) or not isinstance(key, str):
        raise DomainError(gettext("bwb_id en article_key: tekst."), field="bwb_id")
    reference = validate_reference(LegalReference("-", bwb_id, key))
    if not reference.bwb_id:
        raise DomainError(gettext(messages.NEEDS_BWB_ID), field="bwb_id")
    key = article_key(key)
    exists = db.session.scalar(
        select(RegisterLetterJoin.id).where(
            RegisterLetterJoin.member_id == member.id,
            RegisterLetterJoin.bwb_id == reference.bwb_id,
            RegisterLetterJoin.article_key == key,
        )
    )
    if exists is not None:
        return False
    db.session.add(RegisterLetterJoin(member_id=member.id, bwb_id=reference.bwb_id, article_key=key))
    db.session.flush()
    return True


# --- what the register shows ---------------------------------------------------------------


@dataclass
class Article:
    """One law article in the register: who raised it, since when, what each was told."""

    bwb_id: str
    article_key: str
    law_title: str
    article: str | None
    entries: list[RegisterEntry] = field(default_factory=list)
    letter: list[RegisterLetterJoin] = field(default_factory=list)

    @property
    def since(self) -> datetime:
        return min(entry.first_published_at for entry in self.entries)

    @property
    def slug(self) -> str:
        return self.article_key or "-"

    def as_json(self) -> dict:
        """What members fetch (app.services.register.sync_register)."""
        return {
            "bwb_id": self.bwb_id,
            "article_key": self.article_key,
            "law_title": self.law_title,
            "article": self.article,
            "entries": [
                {
                    "member_id": entry.member_id,
                    "municipality": entry.member.name,
                    "dossier_id": entry.dossier_id,
                    "status": entry.status,
                    "status_label": entry.status_label,
                    "addressee": entry.addressee,
                    "summary": entry.summary,
                    "answer_summary": entry.answer_summary,
                    "since": entry.first_published_at.isoformat(),
                    "sent_on": entry.sent_on.isoformat() if entry.sent_on else None,
                }
                for entry in self.entries
            ],
            "letter": [{"member_id": j.member_id, "municipality": j.member.name} for j in self.letter],
        }


def articles(bwb_id: str | None = None, key: str | None = None) -> list[Article]:
    """Every law article with at least one entry of an active member, most raised first
    (two statements, whatever their number)."""
    stmt = (
        select(RegisterEntry)
        .join(RegisterEntry.member)
        .where(RegisterEntry.withdrawn_at.is_(None), RegisterMember.active.is_(True))
        .order_by(RegisterEntry.bwb_id, RegisterEntry.article_key, RegisterEntry.first_published_at)
    )
    joins = select(RegisterLetterJoin).join(RegisterLetterJoin.member).where(RegisterMember.active.is_(True))
    if bwb_id is not None:
        stmt = stmt.where(RegisterEntry.bwb_id == bwb_id, RegisterEntry.article_key == key)
        joins = joins.where(RegisterLetterJoin.bwb_id == bwb_id, RegisterLetterJoin.article_key == key)
    found: dict[tuple[str, str], Article] = {}
    for entry in db.session.scalars(stmt):
        article = found.setdefault(
            (entry.bwb_id, entry.article_key), Article(entry.bwb_id, entry.article_key, entry.law_title, entry.article)
        )
        article.entries.append(entry)
    for join in db.session.scalars(joins.order_by(RegisterLetterJoin.joined_at)):
        if (join.bwb_id, join.article_key) in found:
            found[(join.bwb_id, join.article_key)].letter.append(join)
    return sorted(found.values(), key=lambda a: (-len({e.member_id for e in a.entries}), a.law_title, a.article_key))


def article(bwb_id: str, key: str) -> Article | None:
    found = articles(bwb_id, key)
    return found[0] if found else None
