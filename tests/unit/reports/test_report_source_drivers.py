"""A source as a driver in the reports: a rise that came from one newsletter, spread over
several items, categories and authors, is named by its source in the context, the offline
narrative and a followed metric's digest lines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from services.analytics.dashboards import Period
from services.bootstrap import build_local_ports
from services.domain.analytics import DEVICE_PROP, DIRECT, SRC_PROP, EventType
from services.domain.follows import Follow, FollowScope
from services.domain.permissions import Role
from services.domain.reports import ReportLanguage, ReportType
from services.insights.cube import UNKNOWN
from services.insights.digests import metric_lines, value_label
from services.insights.drivers import Contribution
from services.insights.followed import FollowedMetric
from services.insights.follows import MyInsights
from services.reports.data import Labels
from services.reports.narrator.changes import value_name
from services.reports.narrator.offline import OfflineNarrator
from services.reports.narrator.rules import Facts
from services.reports.request import ReportRequest
from services.reports.service import ReportService
from services.settings import Settings
from tests.conftest import make_actor
from tests.contract.test_content_repository import make_item
from tests.unit.reports.report_fixtures import ev

NOW = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)  # 12:00 in Seoul: the period is complete
PERIOD = Period(date(2026, 3, 4), date(2026, 3, 10))
ANALYST = make_actor("ana", Role.ANALYST)
NEWSLETTER = {SRC_PROP: "newsletter", DEVICE_PROP: "mobile"}


def service(tmp_path: Path) -> ReportService:
    """Quiet weeks of 10 content views a day of unknown source; on 7 March 120 more from the
    newsletter, 40 on each of three items of different categories and authors."""
    ports = build_local_ports(Settings(data_dir=tmp_path / "data", sample_content=False))
    events = []
    day = PERIOD.end - timedelta(days=62)
    while day <= PERIOD.end:
        events += ev(f"{day.isoformat()} 03:00", EventType.CONTENT_VIEW, 10, content_id="x0",
                     category="retail", author_id="dan")
        day += timedelta(days=1)
    for item, category, author in (("x1", "finance", "alice"), ("x2", "manufacturing", "bob"),
                                   ("x3", "generative-ai", "carol")):
        events += ev("2026-03-07 04:00", EventType.CONTENT_VIEW, 40, content_id=item,
                     category=category, author_id=author, properties=NEWSLETTER)
    ports.events.append(events)
    for item, author in (("x0", "dan"), ("x1", "alice"), ("x2", "bob"), ("x3", "carol")):
        # Published: items no longer published would be one "deleted" row of the same size.
        ports.content.add(make_item(item, author_id=author, author_name=author.title()))
    return ReportService(ports.reports, ports.events, ports.content,  # type: ignore[arg-type]
                         {"offline": OfflineNarrator()}, Settings(sample_content=False),
                         clock=lambda: NOW)


def test_the_context_and_the_narrative_name_the_source_of_a_rise(tmp_path: Path) -> None:
    reports = service(tmp_path)
    preview = reports.preview_context(ANALYST, ReportType.OVERALL, "en", PERIOD)
    views = next(r for r in preview.context["drivers"]["metrics"]
                 if r["metric"] == "content_views")
    top = views["rises"][0]
    assert (top["dim"], top["name"], top["contribution"], top["share"]) == (
        "visit_source", "newsletter", 120, 1.0)
    report = reports.generate(ANALYST, ReportRequest(ReportType.OVERALL, ReportLanguage.EN,
                                                     PERIOD, model="offline"))
    assert "“newsletter” (Visit source)" in report.narrative
    assert report.grounding.ok


def test_a_followed_metric_names_sources_and_the_unknown_share() -> None:
    follow = Follow("ana", "content_views", FollowScope.ALL, "")
    drivers = (Contribution("visit_source", "newsletter", 0, 40, 40, 0.8),
               Contribution("visit_source", UNKNOWN, 5, 15, 10, 0.2),
               Contribution("visit_device", "mobile", 0, 40, 40, 0.8))
    metric = FollowedMetric(follow, PERIOD, "count", 5, 55, drivers, ())
    mine = MyInsights((metric,))
    assert "newsletter +40, (unknown) +10, Mobile +40" in "\n".join(
        metric_lines("en", metric, mine))
    assert "newsletter +40, (알 수 없음) +10, 모바일 +40" in "\n".join(
        metric_lines("ko", metric, mine))


def test_the_narrative_and_the_pdf_name_the_marks_in_the_readers_language() -> None:
    """A rise from visits with no source or from phones reads "(직접 방문)" and "모바일", not
    the stored "(direct)" and "mobile"; a label someone chose stays quoted as it was."""
    facts = Facts({"language": "ko"})
    assert value_name(facts, {"dim": "visit_source", "name": DIRECT}).startswith("(직접 방문) (")
    assert value_name(facts, {"dim": "visit_device", "name": "mobile"}).startswith("모바일 (")
    assert value_name(facts, {"dim": "visit_source", "name": "newsletter"}).startswith(
        "“newsletter” (")
    labels = Labels("ko")
    assert labels.driver({"dim": "visit_source", "name": DIRECT}).startswith("(직접 방문) (")
    assert labels.driver({"dim": "visit_device", "name": "mobile"}).startswith("모바일 (")


def test_a_page_driver_is_named_as_the_menu_names_it_in_mails_and_reports() -> None:
    """The page a rise came from reads as the page's name ("전체 콘텐츠"), in the digest mail,
    the narrative and the PDF alike; a page the app does not have says so, with its name."""
    mine = MyInsights(())
    assert value_label("ko", "page", "browse", mine) == "전체 콘텐츠"
    assert value_label("ko", "page", "category_finance", mine) == "금융"
    assert value_label("ko", "page", "search", mine) == "알 수 없는 페이지 (search)"
    assert value_label("en", "page", "search", mine) == "Unknown page (search)"
    facts = Facts({"language": "ko"})
    assert value_name(facts, {"dim": "page", "name": "browse"}).startswith("전체 콘텐츠 (")
    assert Labels("ko").driver({"dim": "page", "name": "home"}).startswith("홈 (")
