"""Build a benchmark store once into a folder and reuse it, so that old and new code can be
timed on the same events, alternating (building 5,000,000 events takes minutes; nothing here
changes what is measured). Prints the ``bench_periodsums`` views and the sources and devices
tabs as JSON::

    python -m scripts.bench_store --store DIR [--events 5000000] [--runs 15]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from scripts import bench_periodsums, bench_sources
from scripts.bench_analytics import END, bench_contents, bench_settings, ingest, period
from services.bootstrap import build_local_ports


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="folder, kept and reused")
    parser.add_argument("--events", type=int, default=5_000_000, help="if it is built")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    settings = bench_settings(args.store)
    built = settings.sqlite_path.exists()
    ports = build_local_ports(settings)
    found: dict[str, Any] = {} if built else ingest(ports.events, args.events)
    found.update(bench_periodsums.measure(ports.events, bench_contents(), END, args.runs))
    found.update(bench_sources.tabs(ports.events, bench_contents(), *period(90), args.runs))
    print(json.dumps(found))


if __name__ == "__main__":
    main()
