"""Insights of one item or author over the real local store: the values, drivers, unusual days
and forecast equal the same numbers counted from the raw events, and never include another
scope's (or the platform's) events."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from services.analytics.dashboards import Period
from services.bootstrap import Ports, build_local_ports
from services.domain.analytics import Dim, Event, EventType
from services.insights.drivers import REST
from services.insights.scoped import load_scoped
from services.settings import Settings
from tests.unit.reports.report_fixtures import CATALOG, ev

PERIOD = Period(date(2026, 3, 4), date(2026, 3, 10))
TODAY = date(2026, 3, 11)
CV = EventType.CONTENT_VIEW
A = {"content_id": "a", "category": "Generative AI", "author_id": "alice"}
C = {"content_id": "c", "category": "Manufacturing", "author_id": "alice"}
B = {"content_id": "b", "category": "Finance", "author_id": "bob"}


def _day(day: date) -> str:
    return f"{day.isoformat()} 03:00"


@pytest.fixture
def ports(tmp_path: Path) -> Ports:
    """Eight quiet weeks: item a 10 views a day, c 5, b 40 (another author's). In the period,
    a gains 30 views from the search "bedrock" on 7 March (its only searched views), c loses
    its 5 views on 8 March, and b has 500 extra views on 9 March (not Alice's)."""
    ports = build_local_ports(Settings(data_dir=tmp_path / "data", sample_content=False))
    events: list[Event] = []
    day = PERIOD.end - timedelta(days=62)
    while day <= PERIOD.end:
        events += [*ev(_day(day), CV, 10, **A), *ev(_day(day), CV, 40, **B)]
        if day != date(2026, 3, 8):
            events += ev(_day(day), CV, 5, **C)
        day += timedelta(days=1)
    events += ev("2026-03-07 04:00", CV, 30, properties={"q": "bedrock", "vp": "learn"}, **A)
    events += ev("2026-03-09 04:00", CV, 500, **B)
    ports.events.append(events)
    return ports


def test_an_items_drivers_are_its_own_search_terms_and_purposes_and_add_up(ports: Ports) -> None:
    found = load_scoped(ports.events, PERIOD, CATALOG, TODAY, Dim.CONTENT, "a")
    views = found.of("content_views")
    assert views is not None
    assert (views.before, views.after) == (70, 100)  # the item's own views only
    terms = views.by_dim["search_term"]
    assert [(c.value, c.change, c.share) for c in terms if c.value != REST] == [
        ("bedrock", 30, 1.0)]
    for rows in views.by_dim.values():  # each dimension adds up to the change exactly
        assert sum(c.change for c in rows) == views.change
    assert views.top(1)[0].dim in ("search_term", "purpose")
    likes = found.of("likes")
    assert likes is not None and likes.by_dim == {}  # no finer rows: no drivers
    assert [(a.metric, a.day) for a in found.anomalies.anomalies] == [
        ("content_views", date(2026, 3, 7))]


def test_an_authors_insights_are_their_items_and_never_another_authors(ports: Ports) -> None:
    found = load_scoped(ports.events, PERIOD, CATALOG, TODAY, Dim.AUTHOR, "alice")
    views = found.of("content_views")
    assert views is not None
    assert (views.before, views.after) == (105, 130)  # a: 70 -> 100, c: 35 -> 30
    assert {(c.value, c.change) for c in views.top(5)} == {("a", 30), ("c", -5)}
    assert sum(c.change for c in views.by_dim["content"]) == views.change
    # Bob's 500 views on 9 March are not Alice's unusual day; her own rise on 7 March is.
    days = {a.day for a in found.anomalies.anomalies}
    assert date(2026, 3, 9) not in days and date(2026, 3, 7) in days
    (forecast,) = found.forecasts
    assert forecast.metric == "content_views" and forecast.enough_history
    week, _, _ = forecast.total(7)
    assert 90 <= week <= 120  # about 15 a day: hers, not the platform's 55


def test_a_new_item_has_no_forecast_and_no_judged_day(tmp_path: Path) -> None:
    ports = build_local_ports(Settings(data_dir=tmp_path / "data", sample_content=False))
    ports.events.append(ev("2026-03-09 03:00", CV, 5, **A))
    found = load_scoped(ports.events, PERIOD, CATALOG, TODAY, Dim.CONTENT, "a")
    assert found.anomalies.anomalies == []
    assert all(c.status.value == "not_enough_history" for c in found.anomalies.checks)
    assert not found.forecasts[0].enough_history


def test_a_scope_s_period_that_ended_before_yesterday_has_no_forecast(ports: Ports) -> None:
    old = Period(date(2026, 2, 9), date(2026, 2, 10))
    found = load_scoped(ports.events, old, CATALOG, TODAY, Dim.AUTHOR, "alice")
    assert found.forecasts == () and found.period_ended
    assert load_scoped(ports.events, PERIOD, CATALOG, TODAY, Dim.AUTHOR, "alice").forecasts
