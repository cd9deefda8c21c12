"""A count's change against the previous period: a percent only against a positive previous
value (net likes can be negative), else the plain difference; "new" only for a rise from zero."""

from __future__ import annotations

import pytest

from services.analytics.dashboards import _count_kpi
from services.reports import data
from services.reports.context import _kpi
from services.ui.dashboard import tile

CASES = [  # value, previous, percent change, plain difference, the tile's delta
    (5, 2, 150.0, None, "+150.0%"),
    (1, 2, -50.0, None, "-50.0%"),
    (3, -2, None, 5, "+5"),  # was "-250.0%", in red
    (-5, -2, None, -3, "-3"),  # was "+150.0%", in green
    (-1, 0, None, -1, "-1"),  # was "신규"
    (3, 0, None, None, "신규"),
    (0, 0, None, None, None),
    (-2, -2, None, 0, "+0"),
]


@pytest.mark.parametrize(("value", "previous", "change", "difference", "shown"), CASES)
def test_a_count_changes_by_a_percent_only_against_a_positive_previous_value(
        value: int, previous: int, change: float | None, difference: int | None,
        shown: str | None) -> None:
    kpi = _count_kpi("likes", value, previous, False)
    assert kpi.change == (pytest.approx(change) if change is not None else None)
    assert kpi.difference == difference
    assert tile(kpi).delta == shown


def test_no_difference_reads_as_a_flat_tile() -> None:
    assert tile(_count_kpi("likes", -2, -2, False)).flat
    assert not tile(_count_kpi("likes", -5, -2, False)).flat


def test_the_report_context_keeps_the_difference_and_no_percent() -> None:
    row = _kpi(_count_kpi("likes", 3, -2, False))
    assert row == {"key": "likes", "kind": "count", "value": 3, "previous": -2, "delta": 5,
                   "change": None}


@pytest.mark.parametrize(("value", "previous", "change", "difference", "shown"), CASES)
def test_the_pdf_writes_the_change_as_the_tile_does(
        value: int, previous: int, change: float | None, difference: int | None,
        shown: str | None) -> None:
    line = data.kpis({"kpis": [_kpi(_count_kpi("likes", value, previous, False))]})[0]
    # The PDF has no "new": a missing change is a dash.
    assert data.fmt_change(line) == (shown if shown and shown != "신규" else "–")
