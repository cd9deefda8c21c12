"""The search benchmark compares like with like: both paths return the same items in the same
order (the index's bm25 and the Python BM25 the DynamoDB adapter uses)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scripts.bench import QUERIES, loaded_repo, naive_search
from services.domain.models import SearchQuery, Sort

ROOT = Path(__file__).resolve().parents[3]


def test_fts_search_and_naive_baseline_agree(tmp_path: Path) -> None:
    repo, _ = loaded_repo(tmp_path, 300)
    for query in QUERIES:
        ranked = repo.search(SearchQuery(text=query, sort=Sort.RELEVANCE))
        fast = [item.id for item in ranked.items]
        assert fast == naive_search(repo, query), query


def test_json_output_has_the_documented_keys() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.bench",
            "search",
            "--sizes",
            "100,200",
            "--queries",
            "5",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    for key in ("search_ms_p50", "newest_ms_p50", "naive_ms_p50"):
        assert set(result[key]) == {"100", "200"}
        assert all(value > 0 for value in result[key].values())
