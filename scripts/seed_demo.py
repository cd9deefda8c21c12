"""Load sample content into the configured backend (idempotent).

    python scripts/seed_demo.py --contents 40
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.bootstrap import build_services
from services.errors import DemoFactoryError
from services.i18n import translate
from services.sample_data import load_catalog, load_samples
from services.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--contents", type=int, default=len(load_catalog()),
        help=f"how many sample items (at most {len(load_catalog())}; default all)",
    )
    args = parser.parse_args(argv)
    try:
        services = build_services(load_settings())
        added = load_samples(services.content, limit=args.contents)
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    total = services.content.sample_count()
    print(f"sample content: {added} added, {total} present ({services.settings.backend} backend)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
