"""The dashboard's "now" panel shows whatever happened in the last 30 minutes (this test's own
page views included), so tests of the rest of the page look past it."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from services.i18n import translate
from services.ui.insights import PARTS

PANEL_TITLES = {"지금 접속 중", "Live now"}  # services/i18n/*/live.toml: title
# The insights panel's parts are tabs too (above the dashboard's own).
INSIGHT_PARTS = {translate(lang, f"insights.{part}_title") for lang in ("ko", "en")
                 for part in PARTS}


def board_tabs(at: AppTest) -> list[Any]:
    """The dashboard's tabs, without the insights panel's."""
    return [tab for tab in at.tabs if tab.label not in INSIGHT_PARTS]


def off_panel(at: AppTest, kind: str) -> list[Any]:
    """The page's elements of ``kind`` ("dataframe", "plotly_chart", ...) outside the panel."""
    # Compared by their protos' contents: AppTest builds new wrappers (and protos) on each read.
    inside = [element.proto for panel in at.expander if panel.label in PANEL_TITLES
              for element in _of_kind(panel, kind)]
    return [element for element in _of_kind(at, kind) if element.proto not in inside]


def _of_kind(where: Any, kind: str) -> list[Any]:
    # Named collections (``dataframe``, ``metric``) are attributes; others (``plotly_chart``)
    # are node types for ``get``.
    named = getattr(where, kind, None)
    return list(named) if named is not None else list(where.get(kind))
