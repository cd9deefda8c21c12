"""The offline narrator's drivers and anomalies: the item behind a category's rise is named, the
most unusual days come first, one line per day, and every number stays grounded."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.insights.anomalies import Anomaly
from services.reports.grounding import check
from services.reports.insight_context import most_unusual
from services.reports.narrator.offline import narrate
from services.reports.narrator.rules import Facts

CATEGORY = {"dim": "category", "value": "Finance", "name": "Finance", "contribution": 400,
            "share": 0.8}
AUTHOR = {"dim": "author", "value": "a1", "name": "Alice", "contribution": 350, "share": 0.7}
ITEM = {"dim": "content", "value": "x7", "name": "Risk demo", "contribution": 310,
        "share": 0.62}


def _anomaly(day: str, metric: str, actual: int, low: int, high: int,
             expected: int) -> dict[str, Any]:
    return {"metric": metric, "dim": "all", "value": "", "day": day, "hour": None,
            "direction": "up" if actual > high else "down", "actual": actual,
            "expected": expected, "low": low, "high": high, "drivers": []}


def context(lang: str = "en") -> dict[str, Any]:
    return {
        "report_type": "overall", "language": lang,
        "period": {"start": "2026-03-01", "end": "2026-03-14", "days": 14},
        "drivers": {"scope": "platform", "metrics": [{
            "metric": "content_views", "kind": "count", "before": 1000, "after": 1500,
            "difference": 500, "relative_change": 50.0,
            "rises": [CATEGORY, AUTHOR, {**AUTHOR, "value": "a2", "contribution": 20}, ITEM],
            "falls": []}]},
        "anomalies": {"scope": "platform", "status": "checked", "count": 4, "flagged": [
            _anomaly("2026-03-05", "page_views", 0, 180, 420, 300),
            _anomaly("2026-03-05", "content_views", 0, 90, 210, 150),
            _anomaly("2026-03-11", "page_views", 900, 180, 420, 300),
            _anomaly("2026-03-13", "content_views", 260, 90, 210, 150),
        ]},
        "forecast": {"scope": "platform", "label": "estimate", "metrics": []},
    }


def test_the_item_behind_a_categorys_rise_is_named_and_grounded() -> None:
    for lang in ("en", "ko"):
        text = narrate(context(lang))
        assert "Risk demo" in text
        assert "`drivers.metrics[0].rises[3].contribution`" in text
        assert check(text, context(lang)).ok, check(text, context(lang)).unmatched


def test_one_line_per_unusual_day_in_the_contexts_order() -> None:
    text = narrate(context())
    lines = [line for line in text.splitlines() if line.startswith("- On 2026-")]
    assert [line[5:15] for line in lines] == ["2026-03-05", "2026-03-11", "2026-03-13"]


def test_the_most_unusual_whole_days_come_before_hours_and_mild_days() -> None:
    def anomaly(day: int, actual: float, hour: int | None = None) -> Anomaly:
        return Anomaly("page_views", "all", "", date(2026, 3, day), hour, actual, 100.0, 50.0,
                       150.0)

    mild, outage, hour = anomaly(13, 160.0), anomaly(5, 0.0), anomaly(14, 900.0, hour=9)
    assert most_unusual([hour, mild, outage]) == [outage, mild, hour]


def test_a_count_after_a_negative_one_is_told_by_its_difference() -> None:
    """Net likes from -2 to 3: no percent (it would read -250%), the plain difference, cited."""
    for lang, words in (("en", "+5 `kpis[0].delta` against the previous period"),
                        ("ko", "직전 기간 대비 +5 `kpis[0].delta`")):
        row = {"key": "likes", "kind": "count", "value": 3, "previous": -2, "delta": 5,
               "change": None}
        assert Facts({"language": lang, "kpis": [row]}).change(row, "kpis[0]") == words
    rise = {"key": "likes", "kind": "count", "value": 3, "previous": 0, "delta": 3,
            "change": None}
    assert Facts({"language": "en", "kpis": [rise]}).change(rise, "kpis[0]") == (
        "nothing to compare with in the previous period")
