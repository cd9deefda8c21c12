"""Find stored files that no item references (orphans) and, with --apply, remove them.

    python -m scripts.cleanup_orphans            # dry run: list what would be removed
    python -m scripts.cleanup_orphans --apply    # remove the orphans

Orphans are left when a file's delete failed after its item was removed. Files younger than an
hour are never orphans (an item being saved stores its files first). The reverse, asset records
whose file is missing, is reported only, and so are files whose key the app does not make
(put there by hand). Works in both modes (folder or bucket). Runs as a
script actor trusted like an administrator, audited as "script:cleanup_orphans".

Exit status: 0 nothing left to do; 1 orphans found (dry run), files missing, or a delete failed;
2 the backend could not be used.
"""

from __future__ import annotations

import argparse
import sys

from scripts.cli import script_actor
from services.bootstrap import build_services
from services.content.orphans import OrphanReport
from services.errors import DemoFactoryError
from services.i18n import translate
from services.script_settings import load_script_settings

ACTOR = script_actor("cleanup_orphans")
SHOWN = 50


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.cleanup_orphans",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--apply", action="store_true",
                        help="remove the orphans (default: a dry run that only lists them)")
    return parser.parse_args(argv)


def report(found: OrphanReport, applied: bool) -> str:
    out = [f"files referenced by items: {found.referenced:,}",
           f"orphan files{' left' if applied else ''}: {len(found.orphans):,}"]
    out += [f"  {key}" for key in found.orphans[:SHOWN]]
    if len(found.orphans) > SHOWN:
        out.append(f"  ... and {len(found.orphans) - SHOWN:,} more")
    if found.too_recent:
        out.append(f"unreferenced but younger than an hour (kept): {found.too_recent:,}")
    if found.foreign:
        out.append(f"unreferenced files not made by the app (kept): {found.foreign:,}")
    out.append(f"asset records whose file is missing: {len(found.missing):,}")
    out += [f"  item {m.content_id} ({m.title}): {m.filename} [{m.storage_key}]"
            for m in found.missing[:SHOWN]]
    if applied:
        out.append(f"removed: {len(found.removed):,}")
        out += [f"could not remove: {key}" for key in found.failed]
    elif found.orphans:
        out.append("dry run: nothing removed (use --apply)")
    return "\n".join(out)


def exit_code(found: OrphanReport) -> int:
    return 1 if found.orphans or found.missing else 0  # after --apply: what is left


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        content = build_services(load_script_settings()).content
        found = content.remove_orphans(ACTOR) if args.apply else content.find_orphans(ACTOR)
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    print(report(found, args.apply))
    return exit_code(found)


if __name__ == "__main__":
    raise SystemExit(main())
