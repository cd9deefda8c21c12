"""Services on the real local adapters (SQLite file + folder) with cheap password hashing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from services.accounts.passwords import LocalPasswords
from services.bootstrap import Services, build_local_ports, build_services
from services.settings import Settings


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    ports = build_local_ports(settings)
    # Low bcrypt rounds: the matrix creates and checks many passwords.
    passwords = LocalPasswords(ports.users, rounds=4)  # type: ignore[arg-type]
    built = build_services(settings, dataclasses.replace(ports, passwords=passwords))
    yield built
    built.tracker.close()
