"""Services on the real local adapters (SQLite file + folder) with cheap password hashing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from services.accounts.passwords import LocalPasswords
from services.bootstrap import Services, build_local_ports, build_services
from services.settings import Settings
from tests.security.bad_world import Ctx, make_ctx


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    ports = build_local_ports(settings)
    # Low bcrypt rounds: the matrix creates and checks many passwords.
    passwords = LocalPasswords(ports.users, rounds=4)  # type: ignore[arg-type]
    built = build_services(settings, dataclasses.replace(ports, passwords=passwords))
    yield built
    built.tracker.close()


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ctx]:
    """One world per module for the bad-input suite (hundreds of cases; each compares what
    was stored before and after, so they need not start empty)."""
    made = make_ctx(tmp_path_factory.mktemp("bad_input"))
    yield made
    made.services.tracker.close()
