"""An account as a users-table item and back. Items written before sign-up existed lack its
attributes and read as active accounts with no sign-up data."""

from __future__ import annotations

from typing import Any

from services.adapters.aws.common import from_iso, to_iso
from services.domain.permissions import Role
from services.domain.users import AccountStatus, User


def roles_list(roles: frozenset[Role]) -> list[str]:
    # A list, not a string set: a set may not be empty, and a user may hold no role.
    return sorted(role.value for role in roles)


def user_record(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "roles": roles_list(user.roles),
        "created_at": to_iso(user.created_at),
        "disabled": user.disabled,
        "status": user.status.value,
        "company": user.company,
        "purpose": user.purpose,
        "requested_role": user.requested_role,
        "pending_role": user.pending_role,
        "signed_up_at": to_iso(user.signed_up_at) if user.signed_up_at else None,
        "email_verified": user.email_verified,
        "signup_language": user.signup_language,
        "language": user.language,
        "request_reason": user.request_reason,
        "requested_at": to_iso(user.requested_at) if user.requested_at else None,
    }


def user_from_record(record: dict[str, Any]) -> User:
    return User(
        username=record["username"],
        name=record.get("name", ""),
        email=record.get("email", ""),
        roles=frozenset(Role(role) for role in record.get("roles", ())),
        created_at=from_iso(record["created_at"]),
        disabled=bool(record.get("disabled", False)),
        # Accounts written before sign-up existed have none of these: active, no sign-up data.
        status=AccountStatus(record.get("status", AccountStatus.ACTIVE)),
        company=record.get("company", ""),
        purpose=record.get("purpose", ""),
        requested_role=_role_or_none(record.get("requested_role")),
        pending_role=_role_or_none(record.get("pending_role")),
        signed_up_at=from_iso(record["signed_up_at"]) if record.get("signed_up_at") else None,
        email_verified=bool(record.get("email_verified", True)),
        signup_language=record.get("signup_language", ""),
        language=record.get("language", ""),
        request_reason=record.get("request_reason", ""),
        requested_at=from_iso(record["requested_at"]) if record.get("requested_at") else None,
    )


def _role_or_none(value: str | None) -> Role | None:
    return Role(value) if value else None
