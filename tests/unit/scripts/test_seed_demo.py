"""scripts/seed_demo.py: sample content, then synthetic events whose content views also move
the items' view counters, so cards and dashboards agree, after a re-run too."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from scripts import seed_demo
from services.bootstrap import Services, build_services
from services.domain.models import SearchQuery
from services.settings import load_settings


def _views(services: Services) -> dict[str, int]:
    found = services.ports.content.search(SearchQuery(status=None, page_size=50))
    return {item.id: item.views for item in found.items}


def test_seeded_views_reach_the_item_counters(script_env: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert seed_demo.main(["--contents", "4"]) == 0
    services = build_services(load_settings())
    before = _views(services)
    assert len(before) == 4

    assert seed_demo.main(["--contents", "4", "--events", "3000", "--days", "5"]) == 0
    after = _views(services)
    today = services.analytics.today()
    rollup = seed_demo.content_views(services, today - timedelta(days=4), today)
    assert sum(rollup.values()) > 100
    assert {cid: after[cid] - before[cid] for cid in after} == {
        cid: rollup.get(cid, 0) for cid in after}
    assert f"{sum(rollup.values()):,} views added" in capsys.readouterr().out

    # Again: only events whose time has come since are new, and the counters still agree.
    assert seed_demo.main(["--contents", "4", "--events", "3000", "--days", "5"]) == 0
    again = _views(services)
    rollup = seed_demo.content_views(services, today - timedelta(days=4), today)
    assert {cid: again[cid] - before[cid] for cid in again} == {
        cid: rollup.get(cid, 0) for cid in again}
