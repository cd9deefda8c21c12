"""Forgot password (local sign-in, mail configured): the same answer for every name, a mailed
link that works once for 30 minutes, the one password rule, every session ended."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from services.accounts.mail import AccountMail
from services.accounts.passwords import LocalPasswords
from services.accounts.reset import PasswordResetService
from services.accounts.service import AccountService
from services.accounts.sessions import LocalSessions
from services.adapters.sqlite.tokens import SqliteAccountTokens
from services.bootstrap import Services
from services.domain.permissions import Role
from services.errors import (
    PermissionDenied,
    QuotaExceeded,
    ServiceUnavailable,
    ValidationError,
)
from tests.doubles.clock import Clock
from tests.doubles.mailer import RecordingMailer
from tests.unit.accounts.test_signup import PASSWORD, T0

URL = "https://demo.example.com"
NEW = "quiet-lantern-meadow-77"


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def sessions(services: Services) -> LocalSessions:
    assert services.ports.sessions is not None
    return LocalSessions(services.ports.sessions, days=7)


@pytest.fixture
def accounts(services: Services, sessions: LocalSessions) -> AccountService:
    users = services.ports.users
    service = AccountService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                             services.ports.throttle, services.ports.audit, sessions=sessions)
    service.create_first_admin("kim", "Kim", "kim@example.com", PASSWORD)
    return service


def reset_service(services: Services, mailer: RecordingMailer | None, clock: Clock,
                  sessions: LocalSessions, limit: int = 50) -> PasswordResetService:
    users = services.ports.users
    db = services.ports.users._db  # type: ignore[attr-defined]
    mail = AccountMail(mailer, "no-reply@example.com", URL) if mailer is not None else None
    return PasswordResetService(
        users, LocalPasswords(users, rounds=4), sessions,  # type: ignore[arg-type]
        SqliteAccountTokens(db), services.ports.inquiries, services.ports.audit,
        mail=mail, throttle=services.ports.throttle, limit=limit, clock=clock)


def link_token(body: str) -> str:
    match = re.search(rf"{re.escape(URL)}/reset\?token=(\S+)", body)
    assert match, body
    return match.group(1)


def test_a_reset_link_sets_the_password_once_and_ends_every_session(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService,
) -> None:
    resets = reset_service(services, mailer, clock, sessions)
    cookie = sessions.start("kim")
    resets.request("kim@example.com", "visit-1")
    token = link_token(mailer.to("kim@example.com")[0].body)

    resets.reset(token, NEW, NEW)

    assert sessions.live(cookie) is None
    assert accounts.authenticate("kim", NEW).username == "kim"
    with pytest.raises(PermissionDenied):
        accounts.authenticate("kim", PASSWORD)
    with pytest.raises(ValidationError) as again:
        resets.reset(token, "another-quiet-lantern-78", "another-quiet-lantern-78")
    assert again.value.key == "reset.err_link"


def test_a_reset_lifts_the_sign_in_lockout(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService,
) -> None:
    """The page says "sign in with the new password": the mailed link proves the mailbox is
    the person's, as an administrator's reset does, so the failed guesses no longer count."""
    resets = reset_service(services, mailer, clock, sessions)
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            accounts.authenticate("kim", "wrong-guess-of-someone")
    with pytest.raises(QuotaExceeded):
        accounts.authenticate("kim", PASSWORD)  # locked: even the right password waits
    resets.request("kim", "visit-1")

    resets.reset(link_token(mailer.sent[0].body), NEW, NEW)

    assert accounts.authenticate("kim", NEW).username == "kim"


def test_peek_tells_a_live_link_from_a_dead_one_without_using_it(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService,
) -> None:
    resets = reset_service(services, mailer, clock, sessions)
    resets.request("kim", "visit-1")
    first = link_token(mailer.sent[0].body)
    clock.now = T0 + timedelta(minutes=1)
    resets.request("kim", "visit-1")
    second = link_token(mailer.sent[1].body)

    assert resets.peek(first) and resets.peek(first)  # looking does not use it up
    resets.reset(first, NEW, NEW)
    assert not resets.peek(first)  # used
    assert not resets.peek(second)  # mailed before the new password: ended
    assert not resets.peek("not-a-token") and not resets.peek("")
    resets.request("kim", "visit-2")
    third = link_token(mailer.sent[2].body)
    clock.now = T0 + timedelta(minutes=31)
    assert not resets.peek(third)  # expired


def test_the_user_name_finds_the_account_too(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService,
) -> None:
    reset_service(services, mailer, clock, sessions).request("KIM", "visit-1")

    assert len(mailer.to("kim@example.com")) == 1


def test_a_reset_link_expires_after_30_minutes(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService,
) -> None:
    resets = reset_service(services, mailer, clock, sessions)
    resets.request("kim", "visit-1")
    clock.now = T0 + timedelta(minutes=30)

    with pytest.raises(ValidationError) as expired:
        resets.reset(link_token(mailer.sent[0].body), NEW, NEW)
    assert expired.value.key == "reset.err_link"
    assert accounts.authenticate("kim", PASSWORD).username == "kim"


def test_a_weak_password_is_refused_and_the_link_still_works(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService,
) -> None:
    resets = reset_service(services, mailer, clock, sessions)
    resets.request("kim", "visit-1")
    token = link_token(mailer.sent[0].body)

    with pytest.raises(ValidationError) as short:
        resets.reset(token, "short", "short")
    assert short.value.key == "auth.err_password_short"
    with pytest.raises(ValidationError):
        resets.reset(token, NEW, NEW + "x")

    resets.reset(token, NEW, NEW)
    assert accounts.authenticate("kim", NEW).username == "kim"


def test_an_unknown_account_gets_the_same_answer_and_no_mail(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService,
) -> None:
    resets = reset_service(services, mailer, clock, sessions)

    assert resets.request("nobody@example.com", "visit-1") is None
    assert resets.request("kim@example.com", "visit-2") is None
    assert [m.recipient for m in mailer.sent] == ["kim@example.com"]
    outcomes = [e.outcome for e in services.ports.audit.entries(action="auth.forgot_password")]
    assert sorted(outcomes) == ["ok", "unknown"]


def test_requests_are_rate_limited_per_visit(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService,
) -> None:
    resets = reset_service(services, mailer, clock, sessions, limit=2)
    resets.request("kim", "visit-1")
    resets.request("nobody", "visit-1")

    with pytest.raises(QuotaExceeded):
        resets.request("kim", "visit-1")
    assert len(mailer.sent) == 1


def test_one_account_gets_at_most_three_links_per_window_whoever_asks(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService,
) -> None:
    resets = reset_service(services, mailer, clock, sessions)
    for n in range(5):
        resets.request("kim", f"visit-{n}")  # the same answer every time

    assert len(mailer.sent) == 3


def test_without_mail_there_is_no_reset_by_link(
    services: Services, clock: Clock, sessions: LocalSessions, accounts: AccountService,
) -> None:
    resets = reset_service(services, None, clock, sessions)

    assert not resets.available
    with pytest.raises(PermissionDenied):
        resets.request("kim", "visit-1")


def test_a_failed_mail_is_audited_and_logs_no_link(
    services: Services, clock: Clock, sessions: LocalSessions, accounts: AccountService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    failing = RecordingMailer(fail_with=ServiceUnavailable("errors.aws_unavailable"))
    resets = reset_service(services, failing, clock, sessions)

    assert resets.request("kim", "visit-1") is None  # the same answer

    outcomes = [e.outcome for e in services.ports.audit.entries(action="auth.forgot_password")]
    assert outcomes == ["mail_failed"]
    assert "token" not in caplog.text and URL not in caplog.text
    assert "kim@example.com" not in caplog.text


def test_concurrent_requests_of_one_visit_meet_its_limit(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService,
) -> None:
    resets = reset_service(services, mailer, clock, sessions, limit=3)

    def ask(n: int) -> bool:
        try:
            resets.request(f"nobody-{n}", "visit-1")
        except QuotaExceeded:
            return False
        return True

    with ThreadPoolExecutor(max_workers=6) as pool:
        answered = list(pool.map(ask, range(12)))

    assert sum(answered) == 3


def test_a_link_mailed_before_the_account_was_disabled_sets_nothing(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService,
) -> None:
    resets = reset_service(services, mailer, clock, sessions)
    accounts.create_user(accounts.get("kim").as_actor(), "lee", "Lee", "lee@example.com",
                         PASSWORD, frozenset({Role.AUTHOR}), temporary=False)
    resets.request("lee@example.com", "visit-1")
    accounts.set_disabled(accounts.get("kim").as_actor(), "lee", True)

    with pytest.raises(ValidationError) as refused:
        resets.reset(link_token(mailer.to("lee@example.com")[0].body), NEW, NEW)
    assert refused.value.key == "reset.err_link"
    accounts.set_disabled(accounts.get("kim").as_actor(), "lee", False)
    assert accounts.authenticate("lee", PASSWORD).username == "lee"  # the old one still holds


@pytest.mark.parametrize("later", ["change", "reset", "sign_out_everywhere"])
def test_a_link_mailed_before_the_password_changed_sets_nothing(
    services: Services, mailer: RecordingMailer, clock: Clock, sessions: LocalSessions,
    accounts: AccountService, later: str,
) -> None:
    """A link in an old mail (or in someone else's hands) must not outlive the password it was
    meant to replace: a change, another reset or "sign out everywhere" ends it."""
    resets = reset_service(services, mailer, clock, sessions)
    resets.request("kim@example.com", "visit-1")
    kim = accounts.get("kim").as_actor()
    current = PASSWORD
    if later == "change":
        current = "meadow-quiet-lantern-91"
        accounts.change_password(kim, PASSWORD, current)
    elif later == "reset":
        resets.request("kim@example.com", "visit-2")
        current = "meadow-quiet-lantern-92"
        resets.reset(link_token(mailer.to("kim@example.com")[1].body), current, current)
    else:
        accounts.sign_out_everywhere(kim, "kim")

    with pytest.raises(ValidationError) as refused:
        resets.reset(link_token(mailer.to("kim@example.com")[0].body), NEW, NEW)

    assert refused.value.key == "reset.err_link"
    assert accounts.authenticate("kim", current).username == "kim"
    (entry, *_) = services.ports.audit.entries(action="auth.reset_password_confirmed")
    assert (entry.target, entry.outcome) == ("kim", "stale")
