"""An administrator's "reset password" in Cognito mode: a user who signed in gets the pool's
reset code; an invited user who never did (FORCE_CHANGE_PASSWORD, whose password the pool
refuses to reset) gets the invitation again, and the administrator is told which."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from services.adapters.aws.cognito.auth import CognitoPasswords
from services.bootstrap import Services
from services.domain.permissions import Role
from services.domain.users import PasswordReset
from services.errors import ValidationError
from services.i18n import translate
from tests.contract.cognito_backend import MockedCognito

POOL = "us-east-1_pool"


def _stubbed() -> tuple[CognitoPasswords, Stubber]:
    client = boto3.client("cognito-idp", region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x")
    return CognitoPasswords(client, POOL, "client"), Stubber(client)


def _user(status: str) -> dict[str, object]:
    return {"Username": "kim", "UserStatus": status, "Enabled": True, "UserAttributes": []}


def test_an_invited_user_gets_the_invitation_again() -> None:
    passwords, stub = _stubbed()
    stub.add_response("admin_get_user", _user("FORCE_CHANGE_PASSWORD"),
                      {"UserPoolId": POOL, "Username": "kim"})
    stub.add_response("admin_create_user", {"User": {"Username": "kim"}},
                      {"UserPoolId": POOL, "Username": "kim", "MessageAction": "RESEND",
                       "DesiredDeliveryMediums": ["EMAIL"]})
    with stub:
        reset = passwords.reset_password("kim")
    stub.assert_no_pending_responses()  # no AdminResetUserPassword, which the pool refuses
    assert reset == PasswordReset(invitation_resent=True)


def test_a_user_who_signed_in_gets_a_reset_code() -> None:
    passwords, stub = _stubbed()
    stub.add_response("admin_get_user", _user("CONFIRMED"),
                      {"UserPoolId": POOL, "Username": "kim"})
    stub.add_response("admin_reset_user_password", {}, {"UserPoolId": POOL, "Username": "kim"})
    with stub:
        reset = passwords.reset_password("kim")
    stub.assert_no_pending_responses()
    assert reset == PasswordReset()


def test_a_sign_up_that_never_entered_its_code_is_told_not_bad_credentials() -> None:
    """The pool refuses to reset an unconfirmed account too; the administrator learns why."""
    passwords, stub = _stubbed()
    stub.add_response("admin_get_user", _user("UNCONFIRMED"),
                      {"UserPoolId": POOL, "Username": "kim"})
    with stub, pytest.raises(ValidationError) as refused:
        passwords.reset_password("kim")
    stub.assert_no_pending_responses()
    assert refused.value.key == "cognito.err_reset_unconfirmed"
    for lang in ("ko", "en"):
        assert translate(lang, refused.value.key) != refused.value.key


# ---- the account service on moto, which refuses the reset as the pool does ------------------


@pytest.fixture
def services(cognito_services: Services) -> Services:
    return cognito_services


def _status(cognito: MockedCognito, username: str) -> str:
    return str(cognito.client.admin_get_user(UserPoolId=cognito.pool_id,
                                             Username=username)["UserStatus"])


def test_the_service_says_the_invitation_went_again(services: Services,
                                                    cognito: MockedCognito) -> None:
    boss = services.accounts.create_first_admin("boss", "Boss", "", "Long-enough-1").as_actor()
    services.accounts.create_user(boss, "invited", "Invited", "i@example.com", None,
                                  frozenset({Role.VIEWER}))
    assert _status(cognito, "invited") == "FORCE_CHANGE_PASSWORD"

    reset = services.accounts.reset_password(boss, "invited")

    assert reset == PasswordReset(invitation_resent=True)
    assert _status(cognito, "invited") == "FORCE_CHANGE_PASSWORD"
    [entry] = services.ports.audit.entries(action="user.reset_password")
    assert (entry.outcome, entry.detail) == ("ok", {"invitation_resent": "true"})
