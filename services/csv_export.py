"""CSV for spreadsheets: UTF-8 with a byte-order mark (Excel shows Korean text) and no cell a
spreadsheet would run as a formula. Every CSV export of the app goes through here."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

import pandas as pd

# A cell starting with one of these is a formula (or becomes one after the spreadsheet trims
# a tab or carriage return); OWASP's advice: prefix an apostrophe so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


SLUG_MAX = 40
_NOT_WORD = re.compile(r"[\W_]+")


def file_slug(name: str, fallback: str = "") -> str:
    """``name`` as part of a download's file name: letters and digits of any script kept (a
    Korean name stays Korean), every run of anything else one hyphen, at most ``SLUG_MAX``
    characters; ``fallback`` when nothing is left. No path, dot or formula sign gets through:
    "=관리자/퍼널 v2" -> "관리자-퍼널-v2"."""
    slug = _NOT_WORD.sub("-", unicodedata.normalize("NFC", name)).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or fallback


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
