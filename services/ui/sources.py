"""The dashboard's "sources" and "devices" tabs: visits by where they came from and on what.

Referrers, utm values, browsers and OS names come from outside: they stay text in the tables
(and their CSV, neutralised by ``table``) and go through ``charts.plain`` in the charts.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from services.analytics.dashboards import Dashboard, Period
from services.analytics.source_stats import SourceTables
from services.domain.analytics import DIRECT, OTHER_VALUE, Device, Dim, SegmentKind
from services.ui import charts, session
from services.ui.chart_view import show_chart
from services.ui.dashboard_filters import Kind, pickable_chart
from services.ui.data_table import Col, table
from services.ui.filter_notes import filter_note
from services.ui.i18n import t
from services.ui.row_filters import row_pick
from services.ui.tiles import Tile, render_tiles

TOP_BARS = 10
DEVICES = {d.value for d in Device}


def value_label(value: object, dim: Dim) -> str:
    """A value as shown: the marks DIRECT and OTHER_VALUE and device classes translated."""
    text = str(value)
    if text == DIRECT and dim is Dim.REFERRER:
        return t("visits.direct")
    if text == OTHER_VALUE:
        return t("visits.other")
    if dim is Dim.DEVICE and text in DEVICES:
        return t(f"visits.device_class.{text}")
    return text


def _chart(figure: object, key: str) -> None:
    show_chart(figure, key)


def _labelled(frame: pd.DataFrame, dim: Dim) -> pd.DataFrame:
    return frame.assign(value=frame["value"].map(lambda v: value_label(v, dim)))


def _breakdown(found: SourceTables, dim: Dim, period: Period, chart: str | None,
               pick: Kind | None = None, chosen: str | None = None) -> None:
    """A heading, a bar chart of the top values (``chart``: its key; with ``pick`` a click on
    a bar filters the dashboard by that value; the bar of ``chosen``, the value a filter
    names, stands out) and the full table."""
    raw = found.by_dim[dim]
    frame = _labelled(raw, dim)
    if chart is None or frame.empty:  # else the chart's title heads the section
        st.markdown(f"**{t(f'visits.{dim.value}')}**")
    if frame.empty:
        st.caption(t("visits.empty_utm"))
        return
    if chart is not None:
        bars = frame.head(TOP_BARS)
        figure = charts.bar_chart(bars["value"].tolist(), bars["visits"].tolist(),
                                  t(f"visits.{dim.value}"), t("visits.col.visits"),
                                  highlight=[v == chosen for v in raw["value"].head(TOP_BARS)])
        if pick is None:
            _chart(figure, chart)
        else:
            pickable_chart(figure, chart, pick, raw["value"].head(TOP_BARS).tolist())
    table(frame, [Col("value", t(f"visits.col.{dim.value}"), "wide"),
                  Col("visits", t("visits.col.visits"), "int"),
                  Col("share", t("visits.col.share"), "percent")], dim.value, period,
          on_row=None if pick is None else row_pick(pick, raw["value"].tolist()))


def _total(found: SourceTables, label_key: str = "visits.visits_total") -> None:
    render_tiles([Tile(t(label_key), f"{found.visits:,}")])


def _campaign_items(found: SourceTables, period: Period) -> None:
    st.markdown(f"**{t('visits.campaign_items')}**")
    frame = found.campaign_items
    if frame.empty:
        st.caption(t("visits.empty_campaign_items"))
        return
    st.caption(t("visits.campaign_items_note"))
    shown = frame.assign(
        campaign=frame["campaign"].map(lambda v: value_label(v, Dim.UTM_CAMPAIGN)),
        title=frame["title"].map(lambda v: v if isinstance(v, str) else t(
            "analytics.deleted_items")))
    table(shown, [Col("campaign", t("visits.col.campaign")),
                  Col("title", t("visits.col.title"), "wide"),
                  Col("views", t("visits.col.views"), "int"),
                  Col("share", t("visits.col.share_campaign"), "percent")],
          "campaign_items", period)


def sources_tab(board: Dashboard) -> None:
    found = session.services().analytics.sources(session.actor(), board.period)
    st.caption(t("visits.source_note"))
    # A visit's sources are counted on its first event, never per item or segment.
    filter_note(board.filters)
    if not found.visits:
        st.info(t("visits.empty_sources"), icon=":material/info:")
        return
    _total(found)
    # A source filter names a visit's utm_source, else its referrer host: its bar stands out.
    chosen = _chosen(board, SegmentKind.SOURCE)
    _breakdown(found, Dim.REFERRER, board.period, "chart_referrers", chosen=chosen)
    # A visit's source label is its utm_source when it has one: these bars filter by it.
    _breakdown(found, Dim.UTM_SOURCE, board.period, "chart_utm_sources", Kind.SOURCE, chosen)
    medium_col, campaign_col = st.columns(2)
    with medium_col:
        _breakdown(found, Dim.UTM_MEDIUM, board.period, None)
    with campaign_col:
        _breakdown(found, Dim.UTM_CAMPAIGN, board.period, None)
    _campaign_items(found, board.period)


def _chosen(board: Dashboard, kind: SegmentKind) -> str | None:
    """The value of ``kind`` the filters name, if any."""
    segment = board.filters.segment
    return segment.value if segment is not None and segment.kind is kind else None


def devices_tab(board: Dashboard) -> None:
    found = session.services().analytics.devices(session.actor(), board.period)
    st.caption(t("visits.devices_note"))
    # Counted like the sources; a device filter's slice stands out instead.
    filter_note(board.filters)
    if not found.visits:
        st.info(t("visits.empty_devices"), icon=":material/info:")
        return
    _total(found, "visits.devices_total")
    kinds = _labelled(found.by_dim[Dim.DEVICE], Dim.DEVICE)
    chart_col, table_col = st.columns([2, 3])
    with chart_col:
        values = found.by_dim[Dim.DEVICE]["value"].tolist()
        chosen = _chosen(board, SegmentKind.DEVICE)
        pickable_chart(charts.share_donut(kinds["value"].tolist(), kinds["visits"].tolist(),
                                          t("visits.device"),
                                          highlight=[v == chosen for v in values]),
                       "chart_devices", Kind.DEVICE, values)
    with table_col:
        table(kinds, [Col("value", t("visits.col.device")),
                      Col("visits", t("visits.col.visits"), "int"),
                      Col("share", t("visits.col.share"), "percent")], "device", board.period,
              on_row=row_pick(Kind.DEVICE, values))
    _breakdown(found, Dim.BROWSER, board.period, "chart_browsers")
    _breakdown(found, Dim.OS, board.period, "chart_os")
