"""SES refusing the sender (not verified in SES): a typed error of the mail port, which the
flows a person waits on turn into a clear, translated message, with nothing lost. On moto,
which refuses an unverified sender as SES does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from services.accounts.mail import AccountMail
from services.accounts.passwords import LocalPasswords
from services.accounts.profile import ProfileService
from services.accounts.reset import PasswordResetService
from services.accounts.service import AccountService
from services.accounts.sessions import LocalSessions
from services.accounts.signup import SignupService
from services.accounts.verification import EmailLinks, VerifyOutcome
from services.adapters.aws.common import make_client
from services.adapters.aws.ses import SesMailer
from services.adapters.sqlite.tokens import SqliteAccountTokens
from services.bootstrap import Services
from services.domain.permissions import Role
from services.domain.users import AccountStatus
from services.errors import MailRefused
from services.i18n import translate
from tests.contract.aws_backends import REGION, mocked_aws
from tests.doubles.clock import Clock
from tests.unit.accounts.test_signup import PASSWORD, T0, VIEWER_DRAFT
from tests.unit.accounts.test_signup_mail import URL, link_token

SENDER = "no-reply@example.com"


@pytest.fixture
def ses() -> Iterator[Any]:
    with mocked_aws(bootstrap=False) as aws:
        yield make_client("ses", aws.settings)  # the sender is not verified (yet)


def sent() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def links(services: Services, ses: Any) -> EmailLinks:
    tokens = SqliteAccountTokens(services.ports.users._db)  # type: ignore[attr-defined]
    return EmailLinks(AccountMail(SesMailer(ses), SENDER, URL), tokens,
                      services.ports.users)  # type: ignore[arg-type]


def signups(services: Services, ses: Any) -> SignupService:
    users = services.ports.users
    return SignupService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                         services.ports.inquiries, services.ports.audit, mode="open",
                         limit=50, clock=Clock(T0), links=links(services, ses))


def outcomes(services: Services, action: str) -> list[str]:
    return [e.outcome for e in services.ports.audit.entries(action=action)]


def test_the_mailer_raises_the_ports_typed_refusal(ses: Any) -> None:
    with pytest.raises(MailRefused) as refused:
        SesMailer(ses).send(SENDER, "jiwon@example.com", "s", "b")

    assert refused.value.key == "errors.mail_refused"
    for lang in ("ko", "en"):  # SES's answer stays in the log, out of the page
        text = translate(lang, "errors.mail_refused", **refused.value.params)
        assert text != "errors.mail_refused" and "MessageRejected" not in text


def test_a_sign_up_whose_mail_is_refused_says_so_and_the_person_can_ask_again(
    services: Services, ses: Any,
) -> None:
    signup = signups(services, ses)

    with pytest.raises(MailRefused) as refused:
        signup.sign_up(replace(VIEWER_DRAFT, language="en"), "visit-1")

    assert refused.value.key == "signup.err_mail_refused"
    assert "sign up again" in translate("en", refused.value.key)
    assert services.ports.users.get("jiwon").status == AccountStatus.PENDING  # kept
    assert outcomes(services, "user.signup")[0] == "mail_refused"

    ses.verify_email_identity(EmailAddress=SENDER)  # the administrator's fix
    signup.sign_up(replace(VIEWER_DRAFT, language="en"), "visit-1")  # the same details again

    [message] = sent()
    assert message.destinations["ToAddresses"] == ["jiwon@example.com"]
    assert signup.verify(link_token(message.body)) == VerifyOutcome.ACTIVE


def test_a_profile_email_change_whose_link_is_refused_is_saved_and_says_so(
    services: Services, ses: Any,
) -> None:
    users = services.ports.users
    accounts = AccountService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                              services.ports.throttle, services.ports.audit)
    root = accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()
    accounts.create_user(root, "vera", "Vera", "vera@example.com", PASSWORD,
                         frozenset({Role.VIEWER}), temporary=False)
    vera = accounts.get("vera").as_actor()
    profiles = ProfileService(users, services.ports.audit,  # type: ignore[arg-type]
                              links=links(services, ses), slots=services.ports.inquiries,
                              clock=Clock(T0))

    with pytest.raises(MailRefused):
        profiles.update_profile(vera, "vera", name="Vera", email="v2@example.com", company="")

    assert users.get("vera").email == "v2@example.com"  # the change is kept
    assert outcomes(services, "user.email_link") == ["mail_refused"]
    with pytest.raises(MailRefused):  # asking again says the same until the sender is fixed
        profiles.send_email_link(vera, "vera")


def test_a_reset_request_keeps_its_one_answer_but_audits_the_refusal(
    services: Services, ses: Any,
) -> None:
    """Whether an account exists is not told: the request answers as always (the doctor and
    the audit log tell the administrator)."""
    users = services.ports.users
    accounts = AccountService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                              services.ports.throttle, services.ports.audit)
    accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD)
    assert services.ports.sessions is not None
    sessions = LocalSessions(services.ports.sessions, days=7)
    db = users._db  # type: ignore[attr-defined]
    resets = PasswordResetService(
        users, LocalPasswords(users, rounds=4), sessions,  # type: ignore[arg-type]
        SqliteAccountTokens(db), services.ports.inquiries, services.ports.audit,
        mail=AccountMail(SesMailer(ses), SENDER, URL), throttle=services.ports.throttle,
        limit=50, clock=Clock(T0))

    assert resets.request("root", "visit-1") is None

    assert outcomes(services, "auth.forgot_password") == ["mail_refused"]


def test_a_decision_stands_when_its_mail_is_refused(services: Services, ses: Any) -> None:
    signup = signups(services, ses)
    users = services.ports.users
    accounts = AccountService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                              services.ports.throttle, services.ports.audit)
    root = accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()
    with pytest.raises(MailRefused):
        signup.sign_up(replace(VIEWER_DRAFT, role=Role.AUTHOR), "visit-1")

    signup.approve(root, "jiwon")  # no error: the administrator's decision is made

    assert Role.AUTHOR in users.get("jiwon").roles
    assert "mail_refused" in outcomes(services, "user.signup_approve")  # beside its "ok"
