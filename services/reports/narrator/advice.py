"""The offline narrator's advice: recommendations by horizon, risks and what to measure next.

Each function returns the bullet lines of one part, from the facts of ``narrator_rules.Facts``;
a part with no fact-driven line gets a general one, so every part always has content.
"""

from __future__ import annotations

from services.domain.reports import ReportType
from services.reports.narrator.rules import (
    CONCENTRATED,
    DOMINANT,
    HIGH_SKIP,
    ONE_ITEM_AUTHOR,
    THIN_VIEWS,
    Facts,
    one_item_author,
    quote,
)

_BASELINE_KPIS = ("visitors", "page_views", "content_views", "searches")


def now(f: Facts) -> list[str]:
    lines = []
    terms = f.section("search").get("zero_results") or []
    if terms:
        lines.append(f.t("rec_zero_term", term=quote(terms[0]["term"]),
                         searches=f.unit("searches", terms[0]["searches"]),
                         cite=f.cite("search.zero_results[0].searches")))
    bands = f.section("distribution").get("bands") or []
    if bands and bands[0].get("items"):
        lines.append(f.t("rec_zero_views", items=f.unit("items", bands[0]["items"]),
                         cite=f.cite("distribution.bands[0].items")))
    top = f.rows("top_content")
    if top and top[0].get("views"):
        lines.append(f.t("rec_feature_top", title=quote(top[0]["title"])))
    return lines or [f.t("rec_now_default")]


def mid_term(f: Facts) -> list[str]:
    lines = []
    hour = f.section("time_of_day").get("peak_hour")
    if hour is not None:
        lines.append(f.t("rec_schedule", hour=f.unit("hour", hour),
                         cite=f.cite("time_of_day.peak_hour")))
    grown = [r for r in f.rows("categories") if (r.get("change") or 0) > 0]
    if grown:
        best = max(grown, key=lambda r: r["change"])
        lines.append(f.t("rec_category", category=f.category(best["category"])))
    found = one_item_author(f)
    if found is not None and found[1]["top_item_share"] >= ONE_ITEM_AUTHOR:
        lines.append(f.t("rec_author_support", author=quote(found[1]["author"])))
    return lines or [f.t("rec_mid_default")]


def long_term(f: Facts) -> list[str]:
    lines = []
    top = f.kpi("top_category")
    if top and top[0].get("share") is not None and top[0]["share"] >= DOMINANT:
        lines.append(f.t("rec_diversify", share=f.pct(top[0]["share"]),
                         cite=f.cite(f"{top[1]}.share"),
                         category=f.category(top[0]["value"])))
    return [*lines, f.t("rec_long_default")]


def risks(f: Facts) -> list[str]:
    lines = []
    views = f.kpi("content_views")
    if views and 0 < views[0]["value"] < THIN_VIEWS:
        lines.append(f.t("risk_thin", views=f.unit("content_views", views[0]["value"]),
                         cite=f.cite(f"{views[1]}.value")))
    for key in _BASELINE_KPIS:
        found = f.kpi(key)
        if found and found[0]["value"] and found[0].get("change") is None:
            lines.append(f.t("risk_no_baseline", metric=f.kpi_label(key)))
            break
    share = f.section("distribution").get("top1_share")
    if share is not None and share >= CONCENTRATED:
        lines.append(f.t("risk_concentration", share=f.pct(share),
                         cite=f.cite("distribution.top1_share")))
    skip = f.section("purpose_summary").get("skip_rate")
    if skip is not None and skip >= HIGH_SKIP:
        lines.append(f.t("risk_skip", rate=f.pct(skip), cite=f.cite("purpose_summary.skip_rate")))
    if f.kpi("visitors"):
        lines.append(f.t("risk_visitors"))
    return lines or [f.t("risk_default")]


def measures(f: Facts) -> list[str]:
    lines = []
    views = f.kpi("content_views")
    if views:
        lines.append(f.t("measure_views", views=f.unit("content_views", views[0]["value"]),
                         cite=f.cite(f"{views[1]}.value")))
    rate = f.section("search").get("zero_rate")
    if rate is not None:
        lines.append(f.t("measure_zero_rate", rate=f.pct(rate), cite=f.cite("search.zero_rate")))
    if f.kind is ReportType.AUTHOR:
        lines.append(f.t("measure_active_share"))
    return [*lines, f.t("measure_missing")]
