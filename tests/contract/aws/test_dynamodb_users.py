"""DynamoUserDirectory specifics (the shared behaviour is in tests/contract)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.accounts.service import login_name
from services.adapters.aws.dynamodb import login_failures
from services.adapters.aws.dynamodb.admin_guard import ADMIN_GUARD_KEY
from services.adapters.aws.dynamodb.email_claims import claim_key
from services.adapters.aws.dynamodb.schema import DIRECTORY_INDEX
from services.adapters.aws.dynamodb.users import DynamoUserDirectory
from services.domain.permissions import Role
from services.domain.users import User
from services.errors import ConflictError, NotFound, ValidationError
from tests.contract.aws_backends import MockedAws, mocked_aws

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with mocked_aws() as mocked:
        yield mocked


@pytest.fixture
def users(aws: MockedAws) -> DynamoUserDirectory:
    return DynamoUserDirectory(aws.dynamodb, str(aws.settings.users_table))


def user(username: str) -> User:
    return User(username, username.title(), f"{username}@example.com", frozenset(), T0)


def raw(aws: MockedAws, username: str) -> dict[str, Any] | None:
    response = aws.dynamodb.get_item(
        TableName=str(aws.settings.users_table), Key={"username": {"S": username}}
    )
    return response.get("Item")


def test_list_queries_the_directory_index_and_never_scans(
    users: DynamoUserDirectory, aws: MockedAws
) -> None:
    operations: list[tuple[str, Any]] = []
    aws.dynamodb.meta.events.register(
        "before-parameter-build.dynamodb",
        lambda event_name, params, **_: operations.append((event_name, params.get("IndexName"))),
    )
    for name in ("b", "a"):
        users.create(user(name))

    assert [u.username for u in users.list()] == ["a", "b"]
    assert not any(event.endswith(".Scan") for event, _ in operations)
    assert ("before-parameter-build.dynamodb.Query", DIRECTORY_INDEX) in operations


def test_failures_of_an_unknown_name_make_no_account(
    users: DynamoUserDirectory, aws: MockedAws
) -> None:
    users.record_login_failure("ghost", T0)

    assert raw(aws, "ghost") is not None  # the failures are kept somewhere...
    with pytest.raises(NotFound):
        users.get("ghost")  # ...but that is no account
    with pytest.raises(NotFound):
        users.password_hash("ghost")
    with pytest.raises(NotFound):
        users.set_disabled("ghost", True)
    assert users.list() == []


def test_creating_the_account_keeps_earlier_failures(users: DynamoUserDirectory) -> None:
    users.record_login_failure("late", T0)

    users.create(user("late"))

    assert users.get("late").username == "late"
    assert users.login_failures_since("late", T0) == 1


def test_clearing_an_unknown_names_failures_leaves_nothing(
    users: DynamoUserDirectory, aws: MockedAws
) -> None:
    users.record_login_failure("ghost", T0)

    users.clear_login_failures("ghost")

    assert raw(aws, "ghost") is None


def test_clearing_an_accounts_failures_keeps_the_account(
    users: DynamoUserDirectory, aws: MockedAws
) -> None:
    users.create(user("kim"))
    users.set_password_hash("kim", "hash")
    users.record_login_failure("kim", T0)

    users.clear_login_failures("kim")

    stored = raw(aws, "kim")
    assert stored is not None and "recent_failures" not in stored
    assert users.password_hash("kim") == "hash"


def test_only_the_newest_failures_are_kept(
    users: DynamoUserDirectory, aws: MockedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(login_failures, "MAX_FAILURES_KEPT", 3)

    for minute in range(5):
        users.record_login_failure("kim", T0 + timedelta(minutes=minute))

    stored = raw(aws, "kim")
    assert stored is not None
    # Newest first: a reservation compares the limit-th newest with the window's start.
    assert [v["S"][11:16] for v in stored["recent_failures"]["L"]] == ["09:04", "09:03", "09:02"]
    assert users.login_failures_since("kim", T0) == 3


def test_roles_are_stored_as_a_sorted_list(users: DynamoUserDirectory, aws: MockedAws) -> None:
    users.create(user("kim"))

    users.set_roles("kim", frozenset({Role.VIEWER, Role.ADMIN}))

    stored = raw(aws, "kim")
    assert stored is not None
    assert stored["roles"] == {"L": [{"S": "admin"}, {"S": "viewer"}]}


def test_created_at_round_trips_exactly(users: DynamoUserDirectory) -> None:
    # The contract allows a directory its own clock (Cognito); this one keeps the given time.
    users.create(user("kim"))

    assert users.get("kim") == user("kim")


def test_the_admin_count_is_made_from_a_table_that_predates_it(aws: MockedAws) -> None:
    table = str(aws.settings.users_table)
    for name, disabled in (("root", False), ("old", True)):  # written by an older version
        aws.dynamodb.put_item(TableName=table, Item={
            "username": {"S": name}, "directory": {"S": "users"}, "name": {"S": name},
            "email": {"S": ""}, "roles": {"L": [{"S": "admin"}]},
            "created_at": {"S": "2025-03-01T09:00:00.000000+00:00"},
            "disabled": {"BOOL": disabled}, "password_hash": {"S": ""},
        })
    users = DynamoUserDirectory(aws.dynamodb, table)

    with pytest.raises(ValidationError):
        users.delete_guarded("root")
    assert not users.create_first_admin(user("second"))
    users.set_disabled_guarded("old", False)
    users.delete_guarded("root")
    assert [u.username for u in users.list()] == ["old"]


def test_no_typed_name_reaches_the_admin_count(users: DynamoUserDirectory,
                                               aws: MockedAws) -> None:
    users.create_first_admin(User("root", "Root", "", frozenset({Role.ADMIN}), T0))
    users.record_login_failure(ADMIN_GUARD_KEY, T0)

    users.clear_login_failures(ADMIN_GUARD_KEY)
    users.clear_login_failures(ADMIN_GUARD_KEY.lower())

    stored = raw(aws, ADMIN_GUARD_KEY)
    assert stored is not None and stored["active_admins"] == {"N": "1"}
    assert login_name(ADMIN_GUARD_KEY) != ADMIN_GUARD_KEY  # what sign-in makes of a typed name


# ---- email claims ---------------------------------------------------------------------------


def _claim(aws: MockedAws, email: str, owner: str) -> None:
    aws.dynamodb.put_item(TableName=str(aws.settings.users_table),
                          Item={**claim_key(email), "owner": {"S": owner}})


@pytest.mark.parametrize("owner", ["ghost", "kim"])
def test_a_claim_left_behind_does_not_hold_the_address(
        aws: MockedAws, users: DynamoUserDirectory, owner: str) -> None:
    """A claim whose owner is gone, or has another address now (a release that never ran),
    is removed when someone else asks for the address."""
    users.create(user("kim"))
    _claim(aws, "old@example.com", owner)

    users.create(User("lee", "Lee", "old@example.com", frozenset(), T0))

    assert users.get("lee").email == "old@example.com"
    claim = raw(aws, claim_key("old@example.com")["username"]["S"])
    assert claim is not None and claim["owner"] == {"S": "lee"}


def test_claims_are_not_accounts(aws: MockedAws, users: DynamoUserDirectory) -> None:
    users.create(user("kim"))
    assert [u.username for u in users.list()] == ["kim"]
    with pytest.raises(NotFound):
        users.get(claim_key("kim@example.com")["username"]["S"])


def test_sign_up_records_beside_a_cognito_pool_claim_no_email(aws: MockedAws) -> None:
    """The pool's accounts own the emails there (it lets two share one): records of two pool
    users with one address are both kept and both editable."""
    records = DynamoUserDirectory(aws.dynamodb, str(aws.settings.users_table),
                                  claims_emails=False)
    records.create(User("kim", "Kim", "shared@example.com", frozenset(), T0))
    records.create(User("lee", "Lee", "shared@example.com", frozenset(), T0))
    records.update_profile("lee", name="Lee J", email="SHARED@example.com", company="")

    assert records.get("lee").name == "Lee J"
    assert raw(aws, claim_key("shared@example.com")["username"]["S"]) is None


def test_a_record_without_claims_is_unverified_after_a_change_of_email_too(
        aws: MockedAws) -> None:
    """The write that claims no email (Cognito's records) holds to the same rule."""
    records = DynamoUserDirectory(aws.dynamodb, str(aws.settings.users_table),
                                  claims_emails=False)
    records.create(User("kim", "Kim", "kim@example.com", frozenset(), T0))
    records.update_profile("kim", name="Kim", email="KIM@example.com", company="")
    assert records.get("kim").email_verified  # a change of case is the same mailbox

    records.update_profile("kim", name="Kim", email="alice@example.com", company="")

    assert not records.get("kim").email_verified


def test_the_bootstrap_claims_the_emails_of_accounts_written_before_claims(
        aws: MockedAws, users: DynamoUserDirectory) -> None:
    users.create(user("kim"))
    users.create(User("lee", "Lee", "shared@example.com", frozenset(), T0))
    users.create(User("park", "Park", "", frozenset(), T0))
    for email in ("kim@example.com", "shared@example.com"):  # as an older version left them
        aws.dynamodb.delete_item(TableName=str(aws.settings.users_table), Key=claim_key(email))

    assert users.claim_existing_emails() == 2
    assert users.claim_existing_emails() == 0  # safe to repeat

    with pytest.raises(ConflictError) as taken:
        users.create(User("choi", "Choi", "KIM@example.com", frozenset(), T0))
    assert taken.value.key == "auth.err_email_taken"
