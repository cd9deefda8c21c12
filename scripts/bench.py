"""Benchmarks that print figures and ratios against a naive baseline measured in the same run.

    python -m scripts.bench search [--json] [--sizes 1000,10000] [--queries 60]
    python -m scripts.bench analytics [--json] [--sizes 100000,1000000,5000000] [--runs 7]
    python -m scripts.bench report [--json] [--days 30,90] [--runs 3]
    python -m scripts.bench pages [--json] [--events 100000] [--runs 5]
    python -m scripts.bench ab [--ref HEAD] [--page dashboard] [--runs 12]
    python -m scripts.bench elements [--json] [--runs 20]

Tests never assert on time; this script is where speed is measured.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from scripts import bench_ab, bench_analytics, bench_elements, bench_pages, bench_report
from services.bootstrap import build_local_ports
from services.domain import relevance
from services.domain.models import (
    Category,
    ContentItem,
    SearchQuery,
    Sort,
    Status,
    new_id,
    utcnow,
)
from services.ports import ContentRepository
from services.settings import Settings

KO_WORDS = [
    "생성형AI를",
    "데모",
    "고객",
    "상담",
    "챗봇",
    "분석",
    "대시보드",
    "실시간",
    "보안",
    "추천",
    "예측",
    "자동화",
    "요약",
    "검색",
    "비용",
    "아키텍처",
    "스트리밍",
    "모델",
]
EN_WORDS = [
    "bedrock",
    "demo",
    "pipeline",
    "forecast",
    "serverless",
    "vector",
    "agent",
    "dashboard",
    "latency",
    "security",
    "retail",
    "finance",
    "stream",
    "model",
]
QUERIES = [
    "생성형",
    "챗봇",
    "대시보드",
    "실시간 분석",
    "bedrock",
    "forecast",
    "serverless demo",
    "보안",
    "agent",
    "아키텍처",
]


def synthetic_items(n: int, seed: int = 7) -> list[ContentItem]:
    rng = random.Random(seed)
    now = utcnow()
    items = []
    for i in range(n):
        words = KO_WORDS if i % 2 == 0 else EN_WORDS
        body = " ".join(rng.choices(words, k=120))
        created = now - timedelta(minutes=i)
        items.append(
            ContentItem(
                id=new_id(),
                title=" ".join(rng.choices(words, k=5)),
                summary=" ".join(rng.choices(words, k=15)),
                body=body,
                category=rng.choice(list(Category)),
                tags=tuple(rng.sample(words, 3)),
                author_id=f"author{i % 50}",
                author_name=f"Author {i % 50}",
                status=Status.PUBLISHED,
                created_at=created,
                updated_at=created,
                views=rng.randint(0, 5000),
                likes=rng.randint(0, 300),
            )
        )
    return items


def naive_search(repo: ContentRepository, text: str, page_size: int = 12) -> list[str]:
    """The baseline: load every item, then filter and rank in Python (the same BM25)."""
    everything = repo.search(SearchQuery(status=None, page_size=1_000_000)).items
    terms = text.casefold().split()
    hits = [
        item
        for item in everything
        if item.status == Status.PUBLISHED
        and all(
            term
            in f"{item.title} {item.summary} {item.body} {' '.join(item.tags)} "
            f"{item.author_name}".casefold()
            for term in terms
        )
    ]
    hits.sort(key=lambda item: item.listed_at, reverse=True)
    words = relevance.indexed_terms(text)
    if words:
        corpus = relevance.Corpus.of([relevance.columns_of(item) for item in everything], words)
        hits.sort(key=lambda item: relevance.score(relevance.columns_of(item), words, corpus))
    return [item.id for item in hits[:page_size]]


def time_each(queries: Sequence[str], run: Callable[[str], object]) -> list[float]:
    """Milliseconds for each query, run once each."""
    samples = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: Sequence[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def loaded_repo(tmp: Path, size: int) -> tuple[ContentRepository, float]:
    repo = build_local_ports(Settings(data_dir=tmp, sample_content=False)).content
    start = time.perf_counter()
    for item in synthetic_items(size):
        repo.add(item)
    return repo, time.perf_counter() - start


def bench_search_size(size: int, queries: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        repo, load_s = loaded_repo(Path(tmp), size)
        plan = [QUERIES[i % len(QUERIES)] for i in range(queries)]
        # Ranking on, as the browse page searches; newest first for comparison.
        fast = time_each(plan, lambda q: repo.search(SearchQuery(text=q, sort=Sort.RELEVANCE)))
        newest = time_each(plan, lambda q: repo.search(SearchQuery(text=q, sort=Sort.NEWEST)))
        # The baseline is slow at 10k; fewer runs keep the script short, medians stay fair.
        naive_runs = max(5, queries // (1 + size // 2000))
        slow = time_each(plan[:naive_runs], lambda q: naive_search(repo, q))
    return {
        "search_ms_p50": statistics.median(fast),
        "search_ms_p95": p95(fast),
        "newest_ms_p50": statistics.median(newest),
        "newest_ms_p95": p95(newest),
        "naive_ms_p50": statistics.median(slow),
        "naive_ms_p95": p95(slow),
        "speedup_p50": statistics.median(slow) / statistics.median(fast),
        "load_s": load_s,
    }


def bench_search(sizes: Sequence[int], queries: int) -> dict[str, dict[str, float]]:
    """{metric: {size: value}}, the shape the README and notes quote."""
    result: dict[str, dict[str, float]] = {}
    for size in sizes:
        for metric, value in bench_search_size(size, queries).items():
            result.setdefault(metric, {})[str(size)] = round(value, 3)
    return result


def print_search(result: dict[str, dict[str, float]]) -> None:
    print(
        f"{'items':>8} {'ranked p50':>11} {'p95':>8} {'newest p50':>11} {'p95':>8} "
        f"{'naive p50':>10} {'p95':>8} {'speedup':>8}"
    )
    for size in result["search_ms_p50"]:
        print(
            f"{size:>8} {result['search_ms_p50'][size]:>11.2f} "
            f"{result['search_ms_p95'][size]:>8.2f} {result['newest_ms_p50'][size]:>11.2f} "
            f"{result['newest_ms_p95'][size]:>8.2f} {result['naive_ms_p50'][size]:>10.2f} "
            f"{result['naive_ms_p95'][size]:>8.2f} {result['speedup_p50'][size]:>7.1f}x"
        )
    print("(ms; local SQLite: ranked = FTS5 bm25, newest = newest first; naive = load every"
          " item, filter and rank in Python, measured in the same run)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench",
                                     description="Demo Factory benchmarks")
    sub = parser.add_subparsers(dest="suite", required=True)
    search = sub.add_parser("search", help="search latency vs a naive baseline")
    search.add_argument("--sizes", default="1000,10000")
    search.add_argument("--queries", type=int, default=60)
    search.add_argument("--json", action="store_true", help="print JSON only")
    analytics = sub.add_parser("analytics", help="dashboards from rollups vs raw events")
    analytics.add_argument("--sizes", default="100000,1000000,5000000")
    analytics.add_argument("--runs", type=int, default=7, help="dashboard runs (median)")
    analytics.add_argument("--json", action="store_true", help="print JSON only")
    bench_report.add_parser(sub)
    bench_pages.add_parser(sub)
    bench_ab.add_parser(sub)
    bench_elements.add_parser(sub)
    args = parser.parse_args(argv)
    if args.suite == "analytics":
        bench_analytics.run(args)
    if args.suite == "report":
        bench_report.run(args)
    if args.suite == "pages":
        bench_pages.run(args)
    if args.suite == "ab":
        bench_ab.run(args)
    if args.suite == "elements":
        bench_elements.run(args)
    if args.suite == "search":
        sizes = [int(s) for s in args.sizes.split(",")]
        result = bench_search(sizes, args.queries)
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            print_search(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
