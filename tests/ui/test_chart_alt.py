"""Every chart has a text alternative: its title and, per series, the period's total and its
peak (a screen reader announced "img" and the axis ticks)."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.models import ContentItem
from services.domain.users import User
from tests.ui.conftest import errors
from tests.ui.live_panel import off_panel
from tests.ui.test_dashboard import each_tab, items, open_dashboard, seeded

__all__ = ["items", "seeded"]  # fixtures


def test_a_chart_says_its_title_total_and_peak(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    seeded: Services,
    items: dict[str, ContentItem],
) -> None:
    at = new_app(users["author"].username)
    at.run()
    at.switch_page("app_pages/my_content.py").run()
    assert not at.exception and not errors(at)
    alt = at.get("plotly_chart")[0].proto.alt
    # 30 days: 5 views today, 2 ten days ago.
    assert alt.startswith("일별 조회수")
    assert "합계 7" in alt and "최고 5" in alt


def test_every_dashboard_chart_has_a_text_alternative(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    alts = {chart.key: chart.proto.alt for chart in off_panel(at, "plotly_chart")}
    for _ in each_tab(at):
        alts.update({chart.key: chart.proto.alt for chart in off_panel(at, "plotly_chart")})
    assert len(alts) > 5
    assert all(alts.values()), [key for key, alt in alts.items() if not alt]
