"""Administration in the service layer: every admin action is refused (and audited) for every
other role; the last-admin guard; the same use cases over a Cognito pool."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.bootstrap import Services, build_services
from services.domain.inquiries import InquiryDraft, InquiryStatus, InquiryType
from services.domain.permissions import Actor, Role
from services.domain.users import PasswordReset
from services.errors import PermissionDenied, ValidationError
from tests.contract.cognito_backend import MockedCognito, mocked_cognito

PASSWORD = "correct horse battery"
HASH = "$2b$04$XwrUKjEzb4Ga7E4pG.cvCuPvVvL3m8bVxMqUcMTE8f0Aztl1vJMNC"  # made elsewhere
NON_ADMINS = {
    "anonymous": Actor.anonymous(),
    "viewer": Actor("vera", "Vera", frozenset({Role.VIEWER})),
    "author": Actor("alice", "Alice", frozenset({Role.AUTHOR})),
    "analyst": Actor("ann", "Ann", frozenset({Role.ANALYST})),
    "author+analyst": Actor("bo", "Bo", frozenset({Role.AUTHOR, Role.ANALYST})),
}
DRAFT = InquiryDraft("Kim", "kim@example.com", "", InquiryType.OTHER, "Hello", "Hi", True)

AdminCall = Callable[[Services, Actor], Any]
ADMIN_ACTIONS: dict[str, AdminCall] = {
    "user.list": lambda s, a: s.accounts.list_users(a),
    "user.find": lambda s, a: s.accounts.find_users(a, "root"),
    "user.create": lambda s, a: s.accounts.create_user(
        a, "mallory", "M", "m@example.com", PASSWORD, frozenset({Role.ADMIN})),
    "user.set_roles": lambda s, a: s.accounts.set_roles(a, "root", frozenset({Role.VIEWER})),
    "user.disable": lambda s, a: s.accounts.set_disabled(a, "root", True),
    "user.delete": lambda s, a: s.accounts.delete_user(a, "root"),
    "user.reset_password": lambda s, a: s.accounts.reset_password(a, "root"),
    "user.import": lambda s, a: s.accounts.import_user(
        a, "mallory", "M", "m@example.com", frozenset({Role.ADMIN}), HASH),
    "user.export": lambda s, a: s.accounts.export_users(a),
    "inquiry.list": lambda s, a: s.inquiries.list(a, InquiryStatus.OPEN),
    "inquiry.handled": lambda s, a: s.inquiries.set_handled(
        a, s.ports.inquiries.list(InquiryStatus.OPEN)[0].id, True),
}


@pytest.fixture
def accounts(services: Services) -> AccountService:
    return AccountService(services.ports.users, LocalPasswords(services.ports.users, rounds=4),  # type: ignore[arg-type]
                          services.ports.throttle, services.ports.audit)


@pytest.fixture
def root(services: Services, accounts: AccountService) -> Actor:
    object.__setattr__(services, "accounts", accounts)  # cheap bcrypt for these tests
    user = accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD)
    services.inquiries.submit(Actor.anonymous(), DRAFT, "visitor-session")
    return user.as_actor()


@pytest.mark.parametrize("role", list(NON_ADMINS))
@pytest.mark.parametrize("action", list(ADMIN_ACTIONS))
def test_admin_actions_are_refused_for_other_roles(
    services: Services, root: Actor, role: str, action: str
) -> None:
    with pytest.raises(PermissionDenied):
        ADMIN_ACTIONS[action](services, NON_ADMINS[role])
    denied = services.ports.audit.entries(limit=5)[0]
    assert denied.outcome == "denied"
    assert denied.actor == (NON_ADMINS[role].user_id or "anonymous")
    assert services.accounts.get("root").roles == {Role.ADMIN}  # nothing changed
    assert not services.accounts.get("root").disabled


@pytest.mark.parametrize("action", list(ADMIN_ACTIONS))
def test_the_same_actions_work_for_an_admin(services: Services, root: Actor,
                                            action: str) -> None:
    second = services.accounts.create_user(root, "second", "S", "s@example.com", PASSWORD,
                                           frozenset({Role.ADMIN})).as_actor()
    ADMIN_ACTIONS[action](services, second)  # root may lose the role: second remains


def test_the_last_admin_cannot_be_removed_by_anyone(services: Services, root: Actor) -> None:
    cli = Actor("cli", "command line", frozenset({Role.ADMIN}))  # not in the directory
    for change in (
        lambda: services.accounts.set_roles(cli, "root", frozenset({Role.VIEWER})),
        lambda: services.accounts.set_disabled(cli, "root", True),
        lambda: services.accounts.delete_user(cli, "root"),
    ):
        with pytest.raises(ValidationError) as refused:
            change()
        assert refused.value.key == "auth.err_last_admin"
    services.accounts.create_user(root, "second", "S", "", PASSWORD, frozenset({Role.ADMIN}))
    services.accounts.set_disabled(cli, "second", True)
    services.accounts.delete_user(cli, "second")  # a disabled admin is not the last one


def test_local_accounts_need_a_password(services: Services, root: Actor) -> None:
    assert not services.accounts.sends_invitations
    with pytest.raises(ValidationError):
        services.accounts.create_user(root, "nopass", "N", "", None, frozenset({Role.VIEWER}))


def test_search_and_pages(services: Services, root: Actor) -> None:
    for number in range(5):
        services.accounts.create_user(root, f"user-{number}", f"이름 {number}",
                                      f"u{number}@corp.example", PASSWORD,
                                      frozenset({Role.VIEWER}))
    page = services.accounts.find_users(root, "", page=2, page_size=4)
    assert [u.username for u in page.items] == ["user-3", "user-4"]
    assert (page.total, page.pages) == (6, 2)
    assert [u.username for u in services.accounts.find_users(root, "CORP").items] == [
        f"user-{n}" for n in range(5)]
    assert services.accounts.find_users(root, "이름 3").total == 1
    assert services.accounts.find_users(root, "", page=99, page_size=4).page == 2


# ---- the same use cases over a Cognito pool (moto) ------------------------------------------


@pytest.fixture
def cognito() -> Iterator[MockedCognito]:
    with mocked_cognito() as mocked:
        yield mocked


@pytest.fixture
def cservices(cognito: MockedCognito) -> Services:
    return build_services(cognito.settings)


def _status(cognito: MockedCognito, username: str) -> str:
    return str(cognito.client.admin_get_user(UserPoolId=cognito.pool_id,
                                             Username=username)["UserStatus"])


def test_cognito_first_admin_has_a_permanent_password(cservices: Services,
                                                      cognito: MockedCognito) -> None:
    assert cservices.accounts.needs_first_admin()
    cservices.accounts.create_first_admin("boss", "Boss", "boss@example.com", "Long-enough-1")
    assert not cservices.accounts.needs_first_admin()
    assert _status(cognito, "boss") == "CONFIRMED"
    assert cservices.accounts.get("boss").roles == {Role.ADMIN}


def test_cognito_invite_temporary_password_and_reset(cservices: Services,
                                                     cognito: MockedCognito) -> None:
    boss = cservices.accounts.create_first_admin("boss", "Boss", "", "Long-enough-1").as_actor()
    assert cservices.accounts.sends_invitations
    sent: list[dict[str, Any]] = []
    client = cservices.ports.passwords._client  # type: ignore[attr-defined]  # the app's own
    client.meta.events.register(
        "before-parameter-build.cognito-idp.AdminCreateUser",
        lambda params, **_: sent.append(dict(params)),
    )
    cservices.accounts.create_user(boss, "invited", "Invited", "i@example.com", None,
                                   frozenset({Role.VIEWER}))
    assert [p.get("MessageAction") for p in sent] == ["SUPPRESS", "RESEND"]

    cservices.accounts.create_user(boss, "temp", "Temp", "t@example.com", "Temporary-pw-1",
                                   frozenset({Role.AUTHOR}))
    assert _status(cognito, "temp") == "FORCE_CHANGE_PASSWORD"

    cognito.client.admin_set_user_password(UserPoolId=cognito.pool_id, Username="temp",
                                           Password="Chosen-pw-22", Permanent=True)
    assert cservices.accounts.reset_password(boss, "temp") == PasswordReset()  # a code mailed
    assert _status(cognito, "temp") == "RESET_REQUIRED"
    entries = cservices.ports.audit.entries(actor="boss")
    assert {"user.invite", "user.create", "user.reset_password"} <= {e.action for e in entries}


def test_cognito_guards_and_delete(cservices: Services, cognito: MockedCognito) -> None:
    boss = cservices.accounts.create_first_admin("boss", "Boss", "", "Long-enough-1").as_actor()
    with pytest.raises(ValidationError) as own:
        cservices.accounts.set_roles(boss, "boss", frozenset({Role.VIEWER}))
    assert own.value.key == "auth.err_own_admin"
    cservices.accounts.create_user(boss, "kim", "Kim", "", "Temporary-pw-1",
                                   frozenset({Role.AUTHOR}))
    cservices.accounts.delete_user(boss, "kim")
    assert [u.username for u in cservices.accounts.list_users(boss)] == ["boss"]


def test_a_failed_password_step_leaves_no_account(cservices: Services,
                                                  cognito: MockedCognito) -> None:
    boss = cservices.accounts.create_first_admin("boss", "Boss", "", "Long-enough-1").as_actor()

    def refuse(*_: Any, **__: Any) -> None:
        raise ValidationError("cognito.err_password_policy")

    object.__setattr__(cservices.ports.passwords, "set_password", refuse)
    with pytest.raises(ValidationError):
        cservices.accounts.create_user(boss, "kim", "Kim", "", "Temporary-pw-1",
                                       frozenset({Role.AUTHOR}))
    assert [u.username for u in cservices.accounts.list_users(boss)] == ["boss"]


def test_cognito_keeps_the_passwords_so_no_hashes_move(cservices: Services,
                                                       cognito: MockedCognito) -> None:
    boss = cservices.accounts.create_first_admin("boss", "Boss", "", "Long-enough-1").as_actor()
    for move in (
        lambda: cservices.accounts.import_user(boss, "kim", "Kim", "", frozenset({Role.AUTHOR}),
                                               HASH),
        lambda: cservices.accounts.export_users(boss),
    ):
        with pytest.raises(ValidationError) as refused:
            move()
        assert refused.value.key == "auth.err_hashes_in_provider"
    assert [u.username for u in cservices.accounts.list_users(boss)] == ["boss"]
