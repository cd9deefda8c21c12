"""Accounts as the application sees them (no password material here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.domain.permissions import Actor, Role


@dataclass(frozen=True)
class User:
    username: str
    name: str
    email: str
    roles: frozenset[Role]
    created_at: datetime
    disabled: bool = False
    # Whether ``email`` is known to be the user's: an email an administrator set (every local
    # account: users cannot change their own) is; a Cognito user's only when the pool says so.
    email_verified: bool = True

    def as_actor(self) -> Actor:
        return Actor(user_id=self.username, name=self.name, roles=self.roles, email=self.email)
