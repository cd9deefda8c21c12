"""Sign-up with SES configured: the email is verified by a single-use, expiring link; the real
reason behind a quiet answer and every decision are mailed; without SES nothing is mailed."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from services.accounts.mail import AccountMail
from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.accounts.signup import SignupService
from services.accounts.verification import EmailLinks, VerifyOutcome
from services.adapters.sqlite.tokens import SqliteAccountTokens
from services.bootstrap import Services
from services.domain.permissions import Actor, Role
from services.domain.tokens import token_hash
from services.domain.users import AccountStatus
from services.errors import PermissionDenied
from tests.doubles.clock import Clock
from tests.doubles.mailer import RecordingMailer
from tests.unit.accounts.test_signup import DRAFT, PASSWORD, T0, VIEWER_DRAFT

URL = "https://demo.example.com"


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def tokens(services: Services) -> SqliteAccountTokens:
    return SqliteAccountTokens(services.ports.users._db)  # type: ignore[attr-defined]


def service(services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens,
            clock: Clock, mode: str = "approval") -> SignupService:
    users = services.ports.users
    links = EmailLinks(AccountMail(mailer, "no-reply@example.com", URL), tokens,
                       users)  # type: ignore[arg-type]
    return SignupService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                         services.ports.inquiries, services.ports.audit, mode=mode, limit=50,
                         clock=clock, links=links)


@pytest.fixture
def accounts(services: Services) -> AccountService:
    users = services.ports.users
    return AccountService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                          services.ports.throttle, services.ports.audit, email_links=True)


@pytest.fixture
def root(accounts: AccountService) -> Actor:
    return accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()


def link_token(body: str, path: str = "verify") -> str:
    match = re.search(rf"{re.escape(URL)}/{path}\?token=(\S+)", body)
    assert match, body
    return match.group(1)


def test_open_mode_sign_up_is_mailed_a_link_and_signs_in_only_after_verifying(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
    accounts: AccountService,
) -> None:
    signup = service(services, mailer, tokens, clock, mode="open")
    signup.sign_up(replace(VIEWER_DRAFT, language="en"), "visit-1")

    [mail] = mailer.to("jiwon@example.com")
    assert "confirm your email" in mail.subject
    with pytest.raises(PermissionDenied) as refused:
        accounts.authenticate("jiwon", PASSWORD)
    assert refused.value.key == "auth.err_unverified"

    assert signup.verify(link_token(mail.body)) == VerifyOutcome.ACTIVE

    assert accounts.authenticate("jiwon", PASSWORD).email_verified


def test_a_verification_link_works_once(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
) -> None:
    signup = service(services, mailer, tokens, clock)
    signup.sign_up(DRAFT, "visit-1")
    token = link_token(mailer.sent[0].body)

    assert signup.verify(token) == VerifyOutcome.WAITING  # approval mode: an admin decides
    assert signup.verify(token) == VerifyOutcome.INVALID


def test_a_verification_link_expires_after_24_hours(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
) -> None:
    signup = service(services, mailer, tokens, clock)
    signup.sign_up(DRAFT, "visit-1")
    clock.now = T0 + timedelta(hours=24, seconds=1)

    assert signup.verify(link_token(mailer.sent[0].body)) == VerifyOutcome.INVALID
    assert not services.ports.users.get("jiwon").email_verified


def test_the_token_is_stored_only_as_its_hash(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
) -> None:
    service(services, mailer, tokens, clock).sign_up(DRAFT, "visit-1")
    token = link_token(mailer.sent[0].body)

    db = services.ports.users._db  # type: ignore[attr-defined]
    with db.read() as conn:
        rows = [tuple(r) for r in conn.execute("SELECT * FROM account_tokens")]
    assert rows and all(token not in str(v) for row in rows for v in row)
    assert rows[0][0] == token_hash(token)


def test_approval_mode_shows_verified_and_mails_the_decision_in_the_sign_up_language(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
    root: Actor,
) -> None:
    signup = service(services, mailer, tokens, clock)
    signup.sign_up(replace(DRAFT, language="ko"), "visit-1")
    signup.verify(link_token(mailer.sent[0].body))

    [waiting] = signup.pending(root)
    assert waiting.email_verified
    signup.approve(root, "jiwon")

    decision = mailer.sent[-1]
    assert decision.recipient == "jiwon@example.com" and "승인" in decision.subject


def test_a_decline_is_mailed(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
    root: Actor,
) -> None:
    signup = service(services, mailer, tokens, clock)
    signup.sign_up(replace(DRAFT, language="en"), "visit-1")
    signup.decline(root, "jiwon")

    assert "declined" in mailer.sent[-1].subject


def test_a_used_email_gets_the_usual_answer_and_the_real_reason_by_mail(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
) -> None:
    signup = service(services, mailer, tokens, clock)
    signup.sign_up(replace(DRAFT, language="en"), "visit-1")
    signup.verify(link_token(mailer.sent[0].body))
    again = replace(DRAFT, username="other.name", language="en")

    signup.sign_up(again, "visit-2")  # the usual quiet answer: no error

    last = mailer.sent[-1]
    assert last.recipient == "jiwon@example.com"
    assert "already has an account" in last.body and "Forgot password" in last.body
    assert len(services.ports.users.list()) == 1


def test_what_the_person_typed_stays_plain_text(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
    root: Actor,
) -> None:
    """A name appears only once the address is verified (the decision), as typed, on one
    line; the verification mail before it has none (tests/unit/accounts/
    test_mail_to_unverified.py)."""
    signup = service(services, mailer, tokens, clock)
    signup.sign_up(replace(DRAFT, name="<b>Jiwon</b>\r\nBcc: x@evil.example"), "visit-1")
    signup.verify(link_token(mailer.sent[0].body))
    signup.approve(root, "jiwon")

    mail = mailer.sent[-1]
    assert "<b>Jiwon</b> Bcc: x@evil.example" in mail.body  # as typed, on one line
    assert "\r" not in mail.body and "<a " not in mail.body


def test_without_mail_nothing_is_mailed_and_no_verification_is_asked(
    services: Services, accounts: AccountService,
) -> None:
    users = services.ports.users
    signup = SignupService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                           services.ports.inquiries, services.ports.audit, mode="open")
    assert not signup.verifies_email
    signup.sign_up(VIEWER_DRAFT, "visit-1")

    assert accounts.authenticate("jiwon", PASSWORD).roles == frozenset({Role.VIEWER})
    jiwon = users.get("jiwon")
    assert jiwon.status == AccountStatus.ACTIVE  # open mode: anyone, verified or not
    assert not jiwon.email_verified  # but nothing showed that the address is theirs


def test_signing_up_again_with_an_unconfirmed_email_mails_a_fresh_link(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
) -> None:
    signup = service(services, mailer, tokens, clock, mode="open")
    signup.sign_up(VIEWER_DRAFT, "visit-1")
    clock.now = T0 + timedelta(days=2)  # the first link has expired

    signup.sign_up(replace(VIEWER_DRAFT, username="jiwon2"), "visit-2")

    assert signup.verify(link_token(mailer.sent[-1].body)) == VerifyOutcome.ACTIVE
    assert [u.username for u in services.ports.users.list()] == ["jiwon"]


def test_a_taken_user_name_with_a_free_email_is_mailed_to_that_email(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
) -> None:
    signup = service(services, mailer, tokens, clock)
    signup.sign_up(DRAFT, "visit-1")

    signup.sign_up(replace(DRAFT, email="other@example.com", language="en"), "visit-2")

    [mail] = mailer.to("other@example.com")
    assert "already taken" in mail.body
    assert "jiwon" not in mail.body  # the name chosen is not repeated to an unverified address
    assert len(mailer.to("jiwon@example.com")) == 1  # only its own verification link


def test_a_declined_sign_up_opening_its_link_waits_for_nothing(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
    root: Actor,
) -> None:
    signup = service(services, mailer, tokens, clock)
    signup.sign_up(DRAFT, "visit-1")
    signup.decline(root, "jiwon")

    assert signup.verify(link_token(mailer.to("jiwon@example.com")[0].body)) == (
        VerifyOutcome.INVALID)
    assert services.ports.users.get("jiwon").status == AccountStatus.DECLINED


def test_an_auto_approved_domain_is_active_once_its_link_is_opened(
    services: Services, mailer: RecordingMailer, tokens: SqliteAccountTokens, clock: Clock,
    accounts: AccountService, root: Actor,
) -> None:
    users = services.ports.users
    links = EmailLinks(AccountMail(mailer, "no-reply@example.com", URL), tokens,
                       users)  # type: ignore[arg-type]
    signup = SignupService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                           services.ports.inquiries, services.ports.audit, limit=50,
                           auto_domains=("example.com",), clock=clock, links=links)
    signup.sign_up(VIEWER_DRAFT, "visit-1")
    assert signup.pending(root) == []  # the link decides, not an administrator

    assert signup.verify(link_token(mailer.sent[0].body)) == VerifyOutcome.ACTIVE
    assert accounts.authenticate("jiwon", PASSWORD).email_verified
