"""Local accounts: first admin, sign-in with lockout, admin-only management, last-admin guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.bootstrap import Services
from services.domain.permissions import Actor, Role
from services.errors import ConflictError, PermissionDenied, QuotaExceeded, ValidationError
from services.settings import load_settings
from tests.doubles.clock import Clock

PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def accounts(services: Services, clock: Clock) -> AccountService:
    return AccountService(
        services.ports.users,
        LocalPasswords(services.ports.users, rounds=4),  # type: ignore[arg-type]
        services.ports.throttle,
        services.ports.audit,
        max_failures=5,
        lockout_minutes=15,
        clock=clock,
    )


@pytest.fixture
def root(accounts: AccountService) -> Actor:
    return accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()


def test_first_admin_only_once(accounts: AccountService) -> None:
    assert accounts.needs_first_admin()
    user = accounts.create_first_admin("Root", "루트", "r@example.com", PASSWORD)
    assert user.username == "root" and Role.ADMIN in user.roles
    assert not accounts.needs_first_admin()
    with pytest.raises(PermissionDenied):
        accounts.create_first_admin("other", "x", "x@example.com", PASSWORD)


@pytest.mark.parametrize(
    ("username", "password", "key"),
    [
        ("ab", PASSWORD, "auth.err_username"),
        ("ok-name", "short", "auth.err_password_short"),
        ("samename1", "samename1", "auth.err_password_short"),
        ("longpass", "x" * 73, "auth.err_password_long"),
        ("bad name!", PASSWORD, "auth.err_username"),
    ],
)
def test_bad_usernames_and_passwords(
    accounts: AccountService, username: str, password: str, key: str
) -> None:
    with pytest.raises(ValidationError) as err:
        accounts.create_first_admin(username, "n", "e@example.com", password)
    assert err.value.key == key


def test_password_is_stored_only_as_a_bcrypt_hash(
    services: Services, accounts: AccountService, root: Actor
) -> None:
    stored = services.ports.users.password_hash("root")  # type: ignore[attr-defined]
    assert stored.startswith("$2") and PASSWORD not in stored


def test_sign_in_and_lockout_after_repeated_failures(
    accounts: AccountService, root: Actor, clock: Clock
) -> None:
    assert accounts.authenticate("ROOT", PASSWORD).username == "root"
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            accounts.authenticate("root", "wrong password")
    with pytest.raises(QuotaExceeded) as err:
        accounts.authenticate("root", PASSWORD)  # locked even with the right password
    assert err.value.params["minutes"] == 15
    assert accounts.is_locked("root")  # a remembered cookie does not sign in either
    clock.now += timedelta(minutes=16)
    assert accounts.authenticate("root", PASSWORD).username == "root"


def test_unknown_names_are_throttled_too(accounts: AccountService) -> None:
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            accounts.authenticate("ghost", "whatever pw")
    with pytest.raises(QuotaExceeded):
        accounts.authenticate("ghost", "whatever pw")


def test_failed_logins_are_audited(
    services: Services, accounts: AccountService, root: Actor
) -> None:
    with pytest.raises(PermissionDenied):
        accounts.authenticate("root", "nope nope nope")
    newest = services.ports.audit.entries(actor="root")[0]
    assert newest.action == "auth.login_failed"


def test_only_admins_manage_users(accounts: AccountService, root: Actor) -> None:
    author = accounts.create_user(
        root, "alice", "Alice", "a@example.com", PASSWORD, frozenset({Role.AUTHOR})
    ).as_actor()
    with pytest.raises(PermissionDenied):
        accounts.create_user(
            author, "mallory", "M", "m@example.com", PASSWORD, frozenset({Role.ADMIN})
        )
    with pytest.raises(PermissionDenied):
        accounts.set_roles(author, "alice", frozenset({Role.ADMIN}))
    with pytest.raises(PermissionDenied):
        accounts.list_users(author)
    with pytest.raises(ConflictError):
        accounts.create_user(
            root, "alice", "A", "a@example.com", PASSWORD, frozenset({Role.VIEWER})
        )


def test_last_admin_and_own_admin_role_are_protected(accounts: AccountService, root: Actor) -> None:
    with pytest.raises(ValidationError) as err:
        accounts.set_roles(root, "root", frozenset({Role.VIEWER}))
    assert err.value.key == "auth.err_own_admin"
    accounts.create_user(
        root, "second", "Second", "s@example.com", PASSWORD, frozenset({Role.ADMIN})
    )
    accounts.set_roles(root, "second", frozenset({Role.ANALYST}))
    assert accounts.get("second").roles == frozenset({Role.ANALYST})
    with pytest.raises(ValidationError) as own:
        accounts.delete_user(root, "root")
    assert own.value.key == "auth.err_own_delete"  # checked before the last-admin guard
    with pytest.raises(ValidationError) as own:
        accounts.set_disabled(root, "root", True)
    assert own.value.key == "auth.err_own_disable"
    assert _admins(accounts, root) == {"root"}


def _admins(accounts: AccountService, admin: Actor) -> set[str]:
    return {u.username for u in accounts.list_users(admin)
            if Role.ADMIN in u.roles and not u.disabled}


def test_disabled_users_cannot_sign_in(accounts: AccountService, root: Actor) -> None:
    accounts.create_user(
        root, "alice", "Alice", "a@example.com", PASSWORD, frozenset({Role.AUTHOR})
    )
    accounts.set_disabled(root, "alice", True)
    with pytest.raises(PermissionDenied):
        accounts.authenticate("alice", PASSWORD)


def test_a_disabled_account_is_named_only_to_someone_who_knows_its_password(
    accounts: AccountService, root: Actor
) -> None:
    accounts.create_user(
        root, "alice", "Alice", "a@example.com", PASSWORD, frozenset({Role.AUTHOR})
    )
    accounts.set_disabled(root, "alice", True)
    with pytest.raises(PermissionDenied) as right:
        accounts.authenticate("alice", PASSWORD)
    assert right.value.key == "auth.err_disabled"
    with pytest.raises(PermissionDenied) as wrong:
        accounts.authenticate("alice", PASSWORD + "x")
    assert wrong.value.key == "auth.err_bad_credentials"


def test_reset_password_gives_a_one_time_password_that_works(
    accounts: AccountService, root: Actor
) -> None:
    accounts.create_user(
        root, "alice", "Alice", "a@example.com", PASSWORD, frozenset({Role.AUTHOR})
    )
    temporary = accounts.reset_password(root, "alice").one_time_password
    assert temporary is not None
    assert accounts.authenticate("alice", temporary).username == "alice"
    with pytest.raises(PermissionDenied):
        accounts.authenticate("alice", PASSWORD)


@pytest.mark.parametrize("name", ["former-author", "system", "anonymous", "cli", " System "])
def test_names_the_app_writes_for_no_one_cannot_be_taken(
    accounts: AccountService, root: Actor, name: str,
) -> None:
    """"former-author" owns the content of deleted accounts; "system" and "anonymous" stand in
    the audit log for the app and for visitors. Whoever held such a name would own that
    content and that history."""
    with pytest.raises(ConflictError) as err:
        accounts.create_user(root, name, "n", "e@example.com", PASSWORD,
                             frozenset({Role.AUTHOR}))
    assert err.value.key == "auth.err_username_taken"


def test_a_deployment_makes_its_first_admin_by_command_not_by_a_public_form(
    services: Services,
) -> None:
    """On a server anyone can reach (aws mode), whoever found the form first would become the
    administrator: there the first one is made with scripts.create_user."""
    deployed = AccountService(services.ports.users,
                              LocalPasswords(services.ports.users, rounds=4),  # type: ignore[arg-type]
                              services.ports.throttle, services.ports.audit,
                              first_admin_form=False)
    assert deployed.needs_first_admin() and not deployed.first_admin_form
    with pytest.raises(PermissionDenied) as err:
        deployed.create_first_admin("root", "Root", "root@example.com", PASSWORD)
    assert err.value.key == "auth.err_first_admin_by_command"
    assert deployed.needs_first_admin()  # nothing was created


@pytest.mark.parametrize(("backend", "emulation", "setting", "form"), [
    ("local", False, None, True), ("aws", False, None, False), ("aws", True, None, True),
    ("aws", False, True, True), ("local", False, False, False)])
def test_the_first_admin_form_is_offered_where_only_its_operator_reaches_the_app(
    tmp_path: Path, backend: str, emulation: bool, setting: bool | None, form: bool,
) -> None:
    from services.wiring import first_admin_form

    settings = load_settings(data_dir=tmp_path, backend=backend, emulation=emulation,
                             first_admin_form=setting)
    assert first_admin_form(settings) is form
