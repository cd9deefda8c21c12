"""The start-up warm-up reads what the dashboard's first visit reads, so that visit finds the
days in memory; it needs no signed-in user and a failure never reaches a page."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from services.analytics.dashboards import Preset
from services.bootstrap import Services
from services.domain.permissions import Role
from services.insights.service import InsightsService
from services.ui import warmup
from tests.conftest import make_actor


class RecordingStore:
    """The real event store, with every read it is asked for written down."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.reads: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        found = getattr(self._store, name)

        def read(*args: Any, **kwargs: Any) -> Any:
            self.reads.append((name, args, kwargs))
            return found(*args, **kwargs)
        return read


def test_warming_reads_exactly_what_the_first_visit_reads(services: Services) -> None:
    store = RecordingStore(services.ports.events)
    insights = InsightsService(store, services.ports.content,  # type: ignore[arg-type]
                               services.settings.tz)
    period = services.analytics.period(Preset.DAYS_7)

    insights.warm(period)  # no actor: nothing comes back
    warmed = sorted(map(repr, store.reads))
    store.reads.clear()
    insights.insights(make_actor("ana", Role.ANALYST), period)
    visited = sorted(map(repr, store.reads))

    assert warmed and warmed == visited


def test_local_mode_warms_the_default_period_and_aws_mode_does_not() -> None:
    warmed: list[object] = []

    def fake(backend: str) -> Any:
        return SimpleNamespace(
            settings=SimpleNamespace(backend=backend),
            analytics=SimpleNamespace(period=lambda preset: ("period", preset)),
            insights=SimpleNamespace(warm=warmed.append))

    warmup.warm_reads(fake("local"))
    warmup.warm_reads(fake("aws"))  # DynamoDB keeps nothing it reads: no reads to pay for
    assert warmed == [("period", Preset.DAYS_7)]


def test_a_failing_warm_up_of_reads_is_logged_not_raised(
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(period: object) -> None:
        raise RuntimeError("disk gone")

    services = SimpleNamespace(settings=SimpleNamespace(backend="local"),
                               analytics=SimpleNamespace(period=lambda preset: preset),
                               insights=SimpleNamespace(warm=broken))
    with caplog.at_level(logging.ERROR):
        warmup.warm_reads(services)  # type: ignore[arg-type]
    assert "warm-up of the dashboard's reads failed" in caplog.text
