"""scripts/send_digests.py: a dry run prints the due digest and changes nothing; a real run
keeps it, and the next run of the same window sends nothing again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scripts import send_digests
from services.bootstrap import build_services
from services.domain.follows import Frequency
from services.domain.permissions import Actor, Role
from services.domain.users import User
from services.settings import load_settings

ANA = Actor("ana", "Ana", frozenset({Role.ANALYST}))


def test_dry_run_then_real_runs(script_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    services = build_services(load_settings())
    services.ports.users.create(User("ana", "Ana", "ana@ex.com", ANA.roles, datetime.now(UTC)))
    assert services.follows is not None
    services.follows.follow(ANA, "visitors")
    services.follows.set_frequency(ANA, Frequency.DAILY)

    assert send_digests.main(["--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "ana [" in out and "방문자 (플랫폼 전체)" in out and "nothing sent or stored" in out
    assert services.follows.digests(ANA) == []

    assert send_digests.main([]) == 0 and "kept: 1" in capsys.readouterr().out
    assert send_digests.main([]) == 0 and "already: 1" in capsys.readouterr().out
    assert len(services.follows.digests(ANA)) == 1
