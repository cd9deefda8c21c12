"""An item's and an author's own analytics pages (``item-stats?id=``, ``author-stats?id=``), and
the links to them that dashboard tables and "my content" show.

Everything a user typed (titles, search terms, sources) stays inert: tables show it as text,
titles go through ``md_escape``, and the charts carry only translated labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from urllib.parse import urlencode

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
from services.ui.chart_view import running_day, show_chart
from services.ui.dashboard import PeriodKeys, period_caption, period_control
from services.ui.dashboard_filters import PERIOD_PARAMS, period_params, period_view
from services.ui.data_table import Col, newest_first, table
from services.ui.i18n import language, period_text, relabel, status_label, t
from services.ui.item_funnel import item_funnels
from services.ui.tiles import Tile, render_tiles, unchanged
from services.ui.tracking import purpose_label
from services.ui.url_params import arrived, write_params
from services.ui.widgets import empty_state, md_escape

PRESET_KEY = "item_stats_preset"
METRIC_KEY = "item_stats_metric"
KEYS = PeriodKeys(PRESET_KEY, "item_stats_range", "item_stats_shown")
ADDRESS_KEY = "item_stats_address"  # the period parameters of the address, as last applied
DEFAULT_PRESET = Preset.DAYS_30
_LABELS = {"views": "analytics.col.views", "visitors": "analytics.col.visitors",
           "likes": "analytics.col.likes", "downloads": "analytics.col.downloads"}


# ---- links -------------------------------------------------------------------------------------


def _link(route: str, key: object, period: Mapping[str, str]) -> str | None:
    if not isinstance(key, str) or not key:
        return None
    return f"{gate.url_path(route)}?{urlencode({'id': key, **period})}"


def item_link(content_id: object, period: Mapping[str, str] | None = None) -> str | None:
    """The item page's address, relative (it works under any base path), opening at
    ``period`` (``period_params``: the period of the page the link is on); None for the row
    that sums deleted items (an empty id)."""
    return _link(routes.ITEM_STATS, content_id, period or {})


def author_link(author_id: object, period: Mapping[str, str] | None = None) -> str | None:
    return _link(routes.AUTHOR_STATS, author_id, period or {})


def link_col() -> Col:
    return Col("page", t("itempage.col.page"), "link")


# ---- pieces both pages share -------------------------------------------------------------------


def _from_address(today: date) -> None:
    """The period the address names (a link from the dashboard, Back, a shared link), applied
    to the picker when it is not the one last applied: otherwise the picker's own choice
    rules. An invalid one is named and the default period shown."""
    found = {name: st.query_params[name] for name in PERIOD_PARAMS if name in st.query_params}
    if found == st.session_state.get(ADDRESS_KEY):
        return
    st.session_state[ADDRESS_KEY] = found
    view, ignored = period_view(found, today) if found else (None, [])
    st.session_state[PRESET_KEY] = view.preset if view and not ignored else DEFAULT_PRESET
    if view and view.preset is Preset.CUSTOM and not ignored:
        st.session_state[KEYS.range] = (view.start, view.end)
    if ignored:
        st.warning(t("dashfilter.url_ignored", names=", ".join(ignored)),
                   icon=":material/link_off:")


def _period(analytics: AnalyticsService) -> tuple[Period, dict[str, str]] | None:
    """The page's period, from its address first, kept in its address; and the parameters
    that name it, for the page's own links. None while a custom range is half picked."""
    _from_address(analytics.today())
    preset, period = period_control(analytics, KEYS, DEFAULT_PRESET)
    if period is None:
        return None
    params = period_params(preset, period)
    write_params(PERIOD_PARAMS, params)
    if not arrived():  # (a run that arrived from another page writes nothing)
        st.session_state[ADDRESS_KEY] = params
    st.caption(period_caption(period, analytics.today()))
    return period, params


def _tiles(now: Totals, before: Totals) -> None:
    shown = []
    for metric in METRICS:
        value, previous = getattr(now, metric), getattr(before, metric)
        percent = percent_change(value, previous)
        change = f"{percent:+.1f}%" if percent is not None else None
        what = (t("itempage.visitors_help") if metric == "visitors"
                else t(f"tiles.count_help.{metric}"))
        help_text = what + "\n\n" + t("analytics.previous_value", value=f"{previous:,}")
        shown.append(Tile(t(_LABELS[metric]), f"{value:,}", change, help_text,
                          description=t("analytics.vs_previous") if change else None,
                          flat=unchanged(percent)))
    render_tiles(shown, len(METRICS), notes_key="item_tile_notes")


def _quiet(now: Totals, before: Totals) -> bool:
    """Nothing in the period nor the one before: the per-day chart and table would be flat
    zeros (a new item's page was a flat chart and 30 rows of 0 under the note saying so)."""
    return not any(getattr(totals, m) for totals in (now, before) for m in METRICS)


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
        t("itempage.chart_title", metric=label), label, running=running_day(period))
    show_chart(figure, key)
    before = period.previous()
    st.caption(t("itempage.previous_note", period=period_text(before.start, before.end),
                 days=period.days))


def _daily_table(daily: pd.DataFrame, name: str, period: Period) -> None:
    st.markdown(f"**{t('itempage.daily_title')}**")
    frame = newest_first(daily.assign(day=daily["day"].map(lambda d: d.isoformat()),
                                      prev_day=daily["prev_day"].map(lambda d: d.isoformat())))
    cols = [Col("day", t("analytics.col.day"), "day"),
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


def _item_links(analytics: AnalyticsService, actor: Actor, page: ItemPage,
                period: Mapping[str, str]) -> None:
    item = page.item
    if item is None:
        return
    with st.container(horizontal=True, gap="medium"):  # side by side, not half a page apart
        if item.status is Status.PUBLISHED:
            st.page_link(routes.CONTENT, label=t("itempage.open_item"),
                         icon=":material/article:", query_params={"id": item.id})
        if analytics.may_see_author(actor, item.author_id):
            st.page_link(routes.AUTHOR_STATS, label=t("itempage.open_author",
                                                      name=md_escape(item.author_name)),
                         icon=":material/person_search:",
                         query_params={"id": item.author_id, **period})


def item_page_view(analytics: AnalyticsService, actor: Actor, content_id: str | None) -> None:
    if not content_id:
        empty_state(t("itempage.item_heading"), t("itempage.no_id"))
        return
    head, slot = st.container(), st.empty()  # the title goes above the period picker
    with slot.container():
        chosen = _period(analytics)
    if chosen is None:
        return
    period, params = chosen
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
        _item_head(analytics, actor, page, params)
    _item_body(page)


def _item_head(analytics: AnalyticsService, actor: Actor, page: ItemPage,
               period: Mapping[str, str]) -> None:
    title = page.item.title if page.item is not None else page.content_id
    st.title(md_escape(title), anchor=False)
    st.caption(t("itempage.item_heading"))
    _item_notice(page)
    _item_links(analytics, actor, page, period)


def _item_body(page: ItemPage) -> None:
    _tiles(page.totals, page.previous)
    period, name = page.period, f"item_{page.content_id}"
    if not any(getattr(page.totals, m) for m in METRICS):
        st.info(t("itempage.nothing"), icon=":material/info:")
    quiet = _quiet(page.totals, page.previous)
    if not quiet:
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
    if not quiet:
        _daily_table(page.daily, f"{name}_daily", period)


# ---- the author page ---------------------------------------------------------------------------


def author_page_view(analytics: AnalyticsService, actor: Actor, author_id: str | None) -> None:
    if not author_id:
        empty_state(t("itempage.nav_author"), t("itempage.no_author"))
        return
    head, slot = st.container(), st.empty()
    with slot.container():
        chosen = _period(analytics)
    if chosen is None:
        return
    period, params = chosen
    try:
        page = analytics.author_page(actor, author_id, period)
    except PermissionDenied:
        slot.empty()
        gate.needs_role(Action.VIEW_DASHBOARDS)
        return
    with head:
        st.title(md_escape(t("itempage.author_heading", name=page.name)), anchor=False)
        st.caption(t("itempage.author_note"))
    _author_body(page, params)


def _author_body(page: AuthorPage, params: Mapping[str, str]) -> None:
    if page.items.empty:
        empty_state(t("itempage.items_title"),
                    t("itempage.items_empty", name=md_escape(page.name)))
        return
    _tiles(page.totals, page.previous)
    period, name = page.period, f"author_{page.author_id}"
    if not any(getattr(page.totals, m) for m in METRICS):
        st.info(t("itempage.author_nothing"), icon=":material/info:")
    quiet = _quiet(page.totals, page.previous)
    if not quiet:
        _trend(page.daily, period, "author_stats_chart")
    st.markdown(f"**{t('itempage.items_title')}**")
    items = page.items.assign(status=page.items["status"].map(status_label),
                              page=page.items["content_id"].map(
                                  lambda content_id: item_link(content_id, params)))
    table(items, [Col("title", t("analytics.col.title"), "wide"),
                  Col("status", t("content.status_label")),
                  *(Col(m, t(_LABELS[m]), "int") for m in METRICS), link_col()],
          f"{name}_items", period)
    if not quiet:
        _daily_table(page.daily, f"{name}_daily", period)
