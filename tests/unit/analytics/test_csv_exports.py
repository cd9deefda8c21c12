"""Every CSV the app offers defuses cells a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import unicodedata

import pandas as pd
import pytest

from services.csv_export import SLUG_MAX, file_slug, frame_csv, safe_cell
from services.ui.data_table import csv_bytes

DANGEROUS = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_formula_start_gets_an_apostrophe(value: str) -> None:
    assert safe_cell(value) == "'" + value


def test_ordinary_text_and_numbers_are_left_alone() -> None:
    assert safe_cell("생성형AI") == "생성형AI" and safe_cell("a=b") == "a=b"
    assert safe_cell(-3) == -3 and safe_cell(1.5) == 1.5 and safe_cell("") == ""


def test_dashboard_table_csv_defuses_search_terms_and_keeps_numbers() -> None:
    frame = pd.DataFrame({"검색어": [*DANGEROUS, "bedrock"], "변화": [-1, 2, 3, -4, 5, 6, -7]})

    for data in (csv_bytes(frame), frame_csv(frame)):
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert rows[0] == ["검색어", "변화"]
        assert [r[0] for r in rows[1:]] == ["'" + v for v in DANGEROUS] + ["bedrock"]
        assert [r[1] for r in rows[1:]] == ["-1", "2", "3", "-4", "5", "6", "-7"]


def test_missing_values_are_empty_cells() -> None:
    frame = pd.DataFrame({"a": ["x", None], "b": [1.5, float("nan")]})
    rows = list(csv.reader(io.StringIO(frame_csv(frame).decode("utf-8-sig"), newline="")))
    assert rows == [["a", "b"], ["x", "1.5"], ["", ""]]


@pytest.mark.parametrize(("name", "slug"), [
    ("관리자 퍼널", "관리자-퍼널"),
    ("=관리자/퍼널 v2", "관리자-퍼널-v2"),
    ("../../etc/passwd", "etc-passwd"),
    (unicodedata.normalize("NFD", "퍼널"), "퍼널"),
    ("가" * 50, "가" * SLUG_MAX),
    ("?!", ""),
])
def test_a_name_in_a_file_name_keeps_its_words_and_nothing_else(name: str, slug: str) -> None:
    assert file_slug(name) == slug
