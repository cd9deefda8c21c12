"""The dashboard's "returning users" tab: the weekly retention triangle of signed-in users
(a heat-coloured heatmap with percentages) and new vs returning users per day, each with its
table and CSV."""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from services.analytics.cohorts import WEEK_COLUMNS, Retention
from services.analytics.dashboards import Dashboard
from services.ui import charts, session
from services.ui.chart_view import running_day, show_chart
from services.ui.data_table import Col, newest_first, table
from services.ui.filter_notes import filter_note
from services.ui.i18n import t

NEW_COLOUR = charts.PRIMARY
RETURNING_COLOUR = charts.ACCENT


def week_labels() -> list[str]:
    return [t("cohorts.week", n=k) for k in range(1, len(WEEK_COLUMNS) + 1)]


def cohort_label(cohort: object, users: int) -> str:
    return f"{cohort} ({users:,})"


def triangle_chart(found: Retention) -> go.Figure:
    """Cohorts (rows, oldest on top) by weeks after (columns): the share back, as a colour
    and as text; weeks still to come are blank."""
    frame = found.triangle_frame()
    shares = frame[WEEK_COLUMNS].astype("float64").to_numpy()
    z = [[None if math.isnan(v) else round(v * 100, 1) for v in row] for row in shares]
    text = [["" if v is None else f"{v:.0f}%" for v in row] for row in z]
    rows = [cohort_label(c, int(n)) for c, n in zip(frame["cohort"], frame["users"], strict=True)]
    share = t("cohorts.share")
    fig = go.Figure(go.Heatmap(
        z=z, x=week_labels(), y=rows, text=text, texttemplate="%{text}", colorscale="YlOrRd",
        zmin=0, zmax=100, xgap=2, ygap=2, hoverongaps=False,
        hovertemplate="%{y} · %{x}<br>" + share + ": %{z:.1f}%<extra></extra>",
        colorbar={"title": {"text": share}, "ticksuffix": "%"},
    ))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    height = max(260, 60 + 32 * len(rows))
    return _layout(fig, height, t("cohorts.triangle_title"))


def triangle_empty_text(found: Retention) -> str | None:
    """Why the triangle has nothing to colour, and what to choose instead (None: it has)."""
    return None if found.has_shares else t("cohorts.triangle_none")


def daily_chart(found: Retention, running: charts.RunningDay | None = None) -> go.Figure:
    """New and returning users per day, stacked; ``running``: the last day, still being
    counted, is marked as on every per-day chart."""
    frame = found.daily_frame()
    fig = go.Figure()
    for key, colour in (("new", NEW_COLOUR), ("returning", RETURNING_COLOUR)):
        name = t(f"cohorts.col.{key}")
        fig.add_bar(x=frame["day"], y=frame[key], name=name, marker_color=colour,
                    hovertemplate="%{x|%Y-%m-%d} " + name + ": %{y:,}<extra></extra>")
    totals = (frame["new"] + frame["returning"]).tolist()
    fig.update_layout(barmode="stack", **charts.running_layout(running))
    fig.update_xaxes(tickformat="%m-%d")
    fig.update_yaxes(title={"text": t("cohorts.users_axis")}, **charts.count_axis(totals))
    return _layout(fig, 320, t("cohorts.daily_title"))


def cohorts_tab(board: Dashboard) -> None:
    services = session.services()
    st.caption(t("cohorts.anonymous_note"))
    filter_note(board.filters)  # cohorts are kept per user, not per item or segment
    if services.cohorts is None:
        st.info(t("cohorts.empty"), icon=":material/info:")
        return
    found = services.cohorts.retention(session.actor(), board.period)
    if found.is_empty:
        st.info(t("cohorts.empty"), icon=":material/info:")
        return
    if found.cohorts and (why := triangle_empty_text(found)) is not None:
        st.info(why, icon=":material/info:")
    elif found.cohorts:
        _chart(triangle_chart(found), "chart_cohorts")
        st.caption(t("cohorts.triangle_note"))
        _cohort_table(found.triangle_frame(), "percent", "cohorts", board)
        st.markdown(f"**{t('cohorts.counts_title')}**")
        _cohort_table(found.returned_frame(), "int", "cohort_users", board)
    _chart(daily_chart(found, running_day(board.period)), "chart_new_returning")
    st.caption(t("cohorts.daily_note"))
    frame = found.daily_frame()
    table(newest_first(frame.assign(day=frame["day"].map(lambda d: d.isoformat()))),
          [Col("day", t("cohorts.col.day"), "day"), Col("new", t("cohorts.col.new"), "int"),
           Col("returning", t("cohorts.col.returning"), "int")],
          "new_returning", board.period)


def _cohort_table(frame: pd.DataFrame, kind: Literal["percent", "int"], name: str,
                  board: Dashboard) -> None:
    shown = frame.assign(cohort=frame["cohort"].map(lambda d: d.isoformat()))
    weeks = [Col(col, label, kind)
             for col, label in zip(WEEK_COLUMNS, week_labels(), strict=True)]
    table(shown, [Col("cohort", t("cohorts.col.cohort")),
                  Col("users", t("cohorts.col.users"), "int"), *weeks], name, board.period)


def _layout(fig: go.Figure, height: int, title: str) -> go.Figure:
    return charts.layout(fig, height, margin={"l": 8, "r": 8, "t": 56, "b": 8},
                         title={"text": title})


def _chart(figure: go.Figure, key: str) -> None:
    show_chart(figure, key)
