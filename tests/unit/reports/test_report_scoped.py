"""A content report about one item and an author report about one author carry their
subject's own insights (never platform-wide numbers); who may run them; the offline narrator
says the scope and every number it writes passes the grounding check."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, time, timedelta
from typing import Any

import pymupdf
import pytest

from services.analytics.dashboards import Period
from services.bootstrap import Services
from services.domain.analytics import Event, EventType
from services.domain.models import Category, ContentDraft, ContentItem, Status
from services.domain.permissions import Actor, Role
from services.domain.reports import ReportLanguage, ReportType
from services.errors import PermissionDenied, ValidationError
from services.reports.grounding import check
from services.reports.narrator.offline import narrate
from services.reports.pdf.build import build_report_pdf
from services.reports.prompts import data_of
from services.reports.request import ReportRequest
from tests.conftest import make_actor

_ids = itertools.count(1)
ANALYST = make_actor("ana", Role.ANALYST)
ALICE = make_actor("alice", Role.AUTHOR)
BOB = make_actor("bob", Role.AUTHOR)
PLATFORM_VIEWS = 1_000  # Bob's item, on one day of the period: far above anything of Alice's


def views(services: Services, item: ContentItem, days_ago: int, count: int,
          type_: EventType = EventType.CONTENT_VIEW, **properties: Any) -> list[Event]:
    day = services.analytics.today() - timedelta(days=days_ago)
    ts = datetime.combine(day, time(1, 0), tzinfo=services.settings.tz)
    return [Event(id=f"s{next(_ids):06d}", ts=ts, type=type_,
                  session_id=f"s{days_ago}", content_id=item.id, category=str(item.category),
                  author_id=item.author_id, properties=dict(properties))
            for _ in range(count)]


def publish(services: Services, actor: Actor, title: str, category: Category) -> ContentItem:
    draft = ContentDraft(title=title, summary="s", body="b", category=category, tags=(),
                         status=Status.PUBLISHED)
    return services.content.create(draft, (), actor)


@pytest.fixture
def world(services: Services) -> dict[str, ContentItem]:
    """Six weeks of 4 views a day of Alice's item; in the last 7 days it gains 21 views from
    the search "bedrock" (one day) and 3 likes (no finer rows); Bob's item has PLATFORM_VIEWS
    views in the last 7 days."""
    items = {"alice": publish(services, ALICE, "Alice demo", Category.GENERATIVE_AI),
             "bob": publish(services, BOB, "Bob demo", Category.FINANCE)}
    events = [e for ago in range(1, 43) for e in views(services, items["alice"], ago, 4)]
    events += views(services, items["alice"], 3, 21, q="bedrock")
    events += views(services, items["alice"], 2, 3, EventType.LIKE)
    events += views(services, items["bob"], 2, PLATFORM_VIEWS)
    services.ports.events.append(events)
    return items


def period(services: Services) -> Period:
    end = services.analytics.today() - timedelta(days=1)
    return Period(end - timedelta(days=6), end)


def _numbers(section: Any) -> set[float]:
    found: set[float] = set()
    if isinstance(section, dict):
        for value in section.values():
            found |= _numbers(value)
    elif isinstance(section, list):
        for value in section:
            found |= _numbers(value)
    elif isinstance(section, int | float) and not isinstance(section, bool):
        found.add(float(section))
    return found


INSIGHTS = ("headline", "drivers", "anomalies", "forecast")


def test_a_content_report_carries_its_items_own_insights(
        services: Services, world: dict[str, ContentItem]) -> None:
    item = world["alice"]
    ctx = services.reports.preview_context(ANALYST, ReportType.CONTENT, "en", period(services),
                                           item.id).context
    assert ctx["subject"] == {"kind": "item", "id": item.id, "name": "Alice demo"}
    for name in INSIGHTS:
        assert (ctx[name]["scope"], ctx[name]["item"]) == ("item", item.id)
    views_row = next(r for r in ctx["drivers"]["metrics"] if r["metric"] == "content_views")
    assert (views_row["before"], views_row["after"]) == (28, 49)
    assert views_row["rises"][0]["value"] == "bedrock"
    assert views_row["rises"][0]["dim"] == "search_term"
    day = (services.analytics.today() - timedelta(days=3)).isoformat()
    assert [(a["metric"], a["day"]) for a in ctx["anomalies"]["flagged"]] == [
        ("content_views", day)]
    assert [f["metric"] for f in ctx["forecast"]["metrics"]] == ["content_views"]
    # Nothing of the platform's: Bob's views appear in no insight section.
    for name in INSIGHTS:
        assert not {n for n in _numbers(ctx[name]) if n >= PLATFORM_VIEWS}


def test_an_author_report_carries_the_authors_insights(
        services: Services, world: dict[str, ContentItem]) -> None:
    ctx = services.reports.preview_context(ANALYST, ReportType.AUTHOR, "ko", period(services),
                                           "alice").context
    assert ctx["drivers"]["scope"] == "author" and ctx["drivers"]["author"] == "alice"
    views_row = next(r for r in ctx["drivers"]["metrics"] if r["metric"] == "content_views")
    assert views_row["rises"][0]["value"] == world["alice"].id
    assert views_row["rises"][0]["name"] == "Alice demo"
    assert not {n for n in _numbers(ctx["drivers"]) if n >= PLATFORM_VIEWS}


def test_the_overall_report_stays_platform_wide(
        services: Services, world: dict[str, ContentItem]) -> None:
    ctx = services.reports.preview_context(ANALYST, ReportType.OVERALL, "en",
                                           period(services)).context
    assert ctx["drivers"]["scope"] == "platform" and "subject" not in ctx
    with pytest.raises(ValidationError):  # an overall report has no subject
        services.reports.preview_context(ANALYST, ReportType.OVERALL, "en", period(services),
                                         world["alice"].id)


def test_a_subject_the_report_cannot_have_is_refused(
        services: Services, world: dict[str, ContentItem]) -> None:
    with pytest.raises(ValidationError):
        services.reports.preview_context(ANALYST, ReportType.CONTENT, "en", period(services),
                                         "no-such-item")
    with pytest.raises(ValidationError):  # an author id is not an item
        services.reports.preview_context(ANALYST, ReportType.CONTENT, "en", period(services),
                                         "alice")


@pytest.mark.parametrize("kind", [ReportType.CONTENT, ReportType.AUTHOR])
def test_an_author_cannot_run_a_report_even_of_their_own_item(
        services: Services, world: dict[str, ContentItem], kind: ReportType) -> None:
    # Reports carry platform-wide sections (KPIs, top items): an author must never get them,
    # not even through a report about their own item (their own numbers are in My insights).
    subject = world["alice"].id if kind is ReportType.CONTENT else "alice"
    with pytest.raises(PermissionDenied):
        services.reports.preview_context(ALICE, kind, "en", period(services), subject)
    request = ReportRequest(kind, ReportLanguage.EN, period(services), subject=subject)
    with pytest.raises(PermissionDenied):
        services.reports.generate(ALICE, request)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_offline_narrator_says_the_items_scope_and_stays_grounded(
        services: Services, world: dict[str, ContentItem], lang: str) -> None:
    request = ReportRequest(ReportType.CONTENT, ReportLanguage(lang), period(services),
                            subject=world["alice"].id)
    report = services.reports.generate(ANALYST, request)
    assert report.context["drivers"]["scope"] == "item"
    assert report.grounding.ok, report.grounding.unmatched
    assert "bedrock" in report.narrative and "Alice demo" in report.narrative
    scope_line = {"en": "These figures are the item “Alice demo”'s own",
                  "ko": "아래 수치는 콘텐츠 “Alice demo” 자체의"}[lang]
    assert scope_line in report.narrative
    assert {"en": "platform-wide", "ko": "플랫폼 전체(모든"}[lang] not in report.narrative
    # A number made up about the item is flagged; one of its scoped sections passes.
    views_row = next(r for r in report.context["drivers"]["metrics"]
                     if r["metric"] == "content_views")
    assert check(f"Content views rose to {views_row['after']:,}.", report.context).ok
    assert not check("Content views rose to 4,321.", report.context).ok
    assert narrate(json.loads(json.dumps(report.context))) == report.narrative


@pytest.mark.parametrize(("lang", "phrases"), [
    ("en", ("The item “Alice demo”'s own figures", "Forecast of “Alice demo”",
            "no finer rows to split the change by", "bedrock (Search term)")),
    ("ko", ("콘텐츠 “Alice demo” 자체의 수치", "“Alice demo” 예측", "세부 집계 없음",
            "bedrock (검색어)")),
])
def test_the_pdf_says_whose_insights_they_are(
        services: Services, world: dict[str, ContentItem], lang: str,
        phrases: tuple[str, ...]) -> None:
    request = ReportRequest(ReportType.CONTENT, ReportLanguage(lang), period(services),
                            subject=world["alice"].id)
    report = services.reports.generate(ANALYST, request)
    doc = pymupdf.open(stream=build_report_pdf(report, tz=services.settings.tz), filetype="pdf")
    text = " ".join(" ".join(str(page.get_text()) for page in doc).split())
    for phrase in phrases:
        assert phrase in text
    assert "Platform-wide figures" not in text and "플랫폼 전체(모든" not in text


def test_the_prompt_sends_the_subjects_own_sections(
        services: Services, world: dict[str, ContentItem]) -> None:
    preview = services.reports.preview_context(ANALYST, ReportType.CONTENT, "ko",
                                               period(services), world["alice"].id)
    sent = data_of(preview.prompt.prompt)
    assert sent["subject"]["id"] == world["alice"].id
    assert all(sent[name]["scope"] == "item" for name in INSIGHTS)
