"""An author's own numbers: on "my content" (all their items) and on an item they own."""

from __future__ import annotations

from functools import partial

import streamlit as st

from services.analytics.dashboards import ContentStats, Period, Preset
from services.analytics.service import AnalyticsService
from services.domain.models import ContentItem
from services.domain.permissions import Action, Actor, can
from services.ui import charts, lazy, routes
from services.ui.chart_view import running_day, show_chart
from services.ui.dashboard import PeriodKeys, period_control
from services.ui.dashboard_filters import period_params
from services.ui.data_table import Col, table
from services.ui.i18n import period_text, status_label, t
from services.ui.item_stats import item_link, link_col
from services.ui.tiles import Tile, render_tiles

PRESET_KEY = "my_stats_preset"  # "my_" keys are cleared on sign-out
# The dashboard's and the item pages' picker: "my content" offered 7, 30 and 90 days only.
KEYS = PeriodKeys(PRESET_KEY, "my_stats_range", "my_stats_shown")
ITEM_PERIOD = Preset.DAYS_30


def _totals(stats: ContentStats) -> None:
    render_tiles([Tile(t(f"analytics.col.{metric}"), f"{stats.total(metric):,}",
                       help=t(f"tiles.count_help.{metric}"))
                  for metric in ("views", "likes", "downloads")], notes_key="my_tile_notes")


def _daily_chart(stats: ContentStats, period: Period, key: str) -> None:
    figure = charts.daily_bars(stats.daily["day"].tolist(), stats.daily["views"].tolist(),
                               t("analytics.own_views_title"), t("analytics.col.views"),
                               running=running_day(period))
    show_chart(figure, key)


def my_stats_section(analytics: AnalyticsService, actor: Actor) -> None:
    """Views over time, likes and downloads of the actor's items, from the rollups."""
    if not can(actor, Action.VIEW_OWN_STATS):
        return
    st.subheader(t("analytics.own_title"), anchor=False)
    st.page_link(routes.AUTHOR_STATS, label=t("itempage.open_mine"),
                 icon=":material/person_search:", query_params={"id": str(actor.user_id)})
    preset, period = period_control(analytics, KEYS, Preset.DAYS_30)
    if period is None:  # a custom range half picked
        return
    params = period_params(preset, period)  # the item pages open at this period
    stats = analytics.my_stats(actor, period)
    _totals(stats)
    if not stats.total("views") and not stats.total("likes"):
        st.caption(t("analytics.own_empty"))
        return
    _daily_chart(stats, period, "my_stats_chart")
    items = stats.items.assign(status=stats.items["status"].map(status_label),
                               page=stats.items["content_id"].map(
                                   lambda content_id: item_link(content_id, params)))
    table(items, [Col("title", t("analytics.col.title")),
                  Col("status", t("content.status_label")),
                  Col("views", t("analytics.col.views"), "int"),
                  Col("likes", t("analytics.col.likes"), "int"),
                  Col("downloads", t("analytics.col.downloads"), "int"), link_col()],
          "my_content_stats", period)


def item_stats_panel(analytics: AnalyticsService, actor: Actor, item: ContentItem) -> None:
    """The item's last 30 days, for its author (and dashboard viewers)."""
    if not analytics.may_see_stats(actor, item):
        return
    # Read and drawn only when opened: most visits to an item never look at its numbers.
    lazy.expander(t("analytics.item_stats_title"), f"item_stats_open_{item.id}",
                  partial(_item_stats, analytics, actor, item), icon=":material/insights:")


def _item_stats(analytics: AnalyticsService, actor: Actor, item: ContentItem) -> None:
    period = analytics.period(ITEM_PERIOD)
    stats = analytics.item_stats(actor, item.id, period)
    st.caption(period_text(period.start, period.end))
    _totals(stats)
    _daily_chart(stats, period, f"item_stats_chart_{item.id}")
    st.page_link(routes.ITEM_STATS, label=t("itempage.nav_item"),
                 icon=":material/insights:", query_params={"id": item.id})
