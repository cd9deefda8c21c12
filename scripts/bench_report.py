"""The report benchmark: context, offline narrative and PDF, for 30 and 90 days of data.

    python -m scripts.bench report [--json] [--days 30,90] [--runs 3] [--events-per-day 2000]

Synthetic events (services/analytics/synthetic.py) for twice the longest period are ingested into
a local SQLite EventStore in a temporary directory (not timed). Then, for each period length,
each run times what the app does for one report:

- context: the dashboards of the period and of the one before it, from rollups, the period's
  insights (``load_insights``: drivers, anomalies, forecast) and ``build_context``
  (services/reports/context.py);
- narrative: the prompt rendered, the offline narrator through the LLM port, the grounding check;
- pdf: ``build_report_pdf`` (charts included), wall and process (CPU) time.

Medians over the runs; the first run's PDF (matplotlib and fonts warming up) is shown apart as
"cold". Target (issue 4): a full PDF in under 1.5 s. Tests never assert on time.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from scripts import bench_insights
from scripts.bench_analytics import bench_settings
from services.analytics.dashboards import Period, dashboard
from services.analytics.synthetic import ContentRef, synthetic_events
from services.analytics.tables import Catalog, CatalogItem
from services.bootstrap import build_local_ports
from services.domain.llm import LLMRequest
from services.domain.models import Category
from services.domain.reports import OFFLINE_MODEL_ID, Report, ReportLanguage, ReportType
from services.insights.service import VISITOR_READS, load_insights
from services.ports import EventStore
from services.reports.context import build_context
from services.reports.grounding import check
from services.reports.narrator.offline import OfflineNarrator
from services.reports.pdf.build import build_report_pdf
from services.reports.prompts import prompt_for

TZ = ZoneInfo("Asia/Seoul")
END = date(2026, 9, 30)  # fixed, so that every run measures the same events
CHUNK = 20_000
TITLES = ("Bedrock 고객 상담 챗봇", "제조 설비 예지보전", "리테일 수요 예측", "Amazon Q 사내 검색",
          "금융 사기 탐지", "콜센터 통화 요약", "이미지 생성 카탈로그", "RAG 아키텍처 모범 사례")
AUTHORS = ("김민수", "이서연", "박지훈", "최유진", "정하늘", "Alex Kim")
T = TypeVar("T")


def contents(n: int = 40) -> list[ContentRef]:
    categories = list(Category)
    return [ContentRef(f"content-{i:03d}", categories[i % len(categories)],
                       f"author-{i % len(AUTHORS)}") for i in range(n)]


def catalog_of(refs: Sequence[ContentRef]) -> Catalog:
    return Catalog(CatalogItem(ref.id, f"{TITLES[i % len(TITLES)]} {i // len(TITLES) + 1}",
                               ref.category, ref.author_id,
                               AUTHORS[int(ref.author_id.split("-")[1])])
                   for i, ref in enumerate(refs))


def ingest(store: EventStore, refs: Sequence[ContentRef], days: int,
           per_day: int) -> int:
    stream = synthetic_events(refs, total=days * per_day, days=days, end=END, tz=TZ)
    written = 0
    while chunk := list(islice(stream, CHUNK)):
        written += len(store.append(chunk))
    return written


def timed(run: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = run()
    return result, (time.perf_counter() - started) * 1000


def one_report(store: EventStore, catalog: Catalog, days: int,
               pool: ThreadPoolExecutor) -> dict[str, float]:
    """Milliseconds of each step of one Korean overall report over the last ``days`` days."""
    period = Period(END - timedelta(days=days - 1), END)

    def context() -> dict[str, Any]:
        current = dashboard(store, None, period, catalog=catalog, limit=len(catalog))  # type: ignore[arg-type]
        previous = dashboard(store, None, period.previous(), catalog=catalog,  # type: ignore[arg-type]
                             limit=len(catalog))
        # as the report service: the period's drivers, anomalies and forecast from rollups
        insights = load_insights(store, period, END + timedelta(days=1), 0, pool.map)
        return build_context(ReportType.OVERALL, current, previous, period, ReportLanguage.KO,
                             insights)

    def narrative(ctx: dict[str, Any]) -> tuple[str, str, Any]:
        prompt = prompt_for(ctx)
        result = OfflineNarrator().complete(LLMRequest(OFFLINE_MODEL_ID, prompt.system,
                                                       prompt.prompt))
        return result.text, prompt.version, check(result.text, ctx)

    ctx, context_ms = timed(context)
    (text, version, grounding), narrative_ms = timed(lambda: narrative(ctx))
    report = Report(id="01BENCH", type=ReportType.OVERALL, language=ReportLanguage.KO,
                    period_start=period.start, period_end=period.end, context=ctx,
                    prompt_version=version, model_id=OFFLINE_MODEL_ID, narrative=text,
                    grounding=grounding, input_tokens=0, output_tokens=0, cost_usd=0.0,
                    latency_ms=round(narrative_ms), created_by="bench",
                    created_at=datetime(2026, 10, 1, tzinfo=UTC))
    cpu_started = time.process_time()
    pdf, pdf_ms = timed(lambda: build_report_pdf(report, tz=TZ))
    pdf_cpu_ms = (time.process_time() - cpu_started) * 1000
    return {"context_ms": context_ms, "narrative_ms": narrative_ms, "pdf_ms": pdf_ms,
            "pdf_cpu_ms": pdf_cpu_ms, "total_ms": context_ms + narrative_ms + pdf_ms,
            "pdf_kb": len(pdf) / 1024, "unmatched": float(len(grounding.unmatched))}


def bench_report(days: Sequence[int], runs: int, per_day: int) -> dict[str, Any]:
    """{metric: {days: value}} plus the number of events."""
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = build_local_ports(bench_settings(Path(tmp))).events
        refs = contents()
        print(f"ingesting {2 * max(days) * per_day:,} events ...", file=sys.stderr)
        result["events"] = ingest(store, refs, 2 * max(days), per_day)
        catalog = catalog_of(refs)
        for length in days:
            with ThreadPoolExecutor(VISITOR_READS) as pool:
                samples = [one_report(store, catalog, length, pool) for _ in range(max(runs, 1))]
            for metric in samples[0]:
                value = statistics.median(s[metric] for s in samples)
                result.setdefault(metric, {})[str(length)] = round(value, 1)
            result.setdefault("pdf_cold_ms", {})[str(length)] = round(samples[0]["pdf_ms"], 1)
    return result


def print_report(result: dict[str, Any]) -> None:
    columns = [("context", "context_ms"), ("narrative", "narrative_ms"), ("pdf", "pdf_ms"),
               ("pdf cpu", "pdf_cpu_ms"), ("pdf cold", "pdf_cold_ms"), ("total", "total_ms"),
               ("pdf KB", "pdf_kb"), ("unmatched", "unmatched")]
    print(f"{'days':>5} " + " ".join(f"{title:>10}" for title, _ in columns))
    for length in result["pdf_ms"]:
        print(f"{length:>5} " + " ".join(f"{result[key][length]:>10.1f}" for _, key in columns))
    print(f"ms, medians; {result['events']:,} synthetic events in SQLite. pdf = "
          "build_report_pdf with its charts (goal <= 1000 ms for 90 days); cpu = its process "
          "time (what a busy machine does not inflate); cold = the first run; unmatched = "
          "numbers the grounding check did not find in the context (the offline narrator "
          "should have 0).")


def run(args: Any) -> None:
    days = [int(d) for d in args.days.split(",")]
    result = bench_report(days, args.runs, args.events_per_day)
    result["insights"] = bench_insights.bench(max(args.runs, 5))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)
        bench_insights.print_insights(result["insights"])


def add_parser(sub: Any) -> None:
    """Register ``report`` on bench.py's subcommands."""
    report = sub.add_parser("report", help="report context, offline narrative and PDF")
    report.add_argument("--days", default="30,90", help="period lengths")
    report.add_argument("--runs", type=int, default=3, help="reports per length (median)")
    report.add_argument("--events-per-day", type=int, default=2000)
    report.add_argument("--json", action="store_true", help="print JSON only")
