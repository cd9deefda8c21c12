"""The lease that makes a Cognito pool's administrator guards one step across app servers:
one holder at a time, a dead holder's lease ends with its time, a waiter gives up clearly."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.lease import Lease
from services.errors import ServiceUnavailable
from tests.contract.aws_backends import MockedAws, mocked_aws, serialize_moto
from tests.doubles.concurrency import in_parallel

KEY = {"username": "ADMINS#LEASE"}


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with mocked_aws() as mocked:
        yield mocked


def lease(aws: MockedAws, **options: Any) -> Lease:
    """A lease as one app server holds it: its own client, moto handling one request at a
    time as DynamoDB applies each atomically."""
    client = serialize_moto(make_client("dynamodb", aws.settings))
    return Lease(client, str(aws.settings.users_table), KEY, **options)


def test_holders_on_different_servers_take_turns(aws: MockedAws) -> None:
    """Each holder reads a number, waits, writes it plus one: without the lease, holders that
    read the same number lose each other's increments."""
    servers = [lease(aws) for _ in range(6)]
    counter = {"n": 0}

    def increment(server: Lease) -> None:
        with server.held():
            seen = counter["n"]
            time.sleep(0.02)
            counter["n"] = seen + 1

    outcomes = in_parallel([lambda s=server: increment(s) for server in servers])

    assert outcomes == [None] * 6
    assert counter["n"] == 6


def test_a_lease_is_given_back_after_the_work_even_when_it_fails(aws: MockedAws) -> None:
    server = lease(aws, wait_seconds=0)
    with pytest.raises(RuntimeError), server.held():
        raise RuntimeError("the guarded work failed")

    with server.held():  # free again at once: no wait allowed
        pass


def test_a_dead_holders_lease_ends_with_its_time(aws: MockedAws) -> None:
    now = [1_000.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    dead = lease(aws, hold_seconds=30, clock=lambda: now[0])
    taken = dead.held()  # kept referenced: a collected generator would give the lease back
    taken.__enter__()  # taken, never given back: its server died
    survivor = lease(aws, hold_seconds=30, wait_seconds=60, clock=lambda: now[0], sleep=sleep)

    with survivor.held():
        assert now[0] > 1_030.0  # only once the dead holder's 30 s were up
    assert waits


def test_a_waiter_gives_up_with_a_clear_error(aws: MockedAws) -> None:
    now = [1_000.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    holder = lease(aws, hold_seconds=300, clock=lambda: now[0])
    waiter = lease(aws, wait_seconds=5, clock=lambda: now[0], sleep=sleep)

    with holder.held(), pytest.raises(ServiceUnavailable) as busy, waiter.held():
        pass

    assert busy.value.key == "errors.busy"
    assert 1_005.0 <= now[0] < 1_010.0


def test_a_holder_whose_time_ran_out_does_not_free_the_next_ones_lease(aws: MockedAws) -> None:
    now = [1_000.0]
    slow = lease(aws, hold_seconds=10, clock=lambda: now[0])
    nxt = lease(aws, hold_seconds=10, wait_seconds=0, clock=lambda: now[0])
    third = lease(aws, hold_seconds=10, wait_seconds=0, clock=lambda: now[0])

    taken = nxt.held()  # kept referenced: a collected generator would give the lease back
    with slow.held():
        now[0] += 11  # the slow holder outlasted its lease; the next one takes it
        taken.__enter__()
    # The slow holder's give-back left the next holder's lease alone.
    with pytest.raises(ServiceUnavailable):
        third.held().__enter__()
