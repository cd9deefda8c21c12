"""The element benchmark's pages and bookkeeping. (The browser part runs only as
``python -m scripts.bench elements``: it is a benchmark, not a test.)"""

from __future__ import annotations

import argparse

import pytest
from streamlit.testing.v1 import AppTest

from scripts import bench_elements
from scripts.bench_stock import DASHBOARD_GROUPS, STOCK_SCRIPT


def _drawn(drop: str = "") -> list[str]:
    """The stock dashboard's elements, by kind, as Streamlit draws them with ``drop``."""
    at = AppTest.from_string(STOCK_SCRIPT, default_timeout=30)
    at.query_params["page"] = "dashboard"
    if drop:
        at.query_params["drop"] = drop
    at.run()
    assert not at.exception
    return _kinds(at)


def _kinds(at: AppTest) -> list[str]:
    kinds: list[str] = []
    stack = list(at.main.children.values())
    while stack:
        node = stack.pop()
        kinds.append(node.type)
        stack.extend(getattr(node, "children", {}).values())
    return kinds


@pytest.mark.parametrize("group", DASHBOARD_GROUPS)
def test_each_group_leaves_out_elements_the_full_twin_draws(group: str) -> None:
    full, without = _drawn(), _drawn(group)
    assert len(without) < len(full)


def test_the_core_alone_still_draws_what_the_benchmark_waits_for() -> None:
    at = AppTest.from_string(STOCK_SCRIPT, default_timeout=30)
    at.query_params.update({"page": "dashboard", "drop": ",".join(DASHBOARD_GROUPS)})
    at.run()
    kinds = _kinds(at)
    assert "plotly_chart" in kinds and any(
        "페이지 조회" in str(node.proto.body) for node in at.get("html"))
    assert not at.tabs and not at.selectbox and not at.expander and not at.toggle


def test_as_links_draws_each_groups_widget_as_a_link_and_the_rest_as_the_full_twin() -> None:
    at = AppTest.from_string(STOCK_SCRIPT, default_timeout=30)
    at.query_params.update({"page": "dashboard", "as": "links"})
    at.run()
    assert not at.exception
    assert not at.tabs and not at.expander and not at.toggle
    kinds = _kinds(at)
    assert "popover" not in kinds and "download_button" not in kinds
    assert "plotly_chart" in kinds and at.button_group  # the core stays as it is
    links = " ".join(str(node.proto.body) for node in at.get("html"))
    for label in ("지금 접속 중", "카테고리·작성자 필터", "인사이트", "이전 기간 겹쳐 보기",
                  "날짜별 표", "CSV", "퍼널", "☆ 팔로우"):
        assert f">{label}</a>" in links


def test_every_variant_is_a_dashboard_but_the_plain_page() -> None:
    pages = bench_elements.variants()
    assert pages[bench_elements.PLAIN_PAGE] == ""
    assert all("page=dashboard" in query for name, query in pages.items()
               if name != bench_elements.PLAIN_PAGE)
    assert len(pages) == len(DASHBOARD_GROUPS) + 4


def test_savings_are_against_the_full_twin_and_ratios_against_the_plain_page() -> None:
    rows = bench_elements.summary({bench_elements.PLAIN_PAGE: [0.4, 0.5, 0.4],
                                   bench_elements.FULL: [0.8, 0.8, 0.9],
                                   "without tabs": [0.7, 0.7, 0.6]})
    assert rows["without tabs"]["saves_s"] == 0.1
    assert rows["without tabs"]["ratio"] == 1.75
    assert rows[bench_elements.FULL]["ratio"] == 2.0
    assert rows[bench_elements.FULL]["saves_s"] is None


def test_bench_py_registers_the_elements_subcommand() -> None:
    parser = argparse.ArgumentParser()
    bench_elements.add_parser(parser.add_subparsers(dest="suite"))
    args = parser.parse_args(["elements", "--runs", "3", "--json"])
    assert (args.suite, args.runs, args.json) == ("elements", 3, True)
