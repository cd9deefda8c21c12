"""CSV for spreadsheets: UTF-8 with a byte-order mark (Excel shows Korean text) and no cell a
spreadsheet would run as a formula. Every CSV export of the app goes through here."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

import pandas as pd

# A cell starting with one of these is a formula (or becomes one after the spreadsheet trims
# a tab or carriage return); OWASP's advice: prefix an apostrophe so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` with an apostrophe in front if it is text that starts like a formula;
    numbers (a negative change is a number, not text) are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def frame_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV, every text cell and heading defused; missing values are empty.
    (Written by ``csv`` rather than pandas, whose writer leaves a lone carriage return
    unquoted.)"""
    rows = frame.astype(object).where(frame.notna(), "").itertuples(index=False, name=None)
    return rows_csv([str(c) for c in frame.columns], rows)
