"""SignupDirectory contract: the sign-up fields and the request decision, on both stores that
keep local accounts (SQLite and the DynamoDB users table)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from services.domain.permissions import Role
from services.domain.users import AccountStatus, User
from services.errors import ConflictError, NotFound
from tests.doubles.concurrency import meanwhile_after_read

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
VIEWER = frozenset({Role.VIEWER})  # what every account below holds when a decision is made


def _signed_up(name: str = "lee", pending: Role | None = Role.AUTHOR,
               status: AccountStatus = AccountStatus.PENDING) -> User:
    return User(name, "Lee", f"{name}@example.com", frozenset({Role.VIEWER}), T0,
                status=status, company="Acme", purpose="customer-demo",
                requested_role=Role.AUTHOR, signed_up_at=T0, pending_role=pending)


def test_an_account_keeps_every_sign_up_field(signup_directory: Any) -> None:
    signup_directory.create(_signed_up())

    assert signup_directory.get("lee") == _signed_up()
    assert _signed_up() in signup_directory.list()


def test_the_record_alone_is_read_as_get_reads_it(signup_directory: Any) -> None:
    """These stores keep nothing but the app's own records: ``record`` is ``get``, and a
    missing account is NotFound in both (the Cognito directory's ``get`` differs: it shows a
    pool account with no record, ``tests/unit/accounts/test_cognito_signup_orphan.py``)."""
    signup_directory.create(_signed_up())

    assert signup_directory.record("lee") == signup_directory.get("lee") == _signed_up()
    with pytest.raises(NotFound):
        signup_directory.record("ghost")


def test_an_account_an_administrator_creates_is_active_without_sign_up_data(
    signup_directory: Any,
) -> None:
    signup_directory.create(User("kim", "Kim", "kim@example.com", frozenset({Role.AUTHOR}), T0))

    kim = signup_directory.get("kim")
    assert (kim.status, kim.company, kim.purpose) == (AccountStatus.ACTIVE, "", "")
    assert (kim.requested_role, kim.pending_role, kim.signed_up_at) == (None, None, None)
    assert kim.may_sign_in


def test_approving_sets_the_status_and_roles_and_clears_the_request(
    signup_directory: Any,
) -> None:
    signup_directory.create(_signed_up())

    signup_directory.settle_request("lee", Role.AUTHOR, AccountStatus.ACTIVE,
                                    frozenset({Role.AUTHOR}), held=VIEWER)

    lee = signup_directory.get("lee")
    assert (lee.status, lee.roles, lee.pending_role) == (
        AccountStatus.ACTIVE, frozenset({Role.AUTHOR}), None)
    assert lee.requested_role == Role.AUTHOR  # what was asked stays on record


def test_a_request_is_decided_once(signup_directory: Any) -> None:
    signup_directory.create(_signed_up())
    signup_directory.settle_request("lee", Role.AUTHOR, AccountStatus.DECLINED,
                                    frozenset({Role.VIEWER}), held=VIEWER)

    with pytest.raises(ConflictError):  # a second administrator's click comes too late
        signup_directory.settle_request("lee", Role.AUTHOR, AccountStatus.ACTIVE,
                                        frozenset({Role.AUTHOR}), held=VIEWER)
    assert signup_directory.get("lee").status == AccountStatus.DECLINED


def test_no_request_no_decision_and_a_missing_account_is_not_found(
    signup_directory: Any,
) -> None:
    signup_directory.create(_signed_up(pending=None, status=AccountStatus.ACTIVE))

    with pytest.raises(ConflictError):
        signup_directory.settle_request("lee", Role.AUTHOR, AccountStatus.ACTIVE,
                                        frozenset({Role.AUTHOR}), held=VIEWER)
    with pytest.raises(NotFound):
        signup_directory.settle_request("nobody", Role.AUTHOR, AccountStatus.ACTIVE,
                                        frozenset({Role.AUTHOR}), held=VIEWER)


def test_a_decision_never_takes_an_administrator_role_away(signup_directory: Any) -> None:
    signup_directory.create(_signed_up(status=AccountStatus.ACTIVE))
    signup_directory.set_roles("lee", frozenset({Role.ADMIN}))  # made admin meanwhile

    with pytest.raises(ConflictError):
        signup_directory.settle_request("lee", Role.AUTHOR, AccountStatus.ACTIVE,
                                        frozenset({Role.AUTHOR}), held=VIEWER)
    assert signup_directory.get("lee").roles == frozenset({Role.ADMIN})


def test_an_unverified_sign_up_keeps_that_and_its_language(signup_directory: Any) -> None:
    user = replace(_signed_up(), email_verified=False, signup_language="en")
    signup_directory.create(user)

    assert signup_directory.get("lee") == user


def test_confirming_the_email_marks_it_verified_and_sets_the_status(
    signup_directory: Any,
) -> None:
    signup_directory.create(replace(_signed_up(pending=None), email_verified=False))

    signup_directory.confirm_email("lee", AccountStatus.ACTIVE,
                                   only_from=AccountStatus.PENDING)

    lee = signup_directory.get("lee")
    assert (lee.email_verified, lee.status) == (True, AccountStatus.ACTIVE)


def test_confirming_the_email_of_a_missing_account_is_not_found(signup_directory: Any) -> None:
    with pytest.raises(NotFound):
        signup_directory.confirm_email("ghost", AccountStatus.ACTIVE,
                                       only_from=AccountStatus.PENDING)
# ---- the profile page: own details and a role request ------------------------------------------


def _viewer(name: str = "park") -> User:
    return User(name, "Park", f"{name}@example.com", frozenset({Role.VIEWER}), T0)


def test_a_profile_update_keeps_name_email_and_company(signup_directory: Any) -> None:
    signup_directory.create(_viewer())
    signup_directory.set_language("park", "en")

    signup_directory.update_profile("park", name="Park J", email="pj@example.com",
                                    company="Initech")

    park = signup_directory.get("park")
    assert (park.name, park.email, park.company, park.language) == (
        "Park J", "pj@example.com", "Initech", "en")
    assert park.roles == frozenset({Role.VIEWER})  # nothing else changes


def test_the_language_is_written_alone(signup_directory: Any) -> None:
    """A language saved in one tab never puts back the details another tab just saved."""
    signup_directory.create(_viewer())
    signup_directory.update_profile("park", name="Park J", email="pj@example.com",
                                    company="Initech")

    signup_directory.set_language("park", "en")

    park = signup_directory.get("park")
    assert (park.name, park.email, park.company, park.language) == (
        "Park J", "pj@example.com", "Initech", "en")


def test_a_profile_update_of_a_missing_account_is_not_found(signup_directory: Any) -> None:
    with pytest.raises(NotFound):
        signup_directory.update_profile("ghost", name="G", email="g@example.com", company="")
    with pytest.raises(NotFound):
        signup_directory.set_language("ghost", "en")


def test_a_role_request_waits_with_its_reason_and_time(signup_directory: Any) -> None:
    signup_directory.create(_viewer())

    signup_directory.request_role("park", Role.AUTHOR, "I run the retail demos", T0)

    park = signup_directory.get("park")
    assert (park.pending_role, park.request_reason, park.requested_at) == (
        Role.AUTHOR, "I run the retail demos", T0)
    signup_directory.settle_request("park", Role.AUTHOR, AccountStatus.ACTIVE,
                                    frozenset({Role.AUTHOR}), held=VIEWER)
    settled = signup_directory.get("park")
    assert settled.pending_role is None and settled.roles == frozenset({Role.AUTHOR})
    assert settled.request_reason == "I run the retail demos"  # kept: the outcome is shown


def test_a_second_request_while_one_waits_is_a_conflict(signup_directory: Any) -> None:
    signup_directory.create(_viewer())
    signup_directory.request_role("park", Role.AUTHOR, "first", T0)

    with pytest.raises(ConflictError):
        signup_directory.request_role("park", Role.AUTHOR, "second", T0)
    assert signup_directory.get("park").request_reason == "first"


def test_a_role_request_of_a_missing_account_is_not_found(signup_directory: Any) -> None:
    with pytest.raises(NotFound):
        signup_directory.request_role("ghost", Role.AUTHOR, "why", T0)


def test_a_decision_made_from_roles_changed_since_is_a_conflict(signup_directory: Any) -> None:
    """Another administrator gave the analyst role while this one decided the author request
    from the roles read before: the grant must not take it away."""
    signup_directory.create(_signed_up(status=AccountStatus.ACTIVE))
    signup_directory.set_roles("lee", frozenset({Role.VIEWER, Role.ANALYST}))

    with pytest.raises(ConflictError):
        signup_directory.settle_request("lee", Role.AUTHOR, AccountStatus.ACTIVE,
                                        frozenset({Role.AUTHOR}), held=VIEWER)
    assert signup_directory.get("lee").roles == frozenset({Role.VIEWER, Role.ANALYST})


def test_an_email_confirmed_after_a_decision_leaves_the_decision(signup_directory: Any) -> None:
    """The link was opened while an administrator approved the sign-up: the email is
    verified, and the account stays as the administrator left it."""
    signup_directory.create(replace(_signed_up(), email_verified=False))
    signup_directory.settle_request("lee", Role.AUTHOR, AccountStatus.ACTIVE,
                                    frozenset({Role.AUTHOR}), held=VIEWER)

    signup_directory.confirm_email("lee", AccountStatus.PENDING, only_from=AccountStatus.PENDING)

    lee = signup_directory.get("lee")
    assert (lee.email_verified, lee.status) == (True, AccountStatus.ACTIVE)


# ---- a pool sign-up confirmed by its code (Cognito mode's records) ------------------------------


def _waiting_for_code(name: str = "lee") -> User:
    """As a pool sign-up's record stands before its code: PENDING, no request waiting yet."""
    return _signed_up(name, pending=None)


def test_finishing_a_confirmation_moves_the_account_once(signup_directory: Any) -> None:
    signup_directory.create(_waiting_for_code())

    assert signup_directory.finish_confirmation("lee", AccountStatus.PENDING, Role.AUTHOR)
    assert not signup_directory.finish_confirmation("lee", AccountStatus.ACTIVE, None)

    lee = signup_directory.get("lee")  # the first outcome stands
    assert (lee.status, lee.pending_role) == (AccountStatus.PENDING, Role.AUTHOR)
    assert replace(lee, pending_role=None) == _waiting_for_code()  # nothing else changed


def test_finishing_a_confirmation_active_at_once_leaves_no_request(signup_directory: Any) -> None:
    signup_directory.create(_waiting_for_code())

    assert signup_directory.finish_confirmation("lee", AccountStatus.ACTIVE, None)

    lee = signup_directory.get("lee")
    assert (lee.status, lee.pending_role, lee.may_sign_in) == (AccountStatus.ACTIVE, None, True)
    assert not signup_directory.finish_confirmation("lee", AccountStatus.ACTIVE, None)


@pytest.mark.parametrize("account", [
    _signed_up(),  # a request waits already
    _signed_up(pending=None, status=AccountStatus.ACTIVE),
    _signed_up(pending=None, status=AccountStatus.DECLINED),
], ids=["request-waiting", "active", "declined"])
def test_an_account_not_waiting_for_its_code_is_not_moved(signup_directory: Any,
                                                          account: User) -> None:
    signup_directory.create(account)

    assert not signup_directory.finish_confirmation("lee", AccountStatus.ACTIVE, None)
    assert signup_directory.get("lee") == account


def test_finishing_the_confirmation_of_a_missing_account_is_not_found(
    signup_directory: Any,
) -> None:
    with pytest.raises(NotFound):
        signup_directory.finish_confirmation("ghost", AccountStatus.ACTIVE, None)


def test_confirmations_at_the_same_moment_move_the_account_once(signup_directory: Any) -> None:
    signup_directory.create(_waiting_for_code())
    count = 8
    start = threading.Barrier(count)

    def one(n: int) -> bool:
        start.wait()
        # Each thread its own outcome (as the mode's two): the one stored is the winner's.
        status, waits = ((AccountStatus.PENDING, Role.AUTHOR) if n % 2
                         else (AccountStatus.ACTIVE, None))
        return bool(signup_directory.finish_confirmation("lee", status, waits))

    with ThreadPoolExecutor(count) as pool:
        moved = list(pool.map(one, range(count)))

    assert moved.count(True) == 1
    winner = moved.index(True)
    lee = signup_directory.get("lee")
    assert (lee.status, lee.pending_role) == ((AccountStatus.PENDING, Role.AUTHOR) if winner % 2
                                              else (AccountStatus.ACTIVE, None))


# ---- a changed email is no longer verified; a link verifies only the address it went to --------


def test_a_changed_email_is_no_longer_verified(signup_directory: Any) -> None:
    """Whoever changes the address has not shown that it is theirs: the legacy import links
    old authors' items by a verified email, so a kept flag would hand them over."""
    signup_directory.create(_viewer())  # an administrator set this address: verified

    signup_directory.update_profile("park", name="Park", email="alice@old.example",
                                    company="")

    park = signup_directory.get("park")
    assert (park.email, park.email_verified) == ("alice@old.example", False)


def test_a_name_or_a_case_change_keeps_the_email_verified(signup_directory: Any) -> None:
    signup_directory.create(_viewer())

    signup_directory.update_profile("park", name="Park J", email="PARK@example.com",
                                    company="Initech")

    assert signup_directory.get("park").email_verified


def test_a_save_that_read_the_address_before_it_changed_verifies_nothing(
    signup_directory: Any,
) -> None:
    """Tab X saves the (unverified) address it read; meanwhile the address is changed to one
    of the user's own and confirmed by its link. X's write must not keep that flag for the
    address it writes back: one write decides, not the read before it."""
    signup_directory.create(replace(_viewer(), email="alice@old.example", email_verified=False))

    def changed_and_confirmed() -> None:
        signup_directory.update_profile("park", name="Park", email="own@example.com",
                                        company="")
        signup_directory.confirm_email_of("park", "own@example.com", AccountStatus.ACTIVE,
                                          only_from=AccountStatus.ACTIVE)

    with meanwhile_after_read(signup_directory, "get", changed_and_confirmed):
        signup_directory.update_profile("park", name="Park", email="alice@old.example",
                                        company="")

    park = signup_directory.get("park")
    assert not park.email_verified or park.email == "own@example.com"


def test_a_link_confirms_only_the_address_it_was_mailed_to(signup_directory: Any) -> None:
    signup_directory.create(replace(_signed_up(pending=None), email_verified=False))

    assert not signup_directory.confirm_email_of("lee", "other@example.com",
                                                 AccountStatus.ACTIVE,
                                                 only_from=AccountStatus.PENDING)
    assert signup_directory.get("lee") == replace(_signed_up(pending=None),
                                                  email_verified=False)  # nothing written

    assert signup_directory.confirm_email_of("lee", "lee@example.com", AccountStatus.ACTIVE,
                                             only_from=AccountStatus.PENDING)
    lee = signup_directory.get("lee")
    assert (lee.email_verified, lee.status) == (True, AccountStatus.ACTIVE)


def test_a_link_opened_after_a_decision_confirms_the_address_and_leaves_the_decision(
    signup_directory: Any,
) -> None:
    signup_directory.create(replace(_signed_up(), email_verified=False))
    signup_directory.settle_request("lee", Role.AUTHOR, AccountStatus.ACTIVE,
                                    frozenset({Role.AUTHOR}), held=VIEWER)

    assert signup_directory.confirm_email_of("lee", "lee@example.com", AccountStatus.PENDING,
                                             only_from=AccountStatus.PENDING)

    lee = signup_directory.get("lee")
    assert (lee.email_verified, lee.status) == (True, AccountStatus.ACTIVE)


def test_an_old_link_does_not_verify_an_address_set_since(signup_directory: Any) -> None:
    """A link mailed to an address the account had: opened after the email was changed to
    someone else's, it must not make that one verified."""
    signup_directory.create(replace(_viewer(), email_verified=False))
    signup_directory.update_profile("park", name="Park", email="alice@old.example", company="")

    assert not signup_directory.confirm_email_of("park", "park@example.com",
                                                 AccountStatus.ACTIVE,
                                                 only_from=AccountStatus.ACTIVE)
    assert not signup_directory.get("park").email_verified


def test_confirming_an_address_of_a_missing_account_is_not_found(signup_directory: Any) -> None:
    with pytest.raises(NotFound):
        signup_directory.confirm_email_of("ghost", "g@example.com", AccountStatus.ACTIVE,
                                          only_from=AccountStatus.PENDING)
