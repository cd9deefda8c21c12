"""Server-side sessions of local sign-ins: what makes a remember-me cookie revocable.

A sign-in gets a random id (256 bits); the browser keeps it inside the signed cookie, the store
keeps the record under the id's SHA-256 (a copied table row cannot be replayed as a cookie).
A record counts only while it is unexpired and carries the user's current session epoch:
ending one session (a plain sign-out) deletes its record; ending all of a user's sessions
(sign out everywhere, a password change or reset, disabling or deleting the account) bumps the
epoch, which the store keeps even after the account is gone, so a new account of the same name
is not signed in by an old cookie. What is tied to one sign-in (a draft's file links:
``content.file_links``) names the record's key and asks ``live_holder`` whether it stands.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from services.domain.identity import SessionRecord
from services.domain.models import utcnow
from services.errors import NotFound
from services.ports import SessionStore

SESSION_ID_BYTES = 32


def session_hash(session_id: str) -> str:
    """The store's key for a session id: the id itself never leaves the browser's cookie."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def live_holder(store: SessionStore, key: str, now: datetime,
                epoch: Callable[[str], int]) -> str | None:
    """Whose sign-in the record under ``key`` (a ``session_hash``) is, while it stands: there
    (not signed out), unexpired, and at ``epoch`` of its user now (their sign-ins not all
    ended since). None otherwise. Reads only: local and Cognito sign-ins share it."""
    try:
        record = store.get(key)
    except NotFound:
        return None
    if record.expires_at <= now or record.epoch != epoch(record.username):
        return None
    return record.username


class EndsSessions(Protocol):
    """What the account service needs of a mode's sessions: ending all of a user's sign-ins
    (``LocalSessions``, or a Cognito pool's: ``accounts.pool_sessions``)."""

    def end_all(self, username: str, keep: str | None = None) -> object: ...


class LocalSessions:
    def __init__(self, store: SessionStore, *, days: float,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._length = timedelta(days=days)
        self._clock = clock

    def start(self, username: str, epoch: int | None = None) -> str:
        """A new session of ``username``; returns the id for the cookie. ``epoch``: the user's
        epoch read before the password was checked, so that a reset or "sign out everywhere"
        that lands while it is checked ends this session too (default: the epoch now)."""
        session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
        self._put(session_id, username, self._clock(), epoch=epoch)
        return session_id

    def live(self, session_id: str) -> SessionRecord | None:
        """The record of a live session (whose it is, until when); None if it ended, expired,
        or was never started."""
        key = session_hash(session_id)
        try:
            record = self._store.get(key)
        except NotFound:
            return None
        if record.expires_at <= self._clock():
            self._store.delete(key)
            return None
        if record.epoch != self._store.user_epoch(record.username):
            return None
        return record

    def now(self) -> datetime:
        """The time the sessions' lifetimes are measured by."""
        return self._clock()

    def end(self, session_id: str) -> None:
        self._store.delete(session_hash(session_id))

    def holder(self, key: str) -> str | None:
        """Whose standing sign-in the record under ``key`` is (``live_holder``)."""
        return live_holder(self._store, key, self._clock(), self._store.user_epoch)

    def epoch(self, username: str) -> int:
        """The user's session epoch now: what a reset link remembers, to end with the
        sessions."""
        return self._store.user_epoch(username)

    def end_all(self, username: str, keep: str | None = None) -> None:
        """End every session of ``username``; ``keep`` (a session id of that user) goes on,
        e.g. the one in which the user just changed the password."""
        kept = self._record(keep) if keep is not None else None
        epoch = self._store.bump_user_epoch(username)
        if keep is not None and kept is not None and kept.username == username:
            # The epoch this bump made, not the one read later: another bump meanwhile (an
            # administrator's "sign out everywhere") ends the kept session too.
            self._put(keep, username, kept.created_at, kept.expires_at, epoch=epoch)

    def _record(self, session_id: str) -> SessionRecord | None:
        try:
            return self._store.get(session_hash(session_id))
        except NotFound:
            return None

    def _put(self, session_id: str, username: str, created_at: datetime,
             expires_at: datetime | None = None, *, epoch: int | None = None) -> None:
        record = SessionRecord(
            username=username, encrypted_refresh_token="", created_at=created_at,
            expires_at=expires_at or created_at + self._length,
            epoch=self._store.user_epoch(username) if epoch is None else epoch,
        )
        self._store.put(session_hash(session_id), record)
