"""Follow-up questions on a report without a model: a few question patterns (pure, no LLM).

``answer_offline(context, question, lang)`` recognises, in Korean or English:

- which category had the most / the least views;
- when the peak was (busiest day of the trend, hour and weekday);
- why a metric changed (its change, and its drivers: the parts the report's "what moved"
  section names, read from the ``drivers`` section as the context builder writes it);
- the top content;
- how many visitors.

Each answer is written from the report's context only, every figure followed by its data path in
backticks (shown as a footnote like the narrative's), so the grounding check passes by
construction. Anything else gets ``answered=False`` and the help text listing what it can do.
The question is only matched, never echoed back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.domain.reports import ReportLanguage
from services.i18n import translate
from services.i18n.labels import category_name
from services.reports.narrator.changes import amount, dim_name, value_text
from services.reports.narrator.rules import Facts

Rows = list[dict[str, Any]]
TOP_N = 3
_WHY = re.compile(r"왜|이유|원인|요인|\bwhy\b|what (?:drove|caused)|reason|driver")
_CATEGORY = re.compile(r"카테고리|분류|분야|categor")
_LEAST = re.compile(r"가장 적|제일 적|적은|최저|least|fewest|lowest|smallest|worst")
_PEAK = re.compile(r"피크|정점|최고점|붐비|붐빈|언제|몇 ?시|peak|busiest|\bwhen\b")
_CONTENT = re.compile(r"콘텐츠|컨텐츠|항목|데모|게시물|content|item|demo")
_TOP = re.compile(r"인기|많이 본|가장 많|상위|최고|\btop\b|popular|most|best")
_VISITORS = re.compile(r"방문자|방문객|visitor")
# Which KPI a "why" question is about; the first match wins ("페이지 조회" before "조회").
_METRICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("visitors", re.compile(r"방문자|방문객|visitor")),
    ("page_views", re.compile(r"페이지|page")),
    ("likes", re.compile(r"좋아요|\blikes?\b")),
    ("downloads", re.compile(r"다운로드|download")),
    ("searches", re.compile(r"검색|search")),
    ("content_views", re.compile(r"콘텐츠|컨텐츠|조회|content|views?\b")),
)
_COUNT_KPIS = ("visitors", "page_views", "content_views", "likes", "downloads", "searches")


@dataclass(frozen=True)
class FollowUp:
    text: str  # markdown-free text; figures followed by their data paths in backticks
    answered: bool  # False: the help text (nothing matched, or the data has no answer)


def answer_offline(context: dict[str, Any], question: str, lang: str) -> FollowUp:
    """The answer to ``question`` from ``context`` in ``lang`` (``ko`` or ``en``)."""
    lang = lang if lang in set(ReportLanguage) else ReportLanguage.KO.value
    facts = Facts({**context, "language": lang})
    asked = " ".join(question.lower().split())
    for matches, write in _INTENTS:
        if matches(asked):
            found = write(facts, asked)
            if found:
                return FollowUp(found, True)
            return FollowUp(f"{_t(lang, 'no_data')}\n{help_text(context, lang)}", False)
    return FollowUp(help_text(context, lang), False)


def help_text(context: dict[str, Any], lang: str) -> str:
    """What can be asked of this report: only the examples its data answers (a content or
    author report has no visitors figure, a what-changed report no top content)."""
    facts = Facts({**context, "language": lang})
    offered = [key for key, write in _HELP if write(facts, "") is not None]
    return "\n".join([_t(lang, "help"), *(f"- {_t(lang, f'help_{k}')}" for k in offered)])


def _t(lang: str, key: str, **params: Any) -> str:
    return translate(lang, f"followup.{key}", **params)


def _category(facts: Facts, name: Any) -> str:
    """A category's name in the answer's language; an unknown one (imported) as its text."""
    return category_name(facts.lang, name) or " ".join(str(name).split())


# ---- the answers -----------------------------------------------------------------------------


def _categories(facts: Facts, asked: str) -> str | None:
    rows = [(i, r) for i, r in enumerate(facts.rows("categories")) if r.get("views") is not None]
    if not rows:
        return None
    least = bool(_LEAST.search(asked))
    index, row = (min if least else max)(rows, key=lambda p: (int(p[1]["views"]), -p[0]))
    path = f"categories[{index}]"
    share = "" if row.get("share") is None else _t(
        facts.lang, "share", share=facts.pct(row["share"]), cite=facts.cite(f"{path}.share"))
    return _t(facts.lang, "least_category" if least else "top_category",
              category=_category(facts, row.get("category")),
              views=facts.unit("views", row["views"]), cite=facts.cite(f"{path}.views"),
              share=share, change=facts.change(row, path))


def _peak(facts: Facts, asked: str) -> str | None:
    lines = []
    trend = facts.section("trend")
    days = trend.get("day") if isinstance(trend.get("day"), list) else []
    column = "page_view" if isinstance(trend.get("page_view"), list) else next(
        (k for k, v in trend.items() if k != "day" and isinstance(v, list)), None)
    values = trend.get(column) if column else None
    if days and isinstance(values, list) and len(values) == len(days) and any(values):
        top = max(range(len(values)), key=lambda i: (values[i], -i))
        lines.append(_t(facts.lang, "peak_day", day=days[top],
                        count=facts.count(values[top]), cite=facts.cite(f"trend.{column}[{top}]"),
                        event=translate(facts.lang, f"analytics.trend_line.{column}")))
    tod = facts.section("time_of_day")
    if tod.get("peak_hour") is not None and tod.get("total"):
        weekday = tod.get("peak_weekday")
        lines.append(_t(facts.lang, "peak_hour",
                        hour=facts.unit("hour", tod["peak_hour"]),
                        cite=facts.cite("time_of_day.peak_hour"),
                        weekday=facts.t(f"weekday.{weekday}") if weekday is not None else "-"))
    return " ".join(lines) or None


def _kpi_line(facts: Facts, key: str) -> str | None:
    found = facts.kpi(key)
    if found is None:
        return None
    row, path = found
    rate = row.get("kind") == "rate"
    value = facts.pct(row["value"]) if rate else facts.unit(key, row["value"])
    return _t(facts.lang, "kpi", label=facts.kpi_label(key), value=value,
              cite=facts.cite(f"{path}.value"), change=facts.change(row, path, rate))


def _visitors(facts: Facts, asked: str) -> str | None:
    return _kpi_line(facts, "visitors")


def _top_content(facts: Facts, asked: str) -> str | None:
    rows = facts.rows("top_content")[:TOP_N]
    if not rows:
        return None
    lines = [_t(facts.lang, "top_content_intro")]
    for index, row in enumerate(rows):
        path = f"top_content[{index}]"
        share = "" if row.get("share") is None else _t(
            facts.lang, "share", share=facts.pct(row["share"]), cite=facts.cite(f"{path}.share"))
        lines.append(f"{index + 1}. " + _t(
            facts.lang, "top_content_item", title=" ".join(str(row.get("title")).split()),
            category=_category(facts, row.get("category")),
            views=facts.unit("views", row.get("views") or 0),
            cite=facts.cite(f"{path}.views"), share=share))
    return "\n".join(lines)


def _metric_of(facts: Facts, asked: str) -> str | None:
    for key, pattern in _METRICS:
        if pattern.search(asked) and facts.kpi(key) is not None:
            return key
    changed = [(abs(float(f[0]["change"])), key) for key in _COUNT_KPIS
               if (f := facts.kpi(key)) is not None and f[0].get("change") is not None]
    return max(changed)[1] if changed else None


def _has_drivers(facts: Facts) -> bool:
    """The context has a driver analysis (older reports have none)."""
    return isinstance(facts.section("drivers").get("metrics"), list)


def _drivers_row(facts: Facts, key: str) -> tuple[int, dict[str, Any]] | None:
    """``key``'s row of the driver analysis, with its index (None: the report has none)."""
    metrics = facts.section("drivers").get("metrics") if _has_drivers(facts) else []
    return next(((index, row) for index, row in enumerate(metrics or [])
                 if isinstance(row, dict) and row.get("metric") == key), None)


def _drivers(facts: Facts, key: str) -> list[str]:
    """The driver lines of ``key``: its largest rises, then its largest falls, as the report's
    own "what moved" section tells them (``services.reports.insight_context.drivers_row``).
    Each breakdown (category, author, source...) splits the whole change on its own, so the
    drivers are told one line per breakdown, after a note that shares of two breakdowns do not
    add up."""
    found = _drivers_row(facts, key)
    if found is None:
        return []
    index, row = found
    rate = row.get("kind") == "rate"
    lines = []
    for side in ("rises", "falls"):
        groups = _driver_groups(facts, row.get(side), f"drivers.metrics[{index}].{side}", rate)
        if groups:
            lines += [_t(facts.lang, f"{side}_intro"), *groups]
    return [_t(facts.lang, "shares_per_breakdown"), *lines] if lines else []


def _cannot_split(facts: Facts, key: str) -> bool:
    """``key`` moved and the analysis has nothing to split it by (visitors are counted as a
    whole; an item's own likes): what the report's drivers table says of it."""
    found = _drivers_row(facts, key)
    return found is not None and bool(found[1].get("difference")) and not (
        found[1].get("rises") or found[1].get("falls"))


def _plain(value: Any) -> str:
    """Typed text (a title, a term) in the answer: one line, as typed (the answer is plain
    text, never markdown)."""
    return " ".join(str(value).split())


def _driver_groups(facts: Facts, found: Any, path: str, rate: bool) -> list[str]:
    """One line per breakdown of a side's drivers. A driver's ``contribution`` is its part of
    the change (signed, in the metric's unit) and its ``share`` that part's share of the
    change, shown signed as its footnote and the PDF's table show it."""
    if not isinstance(found, list):
        return []
    groups: dict[str, list[str]] = {}
    for index, part in enumerate(found[:TOP_N]):
        if not isinstance(part, dict) or part.get("contribution") is None:
            continue
        at = f"{path}[{index}]"
        share = "" if part.get("share") is None else _t(
            facts.lang, "share", share=facts.pct(part["share"]), cite=facts.cite(f"{at}.share"))
        groups.setdefault(str(part.get("dim", "")), []).append(_t(
            facts.lang, "driver", name=value_text(facts, part, _plain),
            change=amount(facts, part["contribution"], rate),
            cite=facts.cite(f"{at}.contribution"), share=share))
    return [f"- {dim_name(facts, dim)}: " + "; ".join(parts) for dim, parts in groups.items()]


def _category_moves(facts: Facts) -> list[str]:
    """Without drivers: the categories whose views rose and fell the most (percent)."""
    rows = [(i, r) for i, r in enumerate(facts.rows("categories")) if r.get("change") is not None]
    picked = {max(rows, key=lambda p: float(p[1]["change"]))[0],
              min(rows, key=lambda p: float(p[1]["change"]))[0]} if rows else set()
    return ["- " + _t(facts.lang, "category_move", category=_category(facts, r.get("category")),
                      views=facts.unit("views", r["views"]), cite=facts.cite(
                          f"categories[{i}].views"),
                      change=facts.change(r, f"categories[{i}]"))
            for i, r in rows if i in picked]


def _why(facts: Facts, asked: str) -> str | None:
    key = _metric_of(facts, asked)
    if key is None:
        return None
    lines = [line for line in [_kpi_line(facts, key)] if line]
    drivers = _drivers(facts, key)
    if drivers:
        lines += drivers
    elif _cannot_split(facts, key):
        lines.append(facts.t("drv_no_split"))
    elif _has_drivers(facts):  # analysed, and this change has no part that stands out
        lines.append(_t(facts.lang, "no_split"))
    elif key == "content_views" and (moves := _category_moves(facts)):
        lines += [_t(facts.lang, "categories_intro"), *moves]
    else:
        lines.append(_t(facts.lang, "no_drivers"))
    return "\n".join(lines)


Intent = tuple[Callable[[str], bool], Callable[[Facts, str], str | None]]
# In order: "why did visitors change" is a why question, not a visitor count.
_INTENTS: tuple[Intent, ...] = (
    (lambda q: bool(_WHY.search(q)), _why),
    (lambda q: bool(_CATEGORY.search(q)), _categories),
    (lambda q: bool(_PEAK.search(q)), _peak),
    (lambda q: bool(_CONTENT.search(q) and _TOP.search(q)), _top_content),
    (lambda q: bool(_VISITORS.search(q)), _visitors),
)
# Each example of the help, offered when its answer's writer finds data in the report ("why"
# is asked of the content views, which every report type has).
_HELP: tuple[tuple[str, Callable[[Facts, str], str | None]], ...] = (
    ("category", _categories), ("peak", _peak),
    ("why", lambda facts, _: _why(facts, "why content views")),
    ("top", _top_content), ("visitors", _visitors),
)
