"""Moving users in from and out to a streamlit-authenticator app, in the account service: hashes
are kept as they are, plain passwords are checked and hashed, nothing is overwritten, every
step is audited (a dry run writes nothing)."""

from __future__ import annotations

import bcrypt
import pytest

from services.accounts.passwords import is_password_hash
from services.accounts.service import AccountService
from services.bootstrap import Services
from services.domain.permissions import Actor, Role
from services.errors import ConflictError, PermissionDenied, ValidationError

PASSWORD = "correct horse battery"
OLD_PASSWORD = "from the old app"
OLD_HASH = bcrypt.hashpw(OLD_PASSWORD.encode(), bcrypt.gensalt(4)).decode()
AUTHOR = frozenset({Role.AUTHOR})
SCRIPT = Actor("script:import_users", "import_users", frozenset({Role.ADMIN}))


def stored_hash(services: Services, username: str) -> str:
    return services.ports.users.password_hash(username)  # type: ignore[attr-defined, no-any-return]


def test_an_imported_hash_is_stored_as_it_is_and_signs_in(services: Services,
                                                          accounts: AccountService) -> None:
    user = accounts.import_user(SCRIPT, "Kim", "Kim Minji", "kim@example.com", AUTHOR, OLD_HASH)

    assert (user.username, user.name, user.roles) == ("kim", "Kim Minji", AUTHOR)
    assert stored_hash(services, "kim") == OLD_HASH  # not re-hashed
    assert accounts.authenticate("kim", OLD_PASSWORD).username == "kim"
    with pytest.raises(PermissionDenied):
        accounts.authenticate("kim", "not the password")
    entry = services.ports.audit.entries(action="user.import")[0]
    assert (entry.actor, entry.target, entry.outcome) == ("script:import_users", "kim", "ok")


def test_a_plain_password_is_checked_like_a_new_one_and_hashed(
    services: Services, accounts: AccountService
) -> None:
    with pytest.raises(ValidationError) as short:
        accounts.import_user(SCRIPT, "lee", "Lee", "", AUTHOR, "abc")
    assert short.value.key == "auth.err_password_short"

    accounts.import_user(SCRIPT, "lee", "Lee", "", AUTHOR, PASSWORD)
    assert is_password_hash(stored_hash(services, "lee"))
    assert PASSWORD not in stored_hash(services, "lee")
    assert accounts.authenticate("lee", PASSWORD).username == "lee"


def test_an_existing_user_is_never_overwritten(services: Services,
                                               accounts: AccountService) -> None:
    accounts.import_user(SCRIPT, "kim", "Kim", "kim@example.com", AUTHOR, OLD_HASH)
    other = bcrypt.hashpw(b"another password", bcrypt.gensalt(4)).decode()

    for dry_run in (True, False):
        with pytest.raises(ConflictError):
            accounts.import_user(SCRIPT, "KIM", "Someone", "x@example.com",
                                 frozenset({Role.ADMIN}), other, dry_run=dry_run)
    assert stored_hash(services, "kim") == OLD_HASH
    assert accounts.get("kim").roles == AUTHOR and accounts.get("kim").email == "kim@example.com"


def test_a_dry_run_checks_everything_and_writes_nothing(services: Services,
                                                        accounts: AccountService) -> None:
    user = accounts.import_user(SCRIPT, "kim", "Kim", "", AUTHOR, OLD_HASH, dry_run=True)
    assert user.username == "kim"
    for username, password, key in [("a b", OLD_HASH, "auth.err_username"),
                                    ("lee", "short", "auth.err_password_short")]:
        with pytest.raises(ValidationError) as refused:
            accounts.import_user(SCRIPT, username, "", "", AUTHOR, password, dry_run=True)
        assert refused.value.key == key
    assert services.ports.users.list() == []
    assert services.ports.audit.entries(action="user.import") == []


def test_a_non_admin_cannot_import_or_export(services: Services,
                                             accounts: AccountService) -> None:
    author = Actor("alice", "Alice", AUTHOR)
    with pytest.raises(PermissionDenied):
        accounts.import_user(author, "kim", "Kim", "", AUTHOR, OLD_HASH, dry_run=True)
    with pytest.raises(PermissionDenied):
        accounts.export_users(author)
    denied = services.ports.audit.entries(actor="alice")
    assert {(e.action, e.outcome) for e in denied} == {("user.import", "denied"),
                                                       ("user.export", "denied")}


def test_the_export_has_every_user_with_the_stored_hash(services: Services,
                                                        accounts: AccountService) -> None:
    accounts.import_user(SCRIPT, "kim", "Kim", "", AUTHOR, OLD_HASH)
    accounts.import_user(SCRIPT, "lee", "Lee", "", frozenset({Role.ADMIN}), PASSWORD)

    exported = accounts.export_users(SCRIPT)

    assert [(user.username, password_hash) for user, password_hash in exported] == [
        ("kim", OLD_HASH), ("lee", stored_hash(services, "lee"))]
    entry = services.ports.audit.entries(action="user.export")[0]
    assert (entry.actor, entry.target) == ("script:import_users", "2 users")
