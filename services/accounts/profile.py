"""The profile page's use cases (local accounts on either store, and Cognito accounts): a
user's own details, the preferred language, and a request for the author role. In Cognito mode
the directory puts name and email in the pool (a changed email waits for the code the pool
mailed, checked here with the user's own access token: ``EmailCodes``), the rest in the users
table. With local accounts a changed email is stored unverified in the same write (the legacy
import links old authors' items only to a verified email, so a kept flag would hand anyone
who types alice@old-platform.com Alice's items); with mail configured the new address gets
the sign-up's verification link (``EmailLinks``). Those links are limited per account
(``LINKS_PER_ACCOUNT`` an hour), so nobody floods an inbox by switching addresses.

Each method takes the ``username`` it acts on and refuses any other than the actor's own, an
administrator's too: administrators manage other people on the users page. A role request is
the sign-up's waiting-role mechanism (``pending_role``), so administrators decide it in the
same list with ``SignupService.approve`` / ``decline``; its reason and time stay after the
decision, which is how the outcome is told (``request_outcome``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.accounts.deletion import AccountRemoval
from services.accounts.verification import EmailLinks
from services.content.service import require_visible
from services.domain.account_details import (
    ACCOUNT_FORMS,
    LIMITS,
    detail_problems,
    message_key,
    normalized,
)
from services.domain.inquiries import RateLimit
from services.domain.models import ContentItem, utcnow
from services.domain.permissions import Action, Actor, Role, can
from services.domain.text import clean_text
from services.domain.users import ANONYMOUS_ACTOR, User
from services.errors import (
    MailRefused,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ServiceUnavailable,
    ValidationError,
)
from services.i18n import LANGUAGES
from services.ops.audit import record_audit
from services.ports import AuditLog, ContentRepository, EmailCodes, RateSlots, SignupDirectory

REASON_LIMIT = 500
LINKS_PER_ACCOUNT = 3  # verification links an account's email changes may send per window
LINK_WINDOW_MINUTES = 60


@dataclass(frozen=True)
class LikedItems:
    """What the profile lists of a user's likes. ``unavailable`` counts the liked items the
    user cannot open now (another's item back in draft, a deleted one): not listed, but told,
    so an empty list never claims that nothing was liked."""

    items: list[ContentItem]
    unavailable: int = 0


class RequestOutcome(StrEnum):
    WAITING = "waiting"
    APPROVED = "approved"
    DECLINED = "declined"


def request_outcome(user: User) -> RequestOutcome | None:
    """Where the user's last author request stands; None if they never asked."""
    if user.requested_at is None:
        return None
    if user.pending_role is not None:
        return RequestOutcome.WAITING
    return RequestOutcome.APPROVED if Role.AUTHOR in user.roles else RequestOutcome.DECLINED


def may_request_author(actor: Actor) -> bool:
    """A signed-in user who cannot write content yet (a viewer, an analyst)."""
    return actor.is_authenticated and not can(actor, Action.CREATE_CONTENT)


class ProfileService:
    def __init__(self, directory: SignupDirectory, audit: AuditLog, *,
                 removal: AccountRemoval | None = None,
                 content: ContentRepository | None = None,
                 email_codes: EmailCodes | None = None,
                 links: EmailLinks | None = None,
                 slots: RateSlots | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._dir = directory
        self._links = links
        self._slots = slots
        self._audit = audit
        self._removal = removal
        self._content = content
        self._email_codes = email_codes
        self._clock = clock

    def profile(self, actor: Actor, username: str) -> User:
        self._require_own(actor, username, "user.profile_view")
        return self._dir.get(username)

    def update_profile(self, actor: Actor, username: str, *, name: str, email: str,
                       company: str) -> User:
        """Name, email and company, checked as the sign-up form checks them. A new email is
        unverified (the directory's write); with mail configured a link goes to it.
        QuotaExceeded, nothing written, when the account's links for the hour are used up."""
        self._require_own(actor, username, "user.profile_update")
        name, email, company = (normalized(v) for v in (name, email, company))
        _check_details(name, email, company)
        changes = self._dir.get(username).email.casefold() != email.casefold()
        if changes:
            self._take_link_slot(actor, username)
        self._dir.update_profile(username, name=name, email=email, company=company)
        self._record(actor, "user.profile_update", username)
        user = self._dir.get(username)
        if changes and not user.email_verified:
            self._send_link(actor, user)
        return user

    @property
    def sends_email_links(self) -> bool:
        """Whether a changed email of a local account gets a verification link (mail is
        configured); without, it stays unverified."""
        return self._links is not None

    def send_email_link(self, actor: Actor, username: str) -> None:
        """A new verification link to the account's unverified email (the last one expired
        or got lost); counted in the same per-account limit. ValidationError without mail or
        when the email is verified already."""
        self._require_own(actor, username, "user.email_link")
        user = self._dir.get(username)
        if self._links is None or self._email_codes is not None:
            raise ValidationError("profile.err_no_email_links")
        if user.email_verified or not user.email:
            raise ValidationError("profile.err_email_verified")
        self._take_link_slot(actor, username)
        self._send_link(actor, user)

    def _take_link_slot(self, actor: Actor, username: str) -> None:
        if self._links is None or self._slots is None:
            return  # no mail: nothing is sent, nothing to limit
        limit = RateLimit(f"email-link:{username}", LINKS_PER_ACCOUNT, LINK_WINDOW_MINUTES * 60)
        if self._slots.take_slot([limit], self._clock()) is not None:
            self._record(actor, "user.email_link", username, "rate_limited")
            raise QuotaExceeded("profile.err_email_rate", minutes=LINK_WINDOW_MINUTES)

    def _send_link(self, actor: Actor, user: User) -> None:
        if self._links is None or self._email_codes is not None:
            return  # without mail, or Cognito: the pool mails its own code
        try:
            sent = self._links.send(user, self._clock(), changed=True)
        except MailRefused:
            # The owner asked and waits for it: told (the change itself is saved already).
            self._record(actor, "user.email_link", user.username, "mail_refused")
            raise
        self._record(actor, "user.email_link", user.username, "ok" if sent else "mail_failed")

    def verify_email(self, actor: Actor, username: str, access_token: str | None,
                     code: str) -> None:
        """Cognito mode: the code the pool mailed to a changed email, sent with the user's own
        access token (ServiceUnavailable when the session holds none any more)."""
        codes = self._own_email_codes(actor, username, access_token, "user.email_change_confirm")
        code = clean_text(code).strip()
        if not code:
            raise ValidationError("cognito.err_code")
        try:
            codes.verify_email(str(access_token), code)
        except ValidationError:
            self._record(actor, "user.email_change_confirm", username, "denied")
            raise
        self._record(actor, "user.email_change_confirm", username)

    def resend_email_code(self, actor: Actor, username: str, access_token: str | None) -> None:
        codes = self._own_email_codes(actor, username, access_token, "user.email_change_code")
        codes.resend_email_code(str(access_token))
        self._record(actor, "user.email_change_code", username)

    def _own_email_codes(self, actor: Actor, username: str, access_token: str | None,
                         action: str) -> EmailCodes:
        self._require_own(actor, username, action)
        if self._email_codes is None:
            raise ValidationError("auth.err_sessions_in_provider")
        if not access_token:
            raise ServiceUnavailable("cognito.err_session_expired")
        return self._email_codes

    @property
    def checks_email_codes(self) -> bool:
        """Whether a changed email waits for a code (Cognito mode)."""
        return self._email_codes is not None

    def set_language(self, actor: Actor, username: str, language: str) -> User:
        """The language the app opens in for this user, whatever browser they sign in from."""
        self._require_own(actor, username, "user.profile_language")
        if language not in LANGUAGES:
            raise ValidationError("profile.err_language")
        self._dir.set_language(username, language)
        self._record(actor, "user.profile_language", f"{username}:{language}")
        return self._dir.get(username)

    def request_author(self, actor: Actor, username: str, reason: str) -> User:
        """Ask for the author role; it waits for an administrator (ConflictError if a request
        waits already)."""
        self._require_own(actor, username, "user.role_request")
        if not may_request_author(actor):
            self._record(actor, "user.role_request", username, "denied")
            raise PermissionDenied("profile.err_no_request")
        reason = clean_text(reason).strip()
        if not reason:
            raise ValidationError("profile.err_reason_missing")
        if len(reason) > REASON_LIMIT:
            raise ValidationError("profile.err_too_long", max=REASON_LIMIT)
        self._dir.request_role(username, Role.AUTHOR, reason, self._clock())
        self._record(actor, "user.role_request", f"{username}:{Role.AUTHOR.value}")
        return self._dir.get(username)

    def liked_items(self, actor: Actor, username: str) -> LikedItems:
        """The items the user likes and may open (their own drafts too, any for an
        administrator), and how many others they like that they can no longer open."""
        self._require_own(actor, username, "user.profile_view")
        if self._content is None:
            return LikedItems([])
        items, unavailable = [], 0
        for content_id in self._content.liked_by(username):
            try:
                item = self._content.get(content_id)
                require_visible(item, actor)  # the item page's own rule, so no link leads nowhere
            except NotFound:  # deleted meanwhile, or another's item back in draft
                unavailable += 1
                continue
            items.append(item)
        return LikedItems(items, unavailable)

    def delete_account(self, actor: Actor, username: str, *, confirm: str) -> None:
        """Delete one's own account, confirmed by typing the user name: the sign-in and the
        personal data go; content stays under "former author", usage events without the id.
        ValidationError for the last administrator (nothing is done)."""
        self._require_own(actor, username, "user.delete_self")
        if clean_text(confirm).strip().casefold() != username.casefold():
            raise ValidationError("profile.err_confirm")
        if self._removal is None:
            raise ValidationError("auth.err_sessions_in_provider")
        kept = self._removal.remove(username, self._clock())
        self._record(actor, "user.delete_self", username, detail={"kept_items": str(kept)})

    def _require_own(self, actor: Actor, username: str, action: str) -> None:
        if actor.user_id is None or actor.user_id != username:
            self._record(actor, action, username, "denied")
            raise PermissionDenied("errors.permission_denied")

    def _record(self, actor: Actor, action: str, target: str, outcome: str = "ok",
                detail: dict[str, str] | None = None) -> None:
        record_audit(self._audit, self._clock(), actor.user_id or ANONYMOUS_ACTOR, action, target,
                     outcome, detail)


def _check_details(name: str, email: str, company: str) -> None:
    """The sign-up's rule for these fields, with its messages: the first problem."""
    typed = {"name": name, "email": email, "company": company}
    problems = detail_problems(typed, required=("name", "email"))
    if problems:
        field, problem = problems[0]
        raise ValidationError(message_key(ACCOUNT_FORMS, field, problem), field=field,
                              max=LIMITS[field], length=len(typed[field]))
