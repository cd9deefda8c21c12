"""Build an AI insight report headless (for scheduled jobs), save it to the history, write the PDF.

    python -m scripts.make_report --type overall --lang ko --days 30 --model offline \
        --out report.pdf
    python -m scripts.make_report --type content --lang en --days 7 --model bedrock --out c.pdf
    python -m scripts.make_report --type content --subject <item id> --out item.pdf

The same settings, context, prompts, models, budget and history as the app's report page; it
runs as the command-line actor (trusted like an administrator, as in create_user.py). ``--model``
is ``offline``, ``bedrock`` (the configured DEMO_FACTORY_BEDROCK_MODEL_ID) or
``bedrock:<model or inference profile id>``. ``--subject``: a content report's item id or an
author report's author id, whose own insights the report then carries. Exit status 2 on a
problem, with one message.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from services.analytics.dashboards import Period
from services.bootstrap import Services, build_services
from services.domain.permissions import Actor, Role
from services.domain.reports import Report, ReportLanguage, ReportType
from services.errors import DemoFactoryError
from services.i18n import translate
from services.reports.models import BEDROCK_PREFIX
from services.reports.request import ReportRequest
from services.script_settings import load_script_settings

CLI_ACTOR = Actor(user_id="cli", name="command line", roles=frozenset({Role.ADMIN}))
SESSION = "cli"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.make_report",
                                     description="Build a Demo Factory AI insight report.")
    parser.add_argument("--type", choices=[t.value for t in ReportType], default="overall")
    parser.add_argument("--lang", choices=[lang.value for lang in ReportLanguage], default="ko")
    parser.add_argument("--days", type=int, default=30, help="the period: N days up to --end")
    parser.add_argument("--end", type=date.fromisoformat, default=None,
                        help="last day of the period, YYYY-MM-DD (default: today)")
    parser.add_argument("--model", default="offline",
                        help="offline, bedrock, or bedrock:<model or inference profile id>")
    parser.add_argument("--temperature", type=float, default=None)
    parser.add_argument("--max-tokens", type=int, default=None)
    parser.add_argument("--subject", default="",
                        help="content report: an item id; author report: an author id")
    parser.add_argument("--out", type=Path, default=Path("report.pdf"))
    parser.add_argument("--quiet", action="store_true", help="do not echo the narrative")
    return parser.parse_args(argv)


def model_choice(services: Services, model: str) -> str:
    if model == "bedrock":
        return BEDROCK_PREFIX + services.settings.bedrock_model_id
    return model


def request_of(services: Services, args: argparse.Namespace) -> ReportRequest:
    end = args.end or services.analytics.today()
    period = Period(end - timedelta(days=args.days - 1), end)
    settings = services.settings
    return ReportRequest(
        ReportType(args.type), ReportLanguage(args.lang), period,
        model_choice(services, args.model),
        settings.bedrock_temperature if args.temperature is None else args.temperature,
        settings.bedrock_max_tokens if args.max_tokens is None else args.max_tokens,
        args.subject,
    )


def summary(report: Report, out: Path) -> str:
    grounding = report.grounding
    return (f"report {report.id}: {report.type.value}/{report.language.value} "
            f"{report.period_start}..{report.period_end}, model {report.model_id}, "
            f"{grounding.checked} numbers checked, {len(grounding.unmatched)} unmatched, "
            f"tokens {report.input_tokens}+{report.output_tokens}, "
            f"cost ${report.cost_usd:.4f}, {report.latency_ms} ms -> {out}")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.days < 1:
        print("--days must be at least 1", file=sys.stderr)
        return 2
    services: Services | None = None
    try:
        services = build_services(load_script_settings())
        request = request_of(services, args)
        echo = None if args.quiet else (lambda chunk: print(chunk, end="", file=sys.stderr))
        report = services.reports.generate(CLI_ACTOR, request, SESSION, on_chunk=echo)
        from services.reports.pdf.build import build_report_pdf

        args.out.write_bytes(build_report_pdf(report, tz=services.settings.tz))
    except (DemoFactoryError, ValueError) as exc:
        if isinstance(exc, DemoFactoryError):
            print(translate("en", exc.key, **exc.params), file=sys.stderr)
        else:
            print(str(exc), file=sys.stderr)
        return 2
    finally:
        if services is not None:
            services.tracker.close()
    print(summary(report, args.out))
    for unmatched in report.grounding.unmatched:
        print(f"  unmatched {unmatched.text}: {unmatched.sentence}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
