"""Restore a local-mode backup into an empty data folder, after checking every checksum.

    python -m scripts.restore SRC

SRC is a folder written by ``python -m scripts.backup``. Every file and the database copy are
checked against the manifest's SHA-256 first; a missing, changed or unlisted file refuses the
whole restore and nothing is written. The data folder (``DEMO_FACTORY_DATA_DIR``) must be empty
or not exist yet: a restore never overwrites data. Stop the app before, start it after.

Exit status: 0 restored; 2 refused (data folder not empty, backup changed or damaged, aws
mode) or failed, with nothing written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.cli import script_actor
from services.bootstrap import build_services, restore_local
from services.domain.models import utcnow
from services.errors import DemoFactoryError
from services.i18n import translate
from services.ops.audit import record_audit
from services.ops.backup import Manifest
from services.script_settings import load_script_settings

ACTOR = script_actor("restore")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.restore",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="a backup folder (with manifest.json)")
    return parser.parse_args(argv)


def report(manifest: Manifest, src: Path, data_dir: Path) -> str:
    made = manifest.created_at.isoformat(timespec="seconds")
    out = [f"restored {src} (made {made}) into {data_dir}; every checksum matched"]
    out += manifest.count_lines()
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        settings = load_script_settings()
        manifest = restore_local(settings, args.src)
        audit = build_services(settings).ports.audit
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cannot restore {args.src}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    record_audit(audit, utcnow(), str(ACTOR.user_id), "ops.restore", str(args.src),
                 detail={"backup_created_at": manifest.created_at.isoformat()})
    print(report(manifest, args.src, settings.data_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
