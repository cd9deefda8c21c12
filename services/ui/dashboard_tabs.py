"""The dashboard's tabs: one small function per tab, each a chart, a table and its CSV."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from services.analytics.dashboards import (
    CONTENT_TREND_TYPES,
    PLATFORM_TREND_TYPES,
    TREND_TYPES,
    Dashboard,
    Period,
)
from services.domain.analytics import OTHER_COMPANY, EventType, Purpose
from services.domain.models import Category
from services.i18n.times import zone_name
from services.ui import charts, funnels, lazy, sources
from services.ui.chart_view import running_day, show_chart
from services.ui.cohorts import cohorts_tab
from services.ui.dashboard_filters import (
    Kind,
    board_period,
    item_text,
    pickable_chart,
    segment_text,
)
from services.ui.data_table import Col, folded_key, newest_first, table
from services.ui.filter_notes import SEGMENT_FILTERS, filter_note
from services.ui.i18n import category_label, t
from services.ui.item_stats import author_link, item_link, link_col
from services.ui.row_filters import DAY_TABLE, hour_pick, row_pick
from services.ui.tiles import Tile, render_tiles
from services.ui.tracking import purpose_label
from services.ui.widgets import app_tz

TOP_BARS = 10
OVERLAY_KEY = "dash_overlay"
TABS = ("trend", "content", "authors", "categories", "time", "purposes", "search", "sources",
        "devices", "returning")


def kept_widgets() -> list[str]:
    """Widgets inside the tabs, kept while another tab is open (only the open one is drawn)."""
    return [OVERLAY_KEY, folded_key(DAY_TABLE), *funnels.draft_keys()]


def _category(name: object) -> str:
    return category_label(str(name)) if str(name) in set(Category) else str(name)


def _purpose(name: object) -> str:
    return purpose_label(str(name)) if str(name) in set(Purpose) else str(name)


def _nothing(key: str) -> None:
    st.info(t(key), icon=":material/info:")


def weekday_names() -> list[str]:
    return [t(f"analytics.weekday.{day}") for day in range(7)]


def _chart(figure: object, key: str) -> None:
    show_chart(figure, key)


def _trend_names(types: tuple[EventType, ...]) -> dict[str, str]:
    return {str(type_): t(f"analytics.trend_line.{type_}") for type_ in types}


def scope_text(board: Dashboard) -> str:
    """What the content numbers count: "filtered: Finance · Kim" or "whole platform"."""
    filters = board.filters
    if not filters.active:
        return t("analytics.scope_platform")
    parts = [category_label(filters.category)] if filters.category else []
    if filters.author_id:
        names = board.authors.set_index("author_id")["author"].to_dict()
        parts.append(str(names.get(filters.author_id, filters.author_id)))
    if filters.content_id:
        parts.append(item_text(board.item_title))
    return t("analytics.scope_filtered", filters=" · ".join(parts))


def _platform_title(board: Dashboard) -> str:
    segment = board.filters.segment
    if segment is None:
        return t("analytics.trend_platform_title")
    kind = t(f"dashfilter.kind.{segment.kind}")
    # A source label comes from a referrer: the chart draws titles as literal text.
    return t("dashfilter.trend_segment_title", segment=f"{kind}: {segment_text(segment)}")


def trend_tab(board: Dashboard,
              marks: Mapping[str, Sequence[date]] | None = None) -> None:
    """One chart of two panels, each on its own count axis: the content lines (which follow
    the filters) and the platform-wide lines; the table below holds every column.
    ``marks``: unusual days by column (the insights' anomalies of the platform-wide totals)."""
    marked = {} if board.filters.active else marks  # they judge the unfiltered numbers
    names = _trend_names(TREND_TYPES)
    # The content panel follows every filter; the page views and searches only a segment.
    filter_note(board.filters, SEGMENT_FILTERS, "chart")
    axis = t("analytics.trend_axis")
    overlay = st.toggle(t("dashfilter.overlay"), key=OVERLAY_KEY,
                        help=t("dashfilter.overlay_help"))
    previous = board.previous_trend if overlay else None
    shifted = t("dashfilter.previous_series")
    unusual = t("analytics.trend_unusual")
    content = charts.TrendPanel(_trend_names(CONTENT_TREND_TYPES),
                                t("analytics.trend_content_title", scope=scope_text(board)),
                                marked or {})
    # a segment filters the platform lines too: not what was judged
    platform = charts.TrendPanel(_trend_names(PLATFORM_TREND_TYPES), _platform_title(board),
                                 (marks or {}) if board.filters.segment is None else {})
    pickable_chart(charts.trend_panels(board.trend, [content, platform], axis,
                                       mark_name=unusual, previous=previous,
                                       previous_name=shifted, running=running_day(board.period)),
                   "chart_trend", Kind.DAY)
    cols = [Col("day", t("analytics.col.day"), "day"),
            *(Col(key, label, "int") for key, label in names.items())]
    frame = newest_first(board.trend.assign(day=board.trend["day"].map(lambda d: d.isoformat())))
    # The chart says what the table does, day by day: the grid waits until asked for (on the
    # dashboard's first screen it cost every reload some 0.05 s; README, page speed).
    table(frame, cols, DAY_TABLE, board.period, on_row=row_pick(Kind.DAY, frame["day"].tolist()),
          folded=t("analytics.trend_table"))


def content_tab(board: Dashboard) -> None:
    top = board.top_content.assign(
        title=board.top_content["title"].fillna(t("analytics.deleted_items")),
        category=board.top_content["category"].map(
            lambda c: _category(c) if isinstance(c, str) else ""),
        page=board.top_content["content_id"].map(
            lambda content_id: item_link(content_id, board_period(board.period))),
    )
    if top.empty or not top["views"].sum():
        _nothing("analytics.empty_content")
        return
    bars = top.head(TOP_BARS)
    pickable_chart(charts.bar_chart(bars["title"].tolist(), bars["views"].tolist(),
                                    t("analytics.content_title"), t("analytics.col.views")),
                   "chart_content", Kind.ITEM, bars["content_id"].tolist()[::-1])
    table(top, [Col("title", t("analytics.col.title"), "wide"),
                Col("category", t("analytics.col.category")),
                Col("author", t("analytics.col.author")),
                Col("views", t("analytics.col.views"), "int"),
                Col("likes", t("analytics.col.likes"), "int"),
                Col("downloads", t("analytics.col.downloads"), "int"),
                Col("likes_per_view", t("analytics.col.likes_per_view"), "percent"),
                link_col()],
          "top_content", board.period, on_row=row_pick(Kind.ITEM, top["content_id"].tolist()))


def authors_tab(board: Dashboard) -> None:
    frame = board.authors.assign(author=board.authors["author"].fillna(
        t("analytics.deleted_items")), page=board.authors["author_id"].map(
            lambda author_id: author_link(author_id, board_period(board.period))))
    if frame.empty:
        _nothing("analytics.empty_authors")
        return
    bars = frame.head(TOP_BARS)
    pickable_chart(charts.bar_chart(bars["author"].tolist(), bars["views"].tolist(),
                                    t("analytics.authors_title"), t("analytics.col.views")),
                   "chart_authors", Kind.AUTHOR, bars["author_id"].tolist()[::-1])
    table(frame, [Col("author", t("analytics.col.author")),
                  Col("items", t("analytics.col.items"), "int"),
                  Col("views", t("analytics.col.views"), "int"),
                  Col("likes", t("analytics.col.likes"), "int"),
                  Col("downloads", t("analytics.col.downloads"), "int"),
                  Col("views_per_item", t("analytics.col.views_per_item"), "float"),
                  Col("likes_per_item", t("analytics.col.likes_per_item"), "float"),
                  Col("top_titles", t("analytics.col.top_titles"), "wide"), link_col()],
          "authors", board.period, on_row=row_pick(Kind.AUTHOR, frame["author_id"].tolist()))


def categories_tab(board: Dashboard) -> None:
    frame = board.categories.assign(label=board.categories["category"].map(_category))
    # Every category is listed whatever the category filter; its slice stands out instead.
    filter_note(board.filters, {Kind.AUTHOR, Kind.ITEM, *SEGMENT_FILTERS})
    chart_col, table_col = st.columns([2, 3])
    with chart_col:
        if frame["views"].sum():
            slices = frame[frame["views"] > 0]  # the donut leaves out empty slices
            chosen = (frame["category"] == board.filters.category).tolist()
            pickable_chart(charts.share_donut(frame["label"].tolist(), frame["views"].tolist(),
                                              t("analytics.categories_title"),
                                              highlight=chosen),
                           "chart_categories", Kind.CATEGORY, slices["category"].tolist())
        else:
            _nothing("analytics.empty_content")
    with table_col:
        table(frame, [Col("label", t("analytics.col.category")),
                      Col("items", t("analytics.col.items"), "int"),
                      Col("views", t("analytics.col.views"), "int"),
                      Col("likes", t("analytics.col.likes"), "int"),
                      Col("share", t("analytics.col.share"), "percent")],
              "categories", board.period,
              on_row=row_pick(Kind.CATEGORY, frame["category"].tolist()))


def time_tab(board: Dashboard) -> None:
    hours = board.time_of_day
    filter_note(board.filters)  # hourly rows are counted for the whole platform only
    if not hours.total:
        _nothing("analytics.empty_time")
        return
    days = weekday_names()
    render_tiles([
        Tile(t("analytics.peak_hour"),
             t("analytics.hour_range", start=hours.peak_hour, end=(hours.peak_hour or 0) + 1)),
        Tile(t("analytics.peak_weekday"), days[hours.peak_weekday or 0]),
        Tile(t("analytics.kpi.page_views"), f"{hours.total:,}"),
    ])
    pickable_chart(charts.heatmap(hours.matrix, days, t("analytics.time_title"),
                                  t("analytics.hour"), t("analytics.kpi.page_views")),
                   "chart_time", Kind.HOUR)
    st.caption(t("analytics.time_note", zone=zone_name(app_tz())))
    pickable_chart(charts.hour_bars(hours.matrix.sum(axis=0).tolist(), t("dashfilter.by_hour"),
                                    t("analytics.hour"), t("analytics.kpi.page_views")),
                   "chart_hours", Kind.HOUR)
    hour_pick()  # the table's rows are weekdays: no row names an hour
    frame = hours.matrix.copy()
    frame.columns = [f"{hour:02d}" for hour in frame.columns]
    frame.insert(0, "weekday", days)
    table(frame, [Col("weekday", t("analytics.col.weekday")),
                  *(Col(f"{h:02d}", f"{h:02d}", "int") for h in range(24))],
          "time_of_day", board.period)


def purposes_tab(board: Dashboard) -> None:
    """The answers to the visit-purpose question, then the purposes signed-up users gave."""
    found = board.purposes
    filter_note(board.filters)  # purposes are not counted per item or segment
    if not found.total:
        _nothing("analytics.empty_purposes")
    else:
        _answers(board)
    st.subheader(t("analytics.signup_purposes_title"), anchor=False)
    st.caption(t("analytics.signup_purposes_note"))
    signed_up = found.signed_up
    if signed_up.empty:
        _nothing("analytics.empty_signup_purposes")
        return
    frame = signed_up.assign(label=signed_up["purpose"].map(_purpose))
    pickable_chart(charts.bar_chart(frame["label"].tolist(), frame["share"].tolist(),
                                    t("analytics.signup_purposes_title"),
                                    t("analytics.col.share"), percent=True),
                   "chart_signup_purposes", Kind.PURPOSE, frame["purpose"].tolist()[::-1])
    table(frame, [Col("label", t("analytics.col.purpose")),
                  Col("count", t("analytics.col.visits"), "int"),
                  Col("share", t("analytics.col.share"), "percent")],
          "signup_purposes", board.period,
          on_row=row_pick(Kind.PURPOSE, frame["purpose"].tolist()))


def _answers(board: Dashboard) -> None:
    found = board.purposes
    rate = found.skip_rate or 0.0
    render_tiles([Tile(t("analytics.kpi.purpose_skip_rate"), f"{rate:.1%}"),
                  Tile(t("analytics.purpose_answered"), f"{found.answered:,}"),
                  Tile(t("analytics.purpose_skipped"), f"{found.skipped:,}")])
    frame = found.table.assign(label=found.table["purpose"].map(_purpose))
    answers = frame[frame["purpose"] != Purpose.SKIPPED.value]
    if found.answered:
        pickable_chart(charts.bar_chart(answers["label"].tolist(),
                                        answers["share_of_answers"].tolist(),
                                        t("analytics.purposes_title"),
                                        t("analytics.col.share_answers"), percent=True),
                       "chart_purposes", Kind.PURPOSE, answers["purpose"].tolist()[::-1])
    table(frame, [Col("label", t("analytics.col.purpose")),
                  Col("count", t("analytics.col.count"), "int"),
                  Col("share_of_answers", t("analytics.col.share_answers"), "percent"),
                  Col("share", t("analytics.col.share_all"), "percent")],
          "purposes", board.period, on_row=row_pick(Kind.PURPOSE, [  # skipping filters nothing
              "" if p == Purpose.SKIPPED.value else p for p in frame["purpose"]]))


def companies_tab(board: Dashboard, frame: pd.DataFrame) -> None:
    """A table only: company names are user-typed, and a chart's labels would read markup."""
    st.caption(t("analytics.companies_note"))
    filter_note(board.filters)  # companies are not counted per item or segment
    if frame.empty:
        _nothing("analytics.empty_companies")
        return
    shown = frame.assign(company=frame["company"].map(
        lambda c: t("analytics.company_other") if c == OTHER_COMPANY else c))
    table(shown, [Col("company", t("analytics.col.company"), "wide"),
                  Col("visitors", t("analytics.col.visitors"), "int"),
                  Col("page_views", t("analytics.col.page_views"), "int"),
                  Col("content_views", t("analytics.col.content_views"), "int")],
          "companies", board.period)


def search_tab(board: Dashboard) -> None:
    found = board.search
    filter_note(board.filters)  # no rollup splits search terms by item or segment
    if not found.total:
        _nothing("analytics.empty_search")
        return
    st.caption(t("analytics.search_summary", total=f"{found.total:,}",
                 zero=f"{found.zero_total:,}", rate=f"{found.zero_rate or 0:.1%}"))
    bars = found.top.head(TOP_BARS)
    _chart(charts.bar_chart(bars["term"].tolist(), bars["searches"].tolist(),
                            t("analytics.search_chart"), t("analytics.col.searches"),
                            highlight=(bars["zero_results"] > 0).tolist()), "chart_search")
    top_col, zero_col = st.columns(2)
    with top_col:
        st.markdown(f"**{t('analytics.search_top')}**")
        _terms(found.top, "search_terms", board.period,
               [Col("zero_results", t("analytics.col.zero_results"), "int")])
    with zero_col:
        st.markdown(f"**{t('analytics.search_zero')}**")
        st.info(t("analytics.search_zero_hint"), icon=":material/lightbulb:")
        if found.zero_results.empty:
            st.caption(t("analytics.search_zero_none"))
        else:
            _terms(found.zero_results, "zero_result_terms", board.period, [])


def _terms(frame: pd.DataFrame, name: str, period: Period, extra: list[Col]) -> None:
    table(frame, [Col("term", t("analytics.col.term")),
                  Col("searches", t("analytics.col.searches"), "int"), *extra], name, period)


def render_tabs(board: Dashboard,
                companies: Callable[[], pd.DataFrame] | None = None,
                marks: Mapping[str, Sequence[date]] | None = None) -> None:
    """``companies`` (given only to those who may see them) reads the companies table when
    its tab is open; ``marks`` are the unusual days the trend marks."""
    sections: list[Callable[[Dashboard], None]] = [
        lambda shown: trend_tab(shown, marks), content_tab, authors_tab, categories_tab,
        time_tab, purposes_tab, search_tab, sources.sources_tab, sources.devices_tab, cohorts_tab]
    names = list(TABS)
    funnels.register(sections, names)
    if companies is not None:  # next to the purposes: both are what sign-up learned
        at = names.index("purposes") + 1
        sections.insert(at, lambda shown: companies_tab(shown, companies()))
        names.insert(at, "companies")
    # Only the open tab is drawn: a rerun (a period or filter change) does not build and send
    # six charts and tables nobody sees.
    lazy.tab_sections([t(f"analytics.tab.{name}") for name in names], "analytics_tab",
                      [partial(section, board) for section in sections])
