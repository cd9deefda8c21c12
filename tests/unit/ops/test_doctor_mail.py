"""The doctor's mail sender check on moto: a sender SES has not verified (the address or its
domain) fails with the fix, so an administrator learns it before a sign-up does; without a
sender nothing is mailed and nothing is checked."""

from __future__ import annotations

from typing import Any

from services.adapters.aws.common import make_client
from services.i18n import translate
from tests.unit.ops import test_doctor_aws
from tests.unit.ops.test_doctor_aws import Aws, failed_with, line

SENDER = "no-reply@example.com"
aws = test_doctor_aws.aws  # the moto account of the other doctor tests (a fixture)


def ses(aws: Aws) -> Any:
    return make_client("ses", aws.settings)


def test_an_unverified_sender_fails_with_the_fix(aws: Aws) -> None:
    settings = aws.settings.model_copy(update={"ses_sender": SENDER})

    report = aws.doctor(settings=settings)

    found = failed_with(report, "mail.sender", "doc_sender_unverified", "fix_sender_unverified")
    assert found.fix is not None
    for lang in ("ko", "en"):
        assert SENDER in translate(lang, found.fix.key, **dict(found.fix.params))


def test_a_verified_address_or_domain_passes(aws: Aws) -> None:
    ses(aws).verify_email_identity(EmailAddress=SENDER)
    settings = aws.settings.model_copy(update={"ses_sender": SENDER})
    assert line(aws.doctor(settings=settings), "mail.sender").ok

    ses(aws).verify_domain_identity(Domain="example.org")
    other = aws.settings.model_copy(update={"ses_sender": "Demo <hello@example.org>"})
    assert line(aws.doctor(settings=other), "mail.sender").ok


def test_without_a_sender_nothing_is_checked(aws: Aws) -> None:
    assert "mail.sender" not in [entry.check for entry in aws.doctor().lines]
