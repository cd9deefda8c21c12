"""One email, one account: the address as claims compare it, and what a pass that claims the
addresses of existing accounts found (``scripts.claim_emails``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.domain.users import User


def claim_address(email: str) -> str:
    """The address as a claim keeps it: in any case, the one address (casefolded, as Python
    and the SQLite store compare emails)."""
    return email.casefold()


@dataclass(frozen=True)
class EmailConflict:
    """An address no account was given a claim of: several accounts hold it, or another
    account's claim of it stands."""

    email: str
    accounts: tuple[str, ...]  # the accounts with this address, in any case
    claimed_by: str | None = None  # the account whose claim stands, if any


@dataclass(frozen=True)
class EmailClaimsReport:
    """User names by outcome; on a dry run ``claimed`` are those that would be."""

    claimed: tuple[str, ...] = ()
    held: tuple[str, ...] = ()  # the account held its claim already
    no_email: tuple[str, ...] = ()  # skipped
    conflicts: tuple[EmailConflict, ...] = ()
    dry_run: bool = False


def by_address(accounts: Iterable[User]) -> tuple[dict[str, list[User]], tuple[str, ...]]:
    """The accounts with an email grouped by ``claim_address``, and the names of those
    without one."""
    groups: dict[str, list[User]] = {}
    without: list[str] = []
    for user in accounts:
        if user.email:
            groups.setdefault(claim_address(user.email), []).append(user)
        else:
            without.append(user.username)
    return groups, tuple(without)
