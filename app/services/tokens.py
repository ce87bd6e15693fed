"""API tokens (app/api): making, finding, using and revoking them, and what a token may do.

* A token is `rk_` followed by 43 characters: a random 256-bit secret. Only its SHA-256 is
  stored (a secret this long needs no salt or slow hash, and the hash finds the token in
  one indexed lookup); its owner saw the secret once.
* A personal token acts as the user who made it. An integration token (a beheerder makes
  it) acts as a service account: a user of its own, named after the integration, with the
  roles the beheerder gives it, no password anyone knows, and never someone who follows a
  report up or gets mail (app.services.users, app.services.workflow.may_follow_up). The
  timeline names that account, so everyone sees which integration did what.
* What a token may do is its scopes, intersected with what its user's roles allow now
  (SCOPE_ROLES): a medewerker's token never triages, and a coach who loses the role loses
  the scope on every token at once. A deactivated user's tokens stop working.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import text

from app.extensions import db
from app.models import ApiToken, User, UserRole
from app.models.api_token import INTEGRATION, PERSONAL, SCOPES, TOKEN_NAME_MAX
from app.models.base import utcnow
from app.models.user import PERSON_NAME_MAX
from app.permissions import AREAS
from app.services import DomainError
from app.services.audit import record_audit
from app.services.users import _validate_roles, unusable_password
from app.transactions import writer

PREFIX = "rk_"
# A token's last use is written at most this often (a write per request would cost SQLite's
# write lock every time).
LAST_USE_EVERY = timedelta(minutes=1)
# Scope -> the roles that may hold it (None: every user).
SCOPE_ROLES: dict[str, tuple[str, ...] | None] = {
    "read": None,
    "report": None,
    "triage": AREAS["triage"],
    "legal": AREAS["dossiers"],
}
SERVICE_DOMAIN = "koppeling.invalid"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def allowed_scopes(user: User) -> tuple[str, ...]:
    """The scopes `user`'s roles allow, in the order of SCOPES."""
    return tuple(scope for scope in SCOPES if SCOPE_ROLES[scope] is None or user.has_role(*SCOPE_ROLES[scope]))


def effective_scopes(token: ApiToken) -> frozenset[str]:
    """What `token` may do now: its scopes, as far as its user's roles still allow them."""
    return token.scope_set & frozenset(allowed_scopes(token.user))


def max_days() -> int:
    return int(current_app.config["API_TOKEN_MAX_DAYS"])


def create_token(
    user: User, *, name: str, scopes, days: int | None, actor: User, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token acting as `user` (made by `actor`: the user, or a beheerder for a
    service account). Returns the token and its secret, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise DomainError(gettext("Geef de sleutel een naam, zodat u hem later herkent."), field="name")
    if len(name) > TOKEN_NAME_MAX:
        raise DomainError(gettext("Gebruik maximaal %(max)d tekens.", max=TOKEN_NAME_MAX), field="name")
    scopes = sorted(set(scopes or ()), key=list(SCOPES).index) if set(scopes or ()) <= set(SCOPES) else None
    if not scopes:
        raise DomainError(gettext("Kies minstens één bevoegdheid."), field="scopes")
    refused = [scope for scope in scopes if scope not in allowed_scopes(user)]
    if refused:
        raise DomainError(
            gettext("Deze bevoegdheid past niet bij de rol: %(scopes)s.", scopes=", ".join(refused)), field="scopes"
        )
    if days is None or not 1 <= days <= max_days():
        raise DomainError(gettext("Kies een geldigheid van 1 tot %(days)d dagen.", days=max_days()), field="days")
    now = now or utcnow()
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        created_by_id=actor.id,
        kind=INTEGRATION if user.is_service_account else PERSONAL,
        name=name,
        scopes=" ".join(scopes),
        token_hash=hash_secret(secret),
        hint=secret[:8],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    record_audit(
        "api_token_created",
        actor=actor,
        object_type="api_token",
        object_id=token.id,
        detail=f"voor {user.name}; bevoegdheden: {', '.join(scopes)}; {days} dagen geldig",
    )
    return token, secret


def create_service_account(name: str, roles, *, actor: User) -> User:
    """The identity an integration acts as (see the module's docstring)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(gettext("Geef de koppeling een naam."), field="name")
    if len(name) > PERSON_NAME_MAX - len("Koppeling: "):
        raise DomainError(gettext("Die naam is te lang."), field="name")
    roles = _validate_roles(roles)
    user = User(
        email=f"koppeling-{secrets.token_hex(6)}@{SERVICE_DOMAIN}",
        name=f"Koppeling: {name}",
        password_hash=unusable_password(),
        is_service_account=True,
    )
    user.role_rows = [UserRole(role=role) for role in roles]
    db.session.add(user)
    db.session.flush()
    record_audit(
        "service_account_created",
        actor=actor,
        object_type="user",
        object_id=user.id,
        detail="rollen: " + ", ".join(roles),
    )
    return user


def token_for_secret(secret: str | None, now: datetime | None = None) -> ApiToken | None:
    """The valid token whose secret this is (ApiToken.is_valid), or None."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or not token.is_valid(now or utcnow()):
        return None
    return token


def note_use(token: ApiToken, now: datetime | None = None) -> None:
    """Record that `token` was used, at most once per LAST_USE_EVERY: in a short
    transaction of its own, so that a read request stays a read."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USE_EVERY:
        return
    from app.ratelimit import _end_request_transaction

    token_id = token.id
    _end_request_transaction()
    with writer(db.engine).begin() as conn:
        conn.execute(
            text(
                "UPDATE api_token SET last_used_at = :now WHERE id = :id "
                "AND (last_used_at IS NULL OR last_used_at < :before)"
            ),
            {"now": now, "id": token_id, "before": now - LAST_USE_EVERY},
        )


def may_revoke(token: ApiToken, user: User) -> bool:
    return user.is_authenticated and (token.user_id == user.id or user.has_role(*AREAS["admin"]))


def revoke_token(token: ApiToken, *, actor: User, now: datetime | None = None) -> None:
    if not may_revoke(token, actor):
        raise DomainError(gettext("U kunt deze sleutel niet intrekken."))
    if token.revoked_at is not None:
        return
    token.revoked_at = now or utcnow()
    token.revoked_by_id = actor.id
    record_audit("api_token_revoked", actor=actor, object_type="api_token", object_id=token.id, detail=token.name)


def tokens_of(user: User) -> list[ApiToken]:
    """`user`'s own tokens, newest first (revoked ones too: the list says so)."""
    return list(
        db.session.scalars(
            db.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def all_tokens() -> list[ApiToken]:
    """Every token, for the beheerder: valid ones first, newest first."""
    return list(
        db.session.scalars(
            db.select(ApiToken).order_by(
                ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
            )
        )
    )
