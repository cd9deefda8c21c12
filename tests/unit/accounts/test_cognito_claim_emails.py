"""scripts/claim_emails.py on moto: pool accounts made before email claims existed, or in the
console, get the claim of their address, so that no new account can take it in another case.

Conflicts (two pool accounts with one address, or a standing claim of another account) are
reported by name and left as they are, with exit status 1; a dry run writes nothing; a second
run changes nothing; every page of the pool is read."""

from __future__ import annotations

import time
from typing import Any

import pytest

from scripts import claim_emails
from services.adapters.aws.cognito.directory import PAGE_LIMIT
from services.adapters.aws.cognito.doctor_checks import COGNITO_CHECKS
from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.email_claims import CLAIM_PREFIX, EmailClaims
from services.bootstrap import build_services
from services.domain.permissions import Role
from services.errors import ConflictError
from services.i18n import translate
from services.ops.doctor.base import DoctorContext, run_doctor
from tests.contract.cognito_backend import MockedCognito
from tests.unit.accounts.test_cognito_signup import ADMIN_PASSWORD


@pytest.fixture(autouse=True)
def script_settings(cognito: MockedCognito, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claim_emails, "load_script_settings", lambda: cognito.settings)


def console_user(pool: MockedCognito, username: str, email: str | None) -> None:
    """An account made in the pool itself (the console, the CLI): it holds no claim."""
    attributes = [{"Name": "email", "Value": email}] if email else []
    pool.client.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=username,
        UserAttributes=attributes,
        MessageAction="SUPPRESS",
    )


def claims(pool: MockedCognito) -> dict[str, dict[str, Any]]:
    """Every claim item in the users table, by address."""
    items = make_client("dynamodb", pool.settings).scan(TableName=str(pool.settings.users_table))[
        "Items"
    ]
    return {
        item["username"]["S"].removeprefix(CLAIM_PREFIX): item
        for item in items
        if item["username"]["S"].startswith(CLAIM_PREFIX)
    }


def owners(pool: MockedCognito) -> dict[str, str]:
    return {address: item["owner"]["S"] for address, item in claims(pool).items()}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = claim_emails.main(args)
    captured = capsys.readouterr()
    assert captured.err == ""
    return code, captured.out


def claims_of(pool: MockedCognito, clock: float) -> EmailClaims:
    return EmailClaims(
        make_client("dynamodb", pool.settings),
        str(pool.settings.users_table),
        lambda username: (),
        grace=300,
        clock=lambda: clock,
    )


def test_accounts_without_a_claim_get_theirs_and_a_second_run_changes_nothing(
    cognito: MockedCognito, capsys: pytest.CaptureFixture[str]
) -> None:
    services = build_services(cognito.settings)
    root = services.accounts.create_first_admin(
        "root", "Root", "root@example.com", ADMIN_PASSWORD
    ).as_actor()  # claims its own
    console_user(cognito, "kim", "kim@example.com")
    console_user(cognito, "lee", "Lee@Example.com")
    console_user(cognito, "robot", None)
    # A claim left by an account that never reached the pool, long ago: stale, and replaced.
    claims_of(cognito, time.time() - 3600).claim_now("choi@example.com", "gone")
    console_user(cognito, "choi", "choi@example.com")

    code, out = run([], capsys)

    assert code == 0
    assert "claimed now: 3" in out and "already held by their account: 1" in out
    assert "without an email (skipped): 1" in out and "conflicts: 0" in out
    assert owners(cognito) == {
        "root@example.com": "root",
        "kim@example.com": "kim",
        "lee@example.com": "lee",
        "choi@example.com": "choi",
    }
    with pytest.raises(ConflictError):  # the pool's own filter would not find "Lee@Example.com"
        services.accounts.create_user(
            root, "park", "Park", "lee@example.com", ADMIN_PASSWORD, frozenset({Role.VIEWER})
        )

    before = claims(cognito)
    code, out = run([], capsys)

    assert code == 0 and "claimed now: 0" in out and "already held by their account: 4" in out
    assert claims(cognito) == before  # not even the claims' time is written again


def test_conflicts_are_named_left_alone_and_fail_the_run(
    cognito: MockedCognito, capsys: pytest.CaptureFixture[str]
) -> None:
    console_user(cognito, "kim", "same@example.com")
    console_user(cognito, "lee", "SAME@example.com")
    console_user(cognito, "park", "park@example.com")
    claims_of(cognito, time.time()).claim_now("park@example.com", "newcomer")  # on its way
    console_user(cognito, "choi", "choi@example.com")

    code, out = run([], capsys)

    assert code == 1
    assert "conflicts: 2" in out
    assert "  same@example.com: pool accounts kim, lee" in out
    assert "  park@example.com: pool account park; claimed by newcomer" in out
    assert "claimed now: 1" in out  # the others go on
    assert owners(cognito) == {"park@example.com": "newcomer", "choi@example.com": "choi"}


def test_a_dry_run_writes_nothing(
    cognito: MockedCognito, capsys: pytest.CaptureFixture[str]
) -> None:
    console_user(cognito, "kim", "kim@example.com")
    console_user(cognito, "lee", "lee@example.com")

    code, out = run(["--dry-run"], capsys)

    assert code == 1  # something to do
    assert "would claim: 2" in out and "dry run: nothing written" in out
    assert claims(cognito) == {}
    assert run([], capsys)[0] == 0
    assert run(["--dry-run"], capsys)[0] == 0  # nothing left to do


def test_every_page_of_the_pool_is_read(
    cognito: MockedCognito, capsys: pytest.CaptureFixture[str]
) -> None:
    count = PAGE_LIMIT + 3
    for n in range(count):
        console_user(cognito, f"user{n:03}", f"user{n:03}@example.com")

    code, out = run([], capsys)

    assert code == 0 and f"claimed now: {count}" in out
    assert len(owners(cognito)) == count


def test_without_cognito_sign_in_the_script_says_what_to_run_instead(
    cognito: MockedCognito, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    local = cognito.settings.model_copy(update={"auth": "local"})
    monkeypatch.setattr(claim_emails, "load_script_settings", lambda: local)

    code = claim_emails.main([])

    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert "scripts.bootstrap_aws" in captured.err


def test_the_doctor_names_pool_accounts_without_a_claim_until_the_script_ran(
    cognito: MockedCognito, capsys: pytest.CaptureFixture[str]
) -> None:
    console_user(cognito, "kim", "kim@example.com")
    console_user(cognito, "robot", None)

    def line() -> tuple[bool, str]:
        context = DoctorContext(cognito.settings, env={}, include_bedrock=False)
        found = next(
            entry
            for entry in run_doctor(context, COGNITO_CHECKS).lines
            if entry.check == "cognito.email_claims"
        )
        said = [translate("en", m.key, **m.params) for m in (found.detail, found.fix) if m]
        return found.ok, " ".join(said)

    ok, said = line()
    assert not ok and "kim" in said and "python -m scripts.claim_emails" in said

    run([], capsys)

    assert line()[0]


class Throttled:
    """The users table's client, leaving every key of the first ``times`` BatchGetItem calls
    unprocessed (as DynamoDB may under load)."""

    def __init__(self, client: Any, times: int) -> None:
        self._client, self._times = client, times

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        if self._times:
            self._times -= 1
            return {"Responses": {}, "UnprocessedKeys": RequestItems}
        return dict(self._client.batch_get_item(RequestItems=RequestItems))


@pytest.mark.parametrize(("times", "looked"), [(1, 1), (3, 0)])
def test_the_doctor_reads_again_what_dynamodb_left_unprocessed(
    cognito: MockedCognito, monkeypatch: pytest.MonkeyPatch, times: int, looked: int
) -> None:
    """Once: the second read answers, and the account without a claim is named. Every time:
    the account was not looked at, and the line says so by its count instead of guessing."""
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    console_user(cognito, "kim", "kim@example.com")
    table = Throttled(make_client("dynamodb", cognito.settings), times)
    context = DoctorContext(
        cognito.settings, env={}, include_bedrock=False, dynamodb=lambda settings: table
    )

    [found] = [
        entry
        for entry in run_doctor(context, COGNITO_CHECKS).lines
        if entry.check == "cognito.email_claims"
    ]

    assert found.detail.params["looked"] == looked
    assert found.ok == (looked == 0)
