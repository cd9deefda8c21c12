"""The dashboard's "now" panel shows whatever happened in the last 30 minutes (this test's own
page views included), so tests of the rest of the page look past it."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

PANEL_TITLES = {"지금 접속 중", "Live now"}  # services/i18n/*/live.toml: title


def off_panel(at: AppTest, kind: str) -> list[Any]:
    """The page's elements of ``kind`` ("dataframe", "plotly_chart", ...) outside the panel."""
    inside = {id(element) for panel in at.expander if panel.label in PANEL_TITLES
              for element in panel.get(kind)}
    return [element for element in at.get(kind) if id(element) not in inside]
