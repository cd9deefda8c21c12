"""A short table drawn as plain HTML, for a summary read at a glance (the dashboard's insights).

Streamlit's table (``st.dataframe``) is a canvas grid whose code the browser loads and starts
the first time a page shows one: on the dashboard's first screen its two grids cost some 0.1 s
of every reload (the stock twin in ``scripts/bench_stock.py``, A/B in the README). A few rows
that nobody sorts or chooses from read as well as HTML, which the page draws with the tiles' own
element. Every cell is escaped: a title or a search term stays text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

# How the grids show numbers other than counts (printf, as Streamlit's NumberColumn takes
# them): the one place both kinds of table read them from.
NUMBER_FORMATS: dict[str, str] = {"float": "%.2f", "percent": "%.1f%%"}
NUMBERS: frozenset[str] = frozenset({"int", *NUMBER_FORMATS})
EMPTY = "—"

STATIC_TABLE_RULES = """
.df-static-table { max-width: 100%; overflow-x: auto; }
.df-static-table table { border-collapse: collapse; font-size: 0.875rem; margin: 0; }
.df-static-table th, .df-static-table td {
  padding: 0.25rem 0.625rem; border-bottom: 1px solid rgba(128, 128, 128, 0.25);
  text-align: left; vertical-align: top; word-break: keep-all; overflow-wrap: anywhere;
}
.df-static-table th { font-weight: 600; background: rgba(151, 166, 195, 0.12); }
.df-static-table .df-num { text-align: right; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
"""


def cell_text(value: object, kind: str) -> str:
    """A value as the grids show it: counts with thousands separators, the other numbers in
    ``NUMBER_FORMATS``; nothing as a dash."""
    if not isinstance(value, str) and pd.isna(value):
        return EMPTY
    if kind == "int":
        return f"{int(value):,}"  # type: ignore[call-overload]
    if kind in NUMBER_FORMATS:
        number: float = float(value)  # type: ignore[arg-type]
        return NUMBER_FORMATS[kind] % number
    return str(value)


def static_table_html(shown: pd.DataFrame, kinds: Sequence[str], label: str) -> str:
    """``shown``'s columns (already headed and rounded for display) with ``kinds`` in order;
    ``label``: what the table is, for a screen reader."""
    def cell(tag: str, text: str, kind: str) -> str:
        number = ' class="df-num"' if kind in NUMBERS else ""
        scope = ' scope="col"' if tag == "th" else ""
        return f"<{tag}{number}{scope}>{html.escape(text)}</{tag}>"

    head = "".join(cell("th", str(name), kind) for name, kind in zip(shown.columns, kinds,
                                                                     strict=True))
    rows = "".join(
        "<tr>" + "".join(cell("td", cell_text(value, kind), kind)
                         for value, kind in zip(row, kinds, strict=True)) + "</tr>"
        for row in shown.itertuples(index=False, name=None))
    return (f'<div class="df-static-table" role="region" tabindex="0"'
            f' aria-label="{html.escape(label)}"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")
