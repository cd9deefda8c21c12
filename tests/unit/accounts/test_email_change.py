"""A changed email on the profile page is not verified until the link mailed to it is opened.

The legacy import links an old platform's authors to the user whose email is *verified*. If a
profile change kept the flag, anyone could type alice@old-platform.com on their profile and be
given Alice's items and likes by the next import. So a change clears the flag in the same write;
with mail configured the new address gets a link (the sign-up's own link, bound to the address
it went to), and without mail it stays unverified."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.accounts.mail import AccountMail
from services.accounts.passwords import LocalPasswords
from services.accounts.profile import ProfileService
from services.accounts.service import AccountService
from services.accounts.signup import SignupService
from services.accounts.verification import EmailLinks, VerifyOutcome
from services.adapters.sqlite.tokens import SqliteAccountTokens
from services.bootstrap import Services
from services.domain.permissions import Actor, Role
from services.errors import QuotaExceeded, ValidationError
from services.imports.legacy.authors import People
from tests.doubles.clock import Clock
from tests.doubles.mailer import RecordingMailer
from tests.unit.accounts.test_signup import PASSWORD, T0
from tests.unit.accounts.test_signup_mail import URL, link_token

BAIT = "Kim. Your account is locked: sign in at https://evil.example/login"


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def links(services: Services, mailer: RecordingMailer) -> EmailLinks:
    tokens = SqliteAccountTokens(services.ports.users._db)  # type: ignore[attr-defined]
    return EmailLinks(AccountMail(mailer, "no-reply@example.com", URL), tokens,
                      services.ports.users)  # type: ignore[arg-type]


@pytest.fixture
def profiles(services: Services, links: EmailLinks, clock: Clock) -> ProfileService:
    return ProfileService(services.ports.users, services.ports.audit,  # type: ignore[arg-type]
                          links=links, slots=services.ports.inquiries, clock=clock)


@pytest.fixture
def signups(services: Services, links: EmailLinks, clock: Clock) -> SignupService:
    users = services.ports.users
    return SignupService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                         services.ports.inquiries, services.ports.audit, clock=clock,
                         links=links)


@pytest.fixture
def vera(services: Services) -> Actor:
    users = services.ports.users
    accounts = AccountService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                              services.ports.throttle, services.ports.audit)
    root = accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()
    accounts.create_user(root, "vera", "Vera", "vera@example.com", PASSWORD,
                         frozenset({Role.VIEWER}), temporary=False)
    return accounts.get("vera").as_actor()


def save_email(profiles: ProfileService, vera: Actor, email: str, name: str = "Vera") -> None:
    profiles.update_profile(vera, "vera", name=name, email=email, company="")


def test_without_mail_a_changed_email_is_saved_unverified_and_the_import_ignores_it(
    services: Services, vera: Actor,
) -> None:
    profiles = ProfileService(services.ports.users, services.ports.audit)  # type: ignore[arg-type]
    assert services.ports.users.get("vera").email_verified  # an administrator set it

    save_email(profiles, vera, "alice@old-platform.com")

    vera_now = services.ports.users.get("vera")
    assert (vera_now.email, vera_now.email_verified) == ("alice@old-platform.com", False)
    people = People(services.ports.users.list())
    assert people.person("alice@old-platform.com") == "legacy:alice@old-platform.com"


def test_a_name_change_keeps_the_email_verified(
    services: Services, profiles: ProfileService, vera: Actor, mailer: RecordingMailer,
) -> None:
    save_email(profiles, vera, "vera@example.com", name="Vera Kim")

    assert services.ports.users.get("vera").email_verified
    assert mailer.sent == []  # nothing to verify


def test_a_changed_email_is_mailed_a_link_that_verifies_it(
    services: Services, profiles: ProfileService, signups: SignupService, vera: Actor,
    mailer: RecordingMailer,
) -> None:
    save_email(profiles, vera, "vera.kim@example.com")

    assert not services.ports.users.get("vera").email_verified
    [sent] = mailer.sent
    assert sent.recipient == "vera.kim@example.com"
    assert signups.verify(link_token(sent.body)) == VerifyOutcome.ACTIVE
    assert services.ports.users.get("vera").email_verified
    actions = [e.action for e in services.ports.audit.entries(limit=20)]
    assert "user.email_link" in actions and "user.email_verify" in actions


def test_the_link_mail_repeats_nothing_the_user_typed(
    profiles: ProfileService, vera: Actor, mailer: RecordingMailer,
) -> None:
    save_email(profiles, vera, "victim@example.com", name=BAIT)

    [sent] = mailer.sent
    assert "evil" not in sent.body and "locked" not in sent.body and "vera" not in sent.body


def test_a_link_mailed_to_an_earlier_address_does_not_verify_a_later_one(
    services: Services, profiles: ProfileService, signups: SignupService, vera: Actor,
    mailer: RecordingMailer,
) -> None:
    """Change to an address of one's own, keep its link, change to Alice's, open the first
    link: Alice's address must not become verified."""
    save_email(profiles, vera, "own@example.com")
    own_link = link_token(mailer.to("own@example.com")[0].body)
    save_email(profiles, vera, "alice@old-platform.com")

    assert signups.verify(own_link) == VerifyOutcome.INVALID
    assert not services.ports.users.get("vera").email_verified


def test_email_changes_that_mail_a_link_are_limited_per_account(
    services: Services, profiles: ProfileService, vera: Actor, mailer: RecordingMailer,
    clock: Clock,
) -> None:
    """Each change mails someone's inbox: a user flipping between addresses cannot flood it."""
    for n in range(3):
        save_email(profiles, vera, f"v{n}@example.com")
    with pytest.raises(QuotaExceeded):
        save_email(profiles, vera, "victim@example.com")
    assert services.ports.users.get("vera").email == "v2@example.com"
    save_email(profiles, vera, "v2@example.com", name="Vera Kim")  # other details still save
    assert len(mailer.sent) == 3

    clock.now = T0 + timedelta(hours=1, minutes=1)
    save_email(profiles, vera, "v3@example.com")
    assert len(mailer.sent) == 4


def test_a_new_link_is_sent_on_request_while_the_address_is_unverified(
    services: Services, profiles: ProfileService, signups: SignupService, vera: Actor,
    mailer: RecordingMailer,
) -> None:
    with pytest.raises(ValidationError):  # verified: nothing to send
        profiles.send_email_link(vera, "vera")
    save_email(profiles, vera, "vera.kim@example.com")

    profiles.send_email_link(vera, "vera")

    assert [m.recipient for m in mailer.sent] == ["vera.kim@example.com"] * 2
    assert signups.verify(link_token(mailer.sent[-1].body)) == VerifyOutcome.ACTIVE


def test_without_mail_no_link_can_be_asked_for(services: Services, vera: Actor) -> None:
    profiles = ProfileService(services.ports.users, services.ports.audit)  # type: ignore[arg-type]
    save_email(profiles, vera, "vera.kim@example.com")

    assert not profiles.sends_email_links
    with pytest.raises(ValidationError):
        profiles.send_email_link(vera, "vera")
