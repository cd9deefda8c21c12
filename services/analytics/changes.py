"""How a count's change against the previous period reads (pure): the KPI tiles, the report
context, its narrator and its PDF all follow these two rules.

Net likes (likes minus unlikes) can be negative, and a percent of a negative value points the
wrong way: -2 -> 3 would read "-250%", -2 -> -5 "+150%". So a percent is given only against a
positive previous value; otherwise a count that moved shows its plain difference ("+5").
"""

from __future__ import annotations


def percent_change(value: float, previous: float) -> float | None:
    """The percent change, only against a positive previous value; None otherwise."""
    return (value - previous) / previous * 100 if previous > 0 else None


def count_difference(value: float, previous: float) -> float | None:
    """What a count shows instead of a percent when there is none: ``value - previous`` after a
    negative previous value, or for a fall below zero from zero. A rise from zero is "new" and
    0 -> 0 has nothing to show: None."""
    if previous < 0 or (previous == 0 and value < 0):
        return value - previous
    return None
