"""Create a user in the configured backend.

    python -m scripts.create_user --username alice --role admin            # password prompted
    echo "$PASSWORD" | python -m scripts.create_user --username bob --role author --password-stdin
"""

from __future__ import annotations

import argparse
import getpass
import sys

from services.bootstrap import build_services
from services.domain.permissions import Actor, Role
from services.errors import DemoFactoryError
from services.i18n import translate
from services.script_settings import load_script_settings

# The command line is trusted like an administrator: whoever can run it can read the database.
CLI_ACTOR = Actor(user_id="cli", name="command line", roles=frozenset({Role.ADMIN}))


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise SystemExit("Passwords do not match.")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.create_user",
                                     description="Create a Demo Factory user.")
    parser.add_argument("--username", required=True)
    parser.add_argument("--role", action="append", choices=[r.value for r in Role], required=True,
                        help="repeat for several roles")
    parser.add_argument("--name", default="")
    parser.add_argument("--email", default="")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input")
    args = parser.parse_args(argv)
    password = read_password(args.password_stdin)
    try:
        accounts = build_services(load_script_settings()).accounts
        roles = frozenset(Role(r) for r in args.role)
        user = accounts.create_user(
            CLI_ACTOR, args.username, args.name, args.email, password, roles
        )
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    print(f"created {user.username} with roles {', '.join(sorted(user.roles))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
