"""Every seam between the use cases and the outside world, as a typing.Protocol.

Adapters in ``services/adapters`` implement these; each port has one contract suite in
``tests/contract`` run against every adapter. Adapters raise only ``services.errors`` types.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from services.domain.analytics import (
    DayTotals,
    Dim,
    Event,
    EventType,
    PeriodTotals,
    RollupRow,
)
from services.domain.cohorts import CohortCell, DayUsers
from services.domain.follows import Digest, Follow, Frequency
from services.domain.funnels import Funnel
from services.domain.hll import HyperLogLog
from services.domain.identity import Challenge, SessionRecord, SignInStep, Tokens
from services.domain.inquiries import Inquiry, InquiryStatus, RateLimit
from services.domain.live import LiveSnapshot
from services.domain.llm import LLMRequest, LLMResult, LLMStream
from services.domain.models import AuditEntry, ContentItem, Page, SearchQuery
from services.domain.permissions import Role
from services.domain.reports import Report
from services.domain.tokens import AccountToken, TokenPurpose
from services.domain.users import AccountStatus, User


class ContentRepository(Protocol):
    def add(self, item: ContentItem) -> None:
        """Store a new item with its assets. ConflictError if the id exists."""

    def get(self, content_id: str) -> ContentItem:
        """The item with its assets. NotFound if absent."""

    def update(self, item: ContentItem, expected_version: int) -> ContentItem:
        """Replace the item (and its asset list) if the stored version is ``expected_version``.

        Returns the stored item, whose version is ``expected_version + 1``. ConflictError if the
        stored version differs; NotFound if the item is gone. Counters (views, likes) are kept
        as stored, never overwritten from ``item``.
        """

    def delete(self, content_id: str) -> None:
        """Remove the item, its assets' records and its likes. NotFound if absent."""

    def search(self, query: SearchQuery) -> Page[ContentItem]:
        """Filter, full-text search (Korean substrings too), sort and paginate."""

    def increment_views(self, content_id: str, by: int = 1) -> int:
        """Atomically add ``by`` views (1 per visit; more when synthetic events are seeded);
        returns the new count."""

    def add_like(self, content_id: str, user_id: str) -> bool:
        """Atomically like once per user. True if this call added the like."""

    def remove_like(self, content_id: str, user_id: str) -> bool:
        """True if this call removed an existing like."""

    def has_liked(self, content_id: str, user_id: str) -> bool: ...

    def liked_by(self, user_id: str) -> list[str]:
        """The ids of the items ``user_id`` likes, in id order."""

    def authors(self) -> list[tuple[str, str]]:
        """(author_id, author_name) of authors with published content, for filters."""

    def tags(self) -> list[str]:
        """Tags used by published content, sorted, for filters."""

    def sample_ids(self) -> list[str]:
        """Ids of items marked as sample content."""

    def count(self) -> int:
        """Number of items of any status."""


class BlobStore(Protocol):
    """Private file storage. Keys are produced by the service, never taken from users."""

    def put(self, key: str, data: bytes, media_type: str) -> None: ...

    def get(self, key: str) -> bytes:
        """NotFound if absent."""

    def delete(self, key: str) -> None:
        """Idempotent: deleting a missing key is not an error."""

    def exists(self, key: str) -> bool: ...

    def url(self, key: str, filename: str, expires_in: int) -> str | None:
        """A short-lived download URL, or None when the store has none (local folder)."""

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Every stored key starting with ``prefix``, in no promised order (for the orphan
        cleanup and backups; the store pages through its backend itself)."""


class UserDirectory(Protocol):
    """Accounts: profile, roles, enabled or not. No password material (see PasswordStore and
    PasswordAuthenticator) and no login failures (see LoginThrottle).

    Local and DynamoDB directories keep ``created_at`` as given; a Cognito pool keeps its own
    creation time (UserCreateDate), the moment ``create`` ran.
    """

    def create(self, user: User) -> None:
        """ConflictError if the username exists. The account has no usable password yet."""

    def get(self, username: str) -> User:
        """NotFound if absent."""

    def list(self) -> list[User]:
        """Every account (the directory pages through its backend itself)."""

    def set_roles(self, username: str, roles: frozenset[Role]) -> None: ...

    def set_disabled(self, username: str, disabled: bool) -> None: ...

    def delete(self, username: str) -> None: ...

    # The guards below decide and write in one atomic step (SQLite: one write transaction;
    # DynamoDB: TransactWriteItems with a condition on an admin-count item), so that two
    # requests at the same moment cannot both pass a check that only one of them may pass.
    # A Cognito pool has no transactions: there they check, then act (see its adapter).

    def create_first_admin(self, user: User) -> bool:
        """Create ``user`` (an active administrator) only if no active administrator exists;
        False, and nothing written, if one does. ConflictError if the username exists."""

    def set_roles_guarded(self, username: str, roles: frozenset[Role]) -> None:
        """``set_roles``; ValidationError("auth.err_last_admin"), nothing written, if it would
        leave no active administrator."""

    def set_disabled_guarded(self, username: str, disabled: bool) -> None:
        """``set_disabled``; ValidationError("auth.err_last_admin") as above."""

    def delete_guarded(self, username: str) -> None:
        """``delete``; ValidationError("auth.err_last_admin") as above."""


class SignupDirectory(Protocol):
    """The account side of self-service sign-up, on the stores that keep local accounts
    (SQLite and the DynamoDB users table). ``create`` and ``get`` keep every field of ``User``
    (status, company, purpose, requested and pending role, sign-up time)."""

    def create(self, user: User) -> None:
        """ConflictError if the username exists."""

    def get(self, username: str) -> User:
        """NotFound if absent."""

    def list(self) -> list[User]: ...

    def delete(self, username: str) -> None: ...

    def settle_request(self, username: str, expected: Role, status: AccountStatus,
                       roles: frozenset[Role]) -> None:
        """Decide the waiting role request in one atomic step: only while ``expected`` still
        waits and the account holds no administrator role, set ``status`` and ``roles`` and
        clear the request. ConflictError if another decision (or a role change) came first,
        NotFound if the account is gone."""

    def confirm_email(self, username: str, status: AccountStatus) -> None:
        """Mark the account's email verified and set its ``status``. NotFound if absent."""

    def update_profile(self, username: str, *, name: str, email: str, company: str,
                       language: str) -> None:
        """The details a user edits on the profile page. NotFound if absent."""

    def request_role(self, username: str, role: Role, reason: str, at: datetime) -> None:
        """Let ``role`` wait for an administrator, with the reason and time, in one atomic
        step: only an active account with no request waiting (ConflictError otherwise).
        NotFound if absent."""


class PoolSignUp(Protocol):
    """A user pool's own sign-up (Cognito): the pool mails the confirmation code."""

    def sign_up(self, username: str, email: str, name: str, password: str) -> None:
        """An unconfirmed account; the pool mails a code to ``email``. ConflictError if the
        user name or the email is someone's already; ValidationError if the pool's password
        policy refuses the password."""

    def confirm(self, username: str, code: str) -> None:
        """ValidationError("cognito.err_code") for a wrong or expired code (and for an
        unknown or already confirmed user name: nothing tells them apart)."""

    def resend(self, username: str) -> None:
        """Mail a new code; an unknown or confirmed user name is quietly skipped."""

    def admit(self, user: User) -> None:
        """After confirmation: an active ``user`` gets its roles in the pool, a waiting one is
        disabled there until an administrator decides."""


class RateSlots(Protocol):
    """Windowed counters taken atomically (``InquiryStore`` is one: its ``take_slot``)."""

    def take_slot(self, limits: Sequence[RateLimit], now: datetime) -> str | None:
        """As ``InquiryStore.take_slot``: take one from every limit, or from none and return
        the ``key`` of a full limit."""


class PasswordStore(Protocol):
    """bcrypt hashes of local accounts (SQLite or the DynamoDB users table), beside the profile.

    An account made by ``UserDirectory.create`` has the empty hash, which matches no password.
    """

    def password_hash(self, username: str) -> str:
        """NotFound if there is no such account."""

    def set_password_hash(self, username: str, password_hash: str, *,
                          temporary: bool = False) -> None:
        """NotFound if there is no such account. ``temporary``: an administrator's password
        (reset, invitation) that must be changed at the next sign-in; stored with the hash."""

    def password_is_temporary(self, username: str) -> bool:
        """Whether the stored password must be changed at the next sign-in. NotFound if
        there is no such account."""


class LoginThrottle(Protocol):
    """Failed sign-ins per typed user name (known or not), for the lockout.

    Kept by the app in every mode, Cognito included: Cognito's own lockout is coarse and
    silent, while ours gives the same message, audit entries and limits in both modes and
    refuses a locked name before the provider is asked.
    """

    def record_login_failure(self, username: str, at: datetime) -> None: ...

    def login_failures_since(self, username: str, since: datetime) -> int: ...

    def clear_login_failures(self, username: str) -> None: ...

    def reserve_login_attempt(
        self, username: str, at: datetime, since: datetime, limit: int
    ) -> bool:
        """In one atomic step: if fewer than ``limit`` failures are counted at or after
        ``since``, count one more at ``at`` and return True; otherwise count nothing and return
        False (locked). Called *before* the password is checked, so that parallel guesses
        cannot all pass a lockout check made before any of them was counted. The attempt stays
        counted as a failure until ``clear_login_failures`` (a successful sign-in)."""


class PasswordAuthenticator(Protocol):
    """The password side of accounts: local bcrypt hashes or a Cognito user pool."""

    @property
    def sends_invitations(self) -> bool:
        """True if ``invite`` mails the user a temporary password (Cognito)."""

    def check(self, username: str, password: str) -> bool:
        """True if ``password`` is the user's password (disabled or not: the caller checks)."""

    def set_password(self, username: str, password: str, *, temporary: bool = False) -> None:
        """Make it the user's password; ``temporary``: it must be changed at the next sign-in
        where the backend can force that (Cognito). NotFound if no such user."""

    def reset_password(self, username: str) -> str | None:
        """Invalidate the password. Returns a one-time password to show once (local), or None
        when the backend sends the user a reset code itself (Cognito)."""

    def invite(self, username: str) -> None:
        """Send a new account its invitation (Cognito). ValidationError where unsupported."""

    def must_change_password(self, username: str) -> bool:
        """True if the password is an administrator's temporary one that the app itself must
        have changed before a sign-in (local). False where the backend forces the change
        itself (Cognito's NEW_PASSWORD_REQUIRED) or for an unknown user."""

    @property
    def keeps_hashes(self) -> bool:
        """True if the app keeps the bcrypt hashes (local); False where a provider keeps the
        passwords (Cognito): then the two methods below raise ValidationError."""

    def password_hash(self, username: str) -> str:
        """The stored bcrypt hash (empty: no usable password). NotFound if no such user."""

    def set_password_hash(self, username: str, password_hash: str) -> None:
        """Store a bcrypt hash made elsewhere as it is, so the user keeps that password.
        ValidationError if it is not a bcrypt hash; NotFound if no such user."""


class IdentityProvider(Protocol):
    """Sign-in against a user pool (Cognito): tokens, challenges and password flows.

    Wrong credentials are PermissionDenied("auth.err_bad_credentials"); the provider's own
    lockout is QuotaExceeded; a rejected new password is ValidationError.
    """

    def sign_in(self, username: str, password: str) -> SignInStep: ...

    def answer_new_password(self, challenge: Challenge, new_password: str) -> SignInStep: ...

    def refresh(self, username: str, refresh_token: str) -> Tokens:
        """New ID and access tokens; PermissionDenied if the refresh token is no longer good
        (signed out, revoked, expired, user disabled)."""

    def forgot_password(self, username: str) -> None:
        """Send the user a reset code (the provider hides whether the user exists)."""

    def confirm_forgot_password(self, username: str, code: str, new_password: str) -> None: ...

    def change_password(self, access_token: str, current: str, new: str) -> None: ...

    def sign_out(self, access_token: str | None, refresh_token: str | None) -> None:
        """End the provider-side session: its refresh token stops working."""

    def username_for_login(self, login: str) -> str:
        """The account name for a typed user name or email address (as typed if unknown)."""


class EmailCodes(Protocol):
    """A user pool's check of an email a user changed (Cognito): the pool mailed a code to it;
    the user's own access token proves who answers."""

    def verify_email(self, access_token: str, code: str) -> None:
        """ValidationError("cognito.err_code") for a wrong or expired code."""

    def resend_email_code(self, access_token: str) -> None: ...


class TokenVerifier(Protocol):
    def verify(self, token: str, use: str) -> dict[str, Any]:
        """The claims of ``token`` ("id" or "access" in ``use``) after checking signature,
        issuer, audience/client, token_use and expiry. PermissionDenied("cognito.err_token")
        otherwise."""


class SessionStore(Protocol):
    """Server-side sign-in sessions, keyed by a hash of the random id the browser holds."""

    def put(self, key: str, record: SessionRecord) -> None: ...

    def get(self, key: str) -> SessionRecord:
        """NotFound if absent (expired records may still be returned: the caller checks)."""

    def delete(self, key: str) -> None:
        """Idempotent."""

    def user_epoch(self, username: str) -> int:
        """The user's session epoch: 0 until the first ``bump_user_epoch``."""

    def bump_user_epoch(self, username: str) -> int:
        """Add one to the user's session epoch, atomically; returns the new value. Kept
        when the account is deleted, so a new account of the same name starts past it."""


class InquiryStore(Protocol):
    """Messages sent through the public contact form."""

    def add(self, inquiry: Inquiry) -> None:
        """ConflictError if the id exists."""

    def add_once(self, inquiry: Inquiry, token: str) -> Inquiry:
        """Store ``inquiry`` under the submission ``token`` unless that token already filed one,
        in one atomic step; the stored inquiry (the earlier one for a repeated token)."""

    def find_by_token(self, token: str) -> Inquiry | None:
        """The inquiry filed under the submission ``token``, if any."""

    def get(self, inquiry_id: str) -> Inquiry:
        """NotFound if absent."""

    def list(self, status: InquiryStatus, limit: int = 200) -> list[Inquiry]:
        """Inquiries with ``status``, newest first."""

    def set_status(
        self, inquiry_id: str, status: InquiryStatus, handled_by: str | None,
        handled_at: datetime | None,
    ) -> Inquiry:
        """Returns the stored inquiry. NotFound if absent."""

    def take_slot(self, limits: Sequence[RateLimit], now: datetime) -> str | None:
        """One atomic step for the contact form's rate limits: when every limit's counter for
        the window ``now`` is in is below its ``limit``, add one to each and return None;
        otherwise change nothing and return the ``key`` of a full limit."""


class AccountTokenStore(Protocol):
    """Single-use tokens of mailed links (``domain.tokens``), keyed by the token's hash."""

    def put(self, token: AccountToken) -> None:
        """Store ``token`` (unused)."""

    def use(self, key: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
        """In one atomic step: when ``key`` is an unused token for ``purpose`` that has not
        expired at ``now``, mark it used and return it; otherwise change nothing and return
        None. Of concurrent calls for one key, at most one gets the token."""


class Mailer(Protocol):
    def send(
        self, sender: str, recipient: str, subject: str, body: str, reply_to: str | None = None,
        html: str | None = None,
    ) -> None:
        """A plain-text email (with ``html`` as its alternative part, if given; the caller
        escapes it). A project error if the message was not accepted."""


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None: ...

    def entries(
        self,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """Newest first."""


class Clock(Protocol):
    def __call__(self) -> datetime: ...



class EventStore(Protocol):
    """Raw usage events plus the rollups and visitor sketches derived from them.

    Rollups are bucketed by local day/hour in the store's time zone (given to the adapter);
    ``services.domain.analytics.rollup_keys`` is the one definition of what an event adds.
    """

    def append(self, events: Sequence[Event]) -> int:
        """Store the events whose ids are new and add exactly those to the rollups and the
        day's visitor sketch, atomically per event (a retry never double-counts).
        Returns how many were new."""

    def rollups(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        hourly: bool = False,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
    ) -> list[RollupRow]:
        """Rollup rows for local days start..end inclusive (day-level rows, or with
        ``hourly`` the per-hour Dim.ALL rows), optionally only some types and dims, and only
        rows whose value is one of ``values`` and/or starts with ``prefix`` (one item's or one
        segment's rows: a view that needs those should not pay for every value's)."""

    def rollup_totals(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
    ) -> PeriodTotals:
        """The day-level rows ``rollups`` would return, summed over the days by (type, dim)
        and value (only pairs with rows are present). A period table needs only these, and
        an adapter can keep the sums of days that no longer change (a warm read then costs
        the number of values, not days x values). The result is the caller's to keep."""

    def rollup_day_totals(
        self,
        start: date,
        end: date,
        types: Collection[EventType] | None = None,
        dims: Collection[Dim] | None = None,
        *,
        values: Collection[str] | None = None,
        prefix: str | None = None,
    ) -> DayTotals:
        """The same day-level rows summed over their values, by (type, dim) and day (only
        days with rows are present): a trend of many values (one segment's items) reads one
        number per day, not one row per day and value. The result is the caller's to keep."""

    def visitors(self, start: date, end: date) -> HyperLogLog:
        """The merged visitor sketch of local days start..end inclusive."""

    def raw_events(self, since: datetime, until: datetime) -> Iterator[Event]:
        """Raw events with since <= ts < until, oldest first (for baselines and checks;
        dashboards never call this)."""

    def forget_user(self, user_id: str, since: datetime, until: datetime) -> int:
        """Remove ``user_id`` from the raw events with since <= ts < until (a deleted
        account's): the events, rollups and visitor sketches stay as they are. Returns how many
        events lost the id."""

    def rekey_author(self, old: str, new: str, since: datetime, until: datetime) -> int:
        """A deleted author's user name ``old`` goes out of the analytics: every AUTHOR rollup
        counter (and its sample copy) of any day adds to ``new`` instead, and the raw events
        with since <= ts < until carry ``new`` as ``author_id``. Every other counter and the
        visitor sketches stay. Safe to re-run (nothing left to move: 0). Returns how many
        events the moved counters held."""

    def remove_samples(self) -> int:
        """Take out every event appended with ``sample=True``: its raw event, its rollup counts
        and its visitors, leaving rollups and sketches equal to those of a store that never had
        it (even when the raw events were pruned). Returns how many sample events were counted.
        """


class EventSink(Protocol):
    """Something counted from events at ingest besides the rollups (funnels, cohorts, the live
    window): fed every batch right after ``EventStore.append`` by ``analytics.ingest``.

    A batch can be delivered again (a retry after a failure, an import run twice) and may hold
    events the store already had: ``ingest`` must change nothing for an event it has seen, so
    it is idempotent per event id (or per the fact it records) and atomic per fact.
    """

    def ingest(self, events: Sequence[Event]) -> None: ...

    def remove_samples(self) -> None:
        """Take out what events appended with ``sample=True`` added, as ``EventStore`` does."""


class CohortStore(EventSink, Protocol):
    """Returning signed-in users (``services.domain.cohorts``), counted at ingest: each user's
    first day and active weeks and days, and counters of cohort x week and new / returning
    per day. Events without ``user_id`` are not counted."""

    def cohort_cells(self, first_week: date, last_week: date) -> list[CohortCell]:
        """Every counter of the cohorts starting ``first_week``..``last_week`` (Mondays)."""

    def new_returning(self, start: date, end: date) -> list[DayUsers]:
        """New and returning users per local day ``start``..``end`` (days with any)."""

    def forget_user(self, user_id: str) -> None:
        """Delete what is stored about ``user_id`` (first day, active weeks and days); the
        counters keep what they counted, so every total stays as it was."""


class LiveWindow(Protocol):
    """The last ``KEEP_MINUTES`` of real traffic (``services.domain.live``), kept by an
    ``EventSink`` at ingest: who is on the site now, where, and events per minute."""

    def ingest(self, events: Sequence[Event]) -> None:
        """As ``EventSink.ingest``: idempotent per event; sample and old events are skipped."""

    def remove_samples(self) -> None:
        """Nothing to do: the window never takes sample events."""

    def snapshot(self, now: datetime) -> LiveSnapshot:
        """The window before ``now`` (``services.domain.live`` defines every number)."""


class FunnelStore(Protocol):
    """Saved funnel definitions and the visits counted into every funnel at ingest.

    The store is an ``EventSink`` too: each event batch moves visits along every funnel
    (``domain.funnels.advance``), persists each moved visit's progress and adds one to the
    counter of (local day of the visit's step 1, funnel, step) for each step newly reached, in
    one atomic step per visit, so a batch delivered again counts nothing twice. Sample events
    move visits and counters kept apart, which ``remove_samples`` takes out exactly. The default
    funnels (``domain.funnels.DEFAULT_FUNNELS``) are counted without being saved, and so is
    every item's own funnel (``ITEM_FUNNELS`` bound to the item: ``counts`` of
    ``item_funnel(template, content_id).id``).
    """

    def ingest(self, events: Sequence[Event]) -> None: ...

    def remove_samples(self) -> None: ...

    def save(self, funnel: Funnel) -> None:
        """Store a new user-defined funnel. ConflictError if the id exists."""

    def get(self, funnel_id: str) -> Funnel:
        """A saved funnel. NotFound if absent."""

    def delete(self, funnel_id: str) -> None:
        """Remove the definition (its counts stop growing). NotFound if absent."""

    def backfill(self, funnel: Funnel, events: Iterable[Event]) -> None:
        """Count ``events`` (raw events, oldest first) into ``funnel`` alone, as ``ingest``."""

    def counts(self, funnel_id: str, steps: int, start: date, end: date) -> list[int]:
        """Visits reaching each of the ``steps`` steps whose step 1 was on local days
        start..end inclusive (read from per-day counters, never from events)."""

    def list(self, owner: str | None = None) -> list[Funnel]:
        """Saved funnels (only ``owner``'s when given), oldest first."""


class LLM(Protocol):
    """A text model. Adapters raise only ``services.errors`` types, with ``llm.*`` keys.

    ``stream`` raises the request's errors (denied, throttled after retries, bad model id)
    when called; errors after the first chunk are raised while iterating the stream.
    """

    def complete(self, request: LLMRequest) -> LLMResult: ...

    def stream(self, request: LLMRequest) -> LLMStream:
        """Text chunks as the model writes them; ``result()`` once the stream is exhausted."""


class ReportStore(Protocol):
    """Saved reports with their provenance; the PDF is rebuilt from a Report, never stored."""

    def add(self, report: Report) -> None:
        """ConflictError if the id exists."""

    def get(self, report_id: str) -> Report:
        """NotFound if absent."""

    def list(self, created_by: str | None = None, limit: int = 100) -> list[Report]:
        """Newest first; only one user's reports when ``created_by`` is given."""

    def delete(self, report_id: str) -> None:
        """NotFound if absent."""

    def tokens_used(self, user_id: str, since: datetime) -> int:
        """Input plus output tokens of the user's reports created at or after ``since``
        (the daily budget)."""


class FollowStore(Protocol):
    """Followed metrics, each user's digest frequency, and the digests kept in the app."""

    def follow(self, follow: Follow) -> None:
        """Add (or keep) the follow; idempotent."""

    def unfollow(self, user_id: str, key: str) -> None:
        """Remove the user's follow of ``Follow.key``; nothing if absent."""

    def follows(self, user_id: str) -> list[Follow]: ...

    def set_frequency(self, user_id: str, frequency: Frequency) -> None: ...

    def frequency(self, user_id: str) -> Frequency:
        """NONE if never set."""

    def due_users(self, frequency: Frequency) -> list[str]:
        """Every user whose digest frequency is ``frequency`` (DAILY or WEEKLY)."""

    def claim(self, user_id: str, window: str) -> bool:
        """Atomically take (user, window): True once, False for every later or concurrent
        claim of the same pair."""

    def keep(self, digest: Digest) -> None:
        """Store the claimed window's digest (its content and whether it was mailed)."""

    def digests(self, user_id: str, limit: int = 5) -> list[Digest]:
        """The user's kept digests, newest window first."""

    def forget_user(self, user_id: str) -> None:
        """Remove the user's follows, frequency (and due-list entry) and digests."""
