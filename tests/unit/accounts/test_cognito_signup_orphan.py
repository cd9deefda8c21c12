"""A pool account the app has no record of (Cognito mode, on moto): the rare double failure of a
sign-up (``SignUp`` made the pool account, writing its name failed, and so did the delete that
was to undo it) leaves one. Its code must not make it an account: the confirmation is refused
and the account removed from the pool, and a sign-in with it is refused too, while an account an
administrator made (in a role group, often with no record) signs in as before."""

from __future__ import annotations

from typing import Any

import pytest

from services.accounts.sign_in.base import SignedIn
from services.adapters.aws.dynamodb.users import DynamoUserDirectory
from services.bootstrap import Services
from services.domain.analytics import Purpose
from services.domain.permissions import Actor, Role
from services.domain.signup import SignupDraft
from services.domain.users import AccountStatus
from services.errors import NotFound, PermissionDenied, ServiceUnavailable
from tests.contract.cognito_backend import MockedCognito
from tests.doubles.aws_faults import Fault, failing_everywhere

PASSWORD = "violet-harbor-tunnel-42"
ADMIN_PASSWORD = "Temporary-pass-1"
DRAFT = SignupDraft("이지원", "jiwon@example.com", "Jiwon", "Acme", Purpose.CUSTOMER_DEMO,
                    Role.VIEWER, PASSWORD, PASSWORD, True)
INCOMPLETE = "signup.err_incomplete"


@pytest.fixture(params=["approval", "open"])
def cognito_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"signup": request.param}


@pytest.fixture
def services(cognito_services: Services) -> Services:
    return cognito_services


@pytest.fixture
def root(services: Services) -> Actor:
    return services.accounts.create_first_admin("root", "Root", "root@example.com",
                                                ADMIN_PASSWORD).as_actor()


def _orphan(services: Services, cognito: MockedCognito) -> None:
    """Sign up "jiwon" through the double failure: the pool account stays, unconfirmed, and
    the app's record is gone."""
    assert services.signup is not None
    with (failing_everywhere(Fault("AdminUpdateUserAttributes", "InternalErrorException"),
                             Fault("AdminDeleteUser", "InternalErrorException")),
          pytest.raises(ServiceUnavailable)):
        services.signup.sign_up(DRAFT, "visit-1")
    assert _in_pool(cognito, "jiwon")["UserStatus"] == "UNCONFIRMED"
    with pytest.raises(NotFound):
        _table(cognito).get("jiwon")


def _table(cognito: MockedCognito) -> DynamoUserDirectory:
    """The app's own records (the users table), read directly."""
    return DynamoUserDirectory(cognito.aws.dynamodb, str(cognito.settings.users_table),
                               claims_emails=False)


def _in_pool(cognito: MockedCognito, username: str) -> dict[str, Any]:
    return dict(cognito.client.admin_get_user(UserPoolId=cognito.pool_id, Username=username))


def _gone_from_pool(cognito: MockedCognito, username: str) -> bool:
    try:
        _in_pool(cognito, username)
    except cognito.client.exceptions.UserNotFoundException:
        return True
    return False


def _pool_signs_in(cognito: MockedCognito, username: str) -> bool:
    try:
        cognito.identity().sign_in(username, PASSWORD)
    except PermissionDenied:
        return False
    return True


def _app_refuses(services: Services, cognito: MockedCognito, username: str) -> str:
    """The key the app's sign-in refuses ``username`` with; no session is kept."""
    assert services.cognito is not None
    with pytest.raises(PermissionDenied) as refused:
        services.cognito.sign_in(username, PASSWORD)
    sessions = cognito.aws.dynamodb.scan(TableName=str(cognito.settings.sessions_table))["Items"]
    assert [s for s in sessions if s.get("username", {}).get("S") == username] == []
    return refused.value.key


def test_a_code_for_a_pool_account_without_its_record_is_refused_and_the_account_removed(
    services: Services, cognito: MockedCognito, root: Actor,
) -> None:
    assert services.signup is not None
    _orphan(services, cognito)

    with pytest.raises(PermissionDenied) as refused:
        services.signup.confirm("jiwon", "123456")

    assert refused.value.key == INCOMPLETE
    assert _gone_from_pool(cognito, "jiwon")
    assert not _pool_signs_in(cognito, "jiwon")
    assert _app_refuses(services, cognito, "jiwon") == "cognito.err_bad_credentials"
    assert services.signup.pending(root) == []
    outcomes = [(e.target, e.outcome)
                for e in services.ports.audit.entries(action="user.signup_confirm")]
    assert outcomes == [("jiwon", "no_record")]


def test_after_the_refusal_the_same_name_and_email_can_sign_up_again(
    services: Services, cognito: MockedCognito, root: Actor,
) -> None:
    assert services.signup is not None
    _orphan(services, cognito)
    with pytest.raises(PermissionDenied):
        services.signup.confirm("jiwon", "123456")

    services.signup.sign_up(DRAFT, "visit-2")

    assert _table(cognito).get("jiwon").company == "Acme"
    assert services.signup.confirm("jiwon", "123456") in (AccountStatus.PENDING,
                                                          AccountStatus.ACTIVE)


def test_an_orphan_the_pool_would_not_delete_is_left_disabled(
    services: Services, cognito: MockedCognito, root: Actor,
) -> None:
    assert services.signup is not None
    _orphan(services, cognito)

    with (failing_everywhere(Fault("AdminDeleteUser", "InternalErrorException")),
          pytest.raises(PermissionDenied) as refused):
        services.signup.confirm("jiwon", "123456")

    assert refused.value.key == INCOMPLETE
    assert _in_pool(cognito, "jiwon")["Enabled"] is False
    assert not _pool_signs_in(cognito, "jiwon")


def test_an_orphan_confirmed_while_the_pool_could_not_remove_it_is_refused_at_sign_in(
    services: Services, cognito: MockedCognito, root: Actor,
) -> None:
    """Neither the delete nor the disable reached the pool: the pool gives the account tokens,
    and the sign-in's check of the app's record refuses it (and removes it then)."""
    assert services.signup is not None
    _orphan(services, cognito)
    with (failing_everywhere(Fault("AdminDeleteUser", "InternalErrorException"),
                             Fault("AdminDisableUser", "InternalErrorException")),
          pytest.raises(PermissionDenied)):
        services.signup.confirm("jiwon", "123456")
    assert _pool_signs_in(cognito, "jiwon")  # the pool alone would let it in

    assert _app_refuses(services, cognito, "jiwon") == INCOMPLETE

    assert _gone_from_pool(cognito, "jiwon")
    failed = services.ports.audit.entries(action="auth.login_failed")
    assert [e.target for e in failed] == ["jiwon"]


def test_a_pool_sign_up_confirmed_outside_the_app_is_refused_at_sign_in(
    services: Services, cognito: MockedCognito, root: Actor,
) -> None:
    """The pool's own API confirms a sign-up the app never recorded: no record, no role
    group, so not an administrator's account."""
    _orphan(services, cognito)
    cognito.client.confirm_sign_up(ClientId=cognito.client_id, Username="jiwon",
                                   ConfirmationCode="123456")

    assert _app_refuses(services, cognito, "jiwon") == INCOMPLETE
    assert not _pool_signs_in(cognito, "jiwon")


def test_an_account_an_administrator_made_signs_in_without_a_record(
    services: Services, cognito: MockedCognito, root: Actor,
) -> None:
    assert services.cognito is not None and services.ports.cognito is not None
    services.accounts.create_user(root, "kim", "Kim", "kim@example.com", PASSWORD,
                                  frozenset({Role.AUTHOR}), temporary=False)
    with pytest.raises(NotFound):
        _table(cognito).get("kim")

    live = services.cognito.sign_in("kim", PASSWORD)

    assert isinstance(live, SignedIn) and live.actor.roles == {Role.AUTHOR}
    assert services.ports.signup is not None
    with pytest.raises(NotFound):  # no record of the app's: the pool's account stands alone
        services.ports.signup.record("kim")
    assert services.ports.signup.get("kim").roles == frozenset({Role.AUTHOR})
    signup = services.ports.cognito.signup
    assert signup is not None
    signup.discard("kim")  # never removes an administrator's account
    assert _in_pool(cognito, "kim")["Enabled"] is True


def test_a_sign_ups_record_reads_with_the_pools_values_as_get_shows_it(
    services: Services, cognito: MockedCognito, root: Actor,
) -> None:
    assert services.signup is not None and services.ports.signup is not None
    services.signup.sign_up(DRAFT, "visit-1")
    services.signup.confirm("jiwon", "123456")

    record = services.ports.signup.record("jiwon")

    assert record == services.ports.signup.get("jiwon")
    assert (record.name, record.company) == ("이지원", "Acme")
