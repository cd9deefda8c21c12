"""Mail to an address nobody has shown to be theirs carries nothing a person typed.

Anyone can sign up (or set their profile email) with someone else's address; the app's trusted
sender then mails that address. A name such as "Kim. Your account is locked: sign in at
https://evil.example/login" would reach the victim in the app's own words. So every mail to an
unverified address (the verification link, the real reason behind a quiet sign-up answer, a
decision made before the link was opened, a password reset link) greets no one by name and
repeats no user name; once the address is verified, mails may name the person again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.accounts.mail import AccountMail
from services.accounts.passwords import LocalPasswords
from services.accounts.reset import PasswordResetService
from services.accounts.sessions import LocalSessions
from services.accounts.signup import SignupService
from services.accounts.verification import EmailLinks
from services.adapters.sqlite.tokens import SqliteAccountTokens
from services.bootstrap import Services
from services.domain.permissions import Actor
from tests.doubles.clock import Clock
from tests.doubles.mailer import RecordingMailer, SentMail
from tests.unit.accounts.test_signup import DRAFT, PASSWORD, T0
from tests.unit.accounts.test_signup_mail import URL, link_token

BAIT = "Kim. Your account is locked: sign in at https://evil.example/login"
BAIT_USERNAME = "locked.signin.evil.example"
VICTIM = "victim@example.com"
ATTACK = replace(DRAFT, name=BAIT, email=VICTIM, company="https://evil.example",
                 username=BAIT_USERNAME, language="en")


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def mail(mailer: RecordingMailer) -> AccountMail:
    return AccountMail(mailer, "no-reply@example.com", URL)


@pytest.fixture
def signup(services: Services, mail: AccountMail) -> SignupService:
    users = services.ports.users
    tokens = SqliteAccountTokens(services.ports.users._db)  # type: ignore[attr-defined]
    return SignupService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                         services.ports.inquiries, services.ports.audit, limit=50,
                         clock=Clock(T0), links=EmailLinks(mail, tokens, users))  # type: ignore[arg-type]


def carries_nothing_typed(sent: SentMail) -> bool:
    text = f"{sent.subject}\n{sent.body}"
    return "evil" not in text and "locked" not in text and "Kim" not in text


def test_the_verification_mail_greets_no_one_by_the_name_typed(
    signup: SignupService, mailer: RecordingMailer,
) -> None:
    signup.sign_up(ATTACK, "visit-1")

    [sent] = mailer.to(VICTIM)
    assert link_token(sent.body) and carries_nothing_typed(sent)


def test_the_taken_user_name_mail_does_not_repeat_the_name_chosen(
    signup: SignupService, mailer: RecordingMailer,
) -> None:
    signup.sign_up(replace(DRAFT, username=BAIT_USERNAME), "visit-1")

    signup.sign_up(ATTACK, "visit-2")  # the user name is taken: the reason goes to VICTIM

    [sent] = mailer.to(VICTIM)
    assert "already taken" in sent.body and carries_nothing_typed(sent)


def test_a_decision_made_before_the_link_was_opened_names_nobody(
    signup: SignupService, mailer: RecordingMailer, root: Actor,
) -> None:
    signup.sign_up(ATTACK, "visit-1")

    signup.decline(root, BAIT_USERNAME)

    decision = mailer.to(VICTIM)[-1]
    assert "declined" in decision.subject and carries_nothing_typed(decision)


def test_a_decision_to_a_verified_address_still_names_the_person(
    signup: SignupService, mailer: RecordingMailer, root: Actor,
) -> None:
    signup.sign_up(replace(DRAFT, language="en"), "visit-1")
    signup.verify(link_token(mailer.sent[0].body))

    signup.approve(root, "jiwon")

    assert "Hello 이지원" in mailer.sent[-1].body and "jiwon" in mailer.sent[-1].body


def test_a_reset_link_to_an_unverified_address_names_nobody(
    services: Services, signup: SignupService, mail: AccountMail, mailer: RecordingMailer,
) -> None:
    signup.sign_up(ATTACK, "visit-1")
    users = services.ports.users
    tokens = SqliteAccountTokens(services.ports.users._db)  # type: ignore[attr-defined]
    assert services.ports.sessions is not None
    reset = PasswordResetService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                                 LocalSessions(services.ports.sessions, days=1), tokens,
                                 services.ports.inquiries, services.ports.audit, mail=mail,
                                 throttle=services.ports.throttle)

    reset.request(BAIT_USERNAME, "visit-9")

    sent = mailer.to(VICTIM)[-1]
    assert "/reset?token=" in sent.body and carries_nothing_typed(sent)


@pytest.fixture
def root(services: Services) -> Actor:
    from services.accounts.service import AccountService

    users = services.ports.users
    accounts = AccountService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                              services.ports.throttle, services.ports.audit)
    return accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()
