"""One report, one number per metric: the KPIs, the tables and the drivers of a report are read
from one snapshot of the store, so that events arriving while it is built (a busy platform:
here one more page view, content view and visitor after every read the store answers) never
make the summary say 36 page views and "what moved" say 37; and a share of views is a share of
all content views everywhere in it, as on the dashboard, deleted items' views included."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.analytics.dashboards import Period, dashboard
from services.analytics.snapshot import read_snapshot
from services.analytics.tables import Catalog
from services.bootstrap import build_local_ports
from services.domain.analytics import SRC_PROP, EventType
from services.domain.hll import HyperLogLog
from services.domain.permissions import Role
from services.domain.reports import ReportType
from services.insights.service import load_insights
from services.ports import EventStore
from services.reports.request import report_reads
from services.reports.service import ReportService
from services.settings import Settings
from tests.conftest import make_actor
from tests.contract.test_content_repository import make_item
from tests.unit.reports.report_fixtures import ev

NOW = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)  # 12:00 in Seoul: the period is complete
PERIOD = Period(date(2026, 3, 4), date(2026, 3, 10))
ANALYST = make_actor("ana", Role.ANALYST)
SHOWN = {"content_id": "x1", "category": "finance", "author_id": "alice"}
GONE = {"content_id": "x9", "category": "finance", "author_id": "alice"}  # not published


class Arriving:
    """The real store, with one more page view and content view of a new visitor in the
    report's period after every read it answers (appended on another thread, as a tracker's
    flush is)."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.arrived = itertools.count(1)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def _arrive(self) -> None:
        visitor = f"late{next(self.arrived)}"
        late = [*ev("2026-03-10 05:00", EventType.PAGE_VIEW, 1, session=visitor, page="home"),
                *ev("2026-03-10 05:00", EventType.CONTENT_VIEW, 1, session=visitor, **SHOWN)]
        flush = threading.Thread(target=self.store.append, args=(late,))  # a tracker's flush
        flush.start()
        flush.join()

    def rollups(self, *args: Any, **kwargs: Any) -> Any:
        found = self.store.rollups(*args, **kwargs)
        self._arrive()
        return found

    def rollup_totals(self, *args: Any, **kwargs: Any) -> Any:
        found = self.store.rollup_totals(*args, **kwargs)
        self._arrive()
        return found

    def rollup_day_totals(self, *args: Any, **kwargs: Any) -> Any:
        found = self.store.rollup_day_totals(*args, **kwargs)
        self._arrive()
        return found

    def visitors(self, start: date, end: date) -> HyperLogLog:
        found = self.store.visitors(start, end)
        self._arrive()
        return found


@pytest.fixture
def reports(tmp_path: Any) -> ReportService:
    """Four quiet weeks of 20 page views and 10 views of item x1 a day; in the period also 30
    views of x9, an item no longer published."""
    ports = build_local_ports(Settings(data_dir=tmp_path / "data", sample_content=False))
    events = []
    day = PERIOD.end - timedelta(days=30)
    while day <= PERIOD.end:
        when = f"{day.isoformat()} 03:00"
        events += [*ev(when, EventType.CONTENT_VIEW, 10, **SHOWN),
                   *ev(when, EventType.PAGE_VIEW, 20, page="home")]
        day += timedelta(days=1)
    ports.events.append([*events, *ev("2026-03-08 04:00", EventType.CONTENT_VIEW, 30, **GONE)])
    ports.content.add(make_item("x1", author_id="alice", author_name="Alice"))
    return ReportService(ports.reports, Arriving(ports.events), ports.content,  # type: ignore[arg-type]
                         {}, Settings(sample_content=False), clock=lambda: NOW)


@pytest.mark.parametrize(("kind", "subject"), [
    (ReportType.OVERALL, ""), (ReportType.WHAT_CHANGED, ""), (ReportType.CONTENT, ""),
    (ReportType.CONTENT, "x1"), (ReportType.AUTHOR, "alice")])
def test_every_part_of_a_report_counts_the_same_events(reports: ReportService, kind: ReportType,
                                                       subject: str) -> None:
    ctx = reports.preview_context(ANALYST, kind, "ko", PERIOD, subject).context
    kpis = {row["key"]: row for row in ctx["kpis"]}
    compared = 0
    if ctx["drivers"]["scope"] == "platform":
        for row in ctx["drivers"]["metrics"]:
            if row["kind"] == "count" and row["metric"] in kpis:
                kpi = kpis[row["metric"]]
                assert (row["before"], row["after"]) == (kpi["previous"], kpi["value"]), row
                compared += 1
        headline = ctx["headline"]
        if headline is not None and headline["metric"] in kpis:
            assert headline["after"] == kpis[headline["metric"]]["value"]
        assert compared
    views = kpis["content_views"]["value"]
    assert sum(row["views"] for row in ctx["categories"]) == views
    assert sum(ctx["trend"]["content_view"]) == views
    if "page_views" in kpis:
        assert sum(ctx["trend"]["page_view"]) == kpis["page_views"]["value"]


@pytest.mark.parametrize("kind", [ReportType.OVERALL, ReportType.CONTENT])
def test_the_top_item_s_share_is_one_number(reports: ReportService, kind: ReportType) -> None:
    """x1 has 70 of the period's 100 content views (x9's 30 count, as on the dashboard): the
    risk of concentration and the top content table both say 70%, never 100%."""
    ctx = reports.preview_context(ANALYST, kind, "ko", PERIOD).context
    top = ctx["top_content"][0]
    assert top["title"] is not None
    assert ctx["distribution"]["top1_share"] == top["share"]
    views = next(row["value"] for row in ctx["kpis"] if row["key"] == "content_views")
    assert top["share"] == round(top["views"] / views, 3)


def test_a_long_period_is_read_once_too(reports: ReportService) -> None:
    """90 days: the period before reaches past the insights' baselines (its tables, hours and
    visitors are in the same read)."""
    period = Period(PERIOD.end - timedelta(days=89), PERIOD.end)
    ctx = reports.preview_context(ANALYST, ReportType.OVERALL, "ko", period).context
    kpis = {row["key"]: row for row in ctx["kpis"]}
    views = next(r for r in ctx["drivers"]["metrics"] if r["metric"] == "content_views")
    assert (views["before"], views["after"]) == (kpis["content_views"]["previous"],
                                                 kpis["content_views"]["value"])
    assert sum(ctx["trend"]["page_view"]) == kpis["page_views"]["value"]


def test_the_snapshot_answers_as_the_store_would(tmp_path: Any) -> None:
    """With no event arriving, the dashboards and the insights read from the snapshot are those
    read from the store (folded segment rows, visitors, hours and values included); a read
    outside what it holds is refused, never sent to the store at another moment."""
    ports = build_local_ports(Settings(data_dir=tmp_path / "data", sample_content=False))
    ports.events.append([
        *ev("2026-03-05 04:00", EventType.CONTENT_VIEW, 12, session="v1",
            properties={SRC_PROP: "newsletter"}, **SHOWN),
        *ev("2026-02-27 04:00", EventType.CONTENT_VIEW, 5, session="v2", **GONE),
        *ev("2026-03-06 09:00", EventType.PAGE_VIEW, 7, session="v3", page="home"),
        *ev("2026-03-06 09:00", EventType.SEARCH, 3, session="v3",
            properties={"query": "bedrock", "results": 0})])
    today = NOW.astimezone(Settings().tz).date()
    snapshot = read_snapshot(ports.events, report_reads(PERIOD, today, False))
    for period in (PERIOD, PERIOD.previous()):
        direct, held = (dashboard(store, ports.content, period, catalog=Catalog([]), limit=50,
                                  compared=period == PERIOD)  # as the report builds them
                        for store in (ports.events, snapshot))
        assert direct.kpis == held.kpis
        for table in ("trend", "top_content", "categories", "authors"):
            assert getattr(direct, table).equals(getattr(held, table)), table
        assert direct.time_of_day.matrix.equals(held.time_of_day.matrix)
        assert (direct.search.total, direct.search.zero_total) == (held.search.total,
                                                                   held.search.zero_total)
        assert direct.search.top.equals(held.search.top)
    direct_insights, held_insights = (load_insights(store, PERIOD, today, 12)
                                      for store in (ports.events, snapshot))
    assert direct_insights.drivers == held_insights.drivers
    with pytest.raises(ValueError, match="not read"):
        snapshot.rollup_totals(PERIOD.start - timedelta(days=400), PERIOD.end)
    with pytest.raises(ValueError, match="not read"):
        snapshot.visitors(PERIOD.start, PERIOD.end - timedelta(days=1))
