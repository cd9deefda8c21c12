"""A table drawn as one row of ``st.columns`` per item (My content), readable on a phone.

Under 640 px Streamlit stacks a row's columns, one under another: the heading row stood alone
above the rows and each number ("0", "0", a date) had nothing beside it to say what it was.
There the heading row is hidden and each value shows its label before it; at a desktop's width
the heading row names the columns and the label is read out by a screen reader only (``.df-sr``).
Stacked, one item's values ran on into the next's with nothing between them: there a line
under each row parts the items (a row: the columns holding labelled values; no element added).
Streamlit stacks by the screen's width, but the table's own width is what counts: beside an
open sidebar (a 900 px window) it had some 440 px, and a one-unit column some 40: a heading
broke inside its word ("View/s") and a long title was cut mid-letter (Streamlit keeps a page
link's label on one line). So the table is a CSS container, and the stacked layout (Streamlit's
own, applied here) starts where the table is narrower than ``STACKED_BELOW``, on a phone or
beside the sidebar; wider, a heading never breaks inside a word and a row's page links wrap
between words.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, Final

import streamlit as st

STACKED_BELOW = 720  # px of the table's width: seven columns' headings and a date fit above it
NARROW = f"@container df-table (max-width: {STACKED_BELOW}px)"
TABLE_KEY_PREFIX = "df_table_"
HEAD_KEY_PREFIX = "df_head_"  # a keyed container's class is ``st-key-<key>``
CELL_CLASS = "df-cell"
LABEL_CLASS = "df-cell-label"
_ROW = f'[data-testid="stHorizontalBlock"]:has(.{CELL_CLASS})'

# The label undoes ``.df-sr`` (two classes outrank its one) and reads as a heading would.
COLUMN_TABLE_RULES = f"""
[class*="st-key-{TABLE_KEY_PREFIX}"] {{ container: df-table / inline-size; }}
{NARROW} {{
  [class*="st-key-{HEAD_KEY_PREFIX}"] {{ display: none; }}
  .{LABEL_CLASS}.df-sr {{ position: static; width: auto; height: auto; margin: 0;
    overflow: visible; clip: auto; white-space: normal; font-weight: 600; }}
  {_ROW} {{ flex-wrap: wrap; padding-bottom: 1rem;
    border-bottom: 1px solid rgba(128, 128, 128, 0.3); }}
  {_ROW} > [data-testid="stColumn"] {{ flex: 1 1 100% !important; width: 100% !important;
    min-width: 100% !important; }}
}}
[class*="st-key-{HEAD_KEY_PREFIX}"] [data-testid="stMarkdownContainer"] * {{
  overflow-wrap: normal; word-break: keep-all; }}
{_ROW} [data-testid="stPageLink-NavLink"] > span {{ white-space: normal; }}
"""
GAP: Final = "xsmall"  # between a row's columns (Streamlit's default is twice that)


def row_columns(spec: list[float]) -> list[Any]:
    """One item's row of columns, as wide as the heading row's."""
    return list(st.columns(spec, gap=GAP, vertical_alignment="center"))


def table_block(name: str) -> Any:
    """The container of a table's heading row and rows (the width its layout follows)."""
    return st.container(key=f"{TABLE_KEY_PREFIX}{name}")


def heading_row(name: str, spec: list[float], headings: Sequence[str]) -> None:
    """The columns' headings (message texts, never user text), hidden on a narrow screen."""
    with st.container(key=f"{HEAD_KEY_PREFIX}{name}"):
        for col, heading in zip(st.columns(spec, gap=GAP), headings, strict=True):
            col.markdown(f"**{heading}**")


def labelled_value(where: Any, label: str, value: str) -> None:
    """``value`` in its cell (``where``: a column), after its label; both escaped."""
    where.html(
        f'<div class="{CELL_CLASS}"><span class="df-sr {LABEL_CLASS}">{html.escape(label)}'
        f"</span> {html.escape(value)}</div>"
    )
