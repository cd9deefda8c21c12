"""One rule for an account's name and email on every path that sets them: an administrator's
new user, the first administrator, a credentials-file import, the profile page and sign-up.
An address that is no email is refused with the same message everywhere, and nothing is
stored; an administrator may still leave the email empty."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from services.accounts.profile import ProfileService
from services.accounts.service import AccountService
from services.bootstrap import Services
from services.domain.permissions import Actor, Role
from services.errors import NotFound, ValidationError

PASSWORD = "violet-harbor-tunnel-42"
NOT_AN_EMAIL = "not an email at all"
VIEWER = frozenset({Role.VIEWER})


@pytest.fixture
def root(accounts: AccountService) -> Actor:
    return accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()


def _profile_key(services: Services, accounts: AccountService, root: Actor) -> str:
    """The key the profile page gives for the address (the reference)."""
    accounts.create_user(root, "vera", "Vera", "vera@example.com", PASSWORD, VIEWER,
                         temporary=False)
    profiles = ProfileService(services.ports.users, services.ports.audit)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as refused:
        profiles.update_profile(accounts.get("vera").as_actor(), "vera", name="Vera",
                                email=NOT_AN_EMAIL, company="")
    return refused.value.key


CREATES: dict[str, Callable[[AccountService, Actor, str], Any]] = {
    "admin create": lambda a, root, email: a.create_user(
        root, "kim", "Kim", email, PASSWORD, VIEWER),
    "credentials import": lambda a, root, email: a.import_user(
        root, "kim", "Kim", email, VIEWER, PASSWORD),
    "credentials import, dry run": lambda a, root, email: a.import_user(
        root, "kim", "Kim", email, VIEWER, PASSWORD, dry_run=True),
}


@pytest.mark.parametrize("path", list(CREATES))
def test_a_new_user_with_an_invalid_email_is_refused_as_the_profile_refuses_it(
    services: Services, accounts: AccountService, root: Actor, path: str,
) -> None:
    expected = _profile_key(services, accounts, root)

    with pytest.raises(ValidationError) as refused:
        CREATES[path](accounts, root, NOT_AN_EMAIL)

    assert refused.value.key == expected == "signup.err_email"
    with pytest.raises(NotFound):
        accounts.get("kim")


def test_the_first_administrator_with_an_invalid_email_is_refused(
    accounts: AccountService,
) -> None:
    with pytest.raises(ValidationError) as refused:
        accounts.create_first_admin("root", "Root", NOT_AN_EMAIL, PASSWORD)

    assert refused.value.key == "signup.err_email"
    assert accounts.needs_first_admin()


def test_an_administrator_may_still_leave_name_and_email_empty(
    accounts: AccountService, root: Actor,
) -> None:
    user = accounts.create_user(root, "kim", " ", "", PASSWORD, VIEWER)

    assert (user.name, user.email) == ("kim", "")  # the name falls back to the user name


def test_the_limits_stay_what_they_were(accounts: AccountService, root: Actor) -> None:
    accounts.create_user(root, "kim", "가" * 100, "k" * 242 + "@example.com", PASSWORD, VIEWER)
    with pytest.raises(ValidationError) as long_name:
        accounts.create_user(root, "lee", "가" * 101, "", PASSWORD, VIEWER)
    with pytest.raises(ValidationError) as long_email:
        accounts.create_user(root, "lee", "Lee", "l" * 243 + "@example.com", PASSWORD, VIEWER)

    assert (long_name.value.key, long_name.value.params["max"]) == ("auth.err_name_long", 100)
    assert (long_email.value.key, long_email.value.params["max"]) == ("auth.err_email_long", 254)
