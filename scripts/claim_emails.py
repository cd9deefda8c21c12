"""Claim the email of every Cognito pool account that holds no claim yet (safe to run again).

    python -m scripts.claim_emails --dry-run     # what would be claimed, and the conflicts
    python -m scripts.claim_emails               # write the missing claims

With Cognito sign-in the app keeps one email to one account by a claim in the users table
(``EMAIL#<address>``), written before an account, a sign-up or a profile change takes an
address. Accounts made before claims existed, or in the pool itself (the console, the CLI),
hold none, so a new account could take their address in another case. This reads every
account of the pool (page by page) and claims its address with the app's own claim
(``services.bootstrap.claim_pool_emails``): an account holding its claim is left as it is, a
stale claim (its owner gone or holding another address) is replaced. An address two pool
accounts share, or that another account's standing claim holds, is a conflict: reported with
the user names and left as it is (change one account's email, then run this again). Accounts
without an email are skipped and counted. Settings come from the environment (DEMO_FACTORY_*)
and the root-level keys of .streamlit/secrets.toml, as for the app; the credentials are the
operator's (every call is one the stack's task role may make too). With local sign-in,
``scripts.bootstrap_aws`` claims the accounts' emails instead.

Exit status: 0 every account with an email holds its claim; 1 conflicts, or on a dry run
claims still to write; 2 the settings or the pool or table could not be used.
"""

from __future__ import annotations

import argparse
import sys

from services.bootstrap import claim_pool_emails
from services.domain.email_claims import EmailClaimsReport, EmailConflict
from services.errors import DemoFactoryError
from services.i18n import translate
from services.script_settings import load_script_settings


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.claim_emails", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="only report what would be claimed and the conflicts"
    )
    return parser.parse_args(argv)


def conflict_line(conflict: EmailConflict) -> str:
    kind = "pool account" if len(conflict.accounts) == 1 else "pool accounts"
    line = f"  {conflict.email}: {kind} {', '.join(conflict.accounts)}"
    return line + (f"; claimed by {conflict.claimed_by}" if conflict.claimed_by else "")


def report(found: EmailClaimsReport) -> str:
    out = [
        f"{'would claim' if found.dry_run else 'claimed now'}: {len(found.claimed):,}",
        f"already held by their account: {len(found.held):,}",
        f"without an email (skipped): {len(found.no_email):,}",
        f"conflicts: {len(found.conflicts):,}",
    ]
    out += [conflict_line(conflict) for conflict in found.conflicts]
    if found.conflicts:
        out.append(
            "conflicts are left as they are: give one of the accounts another email, "
            "then run this again"
        )
    if found.dry_run and found.claimed:
        out.append("dry run: nothing written (run without --dry-run)")
    return "\n".join(out)


def exit_code(found: EmailClaimsReport) -> int:
    return 1 if found.conflicts or (found.dry_run and found.claimed) else 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        found = claim_pool_emails(load_script_settings(), dry_run=args.dry_run)
    except DemoFactoryError as exc:
        print(translate("en", exc.key, **exc.params), file=sys.stderr)
        return 2
    print(report(found))
    return exit_code(found)


if __name__ == "__main__":
    raise SystemExit(main())
