"""Net likes can fall below zero: a change against a previous value that is not positive is a
difference, never a percent pointing the wrong way (-2 -> 3 read "-250%"), in the insights
panel, followed metrics and digests, as on the dashboard's tiles."""

from __future__ import annotations

from datetime import date

import pytest

from services.analytics.dashboards import Period
from services.domain.follows import Follow, FollowScope
from services.insights.digests import change_text as digest_change
from services.insights.drivers import Drivers, relative_change_of
from services.insights.followed import FollowedMetric
from services.ui.insights import change_text as panel_change

PERIOD = Period(date(2026, 3, 1), date(2026, 3, 7))


def _followed(before: float, after: float) -> FollowedMetric:
    follow = Follow("kim", "likes", FollowScope.ALL)
    return FollowedMetric(follow, PERIOD, "count", before, after, (), ())


@pytest.mark.parametrize(("before", "after"), [(-2, 3), (-2, -5), (0, -1), (0, 4)])
def test_no_percent_against_a_previous_value_that_is_not_positive(before: float,
                                                                  after: float) -> None:
    assert relative_change_of("count", before, after) is None


def test_a_percent_against_a_positive_previous_value() -> None:
    assert relative_change_of("count", 4, 5) == pytest.approx(0.25)


@pytest.mark.parametrize(("before", "after", "shown"), [(-2, 3, "+5"), (-2, -5, "-3"),
                                                        (0, -1, "-1")])
def test_the_panel_and_the_digest_show_the_difference(before: float, after: float,
                                                      shown: str) -> None:
    panel = panel_change(Drivers("likes", "count", before, after, {}))
    digest = digest_change("en", _followed(before, after))

    for text in (panel, digest):
        assert shown in text and "%" not in text, text
    assert "nothing to compare" not in digest


def test_a_rise_from_zero_is_new_in_the_digest() -> None:
    assert "nothing to compare" in digest_change("en", _followed(0, 4))
