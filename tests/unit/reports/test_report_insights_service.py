"""The report service with the insights, over the real local adapters: the context's drivers,
anomalies and forecast equal ``load_insights`` on the same store, a what-changed report is made
end to end offline, and a model's made-up driver share is flagged while the real one passes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.analytics.dashboards import Period
from services.bootstrap import Ports, build_local_ports
from services.domain.analytics import EventType
from services.domain.permissions import Role
from services.domain.reports import ReportLanguage, ReportType
from services.insights.service import load_insights
from services.reports.insight_context import drivers_section, forecast_section
from services.reports.narrator.offline import OfflineNarrator
from services.reports.request import ReportRequest
from services.reports.service import ReportService
from services.settings import Settings
from tests.conftest import make_actor
from tests.doubles.fake_llm import FakeLLM
from tests.unit.reports.report_fixtures import ev

NOW = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)  # 12:00 in Seoul: the period is complete
PERIOD = Period(date(2026, 3, 4), date(2026, 3, 10))
ANALYST = make_actor("ana", Role.ANALYST)
FIELDS = {"content_id": "x1", "category": "finance", "author_id": "alice"}


@pytest.fixture
def ports(tmp_path: Path) -> Ports:
    """Eight quiet weeks of 10 content views and 20 page views a day, and 150 extra content
    views of the finance category on 7 March (the period's largest change)."""
    ports = build_local_ports(Settings(data_dir=tmp_path / "data", sample_content=False))
    events = []
    day = PERIOD.end - timedelta(days=62)
    while day <= PERIOD.end:
        when = f"{day.isoformat()} 03:00"
        events += [*ev(when, EventType.CONTENT_VIEW, 10, content_id="x2", category="retail"),
                   *ev(when, EventType.PAGE_VIEW, 20, page="home")]
        day += timedelta(days=1)
    ports.events.append([*events, *ev("2026-03-07 04:00", EventType.CONTENT_VIEW, 150,
                                      **FIELDS)])
    return ports


def service(ports: Ports, model: FakeLLM | None = None) -> ReportService:
    llms = {"offline": OfflineNarrator(), **({"bedrock:m": model} if model else {})}
    return ReportService(ports.reports, ports.events, ports.content, llms,  # type: ignore[arg-type]
                         Settings(sample_content=False), clock=lambda: NOW)


def request(kind: ReportType, model: str = "offline") -> ReportRequest:
    return ReportRequest(kind, ReportLanguage.EN, PERIOD, model=model)


def test_the_context_equals_load_insights_on_the_same_store(ports: Ports) -> None:
    preview = service(ports).preview_context(ANALYST, ReportType.OVERALL, "en", PERIOD)
    local = NOW.astimezone(Settings().tz)
    insights = load_insights(ports.events, PERIOD, local.date(), local.hour)
    expected_drivers = drivers_section(insights)
    got = preview.context["drivers"]
    def kpis(section: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(r["metric"], r["before"], r["after"], r["difference"])
                for r in section["metrics"]]

    assert kpis(got) == kpis(expected_drivers)
    views = next(r for r in got["metrics"] if r["metric"] == "content_views")
    assert (views["before"], views["after"], views["rises"][0]["value"]) == (70, 220, "finance")
    assert preview.context["forecast"] == forecast_section(insights)
    assert any(a["day"] == "2026-03-07" and a["metric"] == "content_views"
               for a in preview.context["anomalies"]["flagged"])


def test_a_what_changed_report_is_made_offline_end_to_end(ports: Ports) -> None:
    report = service(ports).generate(ANALYST, request(ReportType.WHAT_CHANGED))
    assert report.type is ReportType.WHAT_CHANGED
    assert report.title == "Demo Factory what-changed report"
    assert report.prompt_version == "what_changed.en.v3"
    assert report.narrative.startswith("## Summary\n\nThe largest change of the period: "
                                       "Content views went from 70")
    assert "## The largest change and its drivers" in report.narrative
    assert "`headline.rises[0].share`" in report.narrative
    assert "2026-03-07" in report.narrative and "an estimated" in report.narrative
    assert report.grounding.ok and report.grounding.checked > 20
    assert service(ports).history(ANALYST)[0].id == report.id


def test_a_model_s_made_up_driver_share_is_flagged_and_the_real_one_accepted(
        ports: Ports) -> None:
    preview = service(ports).preview_context(ANALYST, ReportType.WHAT_CHANGED, "en", PERIOD)
    real = preview.context["headline"]["rises"][0]["share"] * 100
    chunks = ["## Summary\n\n", f"Finance made {real:.1f}% `headline.rises[0].share` ",
              "of the rise; ", "retail made 42.8% `headline.falls[0].share` of it.\n"]
    report = service(ports, FakeLLM(chunks)).generate(
        ANALYST, request(ReportType.WHAT_CHANGED, "bedrock:m"), preview=preview)
    assert [u.text for u in report.grounding.unmatched] == ["42.8%"]
    assert report.grounding.checked == 2


OLD = Period(date(2026, 2, 9), date(2026, 2, 10))  # ended weeks before NOW


@pytest.mark.parametrize("kind", [ReportType.OVERALL, ReportType.WHAT_CHANGED,
                                  ReportType.CONTENT, ReportType.AUTHOR])
def test_a_report_on_a_past_period_has_no_forecast_and_says_why(ports: Ports,
                                                                 kind: ReportType) -> None:
    report = service(ports).generate(ANALYST, ReportRequest(kind, ReportLanguage.EN, OLD))
    forecast = report.context["forecast"]
    assert forecast["metrics"] == [] and forecast["period_ended"] is True
    assert "in the next week" not in report.narrative and "an estimated" not in report.narrative
    assert "ended before yesterday" in report.narrative
    assert "forecast.metrics" not in report.narrative


def test_a_period_up_to_yesterday_keeps_its_forecast(ports: Ports) -> None:
    preview = service(ports).preview_context(ANALYST, ReportType.OVERALL, "en", PERIOD)
    assert preview.context["forecast"]["metrics"]
    assert "period_ended" not in preview.context["forecast"]
