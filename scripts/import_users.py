"""Import the users of a streamlit-authenticator app's credentials file (its config.yaml).

    python -m scripts.import_users config.yaml
    python -m scripts.import_users config.yaml --dry-run

Every user goes through the account service (its checks, and the audit log as
"script:import_users"). A bcrypt hash is stored as it is, so the user keeps the password; a
plain password (the package allows them in the file) is checked like any new password and
hashed. Roles map to this app's (viewer, author, analyst, admin; any case); others are dropped
and listed, and a user without a known role is a viewer. A user name already here is skipped,
never changed, so running it again adds nothing. The file's cookie section is not imported:
the old app's remember-me cookies name a user and cannot be revoked, so they sign nobody in
here; each user signs in once. Local accounts only (DEMO_FACTORY_AUTH=local):
with Cognito or SSO the provider keeps the passwords. The way back: scripts/export_users.py.

Exit status: 0 every user imported (or, with --dry-run, would be); 1 some users were skipped
(already here, or not valid); 2 the file or the backend could not be used.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scripts.cli import script_actor
from services.accounts.credentials_file import Credentials, Entry, Problem, read_credentials
from services.accounts.service import AccountService
from services.bootstrap import build_services
from services.errors import ConflictError, DemoFactoryError, ValidationError
from services.i18n import translate
from services.script_settings import load_script_settings
from services.settings import ENV_PREFIX, Settings

ACTOR = script_actor("import_users")


@dataclass
class Outcome:
    read: int
    imported: list[Entry] = field(default_factory=list)
    present: list[str] = field(default_factory=list)  # user names already here
    invalid: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.present) + len(self.invalid)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("file", type=Path, help="a streamlit-authenticator config.yaml")
    parser.add_argument("--dry-run", action="store_true",
                        help="check every user and report; write nothing")
    return parser.parse_args(argv)


def require_local_passwords(settings: Settings) -> None:
    """With Cognito or SSO the provider keeps the passwords: no hashes to move."""
    if settings.auth != "local":
        raise ValidationError("auth.err_hashes_in_provider")


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def import_entries(accounts: AccountService, credentials: Credentials,
                   dry_run: bool) -> Outcome:
    outcome = Outcome(read=len(credentials.entries) + len(credentials.problems),
                      invalid=list(credentials.problems))
    for entry in credentials.entries:
        try:
            accounts.import_user(ACTOR, entry.username, entry.name, entry.email, entry.roles,
                                 entry.password, dry_run=dry_run)
        except ConflictError as exc:
            if exc.key == "auth.err_email_taken":  # another account has the address
                outcome.invalid.append(Problem(entry.username, exc.key, exc.params))
            else:
                outcome.present.append(entry.username)
        except ValidationError as exc:
            outcome.invalid.append(Problem(entry.username, exc.key, exc.params))
        else:
            outcome.imported.append(entry)
    return outcome


def report(outcome: Outcome, credentials: Credentials, name: str, dry_run: bool) -> str:
    """The summary in English: counts, then every user skipped or changed on the way."""
    plain = sum(1 for entry in outcome.imported if not entry.hashed)
    verb = "would be imported" if dry_run else "imported"
    out = [f"{name}: {outcome.read} users read", f"  {verb}: {len(outcome.imported)}"]
    if plain:
        out.append(f"    of which with a plain password in the file, "
                   f"{'to be hashed' if dry_run else 'hashed now'}: {plain}")
    out += [f"  skipped, already here (not changed): {len(outcome.present)}",
            f"  skipped, not valid: {len(outcome.invalid)}"]
    if outcome.skipped:
        out.append("skipped:")
        out += [f"  {username}: already here" for username in outcome.present]
        out += [f"  {problem.username}: {translate('en', problem.key, **problem.params)}"
                for problem in outcome.invalid]
    dropped = [entry for entry in outcome.imported if entry.unknown_roles]
    if dropped:
        out.append("roles not known here, dropped:")
        out += [f"  {entry.username}: {', '.join(entry.unknown_roles)}" for entry in dropped]
    viewers = [entry.username for entry in outcome.imported if entry.no_role]
    if viewers:
        out.append(f"no known role, so viewer: {', '.join(viewers)}")
    if credentials.cookie_name is not None:
        out.append(f"the file's cookie section is not imported: the old app's remember-me "
                   f"cookies cannot be revoked, so they sign nobody in here (each user signs "
                   f"in once); {ENV_PREFIX}COOKIE_KEY must be a new random value")
    if dry_run:
        out.append("--dry-run: nothing written")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    path: Path = args.file
    try:
        settings = load_script_settings()
        require_local_passwords(settings)
        credentials = read_credentials(read_yaml(path))
        outcome = import_entries(build_services(settings).accounts, credentials, args.dry_run)
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except yaml.YAMLError as exc:
        print(f"cannot read {path}: not valid YAML ({exc})", file=sys.stderr)
        return 2
    print(report(outcome, credentials, path.name, args.dry_run))
    return 1 if outcome.skipped else 0


if __name__ == "__main__":
    raise SystemExit(main())
