"""A Cognito pool has no conditional writes: its administrator guards (the last active
administrator stays; one first administrator) run under a lease on the users table, so two
app servers cannot both pass the check before either writes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from services.accounts.sign_in.base import group_names
from services.adapters.aws.cognito.directory import CognitoUserDirectory
from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.admin_guard import ADMIN_LEASE_KEY
from services.adapters.aws.dynamodb.lease import Lease
from services.bootstrap import build_services
from services.domain.permissions import Role
from services.domain.users import User
from services.errors import ValidationError
from tests.contract.aws_backends import serialize_moto
from tests.contract.cognito_backend import MockedCognito
from tests.contract.test_user_directory import make_user
from tests.doubles.concurrency import in_parallel

ADMIN = frozenset({Role.ADMIN})
REMOVALS: dict[str, Callable[[CognitoUserDirectory, str], None]] = {
    "demote": lambda directory, name: directory.set_roles_guarded(name, frozenset({Role.VIEWER})),
    "disable": lambda directory, name: directory.set_disabled_guarded(name, True),
    "delete": lambda directory, name: directory.delete_guarded(name),
}


class SlowList(CognitoUserDirectory):
    """Reads of the pool take a while (as over a network): what a guard decides from its
    read must still hold when it writes."""

    def list(self) -> list[User]:
        found = super().list()
        time.sleep(0.05)
        return found


def server(cognito: MockedCognito) -> CognitoUserDirectory:
    """The directory as one app server builds it (``services.bootstrap``): its own clients,
    the lease on the shared users table. moto handles one request at a time, as the services
    apply each atomically; the requests of different servers still interleave."""
    settings = cognito.settings
    lease = Lease(serialize_moto(make_client("dynamodb", settings)), str(settings.users_table),
                  {"username": ADMIN_LEASE_KEY})
    return SlowList(serialize_moto(make_client("cognito-idp", settings)), cognito.pool_id,
                    group_names(settings), guard=lease.held)


def active_admins(directory: Any) -> list[str]:
    return [u.username for u in directory.list() if Role.ADMIN in u.roles and not u.disabled]


@pytest.mark.parametrize("removal", sorted(REMOVALS))
def test_two_admins_on_two_servers_removing_each_other_leave_one(
    cognito: MockedCognito, removal: str
) -> None:
    one, two = server(cognito), server(cognito)
    one.create(make_user("admin-a", roles=ADMIN))
    one.create(make_user("admin-b", roles=ADMIN))
    remove = REMOVALS[removal]

    outcomes: list[Any] = in_parallel([lambda: remove(one, "admin-b"),
                                       lambda: remove(two, "admin-a")])

    assert len(active_admins(one)) == 1, outcomes
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], ValidationError)
    assert refused[0].key == "auth.err_last_admin"


def test_first_admin_forms_sent_to_several_servers_at_once_make_one(
    cognito: MockedCognito,
) -> None:
    servers = [server(cognito) for _ in range(4)]

    made = in_parallel([lambda s=s, n=n: s.create_first_admin(make_user(f"admin-{n}",
                                                                        roles=ADMIN))
                        for n, s in enumerate(servers)])

    assert sorted(made) == [False, False, False, True]
    assert len(active_admins(servers[0])) == 1


def test_the_app_runs_the_pools_guards_under_the_lease(
    cognito: MockedCognito, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[str] = []
    held = Lease.held

    def recorded(lease: Lease) -> Any:
        taken.append("lease")
        return held(lease)

    monkeypatch.setattr(Lease, "held", recorded)
    directory = build_services(cognito.settings).ports.users
    directory.create(make_user("admin-a", roles=ADMIN))
    directory.create(make_user("admin-b", roles=ADMIN))

    directory.set_roles_guarded("admin-b", frozenset({Role.VIEWER}))

    assert taken == ["lease"]
    assert active_admins(directory) == ["admin-a"]
