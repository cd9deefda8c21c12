"""Every analytics label built from an enum or a name (``t(f"analytics.kpi.{key}")``) exists in
both languages; test_i18n's scan only sees literal keys."""

from __future__ import annotations

from datetime import date

import pytest

from services.analytics.dashboards import TREND_TYPES, Period, Preset, Scope, kpis_of, load
from services.domain.analytics import Dim, Purpose
from services.domain.hll import HyperLogLog
from services.i18n import LANGUAGES, catalog
from services.ui.dashboard_tabs import TABS


class _EmptyStore:
    def rollups(self, *args: object, **kwargs: object) -> list[object]:
        return []

    def rollup_totals(self, *args: object, **kwargs: object) -> dict[object, object]:
        return {}

    def visitors(self, *args: object, **kwargs: object) -> HyperLogLog:
        return HyperLogLog()


def _kpi_keys() -> list[str]:
    data = load(_EmptyStore(), Period(date(2026, 1, 1), date(2026, 1, 1)))  # type: ignore[arg-type]
    return [kpi.key for kpi in kpis_of(data, data, Scope(Dim.ALL, frozenset({""})))]


def expected_keys() -> list[str]:
    keys = [f"analytics.preset.{p.name.lower()}" for p in Preset]
    keys += [f"analytics.purpose.{p.name.lower()}" for p in Purpose]
    keys += [f"analytics.trend_line.{t.value}" for t in TREND_TYPES]
    keys += [f"analytics.tab.{name}" for name in TABS]
    keys += [f"analytics.weekday.{day}" for day in range(7)]
    for key in _kpi_keys():
        keys += [f"analytics.kpi.{key}", f"analytics.kpi_help.{key}"]
    return keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_built_analytics_keys_exist(lang: str) -> None:
    messages = catalog(lang)
    assert len(expected_keys()) > 40
    assert [key for key in expected_keys() if key not in messages] == []
