"""Load sample content, and optionally synthetic usage events, into the configured backend.

    python -m scripts.seed_demo --contents 40
    python -m scripts.seed_demo --events 1000000 --days 90

``--events N`` adds exactly N events, none after now and none about an item before it was
created; their views and likes also move the items' counters, so cards and dashboards agree.
Idempotent: sample items are added by count, and events come from a seeded generator (the same
ids for the same arguments, see services/analytics/synthetic.py): a re-run says how many were
already there (a later run the same day repeats most and adds a few).

The events are demo traffic on the sample items only, marked as sample events: removing the
sample content (admin page) removes them too, and leaves everyone's own items untouched.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime, tzinfo

from scripts.cli import Progress
from services.analytics.counters import Stored, store_with_counters
from services.analytics.synthetic import ContentRef, synthetic_events
from services.analytics.synthetic_sources import with_sources
from services.batching import batches
from services.bootstrap import Services, build_services
from services.content.samples import load_catalog, load_samples
from services.domain.models import SearchQuery, Sort, Status, utcnow
from services.errors import DemoFactoryError
from services.i18n import translate
from services.ports import ContentRepository, EventStore
from services.script_settings import load_script_settings

BATCH = 5000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.seed_demo",
                                     description=__doc__.splitlines()[0])
    parser.add_argument(
        "--contents", type=int, default=len(load_catalog()),
        help=f"how many sample items (at most {len(load_catalog())}; default all)",
    )
    parser.add_argument("--events", type=int, default=0,
                        help="exactly this many synthetic usage events (0: none)")
    parser.add_argument("--days", type=int, default=90, help="days of events, ending today")
    parser.add_argument("--seed", type=int, default=2026, help="another seed, other events")
    args = parser.parse_args(argv)
    try:
        services = build_services(load_script_settings())
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
    with Progress("events", total) as bar:
        seeded = seed_stores(services.ports.content, services.ports.events, contents,
                             total=total, days=days, tz=services.settings.tz, seed=seed,
                             now=utcnow(), progress=bar.update)
    print(f"usage events: {seeded.added:,} added ({days} days over {len(contents)} items); "
          f"{seeded.views:,} views and {seeded.likes:+,} likes added to item counters")
    if seeded.already:
        print(f"{seeded.already:,} of the {total:,} events were already there: the same --seed "
              "and --days give the same events (pass another --seed to add more)")
    if seeded.ignored_likes:
        print(f"{seeded.ignored_likes:,} likes or unlikes left out: the item counters already had "
              "them from an earlier run")


def seed_stores(content: ContentRepository, events: EventStore, contents: list[ContentRef],
                *, total: int, days: int, tz: tzinfo, seed: int, now: datetime,
                progress: Callable[..., None] | None = None, sample: bool = True) -> Stored:
    """Exactly ``total`` synthetic events over the ``days`` local days ending today (up to
    ``now``). Item counters follow the new events as real ones move them (see
    ``services.analytics.counters``), so counters and dashboards agree after a re-run too.
    ``sample`` marks the events as demo traffic (removed with the sample content)."""
    today = now.astimezone(tz).date()
    stream = with_sources(synthetic_events(contents, total=total, days=days, end=today, tz=tz,
                                           seed=seed, now=now, sample=sample))
    seeded = Stored()
    seen = 0
    for batch in batches(stream, BATCH):
        seeded += store_with_counters(content, events, batch)
        seen += len(batch)
        if progress is not None:
            progress(seen, new=seeded.added)
    return seeded


def published_contents(services: Services, samples_only: bool = False) -> list[ContentRef]:
    refs: list[ContentRef] = []
    page = 1
    while True:
        result = services.ports.content.search(
            SearchQuery(status=Status.PUBLISHED, sort=Sort.OLDEST, page=page, page_size=100))
        refs.extend(ContentRef(item.id, str(item.category), item.author_id, item.created_at)
                    for item in result.items if item.is_sample or not samples_only)
        if page >= result.pages:
            return refs
        page += 1


if __name__ == "__main__":
    raise SystemExit(main())
