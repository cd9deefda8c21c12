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

    def as_actor(self) -> Actor:
        return Actor(user_id=self.username, name=self.name, roles=self.roles, email=self.email)
