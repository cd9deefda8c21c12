"""Export the users as a streamlit-authenticator credentials file (its config.yaml format).

    python -m scripts.export_users out.yaml
    python -m scripts.export_users out.yaml --force     # replace an existing file

The way back from scripts/import_users.py: user names, names (first and last), emails, roles
and the bcrypt hashes, so the users keep their passwords in a streamlit-authenticator app.
Disabled users and users without a password are left out and listed. The cookie section names
this app's cookie and expiry; its key is left empty (never this app's secret): set one there.
The file holds password hashes: it is written readable by its owner only, and the export is
audited as "script:export_users". Local accounts only (DEMO_FACTORY_AUTH=local).

Exit status: 0 every user exported; 1 some users were left out; 2 nothing could be written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import yaml

from scripts.cli import script_actor
from scripts.import_users import require_local_passwords
from services.accounts.credentials_file import Problem, credentials_config
from services.bootstrap import build_services
from services.errors import DemoFactoryError
from services.i18n import translate
from services.script_settings import load_script_settings

ACTOR = script_actor("export_users")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("file", type=Path, help="the config.yaml to write")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    return parser.parse_args(argv)


def write_private(path: Path, config: dict[str, Any], *, replace: bool) -> None:
    """YAML as the package writes it, readable by the owner only (it holds hashes)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)  # a replaced file keeps its mode otherwise
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        yaml.safe_dump(config, fh, default_flow_style=False, allow_unicode=True,
                       sort_keys=False)


def report(name: str, exported: int, left_out: list[Problem]) -> str:
    out = [f"{name}: {exported} users exported", f"  left out: {len(left_out)}"]
    out += [f"  {problem.username}: {translate('en', problem.key, **problem.params)}"
            for problem in left_out]
    out.append("cookie.key is empty: set a secret key there before that app signs anyone in")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    path: Path = args.file
    if path.exists() and not args.force:
        print(f"{path} exists: choose another file or pass --force to replace it",
              file=sys.stderr)
        return 2
    try:
        settings = load_script_settings()
        require_local_passwords(settings)
        users = build_services(settings).accounts.export_users(ACTOR)
        config, left_out = credentials_config(users, settings.cookie_name,
                                              settings.cookie_expiry_days)
        write_private(path, config, replace=args.force)
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(report(path.name, len(config["credentials"]["usernames"]), left_out))
    return 1 if left_out else 0


if __name__ == "__main__":
    raise SystemExit(main())
