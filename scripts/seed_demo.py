"""Load sample content, and optionally synthetic usage events, into the configured backend.

    python -m scripts.seed_demo --contents 40
    python -m scripts.seed_demo --events 1000000 --days 90

Idempotent: sample items are added by count, and events come from a seeded generator (the same
ids for the same arguments, see services/analytics/synthetic.py), so a re-run the same day adds
only the events whose time has come since.

The events are demo traffic on the sample items only, marked as sample events: removing the
sample content (admin page) removes them too, and leaves everyone's own items untouched.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date, timedelta

from scripts.cli import Progress
from services.analytics.synthetic import ContentRef, synthetic_events
from services.batching import batches
from services.bootstrap import Services, build_services
from services.content.samples import load_catalog, load_samples
from services.domain.analytics import Dim, EventType
from services.domain.models import SearchQuery, Sort, Status, utcnow
from services.errors import DemoFactoryError
from services.i18n import translate
from services.settings import load_settings

BATCH = 5000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.seed_demo",
                                     description=__doc__.splitlines()[0])
    parser.add_argument(
        "--contents", type=int, default=len(load_catalog()),
        help=f"how many sample items (at most {len(load_catalog())}; default all)",
    )
    parser.add_argument("--events", type=int, default=0, help="synthetic usage events (0: none)")
    parser.add_argument("--days", type=int, default=90, help="days of events, ending today")
    parser.add_argument("--seed", type=int, default=2026, help="another seed, other events")
    args = parser.parse_args(argv)
    try:
        services = build_services(load_settings())
        added = load_samples(services.content, limit=args.contents)
        total = services.content.sample_count()
        print(f"sample content: {added} added, {total} present "
              f"({services.settings.backend} backend)")
        if args.events > 0:
            seed_events(services, args.events, args.days, args.seed)
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    return 0


def seed_events(services: Services, total: int, days: int, seed: int) -> None:
    contents = published_contents(services, samples_only=True)
    if not contents:
        print("no published sample content to attach events to: seed content first",
              file=sys.stderr)
        return
    settings = services.settings
    now = utcnow()
    today = now.astimezone(settings.tz).date()
    stream = synthetic_events(contents, total=total, days=days, end=today, tz=settings.tz,
                              seed=seed, now=now, sample=True)
    first_day = today - timedelta(days=days - 1)
    views_before = content_views(services, first_day, today)
    stored = seen = 0
    with Progress("events", total) as bar:
        for batch in batches(stream, BATCH):
            stored += services.ports.events.append(batch)
            seen += len(batch)
            bar.update(seen, new=stored)
    bumped = add_views(services, content_views(services, first_day, today) - views_before)
    print(f"usage events: {stored} added, {seen - stored} already there "
          f"({days} days over {len(contents)} items); {bumped:,} views added to item counters")


def content_views(services: Services, start: date, end: date) -> Counter[str]:
    """content_view events per item over the days, from the rollups."""
    rows = services.ports.events.rollups(start, end, types=[EventType.CONTENT_VIEW],
                                         dims=[Dim.CONTENT])
    counts: Counter[str] = Counter()
    for row in rows:
        counts[row.key.value] += row.count
    return counts


def add_views(services: Services, new_views: Counter[str]) -> int:
    """Item view counters follow the seeded content views, as they follow real ones, so cards
    and dashboards agree. The difference of the rollups before and after is exactly what this
    run added (a re-run adds only events whose time has come since)."""
    for content_id, count in new_views.items():
        services.ports.content.increment_views(content_id, by=count)
    return sum(new_views.values())


def published_contents(services: Services, samples_only: bool = False) -> list[ContentRef]:
    refs: list[ContentRef] = []
    page = 1
    while True:
        result = services.ports.content.search(
            SearchQuery(status=Status.PUBLISHED, sort=Sort.OLDEST, page=page, page_size=100))
        refs.extend(ContentRef(item.id, str(item.category), item.author_id)
                    for item in result.items if item.is_sample or not samples_only)
        if page >= result.pages:
            return refs
        page += 1


if __name__ == "__main__":
    raise SystemExit(main())
