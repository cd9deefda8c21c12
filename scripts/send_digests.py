"""Send the digests of followed metrics that are due (daily: once per local day; weekly: once
per local ISO week), by email when SES is configured, and keep each in the app.

    python scripts/send_digests.py            # send what is due (cron, a scheduled task)
    python scripts/send_digests.py --dry-run  # print what would be sent; change nothing
    python -m scripts.send_digests            # the same

Running it again in the same window sends nothing twice (each user's window is claimed
before sending). Exit status: 0 done; 2 the backend could not be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: the project root holds ``services``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.bootstrap import build_services
from services.errors import DemoFactoryError
from services.i18n import translate
from services.insights.digests import Outcome
from services.script_settings import load_script_settings


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python scripts/send_digests.py",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dry-run", action="store_true",
                        help="print the digests that are due; claim, send and store nothing")
    return parser.parse_args(argv)


def report(outcomes: list[Outcome], dry_run: bool) -> str:
    out: list[str] = []
    for outcome in outcomes:
        out.append(f"{outcome.user_id} [{outcome.window}]: {outcome.status}")
        if dry_run and outcome.body:
            out += [f"  Subject: {outcome.subject}", *(f"  {line}"
                                                      for line in outcome.body.splitlines())]
    counts = {s: sum(o.status == s for o in outcomes)
              for s in ("sent", "kept", "dry_run", "already", "empty")}
    out.append(", ".join(f"{name}: {count}" for name, count in counts.items()))
    if dry_run:
        out.append("dry run: nothing sent or stored")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        digests = build_services(load_script_settings()).digests
        outcomes = digests.run(dry_run=args.dry_run) if digests is not None else []
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    print(report(outcomes, args.dry_run))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
