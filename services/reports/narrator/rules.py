"""The offline narrator's rules: which sentence each fact of a report context earns (pure).

``Facts`` wraps a context (``services.report_context``) with the formatting every number goes
through; the functions below return the sentences of one part of the report. Thresholds that
pick a sentence (a share that counts as concentrated, ...) are never printed: only figures of
the context are, each followed by its key in backticks (shown to readers as a numbered
footnote by ``services.reports.citations``, the same conversion a model's answer goes through).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from services.analytics.changes import count_difference
from services.domain.analytics import Purpose
from services.domain.reports import ReportLanguage, ReportType
from services.i18n import date_range, translate
from services.i18n.labels import category_name, purpose_name

CONCENTRATED = 0.3  # one item's share of views worth a warning
DOMINANT = 0.5  # one category's share of views worth diversifying
HIGH_SKIP = 0.3
ONE_ITEM_AUTHOR = 0.8  # an author whose views rest on one item
THIN_VIEWS = 100  # fewer content views than this: percentages swing
MAX_INSIGHTS = 6
_COUNT_KPIS = ("visitors", "page_views", "content_views", "likes", "downloads", "searches")

Rows = list[dict[str, Any]]
# Markdown characters that could turn quoted user text (titles, search terms, names) into a
# link, an image, code, emphasis, a heading or markup; digits and . , - + stay as they are so
# that the number check reads the same figures.
_MARKUP = re.compile(r"([\\`*_\[\]()<>!#|~&])")


def quote(value: Any) -> str:
    """User text inside the narrative: one line, every markup character escaped."""
    return _MARKUP.sub(r"\\\1", " ".join(str(value).split()))


class Facts:
    """A report context with its language's words and the one way each number is written."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.ctx = context
        lang = str(context.get("language", ReportLanguage.KO.value))
        self.lang = lang if lang in set(ReportLanguage) else ReportLanguage.KO.value
        kind = str(context.get("report_type", ReportType.OVERALL.value))
        self.kind = ReportType(kind) if kind in set(ReportType) else ReportType.OVERALL

    # ---- words -----------------------------------------------------------------------
    def t(self, key: str, **params: Any) -> str:
        return translate(self.lang, f"narrator.{key}", **params)

    def category(self, name: Any) -> str:
        # Not one of ours (an imported event): quoted as text.
        return category_name(self.lang, name) or quote(name)

    def purpose(self, name: Any) -> str:
        return purpose_name(self.lang, name) or quote(name)

    def kpi_label(self, key: str) -> str:
        return translate(self.lang, f"analytics.kpi.{key}")

    # ---- numbers ---------------------------------------------------------------------
    @staticmethod
    def count(value: Any) -> str:
        return f"{int(value):,}"

    @staticmethod
    def pct(ratio: Any) -> str:
        return f"{float(ratio) * 100:.1f}%"

    @staticmethod
    def avg(value: Any) -> str:
        return f"{float(value):.1f}"

    @staticmethod
    def cite(path: str) -> str:
        return f"`{path}`"

    def unit(self, name: str, value: Any) -> str:
        return self.t(f"unit.{name}", n=self.count(value))

    def change(self, row: dict[str, Any], path: str, rate: bool = False) -> str:
        value = row.get("change")
        if value is None:
            return self._difference(row, path) or self.t("no_change")
        shown = f"{float(value):+.1f}{'%p' if rate else '%'}"
        return self.t("change", change=shown, cite=self.cite(f"{path}.change"))

    def _difference(self, row: dict[str, Any], path: str) -> str | None:
        """A count with no percent change that still moved (net likes after a negative
        previous value): its plain difference, as the dashboard's tile shows it."""
        numbers = [row.get(name) for name in ("value", "previous", "delta")]
        found = [float(n) for n in numbers
                 if isinstance(n, int | float) and not isinstance(n, bool)]
        if len(found) < len(numbers):
            return None
        value, previous, delta = found
        if count_difference(value, previous) is None:
            return None
        return self.t("change", change=f"{delta:+,.0f}", cite=self.cite(f"{path}.delta"))

    # ---- access ----------------------------------------------------------------------
    def rows(self, name: str) -> Rows:
        found = self.ctx.get(name)
        return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []

    def section(self, name: str) -> dict[str, Any]:
        found = self.ctx.get(name)
        return found if isinstance(found, dict) else {}

    def kpi(self, key: str) -> tuple[dict[str, Any], str] | None:
        for index, row in enumerate(self.rows("kpis")):
            if row.get("key") == key and row.get("value") is not None:
                return row, f"kpis[{index}]"
        return None

    @property
    def empty(self) -> bool:
        counts = [self.kpi(k) for k in _COUNT_KPIS]
        return not any(found and found[0]["value"] for found in counts)

    # ---- the summary -----------------------------------------------------------------
    def summary(self) -> list[str]:
        period, previous = self.section("period"), self.section("previous_period")
        lines = [self.t("summary_period", report_name=self.t(f"report_name.{self.kind.value}"),
                        period=date_range(self.lang, period.get("start", ""),
                                          period.get("end", "")),
                        days=self.count(period.get("days", 0)), cite=self.cite("period.days"),
                        previous=date_range(self.lang, previous.get("start", ""),
                                            previous.get("end", "")))]
        if period.get("last_day_partial"):
            lines.append(self.t("summary_partial_day"))
        if self.empty:
            return [*lines, self.t("summary_empty")]
        metrics = []
        for key in _COUNT_KPIS:
            found = self.kpi(key)
            if found:
                row, path = found
                metrics.append(self.t("metric", label=self.kpi_label(key),
                                      value=self.unit(key, row["value"]),
                                      cite=self.cite(f"{path}.value"),
                                      change=self.change(row, path)))
        lines.append(self.t("summary_counts", items=self.t("list_sep").join(metrics)))
        top = self.kpi("top_category")
        if top and top[0].get("share") is not None:
            lines.append(self.t("summary_top_category", category=self.category(top[0]["value"]),
                                share=self.pct(top[0]["share"]),
                                cite=self.cite(f"{top[1]}.share")))
        return lines


# ---- key insights ----------------------------------------------------------------------------

Rule = Callable[[Facts], str | None]


def _traffic(f: Facts) -> str | None:
    found = f.kpi("page_views")
    if not found or not found[0]["value"]:
        return None
    row, path = found
    return f.t("ins_traffic", value=f.unit("page_views", row["value"]),
               cite=f.cite(f"{path}.value"), change=f.change(row, path))


def _top_content(f: Facts) -> str | None:
    rows = f.rows("top_content")
    if not rows or not rows[0].get("views") or rows[0].get("share") is None:
        return None
    row = rows[0]
    return f.t("ins_top_content", title=quote(row["title"]), category=f.category(row["category"]),
               views=f.unit("views", row["views"]), cite=f.cite("top_content[0].views"),
               share=f.pct(row["share"]), share_cite=f.cite("top_content[0].share"),
               change=f.change(row, "top_content[0]"))


def _category_move(f: Facts) -> str | None:
    rows = list(enumerate(f.rows("categories")))
    moved = [(i, r) for i, r in rows if r.get("change") is not None]
    up = max(moved, key=lambda p: p[1]["change"], default=None)
    down = min(moved, key=lambda p: p[1]["change"], default=None)
    for found, key, sign in ((up, "ins_category_up", 1), (down, "ins_category_down", -1)):
        if found and found[1]["change"] * sign > 0:
            i, row = found
            return f.t(key, category=f.category(row["category"]),
                       views=f.unit("views", row["views"]), cite=f.cite(f"categories[{i}].views"),
                       change=f.change(row, f"categories[{i}]"))
    viewed = [(i, r) for i, r in rows if r.get("views") and r.get("share") is not None]
    if not viewed:
        return None
    i, row = viewed[0]
    return f.t("ins_category_top", category=f.category(row["category"]),
               views=f.unit("views", row["views"]), cite=f.cite(f"categories[{i}].views"),
               share=f.pct(row["share"]), share_cite=f.cite(f"categories[{i}].share"))


def _zero_views(f: Facts) -> str | None:
    dist = f.section("distribution")
    bands = dist.get("bands") or []
    if not dist.get("items_total") or not bands or not bands[0].get("items"):
        return None
    return f.t("ins_zero_views", total=f.unit("items", dist["items_total"]),
               total_cite=f.cite("distribution.items_total"),
               items=f.unit("items", bands[0]["items"]),
               cite=f.cite("distribution.bands[0].items"), share=f.pct(bands[0]["share"]),
               share_cite=f.cite("distribution.bands[0].share"))


def _top_item_share(f: Facts) -> str | None:
    share = f.section("distribution").get("top1_share")
    if share is None or share < CONCENTRATED:
        return None
    return f.t("ins_top_item_share", share=f.pct(share),
               cite=f.cite("distribution.top1_share"))


def _time(f: Facts) -> str | None:
    tod = f.section("time_of_day")
    if tod.get("peak_hour") is None or tod.get("top3_share") is None:
        return None
    return f.t("ins_time", hour=f.unit("hour", tod["peak_hour"]),
               cite=f.cite("time_of_day.peak_hour"),
               weekday=f.t(f"weekday.{tod.get('peak_weekday', 0)}"),
               share=f.pct(tod["top3_share"]), share_cite=f.cite("time_of_day.top3_share"))


def _purpose(f: Facts) -> str | None:
    skip = f.section("purpose_summary").get("skip_rate")
    answered = [(i, r) for i, r in enumerate(f.rows("purposes"))
                if r.get("purpose") != Purpose.SKIPPED.value and r.get("count")
                and r.get("share_of_answers") is not None]
    if not answered or skip is None:
        return None
    i, row = answered[0]
    return f.t("ins_purpose", purpose=f.purpose(row["purpose"]),
               share=f.pct(row["share_of_answers"]),
               cite=f.cite(f"purposes[{i}].share_of_answers"), skip=f.pct(skip),
               skip_cite=f.cite("purpose_summary.skip_rate"))


def _search(f: Facts) -> str | None:
    search = f.section("search")
    if not search.get("total") or search.get("zero_rate") is None:
        return None
    return f.t("ins_search", total=f.unit("searches", search["total"]),
               cite=f.cite("search.total"), change=f.change(search, "search"),
               zero=f.unit("searches", search["zero_total"]),
               zero_cite=f.cite("search.zero_total"), rate=f.pct(search["zero_rate"]),
               rate_cite=f.cite("search.zero_rate"))


def _zero_term(f: Facts) -> str | None:
    terms = f.section("search").get("zero_results") or []
    if not terms:
        return None
    return f.t("ins_zero_term", term=quote(terms[0]["term"]),
               searches=f.unit("searches", terms[0]["searches"]),
               cite=f.cite("search.zero_results[0].searches"))


def _likes(f: Facts) -> str | None:
    liked = [(i, r) for i, r in enumerate(f.rows("top_content"))
             if (r.get("likes") or 0) > 0 and r.get("likes_per_view") is not None]
    if not liked:
        return None
    i, row = max(liked, key=lambda p: (p[1]["likes"], -p[0]))
    return f.t("ins_likes", title=quote(row["title"]), likes=f.unit("likes", row["likes"]),
               cite=f.cite(f"top_content[{i}].likes"), rate=f.pct(row["likes_per_view"]),
               rate_cite=f.cite(f"top_content[{i}].likes_per_view"))


def _author_top(f: Facts) -> str | None:
    rows = f.rows("authors")
    if not rows or not rows[0].get("views") or rows[0].get("views_per_item") is None:
        return None
    row = rows[0]
    return f.t("ins_author_top", author=quote(row["author"]), views=f.unit("views", row["views"]),
               cite=f.cite("authors[0].views"), share=f.pct(row["share"]),
               share_cite=f.cite("authors[0].share"), per_item=f.avg(row["views_per_item"]),
               per_item_cite=f.cite("authors[0].views_per_item"),
               change=f.change(row, "authors[0]"))


def _author_productivity(f: Facts) -> str | None:
    p = f.section("productivity")
    if not p.get("authors_with_items") or p.get("views_per_item") is None:
        return None
    return f.t("ins_author_productivity",
               with_items=f.unit("authors", p["authors_with_items"]),
               with_items_cite=f.cite("productivity.authors_with_items"),
               active=f.unit("authors", p["active_authors"]),
               active_cite=f.cite("productivity.active_authors"),
               per_item=f.avg(p["views_per_item"]),
               per_item_cite=f.cite("productivity.views_per_item"))


def one_item_author(f: Facts) -> tuple[int, dict[str, Any]] | None:
    rows = [(i, r) for i, r in enumerate(f.rows("authors"))
            if r.get("top_item_share") is not None and (r.get("items") or 0) >= 2]
    return max(rows, key=lambda p: (p[1]["top_item_share"], -p[0]), default=None)


def _author_dependence(f: Facts) -> str | None:
    found = one_item_author(f)
    if found is None:
        return None
    i, row = found
    return f.t("ins_author_dependence", author=quote(row["author"]),
               share=f.pct(row["top_item_share"]),
               cite=f.cite(f"authors[{i}].top_item_share"))


def _author_concentration(f: Facts) -> str | None:
    p = f.section("productivity")
    if p.get("top_author_share") is None or (p.get("active_authors") or 0) < 2:
        return None
    return f.t("ins_author_concentration", share=f.pct(p["top_author_share"]),
               cite=f.cite("productivity.top_author_share"))


INSIGHT_RULES: dict[ReportType, tuple[Rule, ...]] = {
    ReportType.OVERALL: (_traffic, _top_content, _category_move, _zero_views, _time, _purpose,
                         _search),
    ReportType.CONTENT: (_top_content, _category_move, _zero_views, _top_item_share, _likes,
                         _search, _zero_term),
    ReportType.AUTHOR: (_author_top, _author_productivity, _author_dependence,
                        _author_concentration, _top_content),
    ReportType.WHAT_CHANGED: (_traffic, _category_move, _top_content),
}


def insights(f: Facts) -> list[str]:
    found = [rule(f) for rule in INSIGHT_RULES[f.kind]]
    return [line for line in found if line][:MAX_INSIGHTS]
