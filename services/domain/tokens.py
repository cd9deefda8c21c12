"""Single-use links mailed to a person: email verification and password reset.

The link carries a random token (256 bits); the store keeps only its SHA-256, so a copied
table row is no link. A token is used once: the store marks it used in one conditional write,
so two clicks at the same moment cannot both pass.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

TOKEN_BYTES = 32


class TokenPurpose(StrEnum):
    VERIFY = "verify"  # confirm an email: a sign-up's, or one changed on the profile page
    RESET = "reset"  # set a new password (forgot password)


@dataclass(frozen=True)
class AccountToken:
    """A stored token: its hash, what it is for, whose it is, until when it works."""

    key: str  # ``token_hash`` of the token in the link
    purpose: TokenPurpose
    username: str
    created_at: datetime
    expires_at: datetime
    # The account's session epoch when the link was made (``services.accounts.sessions``): a
    # later password change, reset or "sign out everywhere" moves the epoch, and ends the link.
    epoch: int = 0
    # A verification link: the address it was mailed to. Opening it verifies that address only
    # if the account still has it, so a link kept from an earlier address of one's own cannot
    # verify someone else's address set since ("" for a reset link).
    email: str = ""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The store's key for a token: the token itself is only in the mail."""
    return hashlib.sha256(token.encode()).hexdigest()
