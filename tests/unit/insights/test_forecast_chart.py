"""The forecast chart: actual days, then the estimate with its interval, per metric."""

from __future__ import annotations

from datetime import date, timedelta

from services.insights.forecast import forecast
from services.ui.insights_chart import forecast_chart

LAST = date(2026, 6, 30)


def test_history_then_estimate_and_interval_per_metric() -> None:
    found = [forecast("page_views", [100.0 + d % 7 for d in range(40)], LAST),
             forecast("visitors", [10.0] * 5, LAST)]  # too short: left out
    fig = forecast_chart(found, {"page_views": "<i>Page views</i>"}, "Forecast", "estimate")
    history, band, estimate = fig.data
    assert len(history.x) == 28 and history.x[-1] == LAST
    assert estimate.x[0] == LAST + timedelta(days=1) and len(estimate.x) == 14
    assert list(estimate.y) == [p.estimate for p in found[0].points]
    assert len(band.x) == 28 and band.fill == "toself"
    assert history.name == "&lt;i&gt;Page views&lt;/i&gt;"
    assert estimate.name == "&lt;i&gt;Page views&lt;/i&gt; (estimate)"
