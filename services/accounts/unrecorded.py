"""A user pool's account that SignUp made and the app has no record of.

One is left when a sign-up fails twice over: the pool made the account, a later step failed,
and the delete that was to undo it failed too, while the app's record was removed. Such an
account never passed the app's sign-up (its checks, its mode, an administrator's approval),
so neither its code (``SignupService.confirm``) nor a sign-in (``sign_in.cognito_gate.record_gate``)
may make anything of it: both refuse it, and remove it from the pool.
"""

from __future__ import annotations

import logging
from typing import NoReturn

from services.errors import DemoFactoryError, PermissionDenied
from services.ports import PoolSignUp

log = logging.getLogger(__name__)

INCOMPLETE = "signup.err_incomplete"


def refuse_unrecorded(pool: PoolSignUp, username: str) -> NoReturn:
    """Remove the account from the pool, then refuse it (PermissionDenied)."""
    try:
        pool.discard(username)
    except DemoFactoryError:
        # The refusal stands all the same: while the account stays, every sign-in with it
        # finds no record and is refused (and tries the removal again).
        log.warning("could not remove %s, a sign-up with no record, from the pool", username,
                    exc_info=True)
    raise PermissionDenied(INCOMPLETE)
