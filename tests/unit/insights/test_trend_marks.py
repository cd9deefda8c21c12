"""Unusual days are marked on the trend chart: one extra trace with exactly those points."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from services.ui.charts import TrendPanel, trend_panels

DAYS = [date(2026, 6, 1) + timedelta(days=i) for i in range(10)]
TREND = pd.DataFrame({"day": DAYS, "content_view": range(10), "search": [5] * 10})


def test_marked_days_are_drawn_on_their_line() -> None:
    panel = TrendPanel({"content_view": "Views", "search": "Searches"}, "Trend",
                       marks={"content_view": [DAYS[3]], "search": [DAYS[7]]})
    fig = trend_panels(TREND, [panel], "Count", mark_name="<b>Unusual</b>")
    marks = [trace for trace in fig.data if trace.mode == "markers"]
    assert len(marks) == 1
    assert list(marks[0].x) == [DAYS[3], DAYS[7]] and list(marks[0].y) == [3, 5]
    assert marks[0].name == "&lt;b&gt;Unusual&lt;/b&gt;"


def test_no_marks_no_extra_trace() -> None:
    panel = TrendPanel({"content_view": "Views"}, "Trend", marks={"search": [DAYS[1]]})
    fig = trend_panels(TREND, [panel], "Count")
    assert [trace.mode for trace in fig.data] == ["lines+markers"]
