"""An item's and an author's own analytics pages (``item-stats?id=``, ``author-stats?id=``), and
the links to them that dashboard tables and "my content" show.

Everything a user typed (titles, search terms, sources) stays inert: tables show it as text,
titles go through ``md_escape``, and the charts carry only translated labels.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pandas as pd
import streamlit as st

from services.analytics.changes import percent_change
from services.analytics.dashboards import Period, Preset
from services.analytics.item_pages import METRICS, AuthorPage, ItemPage, Totals
from services.analytics.service import AnalyticsService
from services.domain.analytics import Purpose
from services.domain.models import Status
from services.domain.permissions import Action, Actor
from services.errors import NotFound, PermissionDenied
from services.i18n.labels import segment_mark_name
from services.ui import charts, gate, routes
from services.ui.dashboard import Col, period_caption, preset_label, table, unchanged
from services.ui.i18n import language, period_text, relabel, status_label, t
from services.ui.item_funnel import item_funnels
from services.ui.tracking import purpose_label
from services.ui.widgets import empty_state, md_escape

PRESET_KEY = "item_stats_preset"
METRIC_KEY = "item_stats_metric"
PRESETS = (Preset.DAYS_7, Preset.DAYS_30, Preset.DAYS_90)
DEFAULT_PRESET = Preset.DAYS_30
_LABELS = {"views": "analytics.col.views", "visitors": "analytics.col.visitors",
           "likes": "analytics.col.likes", "downloads": "analytics.col.downloads"}


# ---- links -------------------------------------------------------------------------------------


def item_link(content_id: object) -> str | None:
    """The item page's address, relative (it works under any base path); None for the row
    that sums deleted items (an empty id)."""
    if not isinstance(content_id, str) or not content_id:
        return None
    return f"{gate.url_path(routes.ITEM_STATS)}?id={quote(content_id, safe='')}"


def author_link(author_id: object) -> str | None:
    if not isinstance(author_id, str) or not author_id:
        return None
    return f"{gate.url_path(routes.AUTHOR_STATS)}?id={quote(author_id, safe='')}"


def link_col() -> Col:
    return Col("page", t("itempage.col.page"), "link")


# ---- pieces both pages share -------------------------------------------------------------------


def _period(analytics: AnalyticsService) -> Period:
    preset = st.segmented_control(
        t("analytics.period"), options=list(PRESETS), format_func=preset_label,
        key=relabel(PRESET_KEY), default=DEFAULT_PRESET, required=True,
    ) or DEFAULT_PRESET
    period = analytics.period(Preset(preset))
    st.caption(period_caption(period, analytics.today()))
    return period


def _tiles(now: Totals, before: Totals) -> None:
    for col, metric in zip(st.columns(len(METRICS)), METRICS, strict=True):
        value, previous = getattr(now, metric), getattr(before, metric)
        percent = percent_change(value, previous)
        change = f"{percent:+.1f}%" if percent is not None else None
        help_text = t("analytics.previous_value", value=f"{previous:,}")
        if metric == "visitors":
            help_text = t("itempage.visitors_help") + "\n\n" + help_text
        flat = unchanged(percent)
        col.metric(t(_LABELS[metric]), f"{value:,}", change, border=True, help=help_text,
                   delta_color="off" if flat else "normal",
                   delta_arrow="off" if flat else "auto",
                   delta_description=t("analytics.vs_previous") if change else None)


def _trend(daily: pd.DataFrame, period: Period, key: str) -> None:
    """One metric per day, with the previous period drawn on the same days."""
    metric = st.segmented_control(
        t("itempage.show"), options=list(METRICS), format_func=lambda m: t(_LABELS[m]),
        key=relabel(METRIC_KEY), default="views", required=True,
    ) or "views"
    label = t(_LABELS[metric])
    figure = charts.period_chart(
        daily["day"].tolist(), daily[metric].tolist(), daily["prev_day"].tolist(),
        daily[f"prev_{metric}"].tolist(),
        (t("itempage.this_period"), t("itempage.previous_period")),
        t("itempage.chart_title", metric=label), label)
    st.plotly_chart(figure, key=key, config={"displaylogo": False})
    before = period.previous()
    st.caption(t("itempage.previous_note", period=period_text(before.start, before.end),
                 days=period.days))


def _daily_table(daily: pd.DataFrame, name: str, period: Period) -> None:
    st.markdown(f"**{t('itempage.daily_title')}**")
    frame = daily.assign(day=daily["day"].map(lambda d: d.isoformat()),
                         prev_day=daily["prev_day"].map(lambda d: d.isoformat()))
    cols = [Col("day", t("analytics.col.day")),
            *(Col(m, t(_LABELS[m]), "int") for m in METRICS),
            Col("prev_day", t("itempage.col.prev_day")),
            *(Col(f"prev_{m}", t(f"itempage.col.prev_{m}"), "int") for m in METRICS)]
    table(frame, cols, name, period)


def _breakdown(frame: pd.DataFrame, title: str, empty: str, heading: str, name: str,
               period: Period, shown: Callable[[object], str] = str) -> None:
    st.markdown(f"**{t(title)}**")
    if frame.empty:
        st.caption(t(empty))
        return
    table(frame.assign(value=frame["value"].map(shown)),
          [Col("value", heading), Col("views", t("analytics.col.views"), "int")],
          name, period)


def _purpose(value: object) -> str:
    return purpose_label(str(value)) if str(value) in set(Purpose) else str(value)


def _source(value: object) -> str:
    return segment_mark_name(language(), value, device=False) or str(value)


# ---- the item page -----------------------------------------------------------------------------


def _item_notice(page: ItemPage) -> None:
    item = page.item
    if item is None:
        st.warning(t("itempage.deleted"), icon=":material/delete:")
    elif item.status is not Status.PUBLISHED:
        st.info(t("itempage.unpublished", status=status_label(item.status)),
                icon=":material/visibility_off:")


def _item_links(analytics: AnalyticsService, actor: Actor, page: ItemPage) -> None:
    item = page.item
    if item is None:
        return
    left, right = st.columns(2)
    if item.status is Status.PUBLISHED:
        left.page_link(routes.CONTENT, label=t("itempage.open_item"), icon=":material/article:",
                       query_params={"id": item.id})
    if analytics.may_see_author(actor, item.author_id):
        right.page_link(routes.AUTHOR_STATS, label=t("itempage.open_author",
                                                     name=md_escape(item.author_name)),
                        icon=":material/person_search:", query_params={"id": item.author_id})


def item_page_view(analytics: AnalyticsService, actor: Actor, content_id: str | None) -> None:
    if not content_id:
        empty_state(t("itempage.item_heading"), t("itempage.no_id"))
        return
    head, slot = st.container(), st.empty()  # the title goes above the period picker
    with slot.container():
        period = _period(analytics)
    try:
        page = analytics.item_page(actor, content_id, period)
    except PermissionDenied:
        slot.empty()
        gate.needs_role(Action.VIEW_DASHBOARDS)
        return
    except NotFound:
        slot.empty()
        st.warning(t("itempage.gone"), icon=":material/delete:")
        return
    with head:
        _item_head(analytics, actor, page)
    _item_body(page)


def _item_head(analytics: AnalyticsService, actor: Actor, page: ItemPage) -> None:
    title = page.item.title if page.item is not None else page.content_id
    st.title(md_escape(title))
    st.caption(t("itempage.item_heading"))
    _item_notice(page)
    _item_links(analytics, actor, page)


def _item_body(page: ItemPage) -> None:
    _tiles(page.totals, page.previous)
    period, name = page.period, f"item_{page.content_id}"
    if not any(getattr(page.totals, m) for m in METRICS):
        st.info(t("itempage.nothing"), icon=":material/info:")
    _trend(page.daily, period, "item_stats_chart")
    terms_col, purposes_col, sources_col = st.columns(3)
    with terms_col:
        _breakdown(page.search_terms, "itempage.terms_title", "itempage.terms_empty",
                   t("analytics.col.term"), f"{name}_search_terms", period)
    with purposes_col:
        _breakdown(page.purposes, "itempage.purposes_title", "itempage.purposes_empty",
                   t("analytics.col.purpose"), f"{name}_purposes", period, _purpose)
    with sources_col:
        _breakdown(page.sources, "itempage.sources_title", "itempage.sources_empty",
                   t("itempage.col.source"), f"{name}_sources", period, _source)
    item_funnels(page)
    _daily_table(page.daily, f"{name}_daily", period)


# ---- the author page ---------------------------------------------------------------------------


def author_page_view(analytics: AnalyticsService, actor: Actor, author_id: str | None) -> None:
    if not author_id:
        empty_state(t("itempage.nav_author"), t("itempage.no_author"))
        return
    head, slot = st.container(), st.empty()
    with slot.container():
        period = _period(analytics)
    try:
        page = analytics.author_page(actor, author_id, period)
    except PermissionDenied:
        slot.empty()
        gate.needs_role(Action.VIEW_DASHBOARDS)
        return
    with head:
        st.title(md_escape(t("itempage.author_heading", name=page.name)))
        st.caption(t("itempage.author_note"))
    _author_body(page)


def _author_body(page: AuthorPage) -> None:
    if page.items.empty:
        empty_state(t("itempage.items_title"),
                    t("itempage.items_empty", name=md_escape(page.name)))
        return
    _tiles(page.totals, page.previous)
    period, name = page.period, f"author_{page.author_id}"
    if not any(getattr(page.totals, m) for m in METRICS):
        st.info(t("itempage.author_nothing"), icon=":material/info:")
    _trend(page.daily, period, "author_stats_chart")
    st.markdown(f"**{t('itempage.items_title')}**")
    items = page.items.assign(status=page.items["status"].map(status_label),
                              page=page.items["content_id"].map(item_link))
    table(items, [Col("title", t("analytics.col.title"), "wide"),
                  Col("status", t("content.status_label")),
                  *(Col(m, t(_LABELS[m]), "int") for m in METRICS), link_col()],
          f"{name}_items", period)
    _daily_table(page.daily, f"{name}_daily", period)
