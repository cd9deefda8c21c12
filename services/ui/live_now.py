"""The dashboard's "now" panel: visitors of the last 5 and 30 minutes, where they are, and
events per minute, refreshing itself (``st.fragment(run_every=...)``) without rerunning the
page. No CSV here: the numbers change every refresh (the issue leaves this panel out)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from services.analytics.live import LiveNow
from services.analytics.service import AnalyticsService
from services.domain.permissions import Actor
from services.i18n.times import clock_time
from services.ui import charts, lazy
from services.ui.chart_view import show_chart
from services.ui.dashboard import LIVE_OPEN_KEY
from services.ui.fragments import fragment_body
from services.ui.i18n import t
from services.ui.page_names import page_label
from services.ui.table_widths import rows_height
from services.ui.tiles import Tile, render_tiles
from services.ui.widgets import empty_state

CHART_KEY = "chart_live_minutes"
OPEN_KEY = LIVE_OPEN_KEY
PANEL_FRAGMENT = "live_panel"  # the panel's fragment (what the browser reruns on its own)
TABLE_ROWS = 8


def minute_chart(per_minute: pd.DataFrame, title: str, value_label: str) -> go.Figure:
    """Events per minute as columns, oldest on the left (local times)."""
    values = per_minute["events"].tolist()
    fig = go.Figure(go.Bar(
        x=per_minute["minute"].tolist(), y=values, marker_color=charts.PRIMARY,
        name=value_label, hovertemplate="%{x|%H:%M}: %{y:,}<extra></extra>",
    ))
    fig.update_xaxes(tickformat="%H:%M")
    fig.update_yaxes(**charts.count_axis(values))
    return charts.layout(fig, 220, title={"text": title}, showlegend=False)


def _places(frame: pd.DataFrame, label_column: str, label: str,
            named: Callable[[str], str] = str) -> None:
    """A small table of who is where; what users typed or titled stays inert text."""
    shown = pd.DataFrame({label: frame[label_column].astype(str).map(named),
                          t("live.col_visitors"): frame["visitors"].astype(int)})
    # Every row, TABLE_ROWS of them visible at once (the rest scroll).
    st.dataframe(shown, hide_index=True, height=rows_height(len(shown), TABLE_ROWS),
                 column_config={
        label: st.column_config.TextColumn(label),
        t("live.col_visitors"): st.column_config.NumberColumn(format="localized"),
    })


def render_live_now(now: LiveNow, tz: tzinfo) -> None:
    at = now.snapshot.now.astimezone(tz)
    st.caption(t("live.caption", time=clock_time(at)))
    if now.is_empty:
        empty_state(t("live.empty_title"), t("live.empty_hint"))
        return
    snap = now.snapshot
    counts, chart = st.columns([2, 3], vertical_alignment="center")
    with counts:
        render_tiles([Tile(t("live.active_5"), f"{snap.active_5:,}", help=t("live.active_5_help")),
                      Tile(t("live.active_30"), f"{snap.active_30:,}",
                           help=t("live.active_30_help"))], 2, notes_key="live_tile_notes")
    with chart:
        show_chart(minute_chart(now.per_minute, t("live.per_minute"), t("live.events")),
                   CHART_KEY)
    pages_col, items_col = st.columns(2)
    with pages_col:
        st.markdown(f"**{t('live.pages')}**")
        _places(now.pages, "page", t("live.col_page"), page_label)
    with items_col:
        st.markdown(f"**{t('live.items')}**")
        if now.items.empty:
            st.caption(t("live.no_items"))
        else:
            titles = now.items.assign(
                title=now.items["title"].fillna(t("analytics.deleted_items")))
            _places(titles, "title", t("live.col_item"))


def live_now(analytics: AnalyticsService, actor: Actor, every_seconds: int,
             refresh: bool) -> None:
    """The panel, redrawn on its own every ``every_seconds`` while ``refresh`` (the
    dashboard's live switch) is on."""

    @st.fragment(run_every=every_seconds if refresh else None, key=PANEL_FRAGMENT)
    @fragment_body
    def panel() -> None:
        render_live_now(analytics.live_now(actor), analytics.timezone)

    # Closed, the panel is neither read nor drawn, nor redrawn every ``every_seconds``. Folded
    # at first: open, its chart, two tables and tiles were about a tenth of the dashboard's
    # drawing, above the period's numbers that most visits come for (see "Page speed").
    lazy.expander(t("live.title"), OPEN_KEY, panel, icon=":material/sensors:", kept=True)
