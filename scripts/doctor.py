"""Check every setting and resource of the current mode; exit 1 if anything is wrong.

    python -m scripts.doctor                 # ✔/✘ lines, with the fix under each failure
    python -m scripts.doctor --json          # the same as JSON (for monitoring)
    python -m scripts.doctor --no-bedrock    # skip the Bedrock check (it makes one tiny call)
    python -m scripts.doctor --lang ko       # Korean messages

Settings come from the environment (DEMO_FACTORY_*) and the root-level keys of
.streamlit/secrets.toml, as for the app; the admin page runs the
same checks. ``services.bootstrap.doctor_checks`` lists them all. The doctor itself (running,
reporting) is ``services.ops.doctor.base``; the settings and file checks are in
``services.ops.doctor.local`` and ``services.ops.doctor.oidc``; the resource checks live with
their adapters: ``services.adapters.sqlite.doctor_checks``, ``services.adapters.aws.doctor_checks``
(tables, bucket, Bedrock, the SES sender) and ``services.adapters.aws.cognito.doctor_checks``.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from pathlib import Path

from services.bootstrap import doctor_checks, doctor_context
from services.errors import DemoFactoryError
from services.i18n import LANGUAGES, translate
from services.ops.doctor.base import FAIL_MARK, json_report, run_doctor, text_lines
from services.script_settings import load_script_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.doctor",
                                     description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="print a JSON report")
    parser.add_argument("--no-bedrock", action="store_true", help="skip the Bedrock check")
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="message language")
    parser.add_argument("--streamlit-config", type=Path, default=None,
                        help="path of .streamlit/config.toml (default: the project's)")
    args = parser.parse_args(argv)
    try:
        settings = load_script_settings()
    except DemoFactoryError as exc:
        message = translate(args.lang, exc.key, **exc.params)
        if args.json:
            print(json.dumps({"ok": False, "checks": [
                {"check": "settings", "ok": False, "detail": message}]}, ensure_ascii=False))
        else:
            print(f"{FAIL_MARK} settings: {message}")
        return 1
    context = doctor_context(settings, os.environ, include_bedrock=not args.no_bedrock)
    if args.streamlit_config is not None:
        context = replace(context, streamlit_config=args.streamlit_config)
    report = run_doctor(context, doctor_checks())
    if args.json:
        print(json_report(report, args.lang))
    else:
        print("\n".join(text_lines(report, args.lang)))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
