"""One email, one account among a user pool's accounts.

A pool whose users sign in by user name does not keep emails unique (an email alias would, but
it cannot be added to a deployed pool: see deploy/README.md), so the app does, as it does for
local accounts and with the same ``auth.err_email_taken``. Before an administrator's new
account, a sign-up or a profile change gives an account an address, the address is claimed in
the users table (``services.adapters.aws.dynamodb.email_claims``): one conditional put, so of
two at the same moment only one gets it. A claim counts while its owner still holds the address
in the pool, or asked for it (a profile change waiting for its code, kept in the app's record),
and for a few minutes after it was written (the account is on its way to the pool); one left
by a deleted account or a given-up address is found stale and removed.

Accounts made before claims existed, or in the pool itself (the console, the CLI), hold none
until ``scripts.claim_emails`` gives them theirs (``claim_existing``, with the same claim): until
then the pool's own ListUsers filter finds them, for the address as typed only (the filter
matches case), so a new account could take the address in another case.
Without a users table (a directory made alone, as in some tests) only that check is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Literal

from services.adapters.aws.cognito.common import cognito_errors
from services.adapters.aws.dynamodb.email_claims import EmailClaims
from services.domain.email_claims import EmailClaimsReport, EmailConflict, by_address
from services.domain.users import User
from services.errors import ConfigError, ConflictError, NotFound

if TYPE_CHECKING:
    from types_boto3_cognito_idp.client import CognitoIdentityProviderClient
    from types_boto3_dynamodb.client import DynamoDBClient

CLAIM_ATTEMPTS = 3  # a claim refused, then found stale and removed, is sent again
# The claim is written before the account reaches the pool (within seconds, botocore's retries
# included): until then its owner is not in the pool, and the claim must not look stale.
CLAIM_GRACE_SECONDS = 300
Outcome = Literal["claimed", "held"]  # of an existing account's claim (``claim_existing``)


class PoolEmails:
    def __init__(self, client: CognitoIdentityProviderClient, pool_id: str,
                 claims_in: tuple[DynamoDBClient, str] | None = None,
                 asked_for: Callable[[str], str | None] = lambda username: None) -> None:
        """``claims_in``: the users table (client, name) that keeps the claims.
        ``asked_for``: the address an account's record asks for (None without a record)."""
        self._client = client
        self._pool = pool_id
        self._asked_for = asked_for
        self._claims = (EmailClaims(claims_in[0], claims_in[1], self._addresses_of,
                                    grace=CLAIM_GRACE_SECONDS) if claims_in else None)

    def take(self, email: str, username: str) -> bool:
        """Claim ``email`` for ``username``: True if claimed now (``release`` undoes it),
        False if it was theirs already or there is nothing to claim. ConflictError
        (``auth.err_email_taken``) while another account holds it."""
        if not email:
            return False
        if self._in_pool(email) - {username.casefold()}:
            raise ConflictError("auth.err_email_taken", email=email)
        return self._claim(email, username)

    def claim_existing(self, accounts: Iterable[User], *, dry_run: bool = False
                       ) -> EmailClaimsReport:
        """Claim the address of every pool account in ``accounts`` (the whole pool) that holds
        none: accounts made before claims existed, or in the pool itself. An address several
        accounts hold, or that another account's standing claim holds, is reported and left
        as it is; a stale claim is replaced, as ``take`` replaces it. Safe to repeat: an
        account holding its claim costs one read and no write."""
        if self._claims is None:
            raise ConfigError("errors.config_missing", names="DEMO_FACTORY_USERS_TABLE")
        groups, no_email = by_address(accounts)
        outcome: dict[Outcome, list[str]] = {"claimed": [], "held": []}
        conflicts: list[EmailConflict] = []
        for sharing in groups.values():
            found = self._claim_existing(sharing, dry_run)
            if isinstance(found, EmailConflict):
                conflicts.append(found)
            else:
                outcome[found].append(sharing[0].username)
        return EmailClaimsReport(claimed=tuple(outcome["claimed"]), held=tuple(outcome["held"]),
                                 no_email=no_email, conflicts=tuple(conflicts), dry_run=dry_run)

    def _claim_existing(self, sharing: list[User], dry_run: bool) -> Outcome | EmailConflict:
        """What became of the claim of the address the accounts in ``sharing`` hold: claimed
        (on a dry run: to be) or held already by the one account, else a conflict."""
        assert self._claims is not None
        email, username = sharing[0].email, sharing[0].username
        standing = self._claims.standing(email)
        names = tuple(user.username for user in sharing)
        if len(sharing) > 1:
            holder = standing.owner if standing and self._claims.counts(email, standing) else None
            return EmailConflict(email, names, holder)
        if standing is not None and standing.owner == username:
            return "held"
        if standing is not None and self._claims.counts(email, standing):
            return EmailConflict(email, names, standing.owner)
        if dry_run:
            return "claimed"
        try:
            return "claimed" if self._claim(email, username) else "held"
        except ConflictError:  # claimed by another account meanwhile
            now = self._claims.standing(email)
            return EmailConflict(email, names, now.owner if now else None)

    def _claim(self, email: str, username: str) -> bool:
        """The claim itself, one conditional put; a stale claim in the way is removed and the
        put sent again. True if claimed now, False if it was theirs already; ConflictError
        while another account holds it."""
        if self._claims is None:
            return False
        for _ in range(CLAIM_ATTEMPTS):
            claimed = self._claims.claim_now(email, username)
            if claimed is not None:
                return claimed
            self._claims.clear_stale(email)  # ConflictError while its owner holds it
        raise ConflictError("auth.err_email_taken", email=email)

    def release(self, email: str, username: str) -> None:
        """Give up ``username``'s claim of ``email`` (nothing if another account holds it)."""
        if self._claims is not None:
            self._claims.release(email, username)

    def _in_pool(self, email: str) -> set[str]:
        """The user names (case-folded, as the pool compares them) of pool accounts with this
        very address."""
        if '"' in email or "\\" in email:
            # Never a valid address (the form refuses it); refused rather than put in a filter.
            raise ConflictError("auth.err_email_taken", email=email)
        with cognito_errors():
            found = self._client.list_users(
                UserPoolId=self._pool, Filter=f'email = "{email}"', Limit=2).get("Users", [])
        return {str(user["Username"]).casefold() for user in found}

    def _addresses_of(self, username: str) -> tuple[str, ...]:
        """The pool's address of the account and the one its record asks for; none if the
        pool has no such account."""
        try:
            with cognito_errors():
                found = self._client.admin_get_user(UserPoolId=self._pool, Username=username)
        except NotFound:
            return ()
        pool = [a["Value"] for a in found.get("UserAttributes", []) if a["Name"] == "email"]
        asked = self._asked_for(username)
        return (*pool, *([asked] if asked else []))
