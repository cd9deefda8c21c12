"""Constructed rollup rows for the insights tests (no store, no events)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from services.domain.analytics import WHOLE_DAY, Dim, EventType, RollupKey, RollupRow

CV = EventType.CONTENT_VIEW


class Book:
    """Rollup counts built like the stores build them: every content event counted in the
    type's total and under its category, item and author."""

    def __init__(self) -> None:
        self.counts: Counter[RollupKey] = Counter()

    def add(self, day: date, type_: EventType, n: int = 1, *, category: str | None = None,
            item: str | None = None, author: str | None = None, hour: int = 12) -> None:
        if n <= 0:
            return
        self.counts[RollupKey(day, WHOLE_DAY, type_, Dim.ALL, "")] += n
        self.counts[RollupKey(day, hour, type_, Dim.ALL, "")] += n
        for dim, value in ((Dim.CATEGORY, category), (Dim.CONTENT, item), (Dim.AUTHOR, author)):
            if value:
                self.counts[RollupKey(day, WHOLE_DAY, type_, dim, value)] += n

    def add_row(self, day: date, type_: EventType, dim: Dim, value: str, n: int) -> None:
        self.counts[RollupKey(day, WHOLE_DAY, type_, dim, value)] += n

    def rows(self) -> list[RollupRow]:
        return [RollupRow(key, count) for key, count in self.counts.items() if count]


ITEMS = {"i1": ("Finance", "a1"), "i2": ("Finance", "a2"), "i3": ("Retail", "a1"),
         "i4": ("Manufacturing", "a3")}
WEEKDAY_LEVEL = (100, 110, 105, 100, 95, 40, 30)  # a quiet weekend


def seasonal_views(book: Book, start: date, days: int, seed: int = 3,
                   scale: float = 1.0) -> None:
    """Content views with a weekday pattern and Poisson-like noise, spread over ITEMS."""
    rng = random.Random(seed)
    for offset in range(days):
        day = start + timedelta(days=offset)
        level = WEEKDAY_LEVEL[day.weekday()] * scale
        for item, (category, author) in ITEMS.items():
            mean = level / len(ITEMS)
            n = max(0, round(rng.gauss(mean, mean ** 0.5)))
            book.add(day, CV, n, category=category, item=item, author=author, hour=10)
