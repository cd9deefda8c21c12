"""Back up local mode (database, files, manifest) into a new or empty folder.

    python -m scripts.backup DEST

Safe while the app runs: the database is copied with SQLite's online backup API (one
consistent snapshot), then every stored file; ``DEST/manifest.json`` records when, how many
items, assets, users, events and audit entries the copy holds, and the SHA-256 of the database
copy and of each file (``python -m scripts.restore`` checks them all). Audited as
"script:backup". aws mode has its own backups (point-in-time recovery, bucket versioning).

Exit status: 0 written; 1 written, but files of some items were deleted while it ran (named);
2 nothing usable written (the folder is not empty, no database, aws mode, a failure).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.cli import script_actor
from services.bootstrap import backup_local, build_services
from services.domain.models import utcnow
from services.errors import DemoFactoryError
from services.i18n import translate
from services.ops.audit import record_audit
from services.ops.backup import Manifest
from services.script_settings import load_script_settings

ACTOR = script_actor("backup")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.backup",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="a new or empty folder for the backup")
    return parser.parse_args(argv)


def report(manifest: Manifest, dest: Path) -> str:
    out = [f"backup written to {dest} ({manifest.created_at.isoformat(timespec='seconds')})"]
    out += manifest.count_lines()
    if manifest.missing_files:
        out.append("files of items deleted while the backup ran (not in the backup):")
        out += [f"  {key}" for key in manifest.missing_files]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        settings = load_script_settings()
        manifest = backup_local(settings, args.dest)
        # After the copy, so the backup holds no record of itself.
        audit = build_services(settings).ports.audit
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cannot write {args.dest}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    record_audit(audit, utcnow(), str(ACTOR.user_id), "ops.backup",
                 str(args.dest), detail={"files": str(len(manifest.files))})
    print(report(manifest, args.dest))
    return 1 if manifest.missing_files else 0


if __name__ == "__main__":
    raise SystemExit(main())
