"""The dashboard's tables (and every other page's tables of counts): translated headings,
column formats and widths, a row's choice, and the CSV download below each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import pandas as pd
import streamlit as st

from services.analytics.dashboards import Period
from services.csv_export import file_slug, frame_csv
from services.ui import lazy
from services.ui.chart_view import running_day
from services.ui.i18n import t
from services.ui.static_table import NUMBER_FORMATS, static_table_html
from services.ui.table_widths import (
    TEXT_CAP_PX,
    WIDE_CAP_PX,
    cell_texts,
    column_px,
    fit,
    rows_height,
    whole_px,
)

# "link": the address of another page of the app (a cell without one shows "—"); in the grid
# only, the CSV leaves it out. "day": an ISO date (a table of days says when today's is not over).
ColumnKind = Literal["text", "wide", "int", "float", "percent", "link", "day"]


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    kind: ColumnKind = "text"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Korean text correctly; search
    terms and titles that look like formulas stay text."""
    return frame_csv(frame)


def _shown(frame: pd.DataFrame, cols: list[Col]) -> pd.DataFrame:
    shown = frame[[c.key for c in cols]].copy()
    for col in cols:
        if col.kind == "int":  # counts and estimates of counts: whole numbers ("880", not
            # "879.738"); nullable, so that a missing value stays empty
            shown[col.key] = pd.to_numeric(shown[col.key]).round().astype("Int64")
        elif col.kind == "percent":
            shown[col.key] = (shown[col.key].astype("float64") * 100).round(1)
        elif col.kind == "float":
            shown[col.key] = shown[col.key].astype("float64").round(2)
    return shown.rename(columns={c.key: c.label for c in cols})


def newest_first(days: pd.DataFrame) -> pd.DataFrame:
    """A day-by-day table's rows, the latest day first: the day a reader looks for is at the
    top, not 90 rows down (a header click still sorts it otherwise)."""
    return days.sort_values("day", ascending=False, ignore_index=True)


def _running_note(cols: list[Col], period: Period) -> str | None:
    """Above a day-by-day table whose period runs: its first row, today, is not a whole day
    yet (its low counts read as a fall otherwise), as the per-day charts' band says. A note,
    not a mark in the cell: the item page's ten columns leave no room for one."""
    running = running_day(period)
    if running is None or not any(c.kind == "day" for c in cols):
        return None
    return t("analytics.running_day_row", day=str(running.day))


_FORMATS = {"int": "localized", **NUMBER_FORMATS}


def _cells(col: Col, values: pd.Series) -> list[str]:
    """The column's cells as the grid shows them (a link column: its one link text)."""
    if col.kind == "link":
        return [t("itempage.link")]
    if col.kind in _FORMATS:
        return cell_texts(values, None if col.kind == "int" else _FORMATS[col.kind])
    return cell_texts(values)


def _width(col: Col, cells: list[str]) -> int:
    return column_px(col.label, cells, WIDE_CAP_PX if col.kind == "wide" else TEXT_CAP_PX)


def _config(col: Col, width: int) -> Any:
    if col.kind == "link":
        return st.column_config.LinkColumn(col.label, display_text=t("itempage.link"),
                                           width=width)
    if col.kind in _FORMATS:
        return st.column_config.NumberColumn(col.label, format=_FORMATS[col.kind], width=width)
    return st.column_config.TextColumn(col.label, width=width)


def _configs(shown: pd.DataFrame, cols: list[Col]) -> dict[str, Any]:
    """Each column's format, and widths that let the table fit the page (table_widths)."""
    cells = {c.label: _cells(c, shown[c.label]) for c in cols}
    text = [c.label for c in cols if c.kind in ("text", "wide")]
    whole = {label: whole_px(label, cells[label]) for label in text}
    widths = fit({c.label: _width(c, cells[c.label]) for c in cols}, text, whole=whole)
    return {c.label: _config(c, widths[c.label]) for c in cols}


def folded_key(name: str) -> str:
    """Whether the folded table ``name``'s panel is open."""
    return f"{table_key(name)}_open"


def _grid(shown: pd.DataFrame, cols: list[Col], name: str, height: int | Literal["auto"],
          on_row: Callable[[int], None] | None, note: str | None = None) -> None:
    if note is not None:
        st.caption(note)
    if height == "auto":  # every row visible up to ROWS_VISIBLE, then the table scrolls
        height = rows_height(len(shown))
    if on_row is None:
        st.dataframe(shown, hide_index=True, height=height, placeholder="—",
                     column_config=_configs(shown, cols))
    else:
        key = table_key(name)
        st.dataframe(shown, hide_index=True, height=height, placeholder="—",
                     column_config=_configs(shown, cols), key=key,
                     on_select=partial(_row_chosen, key, on_row), selection_mode="single-row")


def _row_chosen(key: str, on_row: Callable[[int], None]) -> None:
    state = st.session_state.get(key)
    rows = (state.get("selection") or {}).get("rows") if isinstance(state, dict) else None
    if rows and isinstance(rows[0], int):  # a row unchosen again picks nothing
        on_row(rows[0])


def table_key(name: str) -> str:
    """The key of the selectable table ``name`` (its element's class: ``st-key-<key>``)."""
    return f"table_{name}"


def table(frame: pd.DataFrame, cols: list[Col], name: str, period: Period,
          height: int | Literal["auto"] = "auto", *, of: tuple[str, str] | None = None,
          on_row: Callable[[int], None] | None = None, static: str | None = None,
          folded: str | None = None) -> None:
    """A table with translated headings and its CSV download below it. ``of``: (heading,
    value) of what the table is about when ``name`` does not say it (one funnel of many): the
    CSV's first column, and a slug of the value in its file name. ``on_row``: choosing a row
    (by keyboard too) calls it with the row's position in ``frame``. ``static``: a few rows
    read at a glance, drawn as HTML (``static_table``) named so for a screen reader.
    ``folded``: the grid is drawn only once a panel of that label is opened (the CSV is not)."""
    shown = _shown(frame, cols)
    note = _running_note(cols, period)
    if static is not None:
        st.html(static_table_html(shown, [c.kind for c in cols], static))
    elif folded is not None:
        lazy.expander(folded, folded_key(name),
                      partial(_grid, shown, cols, name, height, on_row, note),
                      icon=":material/table:")
    else:
        _grid(shown, cols, name, height, on_row, note)
    exported = shown.drop(columns=[c.label for c in cols if c.kind == "link"])
    stem = name
    if of is not None:
        exported.insert(0, of[0], of[1])
        stem = "_".join(filter(None, (name, file_slug(of[1]))))
    st.download_button(
        # Written when the button is pressed, not on every run that draws the table (each
        # CSV was made and handed to Streamlit's file store on every period or filter change).
        t("analytics.csv"), data=partial(csv_bytes, exported),
        file_name=f"{stem}_{period.start.isoformat()}_{period.end.isoformat()}.csv",
        mime="text/csv", key=f"csv_{name}", on_click="ignore", icon=":material/download:",
    )
