"""Create the aws-mode DynamoDB tables and the S3 bucket if missing (safe to run again).

    python -m scripts.bootstrap_aws --dry-run            # what would be created
    python -m scripts.bootstrap_aws                      # create what is missing
    python -m scripts.bootstrap_aws --write-env .env     # ... and write the settings to a file
    AWS_ENDPOINT_URL=http://127.0.0.1:5000 python -m scripts.bootstrap_aws   # an emulator

Every name comes from DEMO_FACTORY_RESOURCE_PREFIX (default demo-factory): the tables are
<prefix>-content, <prefix>-likes, ..., the bucket <prefix>-files-<account id>-<region>; a
table's or the bucket's own variable (DEMO_FACTORY_CONTENT_TABLE, ..., DEMO_FACTORY_BUCKET) wins.
The region comes from DEMO_FACTORY_AWS_REGION or the standard AWS chain. Once the resources
exist, the settings that point the app at them are printed (and written with --write-env);
secrets such as DEMO_FACTORY_COOKIE_KEY are never written. Production uses the CloudFormation
template, which names everything the same way; this is for dev accounts and emulators. The
logic lives in ``services.bootstrap.provision_aws``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from services.bootstrap import aws_client, provision_aws, resolve_aws_names
from services.errors import DemoFactoryError
from services.i18n import translate
from services.script_settings import load_script_settings
from services.settings import ENV_PREFIX, Settings

KEY_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def settings_to_paste(settings: Settings, region: str) -> list[str]:
    """The DEMO_FACTORY_* lines that point aws mode at these resources (no secret)."""
    lines = [
        "# Demo Factory, aws mode (written by python -m scripts.bootstrap_aws)",
        f"{ENV_PREFIX}BACKEND=aws",
        f"{ENV_PREFIX}AWS_REGION={region}",
        f"{ENV_PREFIX}RESOURCE_PREFIX={settings.resource_prefix}",
        # Given, so the app need not ask STS for the account at start-up.
        f"{ENV_PREFIX}BUCKET={settings.bucket}",
    ]
    lines += [f"{name}={value}" for name, value in settings.overridden_names().items()
              if name != f"{ENV_PREFIX}BUCKET"]
    if settings.auth == "cognito":
        lines += [f"{ENV_PREFIX}AUTH=cognito",
                  f"{ENV_PREFIX}COGNITO_USER_POOL_ID={settings.cognito_user_pool_id}",
                  f"{ENV_PREFIX}COGNITO_APP_CLIENT_ID={settings.cognito_app_client_id}"]
        if settings.cognito_app_client_secret is not None:
            lines.append(f"# {ENV_PREFIX}COGNITO_APP_CLIENT_SECRET= (a secret: set it yourself)")
    lines.append(f"# {ENV_PREFIX}COOKIE_KEY= (a secret, needed in aws mode: one random value "
                 f"shared by every instance, e.g. {KEY_HINT})")
    return lines


def write_env(path: Path, lines: list[str], *, force: bool) -> None:
    """Write ``lines`` to ``path`` (owner-only: the secrets will be added to it), never over
    an existing file unless ``force``."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    with os.fdopen(os.open(path, flags, 0o600), "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


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
    parser.add_argument("--write-env", type=Path, metavar="PATH",
                        help="also write the settings to this .env file (not over an existing "
                             "one); secrets are left for you to add")
    parser.add_argument("--force", action="store_true",
                        help="with --write-env: replace an existing file")
    args = parser.parse_args(argv)
    if args.write_env and args.dry_run:
        parser.error("--write-env writes the settings of created resources: drop --dry-run")
    if args.write_env and args.write_env.exists() and not args.force:
        # Checked before anything is created, so a refusal changes nothing.
        return _kept(args.write_env)
    try:
        # The names are needed whatever DEMO_FACTORY_BACKEND says.
        settings = resolve_aws_names(load_script_settings())
        lines = provision_aws(settings, dry_run=args.dry_run,
                              cors_origins=args.cors_origins or ("*",))
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    if args.dry_run:
        return 0
    region = settings.aws_region or str(aws_client("sts", settings).meta.region_name)
    pasted = settings_to_paste(settings, region)
    print("\nSettings for aws mode (paste into the environment or a .env file):")
    print("\n".join(pasted))
    if args.write_env:
        try:
            write_env(args.write_env, pasted, force=args.force)
        except FileExistsError:  # made meanwhile
            return _kept(args.write_env)
        print(f"\nwrote {args.write_env}; add the cookie key, then load it before starting the "
              f"app: set -a; . {args.write_env}; set +a  (or docker run --env-file)")
    return 0


def _kept(path: Path) -> int:
    print(f"{path} exists and is kept: use --force to replace it", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
