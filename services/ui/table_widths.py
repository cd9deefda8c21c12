"""Column widths for the app's tables (``grid`` draws one), so that a table fits the page
instead of scrolling sideways.

Left to itself, Streamlit's grid sizes every column to its longest cell (up to 500 px) and
scrolls when they add up to more than its container: at 1400 px the content table's link
column, the authors' top titles and the audit log's details were cut off at the right edge.
Each column is given a width from its heading and cells here, long text capped (the grid
shows the rest on a click, and the CSV keeps it whole); a table narrower than its container
is still stretched to fill it. Widths are estimates from character counts (a Hangul or CJK
character is about twice a Latin one); no font is measured. A table whose columns still add up
to more than PAGE_PX gives up width from its text columns (``fit``), never below TEXT_FLOOR_PX;
one that adds up to less gives its spare room to the text its caps cut short (a long title),
up to GROW_CAP_PX, before the grid would stretch every column alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import pandas as pd
import streamlit as st

LATIN_PX = 7  # a Latin letter or digit at the grid's 14 px font, rounded up
WIDE_PX = 14  # a Hangul syllable or CJK character
PADDING_PX = 18  # the cell's own padding, both sides
TEXT_CAP_PX = 180  # a text column is never wider than this...
WIDE_CAP_PX = 240  # ...nor a column of titles, names or sentences ("wide")
GROW_CAP_PX = 480  # unless the table has room to spare (``fit``'s ``whole``)
TEXT_FLOOR_PX = 100  # nor narrower than this when a table gives up width
# The main column of a 1400 px window with the sidebar open (940 px in chromium), less a
# margin for the estimates: what a table's columns may add up to.
PAGE_PX = 900
ROW_PX = 35  # a grid row at Streamlit's default row height
ROWS_VISIBLE = 20  # rows a table shows before it scrolls (the grid's own height shows ten)
SAMPLE_ROWS = 200  # enough rows to find a long cell; a long table is not read whole


def text_px(text: str) -> int:
    """About how wide ``text`` is drawn in the grid, without padding."""
    return sum(WIDE_PX if unicodedata.east_asian_width(ch) in "WF" else LATIN_PX for ch in text)


def column_px(label: str, cells: Iterable[object] = (), cap: int = TEXT_CAP_PX) -> int:
    """A column's width: its heading whole, its cells up to ``cap``."""
    longest = max((text_px(str(cell)) for cell in cells if not _missing(cell)), default=0)
    return max(text_px(label), min(longest, cap - PADDING_PX)) + PADDING_PX


def _missing(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and cell != cell)  # NaN


def cell_texts(values: pd.Series, number_format: str | None = None) -> list[str]:
    """The cells as the grid shows them (numbers with thousands separators, or
    ``number_format`` such as ``"%.1f%%"``), of the first SAMPLE_ROWS rows."""
    shown = values.head(SAMPLE_ROWS)
    if number_format is not None:
        return [number_format % float(v) for v in shown if not pd.isna(v)]
    if pd.api.types.is_integer_dtype(shown.dtype):
        return [f"{int(v):,}" for v in shown if not pd.isna(v)]
    return [str(v) for v in shown if not _missing(v)]


def fit(
    widths: Mapping[str, int], shrinkable: Iterable[str], budget: int = PAGE_PX,
    whole: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """``widths`` adding up to at most ``budget`` where they can: the ``shrinkable`` (text)
    columns give up their width beyond TEXT_FLOOR_PX in proportion to it. Under ``budget``,
    columns narrower than their ``whole`` width (their text uncapped) share what is left."""
    out = dict(widths)
    excess = sum(out.values()) - budget
    if excess < 0 and whole:
        return _grown(out, whole, -excess)
    spare = {c: out[c] - TEXT_FLOOR_PX for c in shrinkable if out.get(c, 0) > TEXT_FLOOR_PX}
    total = sum(spare.values())
    if excess <= 0 or not total:
        return out
    for column, room in spare.items():
        out[column] -= min(room, -(-excess * room // total))  # rounded up
    return out


def _grown(widths: dict[str, int], whole: Mapping[str, int], room: int) -> dict[str, int]:
    """Each column short of its ``whole`` width gets it, or a share of ``room`` in proportion
    to what it lacks."""
    lacking = {c: whole[c] - w for c, w in widths.items() if whole.get(c, 0) > w}
    total = sum(lacking.values())
    for column, short in lacking.items():
        widths[column] += short if total <= room else room * short // total
    return widths


def whole_px(label: str, cells: Iterable[object]) -> int:
    """A text column's width with room to spare: its cells up to GROW_CAP_PX."""
    return column_px(label, cells, GROW_CAP_PX)


def fitted(
    frame: pd.DataFrame, config: Mapping[str, Any] | None = None, wide: Iterable[str] = ()
) -> dict[str, Any]:
    """``config`` (column -> ``st.column_config`` value, which is a dict) with a width for
    every column of ``frame``; columns named in ``wide`` may take WIDE_CAP_PX."""
    given = dict(config or {})
    wide_columns = set(wide)
    cells = {column: cell_texts(frame[column]) for column in frame.columns}
    widths = {
        column: column_px(
            str(column), cells[column], WIDE_CAP_PX if column in wide_columns else TEXT_CAP_PX
        )
        for column in frame.columns
    }
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c].dtype)]
    whole = {c: whole_px(str(c), cells[c]) for c in text}
    out: dict[str, Any] = {}
    for column, width in fit(widths, text, whole=whole).items():
        base = given.get(column)
        out[column] = {**(dict(base) if isinstance(base, Mapping) else {}), "width": width}
    return out


def grid(
    data: pd.DataFrame | list[dict[str, Any]] | dict[str, list[Any]],
    wide: Iterable[str] = (),
    config: Mapping[str, Any] | None = None,
    rows: int | None = None,
) -> None:
    """``st.dataframe`` without its index, each column ``fitted`` (``wide``: the columns of
    titles, names or sentences); ``rows``: as many rows shown before the grid scrolls (the
    grid's own default is about ten)."""
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    height: int | Literal["auto"] = "auto" if rows is None else rows_height(len(frame), rows)
    st.dataframe(frame, hide_index=True, width="stretch", height=height,
                 column_config=fitted(frame, config, wide))


def rows_height(count: int, shown: int = ROWS_VISIBLE) -> int:
    """A grid's height in pixels that shows ``count`` rows, at most ``shown`` of them before it
    scrolls: no blank room under a short table, no page-long box for a long one."""
    return ROW_PX * (min(count, shown) + 1) + 3  # the heading's row and the borders
