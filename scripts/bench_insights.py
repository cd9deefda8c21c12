"""The insights benchmark (part of ``python -m scripts.bench report``; alone:
``python -m scripts.bench_insights [--json] [--runs 7]``).

Speed: drivers, anomalies and forecast from rollups at 5M events (goal: < 50 ms together, for a
30- and a 90-day period). The rollups are built without 5M raw events: the rollup keys
(``services.domain.rollups.rollup_keys``, what every store counts) of 200,000 synthetic events
over 180 days, each count multiplied by 25 -- the rows, values and days of 5M events. Twice:
events without visit properties, and events whose visits carry a source and a device (as the
tracker's do; their segment rows are the source and device drivers). The cube reads what the
service reads (``metrics.READ_DIMS``); ``cube_all`` is the same cube from every dimension (what
was read before). Next to them the naive figure: the same period-against-period counts by
category, item and author plus the daily totals, with pandas on a 5M-row raw-event frame
(expanded from the same counts), measured in the same run.

Quality: known effects planted in synthetic events (one item's rise, which makes its
category's; an outage day; a campaign spike) and how many the drivers and the anomaly detector
name, and how many the offline narrator writes in its report (the item's title, the category,
the two days); false anomalies on the quiet series (no plants); the forecast's back-test MAPE
there.
Tests never assert on time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from scripts import bench_scoped
from scripts.bench_clickfilter import with_visit_props
from services.analytics.dashboards import Period
from services.analytics.synthetic import ContentRef, synthetic_events
from services.domain.analytics import (
    WHOLE_DAY,
    Dim,
    Event,
    EventType,
    RollupKey,
    RollupRow,
    local_day_hour,
)
from services.domain.models import Category
from services.domain.rollups import fold_item_segments, rollup_keys
from services.insights.analysis import (
    HISTORY_DAYS,
    HOURLY_DAYS,
    Insights,
    analyse,
    daily_checks,
    hourly_checks,
    window,
)
from services.insights.anomalies import Anomaly
from services.insights.cube import ITEM_SEGMENT_DIMS, DayCube, HourCube
from services.insights.drivers import count_drivers, period_weights, rate_drivers
from services.insights.forecast import backtest_mape, forecast
from services.insights.metrics import COUNTS, RATES, READ_DIMS
from services.reports.insight_context import insight_sections
from services.reports.narrator.offline import narrate
from services.reports.narrator.rules import Facts

TZ = ZoneInfo("Asia/Seoul")
END = date(2026, 9, 30)
TODAY = END + timedelta(days=1)  # every day of the period is complete
SAMPLE = 200_000
TARGET = 5_000_000
DAYS = 180
PER_DAY = 2_000  # the quality runs' traffic


def contents(n: int = 48) -> list[ContentRef]:
    categories = list(Category)
    return [ContentRef(f"content-{i:03d}", categories[i % len(categories)], f"author-{i % 12}")
            for i in range(n)]


def rollup_rows(events: Iterable[Event], factor: int = 1) -> list[RollupRow]:
    counts: Counter[RollupKey] = Counter()
    for event in events:
        counts.update(rollup_keys(event, TZ))
    return [RollupRow(key, count * factor) for key, count in counts.items()]


def daily_visitors(events: Iterable[Event], start: date, days: int) -> np.ndarray:
    seen: defaultdict[int, set[str]] = defaultdict(set)
    for event in events:
        seen[(local_day_hour(event.ts, TZ)[0] - start).days].add(event.visitor_id)
    return np.array([float(len(seen[i])) for i in range(days)])


def timed(run: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


# ---- speed -----------------------------------------------------------------------------------


def naive_frame(rows: Sequence[RollupRow], start: date) -> pd.DataFrame:
    """One row per raw event (day, type, item, category, author), expanded from the rows."""
    frames = []
    for row in rows:
        key = row.key
        if key.hour != WHOLE_DAY or key.dim not in (Dim.ALL, Dim.CONTENT):
            continue
        if key.dim is Dim.ALL and key.type in (EventType.CONTENT_VIEW, EventType.LIKE,
                                               EventType.UNLIKE, EventType.DOWNLOAD):
            continue  # counted with their item
        frames.append(((key.day - start).days, str(key.type), key.value, row.count))
    days, types, items, counts = zip(*frames, strict=True)
    repeat = np.asarray(counts)
    frame = pd.DataFrame({"day": np.repeat(days, repeat), "type": np.repeat(types, repeat),
                          "content": np.repeat(items, repeat)})
    refs = {ref.id: ref for ref in contents()}
    frame["category"] = frame["content"].map(lambda c: refs[c].category if c in refs else "")
    frame["author"] = frame["content"].map(lambda c: refs[c].author_id if c in refs else "")
    return frame.astype({"type": "category", "content": "category", "category": "category",
                         "author": "category"})


def naive(frame: pd.DataFrame, period: Period, start: date) -> object:
    """The drivers' counts and the daily series, from raw events."""
    lo = (period.start - start).days
    prev = lo - period.days
    side = (frame["day"] >= lo).astype("int8") + (frame["day"] >= prev).astype("int8")
    scoped = frame.assign(side=side)[side > 0]  # 1: before, 2: after
    by = [scoped.groupby(["type", dim, "side"], observed=True).size().unstack(fill_value=0)
          for dim in ("category", "content", "author")]
    daily = frame.groupby(["type", "day"], observed=True).size().unstack(fill_value=0)
    return by, daily.T.rolling(7).median()


def _speed_of(days: int, rows: list[RollupRow], visitors: np.ndarray, raw: pd.DataFrame,
              runs: int) -> dict[str, float]:
    period = Period(END - timedelta(days=days - 1), END)
    start, end = window(period, TODAY)
    # What the service reads: day rows over the window, hourly rows over the last week of the
    # period and its baselines.
    hourly_from = period.end - timedelta(days=HOURLY_DAYS - 1 + HISTORY_DAYS)
    every_row = [r for r in rows if r.key.hour == WHOLE_DAY and start <= r.key.day <= end]
    read, folded = frozenset(READ_DIMS), frozenset(ITEM_SEGMENT_DIMS)
    item_rows = [r for r in every_row if r.key.dim in folded]
    summed = fold_item_segments(item_rows)  # what the store returns for them
    day_rows = [r for r in every_row if r.key.dim in read] + summed
    all_rows = [r for r in every_row if r.key.dim not in folded] + summed
    hour_rows = [r for r in rows if r.key.hour != WHOLE_DAY and r.key.dim is Dim.ALL
                 and hourly_from <= r.key.day <= period.end]
    cube = DayCube(day_rows, start, end)
    hours = HourCube(hour_rows, start, end)
    series = visitors[-cube.days:]  # the sample's days end at END, as the cube's
    before = period_weights(cube, period.previous().start, period.previous().end)
    after = period_weights(cube, period.start, period.end)
    history = {"page_views": COUNTS[0].daily(cube), "content_views": COUNTS[1].daily(cube),
               "visitors": series}
    numbers = {
        "cube_ms": timed(lambda: (DayCube(day_rows, start, end),
                                  HourCube(hour_rows, start, end)), runs),
        "fold_ms": timed(lambda: fold_item_segments(item_rows), runs),
        "cube_all_ms": timed(lambda: (DayCube(all_rows, start, end),
                                      HourCube(hour_rows, start, end)), runs),
        "drivers_ms": timed(lambda: ([count_drivers(m, cube, before, after) for m in COUNTS],
                                     [rate_drivers(m, cube, before, after) for m in RATES]),
                            runs),
        "anomalies_ms": timed(lambda: (daily_checks(cube, series, period, TODAY),
                                       hourly_checks(hours, cube, period, TODAY, 0)), runs),
        "forecast_ms": timed(lambda: [forecast(k, v[-56:].tolist(), END)
                                      for k, v in history.items()], runs),
        "naive_ms": timed(lambda: naive(raw, period, END - timedelta(days=DAYS - 1)),
                          max(1, runs // 3)),
    }
    numbers["total_ms"] = sum(numbers[k] for k in ("cube_ms", "drivers_ms", "anomalies_ms",
                                                   "forecast_ms"))
    return {k: round(v, 1) for k, v in numbers.items()}


def speed(runs: int, sample_size: int = SAMPLE, target: int = TARGET) -> dict[str, Any]:
    first = END - timedelta(days=DAYS - 1)
    sample = list(synthetic_events(contents(), total=sample_size, days=DAYS, end=END, tz=TZ))
    rows = rollup_rows(sample, target // sample_size)
    visitors = daily_visitors(sample, first, DAYS) * (target // sample_size)
    raw = naive_frame(rows, first)  # the same counts with visit properties or without
    result: dict[str, Any] = {"events": int(sum(r.count for r in rows if r.key.dim is Dim.ALL
                                                 and r.key.hour == WHOLE_DAY)),
                              "rollup_rows": len(rows), "raw_rows": len(raw)}
    for days in (30, 90):
        result[str(days)] = _speed_of(days, rows, visitors, raw, runs)
    sourced = rollup_rows(with_visit_props(sample), target // sample_size)
    result["sourced_rollup_rows"] = len(sourced)
    for days in (30, 90):
        result[f"sourced_{days}"] = _speed_of(days, sourced, visitors, raw, runs)
    result["scoped"] = bench_scoped.speed(rows, raw, contents(), END, first, runs)
    return result


# ---- quality ---------------------------------------------------------------------------------

QUALITY_DAYS = 120
PERIOD = Period(END - timedelta(days=13), END)  # two weeks against the two before
RISING = "content-007"  # its views grow in the last week
OUTAGE = END - timedelta(days=11)  # no event at all that day
SPIKE = END - timedelta(days=3)  # a campaign: three times the page and content views


def quiet_events(per_day: int = PER_DAY) -> list[Event]:
    return list(synthetic_events(contents(), total=QUALITY_DAYS * per_day, days=QUALITY_DAYS,
                                 end=END, tz=TZ, seed=7))


def planted(events: list[Event]) -> list[Event]:
    """The quiet events with the three effects."""
    kept = [e for e in events if local_day_hour(e.ts, TZ)[0] != OUTAGE]
    last_week = END - timedelta(days=6)
    rising = [e for e in kept if e.content_id == RISING and e.type == EventType.CONTENT_VIEW
              and local_day_hour(e.ts, TZ)[0] >= last_week]
    category_views = sum(1 for e in kept if e.type == EventType.CONTENT_VIEW
                         and local_day_hour(e.ts, TZ)[0] >= last_week
                         and e.category == rising[0].category) if rising else 0
    # The item alone adds half its category's week: copies of its own views, new ids.
    extra = [replace(rising[i % len(rising)], id=f"{rising[i % len(rising)].id}r{i}")
             for i in range(category_views // 2)] if rising else []
    campaign = [replace(e, id=f"{e.id}c{n}") for e in kept for n in range(2)
                if local_day_hour(e.ts, TZ)[0] == SPIKE
                and e.type in (EventType.PAGE_VIEW, EventType.CONTENT_VIEW)]
    return kept + extra + campaign


def insights_of(events: list[Event]) -> Insights:
    start, end = window(PERIOD, TODAY)
    rows = rollup_rows(events)
    cube = DayCube(rows, start, end)
    visitors = daily_visitors(events, start, cube.days)
    return analyse(cube, HourCube(rows, start, end), visitors, PERIOD, TODAY, 0, 0, 0)


def _touched(anomaly: Anomaly, rising_category: str) -> bool:
    """On a day and series that a planted effect changed (the outage, the spike, and the
    content views of the rising item's week, in total and in its category)."""
    if anomaly.day in (OUTAGE, SPIKE):
        return True
    return (anomaly.metric == "content_views" and anomaly.value in ("", rising_category)
            and anomaly.day >= END - timedelta(days=6))


def quality(per_day: int = PER_DAY) -> dict[str, Any]:
    quiet = quiet_events(per_day)
    found = insights_of(planted(quiet))
    views = found.of("content_views")
    top = {c.dim: c.value for c in reversed(views.top(10, sign=1))} if views else {}
    rising_category = next(ref.category for ref in contents() if ref.id == RISING)
    flagged = [a for a in found.anomalies.anomalies if a.dim == "all" and a.hour is None]
    named = {
        "item_rise_item": top.get("content") == RISING,
        "item_rise_category": top.get("category") == rising_category,
        "outage_day": any(a.day == OUTAGE and a.direction < 0 for a in flagged),
        "campaign_spike": any(a.day == SPIKE and a.direction > 0 for a in flagged),
    }
    other = [a for a in found.anomalies.anomalies if not _touched(a, rising_category)]
    clean = insights_of(quiet)
    mape = _mapes(quiet, END - timedelta(days=QUALITY_DAYS - 1))
    told = narrator_named(found, rising_category)
    return {"named": named, "named_count": sum(named.values()), "planted": len(named),
            "narrator": told, "narrator_count": sum(told.values()),
            "false_on_planted": len(other), "false_on_quiet": len(clean.anomalies.anomalies),
            "judged_series": len(clean.anomalies.checks), "mape": mape}


def narrative_of(found: Insights, lang: str) -> tuple[str, Facts]:
    """The offline narrator's overall report on ``found`` (its insight sections, as a report
    context carries them; items named by title, as the catalogue would)."""
    names = {Dim.CONTENT.value: {ref.id: title_of(ref.id) for ref in contents()}}
    context = {"report_type": "overall", "language": lang,
               "period": {"start": PERIOD.start.isoformat(), "end": PERIOD.end.isoformat(),
                          "days": PERIOD.days},
               **insight_sections(replace(found, names=names))}
    return narrate(context), Facts(context)


def title_of(content_id: str) -> str:
    return f"Demo {content_id}"


def narrator_named(found: Insights, rising_category: str) -> dict[str, bool]:
    """Each planted effect's item, category or day written in the narrative, in Korean and in
    English (an effect counts when both name it)."""
    named: dict[str, bool] = {}
    for lang in ("ko", "en"):
        text, facts = narrative_of(found, lang)
        for key, shown in (("item_rise_item", title_of(RISING)),
                           ("item_rise_category", facts.category(rising_category)),
                           ("outage_day", OUTAGE.isoformat()),
                           ("campaign_spike", SPIKE.isoformat())):
            named[key] = named.get(key, True) and shown in text
    return named


def _mapes(events: list[Event], first: date) -> dict[str, float | None]:
    counts: Counter[tuple[str, int]] = Counter()
    for event in events:
        day = (local_day_hour(event.ts, TZ)[0] - first).days
        counts[(str(event.type), day)] += 1
    series = {
        "page_views": [float(counts[(EventType.PAGE_VIEW.value, d)])
                       for d in range(QUALITY_DAYS)],
        "content_views": [float(counts[(EventType.CONTENT_VIEW.value, d)])
                          for d in range(QUALITY_DAYS)],
        "visitors": daily_visitors(events, first, QUALITY_DAYS).tolist(),
    }
    found: dict[str, float | None] = {}
    for key, values in series.items():
        for horizon in (7, 14):
            mape = backtest_mape(values, END, horizon)
            found[f"{key}_{horizon}d"] = round(mape, 1) if mape is not None else None
    return found


# ---- running it ------------------------------------------------------------------------------


def bench(runs: int, sample_size: int = SAMPLE, target: int = TARGET,
          per_day: int = PER_DAY) -> dict[str, Any]:
    return {"speed": speed(runs, sample_size, target), "quality": quality(per_day)}


def print_insights(result: dict[str, Any]) -> None:
    fast, good = result["speed"], result["quality"]
    print(f"\ninsights from rollups of {fast['events']:,} events ({fast['rollup_rows']:,} rows; "
          f"naive: pandas on {fast['raw_rows']:,} raw content/page rows)")
    columns = ("cube_ms", "drivers_ms", "anomalies_ms", "forecast_ms", "total_ms", "naive_ms",
               "fold_ms", "cube_all_ms")
    print(f"{'events':>8} {'days':>5} " + " ".join(f"{c.removesuffix('_ms'):>10}"
                                                  for c in columns))
    for label, prefix in (("plain", ""), ("sourced", "sourced_")):
        for days in ("30", "90"):
            row = fast[prefix + days]
            print(f"{label:>8} {days:>5} " + " ".join(f"{row[c]:>10.1f}" for c in columns))
    print("ms, medians; total = cube (rows to arrays) + drivers (every KPI, every dimension) + "
          "anomalies (days, categories, last week's hours) + forecast (target < 50 ms). "
          "sourced: every visit has a source and a device "
          f"({fast['sourced_rollup_rows']:,} rows; their segment rows are the source and device "
          "drivers). fold: their per-item segment rows summed over the items (what "
          "rollups(..., fold=) returns: SQLite keeps each day's sums, DynamoDB sums per read). "
          "cube_all: the cube from every dimension, as read before READ_DIMS.")
    bench_scoped.print_scoped(fast)
    named = ", ".join(f"{k}={'yes' if v else 'NO'}" for k, v in good["named"].items())
    print(f"planted effects named: {good['named_count']}/{good['planted']} ({named})")
    told = ", ".join(f"{k}={'yes' if v else 'NO'}" for k, v in good["narrator"].items())
    print(f"narrator: {good['narrator_count']}/{good['planted']} (the offline narrator's "
          f"overall report, ko and en: {told})")
    print(f"false anomalies: {good['false_on_planted']} on the planted run (days and series no "
          "effect touched), "
          f"{good['false_on_quiet']} on the quiet series ({good['judged_series']} series judged)")
    mapes = ", ".join(f"{k}={v}%" for k, v in good["mape"].items())
    print(f"forecast back-test MAPE (weekday x level): {mapes}")


def run(args: Any) -> None:
    result = bench(args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_insights(result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench_insights")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    run(parser.parse_args(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
