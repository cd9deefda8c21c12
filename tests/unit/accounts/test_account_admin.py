"""Administration in the service layer: every admin action is refused (and audited) for every
other role; the last-admin guard; the same use cases over a Cognito pool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from services.accounts.service import AccountService
from services.bootstrap import Services
from services.domain.inquiries import InquiryDraft, InquiryStatus, InquiryType
from services.domain.permissions import Actor, Role
from services.domain.users import PasswordReset
from services.errors import DemoFactoryError, NotFound, PermissionDenied, ValidationError
from tests.contract.cognito_backend import MockedCognito

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


# ---- what each action does for an admin (``second``; ``root`` may lose the role) --------


def _names(users: Any) -> set[str]:
    return {(u[0] if isinstance(u, tuple) else u).username for u in users}


def _listed(s: Services, out: Any) -> None:
    assert _names(out) == {"root", "second"}


def _found(s: Services, out: Any) -> None:
    assert _names(out.items) == {"root"}


def _mallory_is_admin(s: Services, out: Any) -> None:
    assert out.username == "mallory" and s.accounts.get("mallory").roles == {Role.ADMIN}


def _root_is_viewer(s: Services, out: Any) -> None:
    assert s.accounts.get("root").roles == {Role.VIEWER}


def _root_is_disabled(s: Services, out: Any) -> None:
    assert s.accounts.get("root").disabled


def _root_is_gone(s: Services, out: Any) -> None:
    with pytest.raises(NotFound):
        s.accounts.get("root")


def _root_has_a_new_password(s: Services, out: Any) -> None:
    assert isinstance(out, PasswordReset) and out.one_time_password
    with pytest.raises(DemoFactoryError):
        s.accounts.authenticate("root", PASSWORD)
    assert s.accounts.authenticate("root", out.one_time_password).username == "root"


def _exported(s: Services, out: Any) -> None:
    assert _names(out) == {"root", "second"}


def _open_inquiry_listed(s: Services, out: Any) -> None:
    assert [(i.name, i.status) for i in out] == [("Kim", InquiryStatus.OPEN)]


def _inquiry_handled(s: Services, out: Any) -> None:
    assert s.ports.inquiries.list(InquiryStatus.OPEN) == []
    assert s.ports.inquiries.get(out.id).handled_by == "second"


EFFECTS: dict[str, Callable[[Services, Any], None]] = {
    "user.list": _listed, "user.find": _found, "user.create": _mallory_is_admin,
    "user.set_roles": _root_is_viewer, "user.disable": _root_is_disabled,
    "user.delete": _root_is_gone, "user.reset_password": _root_has_a_new_password,
    "user.import": _mallory_is_admin, "user.export": _exported,
    "inquiry.list": _open_inquiry_listed, "inquiry.handled": _inquiry_handled,
}
UNAUDITED = {"user.list", "user.find", "inquiry.list"}  # reads leave no audit entry


@pytest.mark.parametrize("action", list(ADMIN_ACTIONS))
def test_the_same_actions_work_for_an_admin(services: Services, root: Actor,
                                            action: str) -> None:
    second = services.accounts.create_user(root, "second", "S", "s@example.com", PASSWORD,
                                           frozenset({Role.ADMIN})).as_actor()
    out = ADMIN_ACTIONS[action](services, second)  # root may lose the role: second remains
    if action not in UNAUDITED:
        [entry] = [e for e in services.ports.audit.entries(limit=5) if e.actor == "second"]
        assert (entry.action, entry.outcome) == (action, "ok")
    EFFECTS[action](services, out)


def test_every_admin_action_has_its_effect_checked() -> None:
    assert set(EFFECTS) == set(ADMIN_ACTIONS)


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
        kept = services.accounts.get("root")
        assert kept.roles == {Role.ADMIN} and not kept.disabled
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
def cservices(cognito_services: Services) -> Services:
    return cognito_services


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
