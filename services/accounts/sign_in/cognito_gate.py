"""What a Cognito sign-in is refused for besides the pool's own answer: the app's record of a
self-service sign-up (``record_gate``), and the one wording of the pool's refusal of a name or
password (``pool_refusal``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from services.accounts.rules import sign_in_refusal
from services.accounts.unrecorded import refuse_unrecorded
from services.errors import DemoFactoryError, NotFound, PermissionDenied
from services.ports import PoolSignUp, SignupDirectory

log = logging.getLogger(__name__)


def record_gate(records: SignupDirectory, pool: PoolSignUp) -> Callable[[str], None]:
    """A sign-in check where the app's record of a sign-up decides: one still waiting for an
    administrator, or declined, is refused with its reason (as a local sign-in is) even when
    the pool let it through, which it does when its disable failed after the confirmation or
    a decline found it enabled; the pool is then told again. An account with no record that an
    administrator made (in a role group) is the pool's own; one SignUp made is a sign-up whose
    record is gone, refused and removed (``accounts.unrecorded``). A record that cannot be
    read refuses (ServiceUnavailable): the sign-in cannot be judged."""

    def check(username: str) -> None:
        try:
            # The record alone: ``get`` shows a pool account with no record as if it were one.
            user = records.record(username)
        except NotFound:
            if pool.made_by_administrator(username):
                return
            refuse_unrecorded(pool, username)
        if user.may_sign_in:
            return
        try:
            pool.admit(user)  # a record that may not sign in: disabled in the pool
        except DemoFactoryError:
            log.warning("could not disable %s in the pool", username, exc_info=True)
        # The pool gave tokens, so the sign-up was confirmed by the code mailed to its address
        # (whatever the pool's own flag says): the reason is the decision, not the email.
        raise PermissionDenied(sign_in_refusal(replace(user, email_verified=True)))

    return check


def pool_refusal(refused: PermissionDenied) -> PermissionDenied:
    """A wrong name or password in words that also name a disabled account: the pool refuses
    one before it checks the password (and the app holds no pool password hash), so saying
    "disabled" would tell anyone the name exists. One refusal, whatever the account's state."""
    if refused.key == "auth.err_bad_credentials":
        return PermissionDenied("cognito.err_bad_credentials")
    return refused
