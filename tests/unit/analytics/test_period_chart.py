"""The item pages' chart: this period and the previous one on the same days."""

from __future__ import annotations

from datetime import date, timedelta

from services.ui import charts


def test_the_previous_period_shares_the_days_and_hovers_its_own_dates() -> None:
    days = [date(2026, 3, 8) + timedelta(days=i) for i in range(3)]
    before = [d - timedelta(days=3) for d in days]

    fig = charts.period_chart(days, [1, 4, 2], before, [0, 1, 3], ("이번 기간", "<b>이전</b>"),
                              "일별 조회수", "조회수")

    previous, current = fig.data
    assert (current.name, list(current.y)) == ("이번 기간", [1, 4, 2])
    assert previous.name == "&lt;b&gt;이전&lt;/b&gt;"  # labels are text, never markup
    assert list(previous.x) == list(current.x) == days
    assert list(previous.customdata) == ["2026-03-05", "2026-03-06", "2026-03-07"]
    assert list(previous.y) == [0, 1, 3] and previous.line.dash == "dot"
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.title.text == "조회수"
