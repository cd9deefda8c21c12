"""The SES mailer on moto: account mails reach SES as plain text from a verified sender, and an
unverified sender is refused as the mail port's typed error, MailRefused (what each flow makes
of it: test_ses_refused.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from services.accounts.mail import AccountMail
from services.adapters.aws.common import make_client
from services.adapters.aws.ses import SesMailer
from services.domain.users import User
from services.errors import MailRefused
from tests.contract.aws_backends import REGION, mocked_aws
from tests.unit.accounts.test_signup import T0

SENDER = "no-reply@example.com"


@pytest.fixture
def ses() -> Iterator[Any]:
    with mocked_aws(bootstrap=False) as aws:
        client = make_client("ses", aws.settings)
        client.verify_email_identity(EmailAddress=SENDER)
        yield client


def sent() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def test_an_account_mail_is_sent_as_plain_text_from_the_verified_sender(ses: Any) -> None:
    mail = AccountMail(SesMailer(ses), SENDER, "https://demo.example.com/")
    user = User("jiwon", "<b>Jiwon</b>", "jiwon@example.com", frozenset(), T0,
                signup_language="en")

    assert mail.reset(user, "tok-en", 30)

    [message] = sent()
    assert message.source == SENDER and message.destinations["ToAddresses"] == [user.email]
    assert "https://demo.example.com/reset?token=tok-en" in message.body
    assert "<b>Jiwon</b>" in message.body  # plain text: shown as typed, never markup
    assert message.subject == "Demo Factory: set a new password"


def test_an_unverified_sender_is_refused_and_the_mail_reports_it(ses: Any) -> None:
    with pytest.raises(MailRefused) as refused:
        SesMailer(ses).send("other@example.com", "jiwon@example.com", "s", "b")
    # SES's own refusal, not any failure (no credentials, no network) that would pass as one.
    assert refused.value.params["code"] == "MessageRejected", refused.value.params

    mail = AccountMail(SesMailer(ses), "other@example.com", "https://demo.example.com")
    user = User("jiwon", "Jiwon", "jiwon@example.com", frozenset(), T0)
    with pytest.raises(MailRefused):
        mail.decision(user, approved=True)
    assert sent() == []
