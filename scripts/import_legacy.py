"""Import the previous platform's content, files, likes and analytics into the configured backend.

    python -m scripts.import_legacy --bucket my-old-bucket --region ap-northeast-2
    python -m scripts.import_legacy --from-folder ./export --dry-run
    python -m scripts.import_legacy --from-folder ./export --authors authors.csv

Old authors become the owners of their items only through a verified email or the --authors
file (CSV: legacy_author,username); never by display name. Everyone else keeps a legacy: id.

Reads the tables DemoFactoryContents and DemoFactoryAnalytics (names are options) and the
bucket, honouring AWS_ENDPOINT_URL, or a folder of exported JSON with the files beside it.
Safe to run again: nothing is imported twice, and an interrupted run resumes where it stopped.
Exit code 0 when everything was imported, 1 when something was skipped (see the summary),
2 when the import could not run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.cli import StagedProgress, script_actor
from services.bootstrap import Services, build_services, legacy_source
from services.errors import DemoFactoryError
from services.i18n import translate
from services.imports.legacy.authors import parse_author_map
from services.imports.legacy.source import (
    ANALYTICS_TABLE,
    CONTENT_TABLE,
    LegacySource,
)
from services.imports.legacy.summary import LegacySummary
from services.script_settings import load_script_settings


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        services = build_services(load_script_settings())
        source = _source(args, services)
        authors = _authors(args.authors)
        with StagedProgress() as shown:  # the bars end before any message
            summary = services.legacy_import.run(
                source, script_actor("import_legacy"), dry_run=args.dry_run,
                with_content=not args.events_only, with_events=not args.no_events,
                progress=shown, authors=authors)
    except DemoFactoryError as exc:
        print(f"import failed: {translate('en', exc.key, **exc.params)}", file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    return 1 if _skipped_anything(summary) else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts.import_legacy",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--from-folder", type=Path, metavar="DIR",
                        help="an export on disk instead of the live tables and bucket")
    parser.add_argument("--content-table", default=CONTENT_TABLE)
    parser.add_argument("--analytics-table", default=ANALYTICS_TABLE)
    parser.add_argument("--bucket", help="the previous platform's bucket (files are skipped "
                                         "and reported as missing without it)")
    parser.add_argument("--region", help="the previous platform's region (default: the "
                                         "standard AWS region settings)")
    parser.add_argument("--authors", type=Path, metavar="CSV",
                        help="who the old authors are: rows of legacy_author (email or name),"
                             "username; wins over a verified email")
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


def _authors(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SystemExit(f"cannot read {path}: {exc}") from None
    return parse_author_map(text)


def _skipped_anything(summary: LegacySummary) -> bool:
    return bool(summary.items_failed or summary.files_missing or summary.files_rejected
                or summary.events_skipped)


if __name__ == "__main__":
    raise SystemExit(main())
