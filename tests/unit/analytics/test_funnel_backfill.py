"""A new funnel's back-fill cut short (a database error, a server stopped) is finished the next
time the funnel is opened: by one run at a time, to the numbers of a back-fill that never
failed, and a failure meanwhile is a clear error that leaves it for the next try."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import islice

import pytest

from services.analytics.dashboards import Period
from services.analytics.funnels import FunnelReport, FunnelService
from services.bootstrap import Services
from services.domain.analytics import Event
from services.domain.funnels import Funnel
from services.errors import ServiceUnavailable
from services.ports import FunnelStore
from tests.doubles.clock import Clock
from tests.doubles.concurrency import in_parallel
from tests.unit.analytics.test_funnel_service import ANA, OLGA, STEPS, visit


class CutShort:
    """The store's back-fill counts its first ``after`` events, then the database fails;
    ``heal`` makes it whole again. ``runs``: how many back-fills started."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, store: FunnelStore, after: int) -> None:
        self.failing = True
        self.runs = 0
        whole = store.backfill

        def backfill(funnel: Funnel, events: Iterable[Event]) -> None:
            self.runs += 1
            if not self.failing:
                whole(funnel, events)
                return
            whole(funnel, islice(events, after))
            raise ServiceUnavailable()

        monkeypatch.setattr(store, "backfill", backfill)

    def heal(self) -> None:
        self.failing = False


def service_of(services: Services, clock: Clock) -> tuple[FunnelService, FunnelStore]:
    store = services.ports.funnels
    assert store is not None
    return FunnelService(store, services.ports.events, services.ports.content,
                         services.ports.audit, services.settings.tz,
                         services.settings.event_retention_days,
                         clock=clock), store


def seed(services: Services, now: datetime) -> None:
    """Four visits an hour or two ago, each browsing then downloading: eight events."""
    for n in range(4):
        start = now - timedelta(hours=2) + timedelta(minutes=20 * n)
        services.ports.events.append(visit(f"v{n}", start, ("browse", 0), ("download", 5)))


def visits(report: FunnelReport) -> list[int]:
    return [row.visits for row in report.rows]


def today_of(services: Services) -> Period:
    today = services.analytics.today()
    return Period(today - timedelta(days=1), today)


def test_a_back_fill_cut_short_is_finished_when_the_funnel_is_opened(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(datetime.now(UTC))
    service, store = service_of(services, clock)
    seed(services, clock.now)
    cut = CutShort(monkeypatch, store, after=3)

    funnel = service.create(ANA, "Cut short", STEPS, 30)

    assert not funnel.backfilled and not store.get(funnel.id).backfilled  # saved all the same
    assert [e.target for e in services.ports.audit.entries(action="funnel.create")] \
        == [funnel.id]
    period = today_of(services)
    assert store.counts(funnel.id, 2, period.start, period.end) == [2, 1]  # what it got to
    services.ports.events.append(visit("new", clock.now - timedelta(minutes=10), ("browse", 0),
                                       ("download", 1)))  # counted at ingest meanwhile
    cut.heal()

    report = service.report(ANA, funnel.id, period)

    whole = service.create(OLGA, "Never failed", STEPS, 30)
    assert report.funnel.backfilled and store.get(funnel.id).backfilled
    assert visits(report) == visits(service.report(OLGA, whole.id, period)) == [5, 5]
    assert visits(service.report(ANA, funnel.id, period)) == [5, 5]  # and stays so


def test_a_failure_while_finishing_says_so_and_leaves_it_for_the_next_opening(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(datetime.now(UTC))
    service, store = service_of(services, clock)
    seed(services, clock.now)
    cut = CutShort(monkeypatch, store, after=1)
    funnel = service.create(ANA, "Cut short", STEPS, 30)
    period = today_of(services)

    with pytest.raises(ServiceUnavailable) as failed:
        service.report(ANA, funnel.id, period)

    assert failed.value.key == "funnels.err_backfill"
    assert not store.get(funnel.id).backfilled
    cut.heal()
    # At once: the failed run gave its claim back.
    assert visits(service.report(ANA, funnel.id, period)) == [4, 4]
    assert store.get(funnel.id).backfilled


def test_while_another_run_finishes_it_the_numbers_so_far_say_they_are_unfinished(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(datetime.now(UTC))
    service, store = service_of(services, clock)
    seed(services, clock.now)
    cut = CutShort(monkeypatch, store, after=3)
    funnel = service.create(ANA, "Cut short", STEPS, 30)
    cut.heal()
    other_run = clock.now + timedelta(minutes=5)
    assert store.claim_backfill(funnel.id, clock.now, other_run)  # another server is at it
    period = today_of(services)

    meanwhile = service.report(ANA, funnel.id, period)

    assert not meanwhile.funnel.backfilled and visits(meanwhile) == [2, 1]
    # That server stopped: its claim runs out and the next opening finishes the count, from
    # the first day still kept on that day.
    clock.now = other_run + timedelta(seconds=1)
    finished = service.report(ANA, funnel.id, period)
    assert finished.funnel.backfilled and visits(finished) == [4, 4]
    assert finished.funnel.counted_from == (
        clock.now - timedelta(days=services.settings.event_retention_days)
    ).astimezone(services.settings.tz).date()


def test_two_openings_at_once_back_fill_once(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(datetime.now(UTC))
    service, store = service_of(services, clock)
    seed(services, clock.now)
    cut = CutShort(monkeypatch, store, after=3)
    funnel = service.create(ANA, "Cut short", STEPS, 30)
    cut.heal()
    period = today_of(services)

    reports = in_parallel([lambda: service.report(ANA, funnel.id, period)] * 2)

    assert all(isinstance(r, FunnelReport) for r in reports), reports
    assert cut.runs == 2  # the one in ``create``, then one of the two openings
    assert store.get(funnel.id).backfilled
    assert visits(service.report(ANA, funnel.id, period)) == [4, 4]
