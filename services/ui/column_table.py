"""A table drawn as one row of ``st.columns`` per item (My content), readable on a phone.

Under 640 px Streamlit stacks a row's columns, one under another: the heading row stood alone
above the rows and each number ("0", "0", a date) had nothing beside it to say what it was.
There the heading row is hidden and each value shows its label before it; at a desktop's width
the heading row names the columns and the label is read out by a screen reader only (``.df-sr``).
Stacked, one item's values ran on into the next's with nothing between them: there a line
under each row parts the items (a row: the columns holding labelled values; no element added).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import streamlit as st

# Streamlit's own breakpoint for stacking columns (its theme's ``breakpoints.columns``).
NARROW = "@media (max-width: 640px)"
HEAD_KEY_PREFIX = "df_head_"  # a keyed container's class is ``st-key-<key>``
CELL_CLASS = "df-cell"
LABEL_CLASS = "df-cell-label"

# The label undoes ``.df-sr`` (two classes outrank its one) and reads as a heading would.
COLUMN_TABLE_RULES = f"""
{NARROW} {{
  [class*="st-key-{HEAD_KEY_PREFIX}"] {{ display: none; }}
  .{LABEL_CLASS}.df-sr {{ position: static; width: auto; height: auto; margin: 0;
    overflow: visible; clip: auto; white-space: normal; font-weight: 600; }}
  [data-testid="stHorizontalBlock"]:has(.{CELL_CLASS}) {{ padding-bottom: 1rem;
    border-bottom: 1px solid rgba(128, 128, 128, 0.3); }}
}}
"""


def heading_row(name: str, spec: Sequence[int], headings: Sequence[str]) -> None:
    """The columns' headings (message texts, never user text), hidden on a narrow screen."""
    with st.container(key=f"{HEAD_KEY_PREFIX}{name}"):
        for col, heading in zip(st.columns(spec), headings, strict=True):
            col.markdown(f"**{heading}**")


def labelled_value(where: Any, label: str, value: str) -> None:
    """``value`` in its cell (``where``: a column), after its label; both escaped."""
    where.html(
        f'<div class="{CELL_CLASS}"><span class="df-sr {LABEL_CLASS}">{html.escape(label)}'
        f"</span> {html.escape(value)}</div>"
    )
