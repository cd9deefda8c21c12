"""Sign-up with a user pool (Cognito sign-in): the pool keeps the password and mails a code.

``create`` writes the app's record (waiting for the code: PENDING without a request, so no
administrator sees it yet) and calls the pool's SignUp; ``confirm`` checks the code with the
pool and only then applies the mode (active at once, or waiting for an administrator, disabled
in the pool until then). A name or email in use gets the same quiet answer as a local sign-up.
``SignupService`` owns the mode and the audit; this module only the pool's steps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from services.accounts.unrecorded import refuse_unrecorded
from services.domain.permissions import Role
from services.domain.users import AccountStatus, User
from services.errors import ConflictError, DemoFactoryError, NotFound
from services.ports import PoolSignUp, SignupDirectory

log = logging.getLogger(__name__)



class Outcome(Protocol):
    """What the mode makes of a sign-up: its status and the request that waits, if any."""

    def __call__(self, email: str, asked: Role, *,
                 verified: bool) -> tuple[AccountStatus, Role | None]: ...


Audit = Callable[[str, str, str], None]  # action, target, outcome


class PoolConfirmation:
    def __init__(self, directory: SignupDirectory, pool: PoolSignUp, outcome: Outcome,
                 audit: Audit) -> None:
        self._dir = directory
        self._pool = pool
        self._outcome = outcome
        self._audit = audit

    def create(self, user: User, password: str) -> None:
        """The record waits for the code (no request an administrator would see yet); the
        pool makes the account and mails the code. A name or email in use: the quiet answer."""
        try:
            self._dir.create(replace(user, status=AccountStatus.PENDING, pending_role=None))
        except ConflictError:
            self._audit("user.signup", user.username, "duplicate")
            return
        try:
            self._pool.sign_up(user.username, user.email, user.name, password)
        except ConflictError:
            self._dir.delete(user.username)
            self._audit("user.signup", user.username, "duplicate")
            return
        except Exception:
            self._dir.delete(user.username)  # no record without its pool account
            raise
        self._audit("user.signup", f"{user.username}:unconfirmed", "ok")

    def confirm(self, username: str, code: str) -> AccountStatus:
        """Check the code with the pool, then apply the mode; the account's status."""
        self._pool.confirm(username, code)
        try:
            # The record alone: ``get`` would show a pool account with no record in its place,
            # and the code would make an account of a sign-up that never passed the app's checks.
            record = self._dir.record(username)
        except NotFound:
            self._audit("user.signup_confirm", username, "no_record")
            refuse_unrecorded(self._pool, username)
        if record.status != AccountStatus.PENDING or record.pending_role is not None:
            return record.status  # confirmed before
        # The pool's code proved the address: an auto-approved domain counts.
        status, waits = self._outcome(record.email, record.requested_role or Role.VIEWER,
                                      verified=True)
        # The check above is only a shortcut: the conditional write decides, so of two
        # confirmations at once only one admits and audits, and the record is never absent.
        if not self._dir.finish_confirmation(username, status, waits):
            return self._dir.get(username).status  # confirmed meanwhile
        try:
            self._pool.admit(replace(record, status=status, pending_role=waits))
        except DemoFactoryError:
            # The record has moved and decides: a sign-in it does not allow is refused, and
            # the pool told again, by the sign-in's check (``sign_in.cognito_gate.record_gate``).
            log.warning("the pool did not follow the confirmation of %s", username,
                        exc_info=True)
        self._audit("user.signup_confirm", f"{username}:{status.value}", "ok")
        return status
