"""Drivers of a change: a KPI's change between two sides (the period and the one before it, or
a day and its baseline) split into contributions by every dimension of the rollups.

Counts are additive: a value's contribution is its own change, and what no value of a dimension
holds (events without a category, searches with results...) is the ``REST`` row, so each
dimension's contributions sum exactly to the KPI's change.

Rates (R = N / D, e.g. likes per content view) use the symmetric shift-share split. With
segments i of the dimension, weights w_i = D_i / D and segment rates r_i = N_i / D_i, so that
R = sum_i w_i * r_i, the change of each segment is

    mix_i  = (w1_i - w0_i) * (r0_i + r1_i) / 2      (the segment's share of D moved)
    rate_i = (w0_i + w1_i) / 2 * (r1_i - r0_i)      (the segment's own rate moved)

and mix_i + rate_i = w1_i * r1_i - w0_i * r0_i, so the mix and rate effects together add up
exactly to R1 - R0 (no interaction term). A segment with no denominator on one side has no rate
there: its whole contribution (N_i / D on the other side) is mix.

A side is a vector of weights over the days of a ``DayCube``: ones for a period, 1/n on each of
n baseline days for a baseline (the mean day), so one code path serves both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from services.analytics.changes import percent_change
from services.domain.analytics import Dim
from services.insights.cube import DayCube, Series
from services.insights.metrics import CountMetric, Part, RateMetric, part_daily, part_values

REST = ""  # the value of the part of a change that no value of the dimension holds
WHOLE = "all"  # the one "dimension" of a rate that no dimension splits
# The value of the one row that sums the items no longer published (deleted or back to draft)
# and the authors with nothing published any more (``fold_unnamed``). Item ids are ULIDs and
# usernames have no parentheses, so no real value reads so.
DELETED = "(deleted)"
NAMED_DIMS = (Dim.CONTENT.value, Dim.AUTHOR.value)  # values that are ids with a published name
_EPS = 1e-9


@dataclass(frozen=True)
class Contribution:
    dim: str  # a Dim value, or a rate's segment name
    value: str  # the dimension's value (an id, a category...), REST for the remainder
    before: float  # counts: the value's count; rates: the segment's rate (0: no denominator)
    after: float
    change: float  # the contribution to the KPI's change (counts: after - before)
    share: float | None  # change / the KPI's change (signed); None when the KPI did not move
    mix: float | None = None  # rates only: the mix effect (mix + rate == change)
    rate: float | None = None  # rates only: the rate effect


def change_of(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def relative_change_of(kind: str, before: float | None, after: float | None) -> float | None:
    """Counts: change / before, only against a positive value (net likes can be negative: a
    fraction of one points the wrong way; ``services.analytics.changes``); rates: the change
    itself."""
    change = change_of(before, after)
    if change is None or kind == "rate" or before is None or after is None:
        return change
    percent = percent_change(after, before)
    return None if percent is None else percent / 100


@dataclass(frozen=True)
class Drivers:
    metric: str  # a Kpi key
    kind: str  # "count" or "rate"
    before: float | None  # None: no value (a rate without a denominator)
    after: float | None
    by_dim: Mapping[str, tuple[Contribution, ...]]  # largest |change| first, REST included

    @property
    def change(self) -> float | None:
        return change_of(self.before, self.after)

    @property
    def relative_change(self) -> float | None:
        return relative_change_of(self.kind, self.before, self.after)

    def top(self, limit: int = 5, sign: int = 0) -> list[Contribution]:
        """The largest contributions over every dimension (REST left out); ``sign`` > 0: rises
        only, < 0: falls only."""
        found = [c for rows in self.by_dim.values() for c in rows if c.value != REST
                 and c.change * sign >= 0 and abs(c.change) > _EPS]
        return sorted(found, key=lambda c: -abs(c.change))[:limit]


def fold_unnamed(drivers: Drivers, names: Mapping[str, Mapping[str, str]]) -> Drivers:
    """The contributions of items and authors without a published name summed into one,
    ``DELETED``, as the dashboard's tables sum them (twenty deleted items are not twenty rows,
    nor twenty ids). Counts only: a rate's segment rates do not add up (a rate's unnamed
    segments keep their rows, named by the reader's ``DELETED`` label)."""
    if drivers.kind != "count":
        return drivers
    by_dim = dict(drivers.by_dim)
    for dim in NAMED_DIMS:
        known = names.get(dim)
        rows = by_dim.get(dim, ())
        gone = [c for c in rows if c.value not in (REST, DELETED)
                and known is not None and c.value not in known]
        if not gone:
            continue
        shares = [c.share for c in gone]
        merged = Contribution(dim, DELETED, sum(c.before for c in gone),
                              sum(c.after for c in gone), sum(c.change for c in gone),
                              None if None in shares else sum(s or 0.0 for s in shares))
        by_dim[dim] = _ordered([*(c for c in rows if c not in gone), merged])
    return Drivers(drivers.metric, drivers.kind, drivers.before, drivers.after, by_dim)


def period_weights(cube: DayCube, start: date, end: date) -> Series:
    weights = np.zeros(cube.days)
    weights[max(cube.index(start), 0):max(cube.index(end) + 1, 0)] = 1.0
    return weights


def mean_weights(cube: DayCube, days: Sequence[int]) -> Series:
    weights = np.zeros(cube.days)
    if days:
        weights[list(days)] = 1.0 / len(days)
    return weights


def _sums(values: Mapping[str, Series], weights: Series) -> dict[str, float]:
    if not values:
        return {}
    totals = np.vstack(list(values.values())) @ weights
    return dict(zip(values, totals.tolist(), strict=True))


def _share(change: float, total: float | None) -> float | None:
    return change / total if total is not None and abs(total) > _EPS else None


def _ordered(rows: list[Contribution]) -> tuple[Contribution, ...]:
    return tuple(sorted(rows, key=lambda c: (-abs(c.change), c.value)))


def count_drivers(metric: CountMetric, cube: DayCube, before: Series,
                  after: Series) -> Drivers:
    total = metric.daily(cube)
    b, a = float(total @ before), float(total @ after)
    by_dim: dict[str, tuple[Contribution, ...]] = {}
    for dim in metric.dims(cube):
        changes: dict[str, list[float]] = {}
        for type_, sign in metric.terms:
            for name, (x, y) in _pairs(cube.values(type_, dim), before, after).items():
                pair = changes.setdefault(name, [0.0, 0.0])
                pair[0] += sign * x
                pair[1] += sign * y
        rows = [Contribution(dim, name, x, y, y - x, _share(y - x, a - b))
                for name, (x, y) in changes.items() if abs(y - x) > _EPS or x or y]
        rest_b = b - sum(x for x, _ in changes.values())
        rest_a = a - sum(y for _, y in changes.values())
        if abs(rest_a - rest_b) > _EPS:
            rows.append(Contribution(dim, REST, rest_b, rest_a, rest_a - rest_b,
                                     _share(rest_a - rest_b, a - b)))
        by_dim[dim] = _ordered(rows)
    return Drivers(metric.key, "count", b, a, by_dim)


def _part_total(cube: DayCube, part: Part, weights: Series) -> float:
    return float(part_daily(cube, part) @ weights)


def _segment(name: str, dim: str, n: tuple[float, float], d: tuple[float, float],
             totals: tuple[float, float], change: float) -> Contribution:
    (n0, n1), (d0, d1), (w0_all, w1_all) = n, d, totals
    r0, r1 = (n0 / d0 if d0 else 0.0), (n1 / d1 if d1 else 0.0)
    contribution = n1 / w1_all - n0 / w0_all
    if d0 > 0 and d1 > 0:
        w0, w1 = d0 / w0_all, d1 / w1_all
        mix = (w1 - w0) * (r0 + r1) / 2
        rate = (w0 + w1) / 2 * (r1 - r0)
    else:  # no rate on one side: the segment came or went, which is all mix
        mix, rate = contribution, 0.0
    return Contribution(dim, name, r0, r1, mix + rate, _share(mix + rate, change), mix, rate)


def rate_drivers(metric: RateMetric, cube: DayCube, before: Series, after: Series) -> Drivers:
    n0, n1 = (_part_total(cube, metric.numerator, w) for w in (before, after))
    d0, d1 = (_part_total(cube, metric.denominator, w) for w in (before, after))
    if not d0 or not d1:
        return Drivers(metric.key, "rate", n0 / d0 if d0 else None, n1 / d1 if d1 else None, {})
    change = n1 / d1 - n0 / d0
    splits = metric.segment_dims(cube) or [(WHOLE, Dim.ALL, Dim.ALL)]
    by_dim: dict[str, tuple[Contribution, ...]] = {}
    for name, num_dim, den_dim in splits:
        if num_dim == Dim.ALL:  # one segment: the whole
            nums, dens = {REST: (n0, n1)}, {REST: (d0, d1)}
        else:
            nums = _pairs(part_values(cube, metric.numerator, num_dim), before, after)
            dens = _pairs(part_values(cube, metric.denominator, den_dim), before, after)
            rest_n = (n0 - sum(x for x, _ in nums.values()), n1 - sum(y for _, y in nums.values()))
            rest_d = (d0 - sum(x for x, _ in dens.values()), d1 - sum(y for _, y in dens.values()))
            if any(abs(v) > _EPS for v in (*rest_n, *rest_d)):
                nums[REST], dens[REST] = rest_n, rest_d
        rows = [_segment(value, name, nums.get(value, (0.0, 0.0)), dens.get(value, (0.0, 0.0)),
                         (d0, d1), change) for value in dict.fromkeys([*dens, *nums])]
        by_dim[name] = _ordered(rows)
    return Drivers(metric.key, "rate", n0 / d0, n1 / d1, by_dim)


def _pairs(values: Mapping[str, Series], before: Series,
           after: Series) -> dict[str, tuple[float, float]]:
    return {name: (x, y) for name, x, y in zip(values, _sums(values, before).values(),
                                                _sums(values, after).values(), strict=True)}
