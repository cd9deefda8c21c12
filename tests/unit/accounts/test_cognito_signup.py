"""Self-service sign-up in Cognito mode, on moto: the pool's SignUp and ConfirmSignUp, the
modes after confirmation, the administrator's decision reaching the pool, and the same answer
for a name or email in use. (moto accepts any confirmation code and has no
ResendConfirmationCode: the wrong code and the resend are checked against botocore's Stubber.)"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from botocore.stub import Stubber

from services.adapters.aws.cognito.common import secret_hash
from services.adapters.aws.cognito.signup import CognitoSelfSignUp
from services.bootstrap import Services, build_services
from services.domain.analytics import Purpose
from services.domain.identity import Tokens
from services.domain.permissions import Actor, Role
from services.domain.signup import SignupDraft
from services.domain.users import AccountStatus
from services.errors import (
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ServiceUnavailable,
    ValidationError,
)
from tests.contract.cognito_backend import MockedCognito, mocked_cognito
from tests.doubles.aws_faults import Fault, failing_everywhere

PASSWORD = "violet-harbor-tunnel-42"
ADMIN_PASSWORD = "Temporary-pass-1"
DRAFT = SignupDraft("이지원", "jiwon@example.com", "Jiwon", "Acme", Purpose.CUSTOMER_DEMO,
                    Role.VIEWER, PASSWORD, PASSWORD, True)
AUTHOR_DRAFT = replace(DRAFT, role=Role.AUTHOR)


@pytest.fixture(params=["approval"])
def cognito_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"signup": request.param}


def _services(mocked: MockedCognito) -> tuple[Services, Actor]:
    services = build_services(mocked.settings)
    admin = services.accounts.create_first_admin("root", "Root", "root@example.com",
                                                 ADMIN_PASSWORD)
    return services, admin.as_actor()


def _pool_user(mocked: MockedCognito, username: str) -> dict[str, Any]:
    return dict(mocked.client.admin_get_user(UserPoolId=mocked.pool_id, Username=username))


def _groups(mocked: MockedCognito, username: str) -> set[str]:
    groups = mocked.client.admin_list_groups_for_user(UserPoolId=mocked.pool_id,
                                                      Username=username)["Groups"]
    return {g["GroupName"] for g in groups}


def _signs_in(mocked: MockedCognito, username: str) -> bool:
    try:
        return isinstance(mocked.identity().sign_in(username, PASSWORD), Tokens)
    except PermissionDenied:
        return False


def test_sign_up_makes_an_unconfirmed_pool_account_nobody_sees_yet(cognito: MockedCognito) -> None:
    services, root = _services(cognito)
    assert services.signup is not None and services.signup.confirms_by_code

    services.signup.sign_up(AUTHOR_DRAFT, "visit-1")

    raw = _pool_user(cognito, "jiwon")
    attributes = {a["Name"]: a["Value"] for a in raw["UserAttributes"]}
    assert raw["UserStatus"] == "UNCONFIRMED"
    assert (attributes["email"], attributes["name"]) == ("jiwon@example.com", "이지원")
    assert not _signs_in(cognito, "jiwon")
    assert services.signup.pending(root) == []  # not confirmed: no administrator sees it
    record = services.ports.signup.get("jiwon")  # type: ignore[union-attr]
    assert (record.company, record.purpose, record.requested_role) == (
        "Acme", "customer-demo", Role.AUTHOR)


def test_approval_mode_confirmed_waits_disabled_then_the_approval_lets_it_sign_in(
    cognito: MockedCognito,
) -> None:
    services, root = _services(cognito)
    assert services.signup is not None
    services.signup.sign_up(AUTHOR_DRAFT, "visit-1")

    assert services.signup.confirm("Jiwon", "123456") == AccountStatus.PENDING

    assert _pool_user(cognito, "jiwon")["Enabled"] is False
    assert not _signs_in(cognito, "jiwon")
    assert [u.username for u in services.signup.pending(root)] == ["jiwon"]

    services.signup.approve(root, "jiwon")

    assert _pool_user(cognito, "jiwon")["Enabled"] is True
    assert _groups(cognito, "jiwon") == {"author"}
    assert _signs_in(cognito, "jiwon")
    assert services.accounts.get("jiwon").roles == frozenset({Role.AUTHOR})


def test_a_declined_sign_up_never_signs_in(cognito: MockedCognito) -> None:
    services, root = _services(cognito)
    assert services.signup is not None
    services.signup.sign_up(DRAFT, "visit-1")
    services.signup.confirm("jiwon", "123456")

    services.signup.decline(root, "jiwon")

    assert not _signs_in(cognito, "jiwon")
    assert services.ports.signup.get("jiwon").status == AccountStatus.DECLINED  # type: ignore[union-attr]
    assert services.signup.pending(root) == []


def _app_sign_in_refused(services: Services, cognito: MockedCognito, username: str) -> str:
    """The message the app's sign-in refuses ``username`` with; no session is kept."""
    assert services.cognito is not None
    with pytest.raises(PermissionDenied) as refused:
        services.cognito.sign_in(username, PASSWORD)
    sessions = cognito.aws.dynamodb.scan(TableName=str(cognito.settings.sessions_table))["Items"]
    assert [s for s in sessions if s.get("username", {}).get("S") == username] == []
    return refused.value.key


def test_a_waiting_sign_up_the_pool_could_not_disable_is_refused_and_disabled_at_sign_in(
    cognito: MockedCognito,
) -> None:
    services, root = _services(cognito)
    assert services.signup is not None
    services.signup.sign_up(AUTHOR_DRAFT, "visit-1")

    with failing_everywhere(Fault("AdminDisableUser", "InternalErrorException")):
        # The confirmation stands: the record decides, the pool is told again at sign-in.
        assert services.signup.confirm("jiwon", "123456") == AccountStatus.PENDING
    assert _pool_user(cognito, "jiwon")["Enabled"] is True  # the pool lets it through
    assert [u.username for u in services.signup.pending(root)] == ["jiwon"]

    assert _app_sign_in_refused(services, cognito, "jiwon") == "auth.err_pending"

    assert _pool_user(cognito, "jiwon")["Enabled"] is False
    assert not _signs_in(cognito, "jiwon")
    failed = services.ports.audit.entries(action="auth.login_failed")
    assert [e.target for e in failed] == ["jiwon"]


def test_a_declined_sign_up_the_pool_still_lets_in_is_refused_as_declined(
    cognito: MockedCognito,
) -> None:
    services, root = _services(cognito)
    assert services.signup is not None
    services.signup.sign_up(DRAFT, "visit-1")
    with failing_everywhere(Fault("AdminDisableUser", "InternalErrorException")):
        services.signup.confirm("jiwon", "123456")
        services.signup.decline(root, "jiwon")
    assert _pool_user(cognito, "jiwon")["Enabled"] is True

    assert _app_sign_in_refused(services, cognito, "jiwon") == "auth.err_declined"
    assert _pool_user(cognito, "jiwon")["Enabled"] is False


def test_a_sign_up_whose_name_could_not_be_set_leaves_nothing_and_can_be_tried_again(
    cognito: MockedCognito,
) -> None:
    services, _ = _services(cognito)
    assert services.signup is not None

    with (failing_everywhere(Fault("AdminUpdateUserAttributes", "InternalErrorException")),
          pytest.raises(ServiceUnavailable)):
        services.signup.sign_up(DRAFT, "visit-1")

    with pytest.raises(cognito.client.exceptions.UserNotFoundException):
        _pool_user(cognito, "jiwon")
    with pytest.raises(NotFound):
        services.ports.signup.get("jiwon")  # type: ignore[union-attr]
    services.signup.sign_up(DRAFT, "visit-2")
    assert services.signup.confirm("jiwon", "123456") == AccountStatus.PENDING
    assert _pool_user(cognito, "jiwon")["Enabled"] is False


@pytest.mark.parametrize("cognito_settings", ["open"], indirect=True)
def test_open_mode_a_viewer_signs_in_at_once_and_an_author_request_waits(
    cognito: MockedCognito,
) -> None:
    services, root = _services(cognito)
    assert services.signup is not None
    services.signup.sign_up(AUTHOR_DRAFT, "visit-1")

    assert services.signup.confirm("jiwon", "123456") == AccountStatus.ACTIVE

    assert _groups(cognito, "jiwon") == {"viewer"}
    assert _signs_in(cognito, "jiwon")
    waiting = services.signup.pending(root)
    assert [(u.username, u.pending_role) for u in waiting] == [("jiwon", Role.AUTHOR)]

    services.signup.approve(root, "jiwon")
    assert _groups(cognito, "jiwon") == {"author"}


def test_a_second_confirmation_changes_nothing(cognito: MockedCognito) -> None:
    services, root = _services(cognito)
    assert services.signup is not None
    services.signup.sign_up(DRAFT, "visit-1")
    services.signup.confirm("jiwon", "123456")
    services.signup.approve(root, "jiwon")

    assert services.signup.confirm("jiwon", "123456") == AccountStatus.ACTIVE
    assert _signs_in(cognito, "jiwon")


def test_a_name_or_email_in_use_gets_the_same_answer_and_changes_nothing(
    cognito: MockedCognito,
) -> None:
    services, root = _services(cognito)
    assert services.signup is not None
    services.accounts.create_user(root, "kim", "Kim", "kim@example.com", ADMIN_PASSWORD,
                                  frozenset({Role.AUTHOR}))

    services.signup.sign_up(replace(DRAFT, username="kim"), "visit-1")  # no error
    services.signup.sign_up(replace(DRAFT, email="KIM@example.com".lower()), "visit-2")

    names = {u["Username"] for u in cognito.client.list_users(UserPoolId=cognito.pool_id)["Users"]}
    assert names == {"root", "kim"}
    assert services.accounts.get("kim").roles == frozenset({Role.AUTHOR})


def test_honeypot_and_weak_passwords_are_handled_before_the_pool(cognito: MockedCognito) -> None:
    services, _ = _services(cognito)
    assert services.signup is not None

    services.signup.sign_up(replace(DRAFT, honeypot="http://spam"), "visit-1")
    with pytest.raises(ValidationError):
        services.signup.sign_up(replace(DRAFT, password="password1234",
                                        password_again="password1234"), "visit-2")

    names = {u["Username"] for u in cognito.client.list_users(UserPoolId=cognito.pool_id)["Users"]}
    assert names == {"root"}


def test_a_client_secret_signs_up_with_its_secret_hash() -> None:
    with mocked_cognito(secret=True) as mocked:
        services, _ = _services(mocked)
        assert services.signup is not None
        services.signup.sign_up(DRAFT, "visit-1")
        assert services.signup.confirm("jiwon", "123456") == AccountStatus.PENDING


# ---- what moto does not check: the code itself, and the resend ----------------------------


def _stubbed(mocked: MockedCognito, secret: str | None = "s3cret") -> tuple[CognitoSelfSignUp,
                                                                              Stubber]:
    stubber = Stubber(mocked.client)
    adapter = CognitoSelfSignUp(mocked.client, mocked.pool_id, "client-1", secret,
                                mocked.directory())
    return adapter, stubber


@pytest.mark.parametrize("code", ["CodeMismatchException", "ExpiredCodeException",
                                  "UserNotFoundException", "NotAuthorizedException"])
def test_a_wrong_expired_or_unusable_code_is_one_message(cognito: MockedCognito, code: str) -> None:
    adapter, stubber = _stubbed(cognito)
    stubber.add_client_error("confirm_sign_up", service_error_code=code, expected_params={
        "ClientId": "client-1", "Username": "jiwon", "ConfirmationCode": "000000",
        "SecretHash": secret_hash("client-1", "s3cret", "jiwon"),
    })
    with stubber, pytest.raises(ValidationError) as wrong:
        adapter.confirm("jiwon", " 000000 ")
    assert wrong.value.key == "cognito.err_code"


def test_resend_asks_the_pool_for_a_new_code(cognito: MockedCognito) -> None:
    adapter, stubber = _stubbed(cognito)
    stubber.add_response("resend_confirmation_code", {}, expected_params={
        "ClientId": "client-1", "Username": "jiwon",
        "SecretHash": secret_hash("client-1", "s3cret", "jiwon"),
    })
    with stubber:
        adapter.resend("jiwon")
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize("code", ["UserNotFoundException", "InvalidParameterException"])
def test_resend_for_an_unknown_or_confirmed_name_says_nothing(cognito: MockedCognito,
                                                              code: str) -> None:
    adapter, stubber = _stubbed(cognito, secret=None)
    stubber.add_client_error("resend_confirmation_code", service_error_code=code)
    with stubber:
        adapter.resend("nobody")  # no error: nothing tells which names exist


def test_resend_is_rate_limited_per_visit(monkeypatch: pytest.MonkeyPatch) -> None:
    with mocked_cognito(signup="approval", signup_limit=2) as mocked:
        services, _ = _services(mocked)
        assert services.signup is not None and services.ports.cognito is not None
        sent: list[str] = []
        monkeypatch.setattr(services.ports.cognito.signup, "resend", sent.append)
        services.signup.sign_up(DRAFT, "visit-1")

        services.signup.resend("Jiwon", "visit-1")
        with pytest.raises(QuotaExceeded) as full:
            services.signup.resend("jiwon", "visit-1")

        assert sent == ["jiwon"]
        assert full.value.key == "signup.err_rate"


def test_sign_up_carries_the_secret_hash_and_only_the_email(cognito: MockedCognito) -> None:
    adapter, stubber = _stubbed(cognito)
    stubber.add_response("list_users", {"Users": []}, expected_params={
        "UserPoolId": cognito.pool_id, "Filter": 'email = "jiwon@example.com"', "Limit": 2})
    stubber.add_response("sign_up", {"UserConfirmed": False, "UserSub": "sub-1"},
                         expected_params={
        "ClientId": "client-1", "Username": "jiwon", "Password": PASSWORD,
        "UserAttributes": [{"Name": "email", "Value": "jiwon@example.com"}],
        "SecretHash": secret_hash("client-1", "s3cret", "jiwon"),
    })
    stubber.add_response("admin_update_user_attributes", {}, expected_params={
        "UserPoolId": cognito.pool_id, "Username": "jiwon",
        "UserAttributes": [{"Name": "name", "Value": "이지원"}],
    })
    with stubber:
        adapter.sign_up("jiwon", "jiwon@example.com", "이지원", PASSWORD)
    stubber.assert_no_pending_responses()


def test_a_pool_that_refuses_sign_up_says_sign_up_is_off() -> None:
    with mocked_cognito() as mocked:  # the pool's answer when it is admin-only
        adapter, stubber = _stubbed(mocked, secret=None)
        stubber.add_response("list_users", {"Users": []})
        stubber.add_client_error("sign_up", service_error_code="NotAuthorizedException",
                                 service_message="SignUp is not permitted for this user pool")
        with stubber, pytest.raises(PermissionDenied) as refused:
            adapter.sign_up("jiwon", "jiwon@example.com", "이지원", PASSWORD)
        assert refused.value.key == "signup.err_off"
