"""Mails about a person's own account (local sign-in): the verification link, the real reason
behind a quiet sign-up answer, an administrator's decision, a password reset link.

Plain text only (no HTML part), so nothing a person typed can become markup or a link in
them; a name is put on one line, and the link is built from the configured public address
only. A mail to an address nobody has shown to be theirs carries nothing a person typed: no
name, no user name. Anyone may sign up (or set a profile email) with someone else's address
and a "name" that reads as a warning with a link in it; the app's trusted sender would mail
that to the address's owner. So the verification mail and the mail about a taken user name
never repeat them, and a decision or a reset link names the person only once the address is
verified. The mail is in the language the person signed up in. A failed send is logged (never
the link: it is a credential) and reported to the caller as False. A mail the mail service
refuses (``MailRefused``: the sender is not verified in SES) is raised instead: it will fail the
same way for everyone until an administrator fixes the sender, so each caller decides whether
the person waiting is told.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from services.domain.users import User
from services.errors import DemoFactoryError, MailRefused
from services.i18n import translate
from services.ports import Mailer

log = logging.getLogger(__name__)
LANGUAGES = ("ko", "en")
VERIFY_PATH = "verify"  # the page app_pages/verify.py
RESET_PATH = "reset"  # the page app_pages/reset.py


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _named(user: User) -> dict[str, str]:
    """The name and user name a mail to a verified address greets with."""
    if not user.email_verified:
        return {}
    return {"name": _one_line(user.name), "username": user.username}


def mail_language(language: str, default: str = "ko") -> str:
    return language if language in LANGUAGES else default


class AccountMail:
    def __init__(self, mailer: Mailer, sender: str, public_url: str, *,
                 default_language: str = "ko") -> None:
        self._mailer = mailer
        self._sender = sender
        self._base = public_url.rstrip("/")
        self._default = mail_language(default_language)

    def link(self, path: str, token: str) -> str:
        return f"{self._base}/{path}?token={quote(token, safe='')}"

    def verification(self, user: User, token: str, hours: int, *,
                     changed: bool = False) -> bool:
        """The link to ``user.email``, whose owner has not shown it is theirs yet: no name.
        ``changed``: the address was set on the profile page, not at sign-up."""
        return self._send(user.email, self._lang(user), "verify_change" if changed else "verify",
                          link=self.link(VERIFY_PATH, token), hours=hours)

    def email_in_use(self, email: str, language: str) -> bool:
        """Someone signed up with an email that already has an account."""
        return self._send(email, mail_language(language, self._default), "email_in_use",
                          url=self._base)

    def username_taken(self, email: str, language: str) -> bool:
        """A sign-up chose a user name that is someone else's (the email is free). The name
        chosen is not repeated: whoever typed it may not own the address."""
        return self._send(email, mail_language(language, self._default), "username_taken",
                          url=self._base)

    def decision(self, user: User, approved: bool) -> bool:
        kind = "approved" if approved else "declined"
        return self._send(user.email, self._lang(user), self._kind(kind, user), url=self._base,
                          **_named(user))

    def reset(self, user: User, token: str, minutes: int) -> bool:
        return self._send(user.email, self._lang(user), self._kind("reset", user),
                          link=self.link(RESET_PATH, token), minutes=minutes, **_named(user))

    @staticmethod
    def _kind(kind: str, user: User) -> str:
        """The mail that names the person, or its plain twin for an unverified address."""
        return kind if user.email_verified else f"{kind}_plain"

    def _lang(self, user: User) -> str:
        return mail_language(user.signup_language, self._default)

    def _send(self, to: str, lang: str, kind: str, **params: object) -> bool:
        subject = translate(lang, f"mail.{kind.removesuffix('_plain')}_subject", **params)
        body = translate(lang, f"mail.{kind}_body", **params)
        try:
            self._mailer.send(self._sender, to, subject, body)
        except MailRefused:
            log.warning("account mail %s refused: is the sender verified?", kind)
            raise
        except DemoFactoryError:
            log.warning("account mail %s not sent", kind)  # no address, no link: both personal
            return False
        return True
