"""scripts/cleanup_orphans.py on a local data dir: dry run by default, --apply removes, exit
codes, and a file an item uses is never touched."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from scripts import cleanup_orphans
from services.bootstrap import Services, build_services
from services.content.samples import banner_png, load_catalog
from services.domain.models import ContentDraft, Status, Upload, stable_id
from services.domain.permissions import Role
from services.settings import load_settings
from tests.conftest import make_actor

ADMIN_ACTOR = make_actor("root", Role.ADMIN)
PNG = banner_png("데모", load_catalog()[0].category, 200, 100)
OLD = datetime(2024, 1, 2, 3, 4, 5).astimezone()
ORPHAN = f"content/{stable_id(OLD, 'item')}/{stable_id(OLD, 'asset')}/left-over.png"


@pytest.fixture
def services(script_env: Path) -> Services:
    return build_services(load_settings())


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cleanup_orphans.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_dry_run_lists_then_apply_removes(services: Services,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    draft = ContentDraft(title="글", summary="", body="", category="Generative AI", tags=(),
                         status=Status.PUBLISHED)
    item = services.content.create(draft, [Upload("used.png", PNG)], ADMIN_ACTOR)
    services.ports.blobs.put(ORPHAN, PNG, "image/png")

    code, out, err = run([], capsys)

    assert code == 1 and err == ""
    assert f"orphan files: 1\n  {ORPHAN}" in out
    assert "dry run: nothing removed (use --apply)" in out
    assert services.ports.blobs.exists(ORPHAN)

    code, out, _ = run(["--apply"], capsys)

    assert code == 0 and "removed: 1" in out
    assert not services.ports.blobs.exists(ORPHAN)
    assert services.ports.blobs.exists(item.assets[0].storage_key)
    [entry] = services.ports.audit.entries(action="content.orphans_remove")
    assert entry.actor == "script:cleanup_orphans"

    assert run([], capsys)[0] == 0  # nothing left


def test_a_missing_file_is_reported_not_fixed(services: Services,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    draft = ContentDraft(title="파일 잃은 글", summary="", body="", category="Generative AI",
                         tags=(), status=Status.PUBLISHED)
    item = services.content.create(draft, [Upload("lost.png", PNG)], ADMIN_ACTOR)
    services.ports.blobs.delete(item.assets[0].storage_key)

    code, out, _ = run(["--apply"], capsys)

    assert code == 1
    assert f"item {item.id} (파일 잃은 글): lost.png" in out
    assert len(services.ports.content.get(item.id).assets) == 1


def test_an_unusable_backend_exits_2(script_env: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DEMO_FACTORY_BACKEND", "aws")  # no tables or bucket configured

    code, out, err = run([], capsys)

    assert code == 2 and out == "" and err.strip()
