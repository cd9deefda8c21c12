"""Create the aws-mode DynamoDB tables and the S3 bucket if missing (safe to run again).

    python -m scripts.bootstrap_aws --dry-run            # what would be created
    python -m scripts.bootstrap_aws                      # create what is missing
    AWS_ENDPOINT_URL=http://127.0.0.1:5000 python -m scripts.bootstrap_aws   # an emulator

Names come from DEMO_FACTORY_CONTENT_TABLE, _LIKES_TABLE, _USERS_TABLE, _AUDIT_TABLE and
_BUCKET; the region from DEMO_FACTORY_AWS_REGION or the standard AWS chain. Production uses the
CloudFormation template; this is for dev accounts and emulators. The logic lives in
``services.bootstrap.provision_aws``.
"""

from __future__ import annotations

import argparse
import sys

from services.bootstrap import provision_aws
from services.errors import DemoFactoryError
from services.i18n import translate
from services.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bootstrap_aws",
                                     description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--dry-run", action="store_true", help="only report what exists and what would be created"
    )
    parser.add_argument(
        "--cors-origin",
        action="append",
        dest="cors_origins",
        metavar="ORIGIN",
        help="origin allowed to use presigned URLs from a browser (repeatable; default *)",
    )
    args = parser.parse_args(argv)
    try:
        # provision_aws requires the resource names whatever DEMO_FACTORY_BACKEND says.
        settings = load_settings()
        lines = provision_aws(settings, dry_run=args.dry_run,
                              cors_origins=args.cors_origins or ("*",))
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
