"""The email verification link (local sign-in with mail configured), one mechanism for a
sign-up's address and for an address changed on the profile page.

A link holds a random token, stored only as its hash (``services.domain.tokens``), that works
once and for ``hours``. It is bound to the address it was mailed to: opening it verifies that
address only while the account still has it (``EmailConfirmation.confirm_email_of``, one
conditional write). Otherwise a user could keep a link mailed to an address of their own, set
someone else's address, open the old link and have that address marked verified, which the
legacy import trusts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from services.accounts.mail import AccountMail
from services.domain.tokens import AccountToken, TokenPurpose, new_token, token_hash
from services.domain.users import AccountStatus, User
from services.errors import NotFound
from services.ports import AccountTokenStore, EmailConfirmation

VERIFY_HOURS = 24


class VerifyOutcome(StrEnum):
    """What opening a verification link did."""

    ACTIVE = "active"  # verified, and the account may sign in
    WAITING = "waiting"  # verified; an administrator still decides
    INVALID = "invalid"  # unknown, used or expired link (which one is not said)


class EmailLinks:
    def __init__(self, mail: AccountMail, tokens: AccountTokenStore,
                 addresses: EmailConfirmation, *, hours: int = VERIFY_HOURS) -> None:
        self._mail = mail
        self._tokens = tokens
        self._addresses = addresses
        self._hours = hours

    @property
    def hours(self) -> int:
        """How long a link works: the pages say it, as the mail does."""
        return self._hours

    @property
    def mail(self) -> AccountMail:
        """The account mail the links go out with (for the other mails of the same flows)."""
        return self._mail

    def send(self, user: User, now: datetime, *, changed: bool = False) -> bool:
        """A new link to ``user.email``; ``changed``: the address was changed on the profile
        page (the mail says so). False if the mail was not accepted; MailRefused (the token is
        stored, unused) if the mail service refuses the sender."""
        token = new_token()
        self._tokens.put(AccountToken(token_hash(token), TokenPurpose.VERIFY, user.username,
                                      now, now + timedelta(hours=self._hours),
                                      email=user.email))
        return self._mail.verification(user, token, self._hours, changed=changed)

    def use(self, token: str, now: datetime) -> AccountToken | None:
        """The link's stored token, used up; None for an unknown, used or expired one."""
        if not token:
            return None
        return self._tokens.use(token_hash(token), TokenPurpose.VERIFY, now)

    def confirm(self, link: AccountToken, status: AccountStatus, *,
                only_from: AccountStatus) -> bool:
        """Verify the address the link went to, if the account still has it (False: it has
        another one now or is gone, or the link predates links bound to an address); the
        status moves as ``EmailConfirmation.confirm_email_of`` says."""
        if not link.email:
            return False
        try:
            return self._addresses.confirm_email_of(link.username, link.email, status,
                                                    only_from=only_from)
        except NotFound:  # deleted since the link was opened
            return False
