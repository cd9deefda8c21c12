"""Click to filter: a chart click filters the dashboard, active filters show as removable
chips, and the period and filters live in the URL, so a link reproduces the view. Parsing and
click mapping are pure; the category and author live in ``services.ui.dashboard``'s session
keys, and this module adds the item and the segment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from functools import partial
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from services.analytics.dashboards import Period, Preset
from services.analytics.periods import earliest_day
from services.analytics.tables import NO_FILTERS, Filters
from services.domain.analytics import Purpose, Segment, SegmentKind
from services.domain.models import Category
from services.ui.chart_view import show_chart
from services.ui.dashboard import (
    ALL,
    AUTHOR_KEY,
    CATEGORY_KEY,
    DEFAULT_PRESET,
    PRESET_KEY,
    RANGE_KEY,
)
from services.ui.i18n import category_label, t
from services.ui.tracking import purpose_label
from services.ui.url_params import write_params
from services.ui.widgets import md_escape

ITEM_KEY = "dash_item"
SEGMENT_KEY = "dash_segment"  # a Segment, or absent
_URL_READ_KEY = "_dash_url_read"  # the URL was read into the session (once per session)
_NOTICE_KEY = "_dash_url_ignored"  # query parameters ignored on that read

PERIOD, START, END = "period", "start", "end"
DEVICES = ("desktop", "mobile", "tablet", "bot", "other")
_ITEM_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
SOURCE_MAX = 100


class Kind(StrEnum):
    """What a chart click (or a query parameter) sets."""

    CATEGORY = "category"
    AUTHOR = "author"
    ITEM = "item"
    DAY = "day"
    PURPOSE = "purpose"
    SOURCE = "source"
    DEVICE = "device"
    HOUR = "hour"


SEGMENT_KINDS = {Kind.PURPOSE: SegmentKind.PURPOSE, Kind.SOURCE: SegmentKind.SOURCE,
                 Kind.DEVICE: SegmentKind.DEVICE, Kind.HOUR: SegmentKind.HOUR}
PERIOD_PARAMS = (PERIOD, START, END)
OUR_PARAMS = (*PERIOD_PARAMS, *(k.value for k in Kind if k is not Kind.DAY))


@dataclass(frozen=True)
class View:
    """What a link reproduces: the period (a preset, or custom days) and the filters."""

    preset: Preset = DEFAULT_PRESET
    start: date | None = None  # CUSTOM only
    end: date | None = None
    filters: Filters = NO_FILTERS


@dataclass(frozen=True)
class Pick:
    kind: Kind
    value: str


# ---- query parameters (pure) -----------------------------------------------------------------


def to_params(view: View) -> dict[str, str]:
    """The query parameters of a view (defaults left out, so a plain link stays plain)."""
    params: dict[str, str] = {}
    if view.preset is Preset.CUSTOM and view.start and view.end:
        params |= {PERIOD: Preset.CUSTOM.value, START: view.start.isoformat(),
                   END: view.end.isoformat()}
    elif view.preset is not DEFAULT_PRESET and view.preset is not Preset.CUSTOM:
        params[PERIOD] = view.preset.value
    filters = view.filters
    for kind, value in ((Kind.CATEGORY, filters.category), (Kind.AUTHOR, filters.author_id),
                        (Kind.ITEM, filters.content_id)):
        if value:
            params[kind.value] = value
    if filters.segment is not None:
        params[filters.segment.kind.value] = filters.segment.value
    return params


def period_params(preset: Preset, period: Period) -> dict[str, str]:
    """A period as a link to another page names it: always (each page has its own default),
    with its days when it is a custom one."""
    if preset is Preset.CUSTOM:
        return {PERIOD: preset.value, START: period.start.isoformat(),
                END: period.end.isoformat()}
    return {PERIOD: preset.value}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def period_view(params: Mapping[str, str], today: date) -> tuple[View, list[str]]:
    """The period a link asks for (``period``, and ``start``/``end`` for a custom one) as a
    view, and the parameters ignored (invalid: the default period instead)."""
    wanted = params.get(PERIOD)
    if wanted is None:
        return View(), []
    if wanted not in set(Preset):
        return View(), [PERIOD]
    preset = Preset(wanted)
    if preset is not Preset.CUSTOM:
        return View(preset), []
    start, end = _day(params.get(START, "")), _day(params.get(END, ""))
    # From no earlier than the range picker offers (so no longer than a period may be): the
    # picker would silently replace a start it cannot show with its default range.
    if start is None or end is None or not earliest_day(today) <= start <= end <= today:
        return View(), [PERIOD]
    return View(Preset.CUSTOM, start, end), []


def segment_valid(kind: Kind, value: str) -> bool:
    if kind is Kind.PURPOSE:
        return value in {p.value for p in Purpose if p is not Purpose.SKIPPED}
    if kind is Kind.DEVICE:
        return value in DEVICES
    if kind is Kind.HOUR:
        return value.isdigit() and 0 <= int(value) <= 23 and str(int(value)) == value
    return kind is Kind.SOURCE and 0 < len(value) <= SOURCE_MAX and value.isprintable()


def from_params(params: Mapping[str, str], today: date,
                authors: Collection[str]) -> tuple[View, list[str]]:
    """The view a link asks for, and the names of the parameters ignored (invalid, or a second
    segment: one segment filter applies at a time)."""
    view, ignored = period_view(params, today)
    found: dict[str, str] = {}
    checks: dict[Kind, Callable[[str], bool]] = {
        Kind.CATEGORY: lambda v: v in set(Category),
        Kind.AUTHOR: lambda v: v in authors,
        Kind.ITEM: lambda v: _ITEM_ID.fullmatch(v) is not None,
    }
    for kind, check in checks.items():
        if kind.value in params:
            if check(params[kind.value]):
                found[kind.value] = params[kind.value]
            else:
                ignored.append(kind.value)
    segment: Segment | None = None
    for kind, segment_kind in SEGMENT_KINDS.items():
        value = params.get(kind.value)
        if value is None:
            continue
        if segment is None and segment_valid(kind, value):
            segment = Segment(segment_kind, value)
        else:
            ignored.append(kind.value)
    filters = Filters(category=found.get("category"), author_id=found.get("author"),
                      content_id=found.get("item"), segment=segment)
    return replace(view, filters=filters), ignored


# ---- chart clicks (pure) ---------------------------------------------------------------------


def _point_index(point: Mapping[str, Any]) -> int | None:
    for name in ("point_index", "point_number", "pointNumber", "pointIndex"):
        index = point.get(name)
        if isinstance(index, int):
            return index
        if isinstance(index, list) and index and isinstance(index[0], int):
            return index[0]  # a pie slice may report a list
    return None


def pick_of(selection: Mapping[str, Any] | None, kind: Kind,
            keys: Sequence[str] | None = None) -> Pick | None:
    """What a chart's selection sets: ``keys`` (the value of each data point, in trace order)
    for bars and slices, else the point's x (a day on the trend, an hour). A box or lasso
    selection of several points uses its first point; nothing selected picks nothing."""
    points = (selection or {}).get("points") or []
    if not points or not isinstance(points[0], Mapping):
        return None
    point = points[0]
    if keys is not None:
        index = _point_index(point)
        if index is None or not 0 <= index < len(keys) or not keys[index]:
            return None
        return Pick(kind, keys[index])
    x = str(point.get("x", ""))
    if kind is Kind.DAY:
        day = _day(x[:10])
        return Pick(kind, day.isoformat()) if day else None
    if kind is Kind.HOUR and x.strip().isdigit() and 0 <= int(x) <= 23:
        return Pick(kind, str(int(x)))
    return None


def filters_with(filters: Filters, pick: Pick) -> Filters:
    """The filters after a click (a day sets the period instead, see ``apply``)."""
    if pick.kind is Kind.CATEGORY:
        return replace(filters, category=pick.value)
    if pick.kind is Kind.AUTHOR:
        return replace(filters, author_id=pick.value)
    if pick.kind is Kind.ITEM:
        return replace(filters, content_id=pick.value)
    if pick.kind in SEGMENT_KINDS:  # one segment at a time: a new one replaces the old
        return replace(filters, segment=Segment(SEGMENT_KINDS[pick.kind], pick.value))
    return filters


def filters_without(filters: Filters, kind: Kind) -> Filters:
    if kind is Kind.CATEGORY:
        return replace(filters, category=None)
    if kind is Kind.AUTHOR:
        return replace(filters, author_id=None)
    if kind is Kind.ITEM:
        return replace(filters, content_id=None)
    return replace(filters, segment=None)


def active_kinds(filters: Filters) -> list[Kind]:
    """The kinds of the active filters, in the chips' order (a segment last)."""
    found = [kind for kind, value in ((Kind.CATEGORY, filters.category),
                                      (Kind.AUTHOR, filters.author_id),
                                      (Kind.ITEM, filters.content_id)) if value]
    if filters.segment is not None:
        found.append(Kind(filters.segment.kind.value))
    return found


# ---- session state ---------------------------------------------------------------------------


def state_filters() -> Filters:
    """The filters as the session holds them."""
    state = st.session_state
    segment = state.get(SEGMENT_KEY)
    return Filters(category=state.get(CATEGORY_KEY) or None,
                   author_id=state.get(AUTHOR_KEY) or None,
                   content_id=state.get(ITEM_KEY) or None,
                   segment=segment if isinstance(segment, Segment) else None)


def _store_filters(filters: Filters) -> None:
    state = st.session_state
    state[CATEGORY_KEY] = filters.category or ALL
    state[AUTHOR_KEY] = filters.author_id or ALL
    state[ITEM_KEY] = filters.content_id or ""
    state[SEGMENT_KEY] = filters.segment


def _store_view(view: View) -> None:
    st.session_state[PRESET_KEY] = view.preset
    if view.preset is Preset.CUSTOM and view.start and view.end:
        st.session_state[RANGE_KEY] = (view.start, view.end)
    _store_filters(view.filters)


def read_url_once(today: date, authors: Collection[str]) -> None:
    """On the session's first dashboard render, the view the URL asks for (invalid parameters
    are ignored and named in a notice); afterwards the session's own state rules."""
    if st.session_state.get(_URL_READ_KEY):
        return
    st.session_state[_URL_READ_KEY] = True
    params = {name: st.query_params[name] for name in OUR_PARAMS if name in st.query_params}
    view, ignored = from_params(params, today, authors)
    _store_view(view)
    st.session_state[_NOTICE_KEY] = ignored


def url_notice() -> None:
    ignored = st.session_state.pop(_NOTICE_KEY, None)
    if ignored:
        st.warning(t("dashfilter.url_ignored", names=", ".join(ignored)),
                   icon=":material/link_off:")


def write_url(preset: Preset, period: Period, filters: Filters) -> None:
    """Our query parameters to match the view (others, such as ``lang``, are kept)."""
    custom = preset is Preset.CUSTOM
    wanted = to_params(View(preset, period.start if custom else None,
                            period.end if custom else None, filters))
    write_params(OUR_PARAMS, wanted)


def board_period(period: Period) -> dict[str, str]:
    """The dashboard's period on screen, for its links to the item and author pages."""
    return period_params(Preset(st.session_state.get(PRESET_KEY) or DEFAULT_PRESET), period)


def apply(pick: Pick) -> None:
    """A click's effect on the session (called from a chart's selection callback, before the
    rerun, when widget state may still change): a day sets the period, the rest filter."""
    if pick.kind is Kind.DAY:
        day = date.fromisoformat(pick.value)
        st.session_state[PRESET_KEY] = Preset.CUSTOM
        st.session_state[RANGE_KEY] = (day, day)
        return
    _store_filters(filters_with(state_filters(), pick))


def _picked(chart_key: str, kind: Kind, keys: Sequence[str] | None) -> None:
    state = st.session_state.get(chart_key)
    selection = state.get("selection") if isinstance(state, dict) else None
    pick = pick_of(selection, kind, keys)
    if pick is not None:
        apply(pick)


def pickable_chart(figure: go.Figure, key: str, kind: Kind,
                   keys: Sequence[str] | None = None) -> None:
    """A chart whose click (a point selection: a bar, a slice, a point) filters the
    dashboard; ``keys`` are the filter values of the data points in trace order."""
    show_chart(figure, key, selection_mode="points",
               on_select=partial(_picked, key, kind, list(keys) if keys else None))


# ---- chips -----------------------------------------------------------------------------------


def segment_text(segment: Segment) -> str:
    """A segment as the chips and titles name it: "Research", "9–10"."""
    if segment.kind is SegmentKind.PURPOSE:
        return purpose_label(segment.value)
    if segment.kind is SegmentKind.HOUR:
        hour = int(segment.value)
        return t("analytics.hour_range", start=hour, end=hour + 1)
    if segment.kind is SegmentKind.DEVICE:
        return t(f"dashfilter.device.{segment.value}")
    return segment.value


def item_text(title: str | None) -> str:
    """The filtered item as chips and titles name it: its title, or for an item no longer
    published (not in the catalogue) the deleted-item wording, never its id."""
    return title if title is not None else t("analytics.deleted_item")


def chip_labels(filters: Filters, author_names: Mapping[str, str],
                item_title: str | None) -> list[tuple[Kind, str]]:
    """Each active filter and its text: "Category: Finance" (user-typed parts raw);
    ``item_title``: the item filter's title in the catalogue."""
    chips: list[tuple[Kind, str]] = []
    if filters.category:
        chips.append((Kind.CATEGORY, category_label(filters.category)))
    if filters.author_id:
        chips.append((Kind.AUTHOR, author_names.get(filters.author_id, filters.author_id)))
    if filters.content_id:
        chips.append((Kind.ITEM, item_text(item_title)))
    if filters.segment is not None:
        chips.append((Kind(filters.segment.kind.value), segment_text(filters.segment)))
    return [(kind, t(f"dashfilter.kind.{kind}") + ": " + text) for kind, text in chips]


def remove_filter(kind: Kind) -> None:
    _store_filters(filters_without(state_filters(), kind))


def clear_filters() -> None:
    _store_filters(NO_FILTERS)


def chip_key(kind: Kind) -> str:
    return f"dash_chip_{kind}"


def chips(filters: Filters, author_names: Mapping[str, str], item_title: str | None,
          remove: Callable[[Kind], None], clear: Callable[[], None]) -> None:
    """The filters as buttons: one removes its own, the last all (no tooltip: see README)."""
    shown = chip_labels(filters, author_names, item_title)
    if not shown:
        st.caption(t("dashfilter.hint"))
        return
    with st.container(horizontal=True, gap="small", key="dash_chips"):
        for kind, text in shown:
            st.button(md_escape(text) + " ✕", key=chip_key(kind), on_click=remove, args=(kind,))
        st.button(t("dashfilter.clear_all"), key="dash_chip_clear", on_click=clear,
                  icon=":material/filter_alt_off:", type="tertiary")
    if filters.segment is not None:
        st.caption(t("dashfilter.segment_note"))
