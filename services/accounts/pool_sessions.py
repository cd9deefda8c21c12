"""Ending every sign-in of a Cognito user: what a password change or reset, disabling the
account and "sign out everywhere" do in Cognito mode.

A changed or reset password leaves the user's refresh tokens working at the pool, and the app
keeps one per sign-in (``sign_in.cognito``), so a copied sign-in cookie would go on refreshing
for the whole session length. Two things end them, each covering what the other cannot:

- the pool's AdminUserGlobalSignOut (``PoolSignOut``): every refresh token of the user stops
  working, also one copied out of the server;
- the user's epoch in the sessions table, as local sign-ins have (``accounts.sessions``): a
  Cognito session keeps the epoch it started at and ``CognitoSignIn.resume`` refuses it once
  the epoch moved, so the app ends it at its next check even when the pool could not be told
  (the role lacks the permission, the call failed).

A draft's file links name the one sign-in they were drawn in (``content.file_links``):
``holder`` tells whether its record still stands, which a plain sign-out (the record deleted)
ends as the epoch ends them all.

The epoch is keyed by the lower-cased user name: the pool's user names ignore case, and a user
name typed at "forgot password" may differ in case from the token's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from services.accounts.rules import login_name
from services.accounts.sessions import live_holder
from services.domain.models import utcnow
from services.errors import DemoFactoryError, NotFound
from services.ports import PoolSignOut, SessionStore

log = logging.getLogger(__name__)


class PoolSessions:
    def __init__(self, store: SessionStore, pool: PoolSignOut | None, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._pool = pool
        self._clock = clock

    def epoch(self, username: str) -> int:
        """The user's epoch now: what a new sign-in keeps, and an old one is checked against."""
        return self._store.user_epoch(login_name(username))

    def holder(self, key: str) -> str | None:
        """Whose standing sign-in the record under ``key`` is (``accounts.sessions``)."""
        return live_holder(self._store, key, self._clock(), self.epoch)

    def end_all(self, username: str, keep: str | None = None) -> int:
        """End every sign-in of ``username``; returns the new epoch. ``keep`` cannot be
        honoured: the pool ends this browser's refresh token with the others
        (``CognitoSignIn.change_password`` signs it in again with the new password)."""
        # The app's own end first: it holds whatever becomes of the pool's call.
        epoch = self._store.bump_user_epoch(login_name(username))
        if self._pool is None:
            return epoch
        try:
            self._pool.sign_out_everywhere(username)
        except NotFound:
            pass  # no such account in the pool (not yet made, or gone): no token to end
        except DemoFactoryError:
            log.warning("the pool did not end the sign-ins of %s (the app's check still does)",
                        username, exc_info=True)
        return epoch
