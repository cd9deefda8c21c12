"""The one interface every sign-in mode offers the UI, and what the modes share.

A sign-in is a ``SignedIn`` kept in server memory (the Streamlit session). What the browser
keeps is a cookie whose value the mode signs (HS256, the cookie key) and reads back; the UI
never looks inside it. Streamlit cannot set HttpOnly cookies (they are written by the page's
script), so a cookie value must be worth nothing to a thief beyond the sign-in it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, Protocol

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.domain.identity import Challenge
from services.domain.permissions import Actor, Role
from services.settings import Settings

Mode = Literal["local", "cognito", "oidc"]


@dataclass(frozen=True)
class SignedIn:
    """A live sign-in. ``session_id`` is what the cookie carries a signed copy of (local and
    Cognito: a random id of a server-side session; OIDC: the user name). ``access_token`` and
    ``expires_at`` are the provider's, where there is one; ``checked_at`` is when the provider
    last confirmed the session. ``ends_at``: when the sign-in itself runs out (its server-side
    session's lifetime; local: from its first re-check, the run after the sign-in), kept so
    that a tab can be told its sign-in expired even once the record is gone (a store drops
    expired records)."""

    actor: Actor
    session_id: str
    access_token: str | None = None
    expires_at: datetime | None = None
    checked_at: datetime | None = None
    ends_at: datetime | None = None


class Ended(StrEnum):
    """Why a sign-in a browser held stands no more, as far as the person is told: its lifetime
    ran out, or it was ended (sign out everywhere, a password changed or reset, the account
    disabled or deleted: which of these is not said)."""

    EXPIRED = "expired"
    REVOKED = "revoked"


def ended_by(ends_at: datetime | None, now: datetime) -> Ended:
    """Why a sign-in that was to last until ``ends_at`` no longer stands: past that time it
    simply expired (whatever else happened since); before it, something ended it."""
    return Ended.EXPIRED if ends_at is not None and ends_at <= now else Ended.REVOKED


@dataclass(frozen=True)
class Restored:
    """What a cookie led to: a sign-in, or none, and whether the browser should forget it
    (a cookie that is forged, expired, or names someone who may no longer sign in).
    ``ended``: the cookie was ours and named a sign-in that has been ended since (sign out
    everywhere, a password changed or reset, the account disabled or deleted), which the
    person is told; a forged or expired cookie is not. Never an expiry: the cookie's signed
    ``exp`` is its sign-in's lifetime (the same setting), read before the session is."""

    session: SignedIn | None
    forget_cookie: bool = False
    ended: bool = False


class SignInMode(Protocol):
    """Start a sign-in, restore it from the cookie, re-check it on every run, end it."""

    mode: Mode
    cookie_name: str | None  # None: the mode keeps no cookie of ours (oidc: Streamlit's own)
    cookie_max_age: int  # seconds

    def sign_in(self, login: str, password: str) -> SignedIn | Challenge: ...

    def restore(self, cookie_value: str | None) -> Restored: ...

    def recheck(self, session: SignedIn) -> SignedIn | None: ...

    def why_ended(self, session: SignedIn) -> Ended:
        """Why ``session``, which ``recheck`` just refused, no longer stands."""
        ...

    def sign_out(self, session: SignedIn) -> None: ...

    def cookie_value(self, session: SignedIn) -> str: ...

    def change_password(self, session: SignedIn, current: str, new: str) -> None: ...


def group_names(settings: Settings) -> dict[Role, str]:
    """The provider group (Cognito, or the OIDC groups claim) that grants each role."""
    return {
        Role.VIEWER: settings.cognito_group_viewer,
        Role.AUTHOR: settings.cognito_group_author,
        Role.ANALYST: settings.cognito_group_analyst,
        Role.ADMIN: settings.cognito_group_admin,
    }


def derived_key(secret: str, purpose: str) -> bytes:
    """A key for one purpose only, derived (HKDF-SHA256) from the cookie key: what is signed
    or encrypted for one purpose is worth nothing for another."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=purpose.encode()).derive(secret.encode())


def sign_cookie(key: str | bytes, claims: Mapping[str, Any]) -> str:
    return jwt.encode(dict(claims), key, algorithm="HS256")


def read_signed_cookie(key: str | bytes, token: str | None, required: tuple[str, ...] = ()
                       ) -> dict[str, Any] | None:
    """The claims of a cookie signed with ``key`` (and unexpired, where it has ``exp``)."""
    if not token:
        return None
    try:
        claims: dict[str, Any] = jwt.decode(token, key, algorithms=["HS256"],
                                            options={"require": list(required)})
    except jwt.PyJWTError:
        return None
    return claims
