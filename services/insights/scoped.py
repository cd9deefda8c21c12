"""Insights of one scope, from rollups only: an item, an author or a category.

One definition shared by followed metrics (``followed.scoped``) and the content and author
reports (``services.reports.scoped_context``). A scope is a value of Dim.CONTENT, Dim.AUTHOR or
Dim.CATEGORY; every number is read from the scope's own rows, never a platform-wide series (an
author reading their item's insights must not learn platform-wide numbers):

- each count KPI's value over the period and the one before (the scope's own rollup rows);
- its drivers: for an author or a category, the scope's items (Dim.CONTENT rows of the items
  the catalogue puts in it); for an item, where its content views came from (the per-item
  dimensions ``"<id>|<value>"``: search term, visit purpose, visit source), each dimension
  with a REST row so that it adds up to the change; other KPIs of an item have no finer rows;
- its unusual days: the anomaly detector's verdict on the scope's own daily series;
- a forecast of its content views, when its history allows one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from services.analytics.dashboards import Period
from services.analytics.tables import Catalog
from services.domain.analytics import ITEM_VALUE_SEP, Dim, RollupRow
from services.insights.analysis import HISTORY_DAYS, forecast_follows, window
from services.insights.anomalies import AnomalyReport, SeriesCheck, Signal, check_series
from services.insights.cube import DayCube, Series
from services.insights.drivers import REST, Contribution, Drivers
from services.insights.forecast import Forecast, forecast
from services.insights.metrics import COUNTS, CountMetric
from services.ports import EventStore

SCOPE_DIMS = (Dim.CONTENT, Dim.AUTHOR, Dim.CATEGORY)
SCOPE_KINDS = {Dim.CONTENT: "item", Dim.AUTHOR: "author", Dim.CATEGORY: "category"}
# An item's own finer rows (content views only) and the dimension each one's values are of.
ITEM_SPLITS = ((Dim.CONTENT_SEARCH, "search_term"), (Dim.CONTENT_PURPOSE, "purpose"),
               (Dim.CONTENT_SOURCE, "source"))
# Every dimension ``load_scoped`` may read (a report reads them once with its dashboards').
SCOPED_DIMS = frozenset({*SCOPE_DIMS, Dim.CONTENT, *(dim for dim, _ in ITEM_SPLITS)})
FORECAST_METRIC = "content_views"
_EPS = 1e-9


@dataclass(frozen=True)
class ScopedInsights:
    period: Period
    dim: Dim  # the scope's dimension (Dim.CONTENT for an item)
    value: str  # the item, author or category
    drivers: tuple[Drivers, ...]  # the scope's count KPIs, in the order asked for
    anomalies: AnomalyReport  # judged on the scope's own daily series
    forecasts: tuple[Forecast, ...]  # the scope's content views (none when not asked for)
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    period_ended: bool = False  # before yesterday: no forecast follows it (forecast_follows)

    @property
    def kind(self) -> str:
        """``item``, ``author`` or ``category``."""
        return SCOPE_KINDS[self.dim]

    def of(self, metric: str) -> Drivers | None:
        return next((d for d in self.drivers if d.metric == metric), None)


def load_scoped(store: EventStore, period: Period, catalog: Catalog, today: date, dim: Dim,
                value: str, metrics: Sequence[str] = ("content_views", "likes", "downloads"),
                *, finer: bool = True) -> ScopedInsights:
    """The insights of (``dim``, ``value``) for the count KPIs ``metrics``: one rollup read over
    the analysis window. ``finer``: an item's drivers from its per-item dimensions (False:
    an item has no drivers)."""
    if dim not in SCOPE_DIMS:
        raise ValueError(f"not a scope dimension: {dim}")
    chosen = [m for key in metrics for m in COUNTS if m.key == key]
    start, end = window(period, today)
    splits = [d for d, _ in ITEM_SPLITS] if finer else []
    dims = [Dim.CONTENT, *splits] if dim is Dim.CONTENT else [dim, Dim.CONTENT]
    types = list(dict.fromkeys(t for m in chosen for t, _ in m.terms))
    rows = store.rollups(start, end, types=types, dims=dims)
    cube = DayCube(_mine(rows, dim, value, catalog), start, end)
    drivers, checks = [], []
    for metric in chosen:
        series = metric.daily(cube, dim, value)
        parts = (_item_parts(cube, metric, value) if dim is Dim.CONTENT
                 else _scope_items(cube, metric, catalog, dim, value))
        drivers.append(_drivers(cube, metric.key, series, parts, period))
        checks.append(_check(cube, series, metric.key, dim, value, period, today))
    follows = forecast_follows(period, today)
    forecasts = tuple(_forecast(cube, m.daily(cube, dim, value), today) for m in chosen
                      if m.key == FORECAST_METRIC and follows)
    return ScopedInsights(period, dim, value, tuple(drivers), AnomalyReport(tuple(checks)),
                          forecasts, period_ended=not follows)


def _mine(rows: list[RollupRow], dim: Dim, value: str, catalog: Catalog) -> list[RollupRow]:
    """The scope's own rows (the read has every value of its dimensions): fewer arrays."""
    if dim is Dim.CONTENT:
        prefix = value + ITEM_VALUE_SEP
        return [r for r in rows if r.key.value == value or r.key.value.startswith(prefix)]
    items = {item.id for item in catalog if _in_scope(catalog, item.id, dim, value)}
    return [r for r in rows if (r.key.value in items if r.key.dim == Dim.CONTENT
                                else r.key.value == value)]


def _sum(cube: DayCube, series: Series, first: date, last: date) -> float:
    return float(series[max(cube.index(first), 0):max(cube.index(last) + 1, 0)].sum())


def _scope_items(cube: DayCube, metric: CountMetric, catalog: Catalog, dim: Dim,
                 value: str) -> dict[str, dict[str, Series]]:
    """An author's or a category's items, by item id (Dim.CONTENT rows)."""
    found = {item for type_, _ in metric.terms for item in cube.values(type_, Dim.CONTENT)}
    items = {item: metric.daily(cube, Dim.CONTENT, item) for item in sorted(found)
             if _in_scope(catalog, item, dim, value)}
    return {Dim.CONTENT.value: items}


def _in_scope(catalog: Catalog, item_id: str, dim: Dim, value: str) -> bool:
    item = catalog.get(item_id)
    if item is None:
        return False
    return (item.category if dim is Dim.CATEGORY else item.author_id) == value


def _item_parts(cube: DayCube, metric: CountMetric,
                item: str) -> dict[str, dict[str, Series]]:
    """An item's finer rows ("<id>|<value>") by dimension, keyed by the value alone."""
    prefix = item + ITEM_VALUE_SEP
    parts: dict[str, dict[str, Series]] = {}
    for split, name in ITEM_SPLITS:
        found: dict[str, Series] = {}
        for type_, sign in metric.terms:
            for key, series in cube.values(type_, split).items():
                if key.startswith(prefix):
                    label = key[len(prefix):]
                    found[label] = found.get(label, np.zeros(cube.days)) + sign * series
        if found:
            parts[name] = found
    return parts


def _drivers(cube: DayCube, key: str, series: Series, parts: Mapping[str, Mapping[str, Series]],
             period: Period) -> Drivers:
    """The scope's change split by each dimension of ``parts`` (REST: what no value holds, so
    that each dimension adds up to the change)."""
    previous = period.previous()
    b, a = (_sum(cube, series, previous.start, previous.end),
            _sum(cube, series, period.start, period.end))
    change = a - b
    by_dim: dict[str, tuple[Contribution, ...]] = {}
    for name, values in parts.items():
        rows = []
        for value, daily in values.items():
            x, y = (_sum(cube, daily, previous.start, previous.end),
                    _sum(cube, daily, period.start, period.end))
            if x or y:
                rows.append(Contribution(name, value, x, y, y - x, _share(y - x, change)))
        rest_b, rest_a = b - sum(c.before for c in rows), a - sum(c.after for c in rows)
        if abs(rest_a - rest_b) > _EPS:
            rows.append(Contribution(name, REST, rest_b, rest_a, rest_a - rest_b,
                                     _share(rest_a - rest_b, change)))
        by_dim[name] = tuple(sorted(rows, key=lambda c: (-abs(c.change), c.value)))
    return Drivers(key, "count", b, a, by_dim)


def _share(part: float, change: float) -> float | None:
    return part / change if abs(change) > _EPS else None


def _check(cube: DayCube, series: Series, key: str, dim: Dim, value: str, period: Period,
           today: date) -> SeriesCheck:
    """The period's complete days judged against the scope's own baselines (not judged before
    the scope has 4 weeks of history: ``anomalies.check_series``)."""
    active = np.flatnonzero(series != 0)
    days = [i for i in range(max(cube.index(period.start), 0), cube.index(period.end) + 1)
            if i < cube.index(today)]
    first = int(active[0]) if active.size else cube.days
    return check_series(Signal(key, dim.value, value, series), days if active.size else [],
                        first, lambda i: (cube.day(i), None))


def _forecast(cube: DayCube, series: Series, today: date) -> Forecast:
    """As the platform's forecast: from the scope's first event, up to yesterday."""
    last = today - timedelta(days=1)
    upto = cube.index(last) + 1
    active = np.flatnonzero(series[:upto] != 0)
    since = max(upto - HISTORY_DAYS, int(active[0]) if active.size else upto, 0)
    return forecast(FORECAST_METRIC, series[since:upto].tolist(), last)
