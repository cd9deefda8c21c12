"""Import the previous platform's content, files, likes and analytics into the configured backend.

    python scripts/import_legacy.py --bucket my-old-bucket --region ap-northeast-2
    python scripts/import_legacy.py --from-folder ./export --dry-run

Reads the tables DemoFactoryContents and DemoFactoryAnalytics (names are options) and the
bucket, honouring AWS_ENDPOINT_URL, or a folder of exported JSON with the files beside it.
Safe to run again: nothing is imported twice, and an interrupted run resumes where it stopped.
Exit code 0 when everything was imported, 1 when something was skipped (see the summary),
2 when the import could not run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.cli import progress, script_actor
from services.bootstrap import Services, build_services, legacy_source
from services.errors import DemoFactoryError
from services.i18n import translate
from services.imports.legacy.source import (
    ANALYTICS_TABLE,
    CONTENT_TABLE,
    LegacySource,
)
from services.imports.legacy.summary import LegacySummary
from services.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    shown = _Progress()
    try:
        services = build_services(load_settings())
        source = _source(args, services)
        summary = services.legacy_import.run(
            source, script_actor("import_legacy"), dry_run=args.dry_run,
            with_content=not args.events_only, with_events=not args.no_events,
            progress=shown)
    except DemoFactoryError as exc:
        shown.finish()
        print(f"import failed: {translate('en', exc.key, **exc.params)}", file=sys.stderr)
        return 2
    shown.finish()
    print("\n".join(summary.lines()))
    return 1 if _skipped_anything(summary) else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-folder", type=Path, metavar="DIR",
                        help="an export on disk instead of the live tables and bucket")
    parser.add_argument("--content-table", default=CONTENT_TABLE)
    parser.add_argument("--analytics-table", default=ANALYTICS_TABLE)
    parser.add_argument("--bucket", help="the previous platform's bucket (files are skipped "
                                         "and reported as missing without it)")
    parser.add_argument("--region", help="the previous platform's region (default: the "
                                         "standard AWS region settings)")
    parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
    parser.add_argument("--no-events", action="store_true", help="content only")
    parser.add_argument("--events-only", action="store_true",
                        help="analytics only (content ids still map to the imported items)")
    return parser


def _source(args: argparse.Namespace, services: Services) -> LegacySource:
    if args.from_folder is not None:
        if not args.from_folder.is_dir():
            raise SystemExit(f"no such folder: {args.from_folder}")
        return legacy_source(services.settings, folder=args.from_folder,
                             content_table=args.content_table,
                             analytics_table=args.analytics_table)
    return legacy_source(services.settings, bucket=args.bucket, region=args.region,
                         content_table=args.content_table, analytics_table=args.analytics_table)


def _skipped_anything(summary: LegacySummary) -> bool:
    return bool(summary.items_failed or summary.files_missing or summary.files_rejected
                or summary.events_skipped)


class _Progress:
    """One line on stderr, rewritten in place, at most ten times a second."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._shown = 0.0
        self._last: tuple[str, int, int | None] | None = None

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        self._last = (stage, done, total)
        now = time.monotonic()
        if now - self._shown >= 0.1:
            self._shown = now
            self._show(stage, done, total, now)

    def finish(self) -> None:
        """The final counts of each run, whatever the throttle skipped, then a new line."""
        if self._last is not None:
            self._show(*self._last, time.monotonic())
        print(file=sys.stderr)

    def _show(self, stage: str, done: int, total: int | None, now: float) -> None:
        progress(done, total, None, now - self._started, unit=stage)


if __name__ == "__main__":
    raise SystemExit(main())
