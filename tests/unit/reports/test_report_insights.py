"""Drivers, anomalies and the forecast in the reports: the context holds what ``load_insights``
finds, the offline narrator names the planted effects in every report type and language, and
the grounding check accepts the real figures and flags a made-up driver share."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pymupdf
import pytest

from services.domain.analytics import Dim, Event, EventType
from services.domain.reports import Report, ReportLanguage, ReportType
from services.i18n import translate
from services.insights.analysis import Insights
from services.insights.service import load_insights
from services.reports.context import build_context
from services.reports.grounding import check
from services.reports.narrator.offline import narrate
from services.reports.pdf.build import build_report_pdf
from tests.unit.reports.report_fixtures import CATALOG, PERIOD, MemoryEvents, boards, ev, views

TODAY = date(2026, 3, 11)  # the period (4..10 March) is complete
SPIKE = date(2026, 3, 7)  # the planted anomaly: item "a" (Generative AI) draws 300 views


def planted() -> list[Event]:
    """Ten quiet weeks (items b, c, d: 5 content views a day each; 20 page views a day), then
    on SPIKE 300 views of item "a" (the planted driver and anomaly)."""
    events: list[Event] = []
    day = date(2026, 1, 1)
    while day <= PERIOD.end:
        when = f"{day.isoformat()} 10:00"
        events += [*views(when, "b", 5), *views(when, "c", 5), *views(when, "d", 5),
                   *ev(when, EventType.PAGE_VIEW, 20, page="home")]
        day += timedelta(days=1)
    return [*events, *views(f"{SPIKE.isoformat()} 11:00", "a", 300)]


@pytest.fixture(scope="module")
def found() -> tuple[list[Event], Insights]:
    events = planted()
    found = load_insights(MemoryEvents(events), PERIOD, TODAY, 0)  # type: ignore[arg-type]
    names = {Dim.CONTENT.value: {item.id: item.title for item in CATALOG},
             Dim.AUTHOR.value: CATALOG.author_names()}  # as the report service names them
    return events, replace(found, names=names)


def context(found: tuple[list[Event], Insights], kind: ReportType,
            lang: ReportLanguage = ReportLanguage.EN) -> dict[str, Any]:
    events, insights = found
    return build_context(kind, *boards(events), PERIOD, lang, insights)


def test_the_context_holds_the_numbers_load_insights_finds(found: Any) -> None:
    ctx = context(found, ReportType.OVERALL)
    insights: Insights = found[1]
    views = insights.of("content_views")
    assert views is not None and views.change == 300
    row = next(r for r in ctx["drivers"]["metrics"] if r["metric"] == "content_views")
    assert (row["before"], row["after"], row["difference"]) == (105, 405, 300)
    top = views.top(3, sign=1)
    assert [(c["dim"], c["value"], c["contribution"], c["share"]) for c in row["rises"]] == [
        (c.dim, c.value, round(c.change), round(c.share or 0, 3)) for c in top]
    assert row["rises"][0]["share"] == 1.0  # item a's category made the whole change
    assert ctx["drivers"]["scope"] == ctx["anomalies"]["scope"] == "platform"

    flagged = [a for a in insights.anomalies.anomalies if a.metric == "content_views"
               and a.dim == "all" and a.hour is None]
    spike = next(r for r in ctx["anomalies"]["flagged"] if r["metric"] == "content_views"
                 and r["dim"] == "all" and r["hour"] is None)
    assert [a.day for a in flagged] == [SPIKE]
    assert (spike["day"], spike["actual"], spike["direction"]) == ("2026-03-07", 315, "up")
    assert (spike["low"], spike["high"]) == (round(flagged[0].low), round(flagged[0].high))

    forecast = ctx["forecast"]
    assert forecast["label"] == "estimate"
    for row, model in zip(forecast["metrics"], insights.forecasts, strict=True):
        assert row["metric"] == model.metric and row["enough_history"]
        estimate, low, high = model.total(7)
        assert row["next_7"] == {"estimate": round(estimate), "low": round(low),
                                 "high": round(high)}
        assert len(row["days"]) == len(model.points)
    headline = ctx["headline"]
    assert headline["metric"] == "content_views" and headline["relative_change"] == 285.7


def test_without_history_the_anomalies_say_so() -> None:
    events = [*views("2026-03-05 10:00", "a", 30), *views("2026-02-26 10:00", "a", 10)]
    insights = load_insights(MemoryEvents(events), PERIOD, TODAY, 0)  # type: ignore[arg-type]
    ctx = build_context(ReportType.OVERALL, *boards(events), PERIOD, ReportLanguage.EN,
                        insights)
    assert ctx["anomalies"]["status"] == "not_enough_history"
    assert all(not r["enough_history"] and r["next_7"] is None
               for r in ctx["forecast"]["metrics"])
    text = narrate(ctx)
    assert "not enough history" in text and check(text, ctx).ok


@pytest.mark.parametrize("lang", list(ReportLanguage))
@pytest.mark.parametrize("kind", list(ReportType))
def test_the_offline_narrative_names_the_planted_driver_and_anomaly(
        found: Any, kind: ReportType, lang: ReportLanguage) -> None:
    ctx = context(found, kind, lang)
    text = narrate(ctx)
    category = "생성형 AI" if lang is ReportLanguage.KO else "Generative AI"
    assert category in text  # the driver of the content views' rise
    assert "2026-03-07" in text and "`anomalies.flagged[" in text
    assert "`forecast.metrics[0].next_7.estimate`" in text
    assert ("추정" if lang is ReportLanguage.KO else "estimate") in text
    if kind in (ReportType.CONTENT, ReportType.AUTHOR):  # narrower reports say the scope
        assert ("플랫폼 전체" if lang is ReportLanguage.KO else "platform-wide") in text
    grounding = check(text, ctx)
    assert grounding.ok, grounding.unmatched


def test_the_what_changed_report_starts_from_the_largest_change(found: Any) -> None:
    ctx = context(found, ReportType.WHAT_CHANGED)
    text = narrate(ctx)
    summary = text.split("## The largest change and its drivers")[0]
    assert "The largest change of the period: Content views" in summary
    assert "`headline.relative_change`" in summary
    order = [text.index(h) for h in ("## The largest change and its drivers", "## Anomalies",
                                     "## Forecast (an estimate)", "## Key insights")]
    assert order == sorted(order)
    assert "“Bedrock 챗봇” (Item)" in text  # the planted item itself, among the drivers


def test_grounding_accepts_real_driver_shares_and_flags_a_made_up_one(found: Any) -> None:
    ctx = context(found, ReportType.WHAT_CHANGED)
    share = ctx["headline"]["rises"][0]["share"] * 100
    real = f"Generative AI made {share:.1f}% `headline.rises[0].share` of the rise."
    assert check(real, ctx).ok
    made_up = "Generative AI made 63.7% `headline.rises[0].share` of the rise."
    assert [u.text for u in check(made_up, ctx).unmatched] == ["63.7%"]


def pdf_of(ctx: dict[str, Any], kind: ReportType, lang: ReportLanguage) -> str:
    text = narrate(ctx)
    report = Report(id="01PDF", type=kind, language=lang, period_start=PERIOD.start,
                    period_end=PERIOD.end, context=ctx, prompt_version="v", model_id="m",
                    narrative=text, grounding=check(text, ctx), input_tokens=0,
                    output_tokens=0, cost_usd=0.0, latency_ms=0, created_by="ana",
                    created_at=datetime(2026, 3, 11, tzinfo=UTC))
    doc = pymupdf.open(stream=build_report_pdf(report, tz=UTC), filetype="pdf")
    return "\n".join(str(page.get_text()) for page in doc)


@pytest.mark.parametrize("lang", list(ReportLanguage))
def test_the_pdf_has_the_drivers_anomalies_and_forecast_section(
        found: Any, lang: ReportLanguage) -> None:
    ctx = context(found, ReportType.WHAT_CHANGED, lang)
    text = " ".join(pdf_of(ctx, ReportType.WHAT_CHANGED, lang).split())
    en = lang is ReportLanguage.EN
    for phrase in (("Drivers, anomalies and forecast", "Share of the change",
                    "Generative AI (Category)", "Bedrock 챗봇 (Item)", "Usual range",
                    "Forecast: next 7 and 14 days (estimate)") if en else
                   ("변화 요인, 이상치, 예측", "변화 대비 비중", "생성형 AI (카테고리)",
                    "예측: 다음 7일과 14일 (추정치)")):
        assert phrase in text
    assert "2026-03-07" in text and "+300 100.0%" in text
    week = ctx["forecast"]["metrics"][1]["next_7"]
    assert f"{week['estimate']:,} ({week['low']:,}–{week['high']:,})" in text


def test_a_report_saved_without_the_insights_has_no_such_section(found: Any) -> None:
    ctx = context(found, ReportType.OVERALL)
    for key in ("headline", "drivers", "anomalies", "forecast"):
        del ctx[key]
    assert "Drivers, anomalies and forecast" not in pdf_of(ctx, ReportType.OVERALL,
                                                           ReportLanguage.EN)


def test_the_pdf_of_a_past_period_says_why_it_has_no_forecast(found: Any) -> None:
    events, _ = found
    later = PERIOD.end + timedelta(days=30)
    old = load_insights(MemoryEvents(events), PERIOD, later, 0)  # type: ignore[arg-type]
    ctx = build_context(ReportType.OVERALL, *boards(events), PERIOD, ReportLanguage.EN, old)
    text = " ".join(pdf_of(ctx, ReportType.OVERALL, ReportLanguage.EN).split())
    assert "No forecast: this period ended before yesterday." in text
    assert text.count("No forecast: this period ended before yesterday.") == 2  # text, section
    assert "An estimate, not a promise" not in text and "Next 7 days" not in text


GONE = ("01M94PGC2TYSKE5SSESFHBMPRG", "01M94PGC2TYSKE5SSESFHBMPRH")  # deleted since


def gone(when: str, item: str, count: int) -> list[Event]:
    """Views of an item deleted since, by an author with nothing published any more."""
    return ev(when, EventType.CONTENT_VIEW, count, session="s1", content_id=item,
              category="Finance", author_id="zed")


@pytest.mark.parametrize("lang", list(ReportLanguage))
def test_deleted_items_and_their_authors_are_one_named_row_never_an_id(
        lang: ReportLanguage) -> None:
    events = [*planted(), *gone(f"{SPIKE.isoformat()} 12:00", GONE[0], 400),
              *gone(f"{SPIKE.isoformat()} 13:00", GONE[1], 300)]
    found = load_insights(MemoryEvents(events), PERIOD, TODAY, 0)  # type: ignore[arg-type]
    names = {Dim.CONTENT.value: {item.id: item.title for item in CATALOG},
             Dim.AUTHOR.value: CATALOG.author_names()}
    ctx = build_context(ReportType.WHAT_CHANGED, *boards(events), PERIOD, lang,
                        replace(found, names=names))
    label = translate(lang.value, "analytics.deleted_items")
    data = json.dumps(ctx, ensure_ascii=False)
    assert not any(gone in data for gone in GONE) and '"zed"' not in data
    row = next(r for r in ctx["drivers"]["metrics"] if r["metric"] == "content_views")
    deleted = [c for c in row["rises"] if c["dim"] == Dim.CONTENT.value and c["name"] == label]
    assert [c["contribution"] for c in deleted] == [700]  # both items, once
    text = pdf_of(ctx, ReportType.WHAT_CHANGED, lang)
    assert not any(gone in text for gone in GONE) and label in " ".join(text.split())
