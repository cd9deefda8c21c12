"""The KPIs the insights explain, defined once as data.

A **count** is a signed sum of event types (likes are net: like - unlike). A **rate** is a
numerator over a denominator, each a slice of the rollups; a rate can be split by a dimension
only where both parts have rows per value of it (``segment_dims``). Which dimensions a count is
split by is read from the rollups themselves, so a new ``Dim`` becomes a driver dimension with no
change here; the visit's source and device are the cube's segment drivers
(``cube.SEGMENT_DRIVERS``, from the click filter's per-event segment rows). Visitors
(HyperLogLog sketches, no per-value sketches) have a value, anomalies and a forecast, but no
drivers. ``READ_DIMS`` (and ``ITEM_SEGMENT_DIMS`` summed over items) is what the insights
read of the rollups: nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.domain.analytics import NET_LIKES, Dim, EventType, Purpose, Terms
from services.insights.cube import (
    ITEM_SEGMENT_DIMS,
    SEGMENT_DIMS,
    SEGMENT_DRIVERS,
    DayCube,
    Series,
)

# Dimensions that do not split a type's events into parts, so their values are no drivers:
# ZERO_RESULT_TERM flags a subset of the searches; COMPANY_VISIT, CONTENT_VISIT and the visit's
# source and device dimensions count visits (on a visit's first event), not the type's events;
# the per-item pairs ("<content id>|<value>", "<campaign>|<content id>") and the click filter's
# segments ("<kind>=<value>", several kinds in one dimension) are finer or overlapping views of
# the same events, which would show as raw keys and count some events twice.
NOT_A_SPLIT = frozenset({
    Dim.ALL, Dim.ZERO_RESULT_TERM, Dim.COMPANY_VISIT, Dim.CONTENT_VISIT,
    Dim.REFERRER, Dim.UTM_SOURCE, Dim.UTM_MEDIUM, Dim.UTM_CAMPAIGN, Dim.DEVICE, Dim.BROWSER,
    Dim.OS, Dim.CAMPAIGN_CONTENT, Dim.CONTENT_SEARCH, Dim.CONTENT_PURPOSE, Dim.CONTENT_SOURCE,
    Dim.SEGMENT, Dim.SEGMENT_CONTENT_HOUR, Dim.SEGMENT_CONTENT_PURPOSE,
    Dim.SEGMENT_CONTENT_SOURCE, Dim.SEGMENT_CONTENT_DEVICE,
})
# Read although no split: the totals, the zero-result rate's numerator, and the segment rows the
# source and device drivers are derived from (the per-item ones summed over their items,
# ``ITEM_SEGMENT_DIMS``). A new Dim is read (and split by) unless listed above.
READ_DIMS = tuple(dim for dim in Dim if (dim not in NOT_A_SPLIT or dim in (
    Dim.ALL, Dim.ZERO_RESULT_TERM, *SEGMENT_DIMS)) and dim not in ITEM_SEGMENT_DIMS)
VISITORS = "visitors"


def driver_dims(found: set[str]) -> list[str]:
    """The dimensions of ``found`` that split a type's events: in Dim order, then the segment
    drivers."""
    return [*(dim.value for dim in Dim if dim in found and dim not in NOT_A_SPLIT),
            *(name for name in SEGMENT_DRIVERS.values() if name in found)]


@dataclass(frozen=True)
class CountMetric:
    key: str  # as the dashboard's Kpi.key
    terms: tuple[tuple[EventType, int], ...]  # (type, +1 or -1)

    def dims(self, cube: DayCube) -> list[str]:
        """Every dimension with rows for one of the metric's types (``driver_dims`` order)."""
        return driver_dims({dim for type_, _ in self.terms for dim in cube.dims(type_)})

    def daily(self, cube: DayCube, dim: str = Dim.ALL, value: str | None = None) -> Series:
        """The metric per day, in total or for (``dim``, ``value``) only."""
        total = np.zeros(cube.days)
        for type_, sign in self.terms:
            if value is None:
                total += sign * cube.total(type_, dim)
            elif (series := cube.values(type_, dim).get(value)) is not None:
                total += sign * series
        return total


@dataclass(frozen=True)
class Part:
    """A slice of the rollups: the type's rows of ``dim`` (only ``value`` if given); with
    ``terms``, their signed sum instead (``NET_LIKES``: ``type`` is then the one whose
    dimensions split it)."""

    type: EventType
    dim: Dim = Dim.ALL
    value: str | None = None
    terms: Terms = ()

    @property
    def signed(self) -> Terms:
        return self.terms or ((self.type, 1),)


@dataclass(frozen=True)
class RateMetric:
    key: str
    numerator: Part
    denominator: Part
    # (dimension name, numerator's dim, denominator's dim) that split both parts alike; None:
    # every dimension the two types share.
    segments: tuple[tuple[str, str, str], ...] | None = ()

    def daily(self, cube: DayCube) -> tuple[Series, Series]:
        """(numerator, denominator) per day."""
        return part_daily(cube, self.numerator), part_daily(cube, self.denominator)

    def segment_dims(self, cube: DayCube) -> list[tuple[str, str, str]]:
        if self.segments is not None:
            return list(self.segments)
        shared = set(cube.dims(self.numerator.type)) & set(cube.dims(self.denominator.type))
        return [(dim, dim, dim) for dim in driver_dims(shared)]


def part_daily(cube: DayCube, part: Part) -> Series:
    """The part per day (its terms signed and summed)."""
    total = np.zeros(cube.days)
    for type_, sign in part.signed:
        if part.value is None:
            total = total + sign * cube.total(type_, part.dim)
        elif (found := cube.values(type_, part.dim).get(part.value)) is not None:
            total = total + sign * found
    return total


def part_values(cube: DayCube, part: Part, dim: str) -> dict[str, Series]:
    """The part per day by each value of ``dim`` (its terms signed and summed)."""
    found: dict[str, Series] = {}
    for type_, sign in part.signed:
        for value, series in cube.values(type_, dim).items():
            found[value] = found.get(value, np.zeros(cube.days)) + sign * series
    return found


COUNTS = (
    CountMetric("page_views", ((EventType.PAGE_VIEW, 1),)),
    CountMetric("content_views", ((EventType.CONTENT_VIEW, 1),)),
    CountMetric("likes", NET_LIKES),
    CountMetric("downloads", ((EventType.DOWNLOAD, 1),)),
    CountMetric("searches", ((EventType.SEARCH, 1),)),
)
RATES = (
    # Whether a visitor skipped is one value of the purpose dimension: no finer split exists.
    RateMetric("purpose_skip_rate",
               Part(EventType.VISITOR_PURPOSE, Dim.PURPOSE, Purpose.SKIPPED.value),
               Part(EventType.VISITOR_PURPOSE, Dim.PURPOSE)),
    RateMetric("zero_result_rate", Part(EventType.SEARCH, Dim.ZERO_RESULT_TERM),
               Part(EventType.SEARCH, Dim.SEARCH_TERM),
               (("search_term", Dim.ZERO_RESULT_TERM, Dim.SEARCH_TERM),)),
    RateMetric("likes_per_view", Part(EventType.LIKE, terms=NET_LIKES),
               Part(EventType.CONTENT_VIEW), None),
    RateMetric("downloads_per_view", Part(EventType.DOWNLOAD), Part(EventType.CONTENT_VIEW),
               None),
)
# The rates whose days are judged for anomalies (the dashboard's; per-view rates are too
# thin per day).
JUDGED_RATES = ("purpose_skip_rate", "zero_result_rate")
# The counts charted on the dashboard's trend, by their trend column (an event type; the like
# column is net likes, as the metric).
TREND_COLUMNS = {"page_views": EventType.PAGE_VIEW.value,
                 "content_views": EventType.CONTENT_VIEW.value,
                 "likes": EventType.LIKE.value,
                 "searches": EventType.SEARCH.value, "downloads": EventType.DOWNLOAD.value}


def types_of_all() -> list[EventType]:
    """Every event type the metrics read."""
    found = [type_ for metric in COUNTS for type_, _ in metric.terms]
    found += [type_ for rate in RATES for part in (rate.numerator, rate.denominator)
              for type_, _ in part.signed]
    return list(dict.fromkeys(found))
