"""The offline narrator's sentences on what moved the numbers (pure): the largest change, the
drivers of each KPI's change, the period's anomalies and the forecast (always an estimate).

They read the ``headline``, ``drivers``, ``anomalies`` and ``forecast`` sections of the context
(``services.reports.insight_context``), say whose figures they are (a report subject's own item
or author, or platform-wide where the report is about something narrower), and cite every
figure by its key, as the other rules do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.domain.reports import ReportType
from services.i18n import translate
from services.i18n.labels import category_name, purpose_name
from services.insights.cube import driver_mark_name
from services.insights.metrics import RATES
from services.reports.narrator.rules import Facts, quote

DRIVER_KPIS = 3  # KPIs whose drivers are told (largest relative change first)
ANOMALIES_TOLD = 3
_RATE_KINDS = frozenset({"rate"})
_RATE_KEYS = frozenset(rate.key for rate in RATES)


def _label(f: Facts, group: str, key: str) -> str:
    full = f"insights.{group}.{key}"
    found = translate(f.lang, full)
    return quote(key) if found == full else found


def metric(f: Facts, key: Any) -> str:
    return _label(f, "metric", str(key))


def dim_name(f: Facts, dim: Any) -> str:
    """A breakdown's name ("기기", "유입 경로")."""
    return _label(f, "dim", str(dim))


def value_text(f: Facts, row: dict[str, Any], text: Callable[[Any], str] = quote) -> str:
    """A driver's value as readers know it, without its breakdown's name; typed text (titles,
    terms, names) stays quoted, written by ``text`` (markdown-escaped for the narrative; a
    plain-text answer passes its own)."""
    dim, value = str(row.get("dim", "")), row.get("name") or row.get("value") or ""
    if dim == "category":
        return category_name(f.lang, value) or text(value)
    if dim == "purpose":
        return purpose_name(f.lang, value) or text(value)
    return driver_mark_name(f.lang, dim, value) or f"“{text(value)}”"  # "(direct)" reads as words


def value_name(f: Facts, row: dict[str, Any], text: Callable[[Any], str] = quote) -> str:
    """``value_text`` followed by its breakdown's name, where the value does not say it (a
    category or a purpose does)."""
    shown = value_text(f, row, text)
    if str(row.get("dim", "")) in ("category", "purpose"):
        return shown
    return f"{shown} ({dim_name(f, row.get('dim', ''))})"


def amount(f: Facts, value: Any, rate: bool) -> str:
    """A count with separators, a rate (ratio) as a percentage; the sign kept."""
    if rate:
        return f"{float(value) * 100:+.1f}%p"
    return f"{int(value):+,}"


def level(f: Facts, value: Any, rate: bool) -> str:
    return f.pct(value) if rate else f.count(value)


def _scope_note(f: Facts, section: str) -> list[str]:
    """Whose figures these are: a report subject's own (its item or author), or the platform's
    where the report is about something narrower."""
    found = f.section(section)
    scope = found.get("scope")
    if scope in ("item", "author"):
        return [f.t(f"scope_{scope}", name=quote(found.get("name") or found.get(scope) or ""))]
    return [] if f.kind in (ReportType.OVERALL, ReportType.WHAT_CHANGED) else [f.t("scope_note")]


def _unsplit_sentence(f: Facts, row: dict[str, Any], path: str) -> str | None:
    """A subject's KPI that moved with no finer rows to say why (an item's likes...)."""
    if not row.get("difference") or row.get("kind") in _RATE_KINDS:
        return None
    return " ".join([f.t("drv_kpi", metric=metric(f, row["metric"]),
                         before=f.count(row["before"]), before_cite=f.cite(f"{path}.before"),
                         after=f.count(row["after"]), after_cite=f.cite(f"{path}.after")),
                     f.t("drv_no_split")])


def driver_sentence(f: Facts, row: dict[str, Any], path: str) -> str | None:
    """One KPI: its change and its largest rise and fall with their shares of the change."""
    rate = row.get("kind") in _RATE_KINDS
    if row.get("difference") is None or not (row.get("rises") or row.get("falls")):
        return None
    parts = [f.t("drv_kpi", metric=metric(f, row["metric"]),
                 before=level(f, row["before"], rate), before_cite=f.cite(f"{path}.before"),
                 after=level(f, row["after"], rate), after_cite=f.cite(f"{path}.after"))]
    for side in ("rises", "falls"):
        found = row.get(side) or []
        if found and found[0].get("share") is not None:
            c, at = found[0], f"{path}.{side}[0]"
            parts.append(f.t(f"drv_{side}", name=value_name(f, c),
                             change=amount(f, c["contribution"], rate),
                             cite=f.cite(f"{at}.contribution"),
                             share=f.pct(c["share"]), share_cite=f.cite(f"{at}.share")))
            parts += _item_behind(f, found, f"{path}.{side}", side, rate)
            if rate and c.get("mix") is not None and c.get("rate") is not None:
                parts.append(f.t("drv_mix", mix=amount(f, c["mix"], True),
                                 mix_cite=f.cite(f"{at}.mix"), rate=amount(f, c["rate"], True),
                                 rate_cite=f.cite(f"{at}.rate")))
    return " ".join(parts)


def _item_behind(f: Facts, found: list[dict[str, Any]], path: str, side: str,
                 rate: bool) -> list[str]:
    """The largest item of a side whose largest contributor is a group (a category, an
    author): which item carried the group's move."""
    if rate or found[0].get("dim") == "content":
        return []
    at = next((i for i, c in enumerate(found) if c.get("dim") == "content"
               and c.get("share") is not None), None)
    if at is None:
        return []
    c = found[at]
    return [f.t(f"drv_item_{side}", name=value_name(f, c), change=amount(f, c["contribution"],
                                                                        False),
                cite=f.cite(f"{path}[{at}].contribution"), share=f.pct(c["share"]),
                share_cite=f.cite(f"{path}[{at}].share"))]


def driver_lines(f: Facts) -> list[str]:
    rows = list(enumerate(f.section("drivers").get("metrics") or []))

    def size(pair: tuple[int, dict[str, Any]]) -> float:
        relative = pair[1].get("relative_change")
        return abs(float(relative)) if relative is not None else -1.0

    counts = sorted((p for p in rows if p[1].get("kind") == "count"), key=lambda p: -size(p))
    scoped = f.section("drivers").get("scope") in ("item", "author")
    told = [driver_sentence(f, row, f"drivers.metrics[{i}]")
            or (_unsplit_sentence(f, row, f"drivers.metrics[{i}]") if scoped else None)
            for i, row in counts[:DRIVER_KPIS]]
    lines = [line for line in told if line]
    return [*_scope_note(f, "drivers"), *lines] if lines else [f.t("drv_none")]


def anomaly_lines(f: Facts) -> list[str]:
    section = f.section("anomalies")
    if section.get("status") == "not_enough_history":
        return [f.t("anom_short")]
    items = [r for r in section.get("flagged") or [] if isinstance(r, dict)]
    if not items:
        return [f.t("anom_none")]
    lines = list(_scope_note(f, "anomalies"))
    told: set[tuple[Any, Any]] = set()
    for i, row in enumerate(items):
        # The context lists the most unusual first; one line per day (or hour): an outage
        # flags every KPI that day, which would crowd out the other unusual days.
        moment = (row.get("day"), row.get("hour"))
        if moment in told or len(told) >= ANOMALIES_TOLD:
            continue
        told.add(moment)
        rate, path = str(row.get("metric")) in _RATE_KEYS, f"anomalies.flagged[{i}]"
        when = str(row["day"]) + (f" {int(row['hour']):02d}:00" if row.get("hour") is not None
                                  else "")
        subject = metric(f, row["metric"])
        if row.get("dim") not in (None, "all"):
            subject = f"{subject} · {value_name(f, row)}"
        line = f.t(f"anom_{row.get('direction', 'up')}", day=when, metric=subject,
                   actual=level(f, row["actual"], rate), cite=f.cite(f"{path}.actual"),
                   low=level(f, row["low"], rate), low_cite=f.cite(f"{path}.low"),
                   high=level(f, row["high"], rate), high_cite=f.cite(f"{path}.high"))
        drivers = row.get("drivers") or []
        if drivers and drivers[0].get("share") is not None:
            line += " " + f.t("anom_driver", name=value_name(f, drivers[0]),
                              share=f.pct(drivers[0]["share"]),
                              cite=f.cite(f"{path}.drivers[0].share"))
        lines.append(line)
    return lines


def forecast_lines(f: Facts) -> list[str]:
    if f.section("forecast").get("period_ended"):
        return [translate(f.lang, "insights.forecast_period_ended")]
    rows = [r for r in f.section("forecast").get("metrics") or [] if isinstance(r, dict)]
    lines = list(_scope_note(f, "forecast"))
    for i, row in enumerate(rows):
        path = f"forecast.metrics[{i}]"
        if not row.get("next_7") or not row.get("next_14"):
            lines.append(f.t("fc_short", metric=metric(f, row.get("metric"))))
            continue
        week, fortnight = row["next_7"], row["next_14"]
        lines.append(f.t(
            "fc_line", metric=metric(f, row["metric"]),
            est7=f.count(week["estimate"]), cite7=f.cite(f"{path}.next_7.estimate"),
            low7=f.count(week["low"]), high7=f.count(week["high"]),
            range7=f.cite(f"{path}.next_7.low") + " " + f.cite(f"{path}.next_7.high"),
            est14=f.count(fortnight["estimate"]), cite14=f.cite(f"{path}.next_14.estimate"),
            low14=f.count(fortnight["low"]), high14=f.count(fortnight["high"]),
            range14=f.cite(f"{path}.next_14.low") + " " + f.cite(f"{path}.next_14.high")))
    return lines if rows else [f.t("fc_none")]


def headline_sentence(f: Facts) -> str:
    """The largest change of the period (the what-changed report's first sentence)."""
    row = f.section("headline")
    if not row or row.get("relative_change") is None:
        return f.t("head_none")
    return f.t("head_line", metric=metric(f, row["metric"]),
               before=f.count(row["before"]), before_cite=f.cite("headline.before"),
               after=f.count(row["after"]), after_cite=f.cite("headline.after"),
               change=f"{float(row['relative_change']):+.1f}%",
               cite=f.cite("headline.relative_change"))


def headline_drivers(f: Facts) -> list[str]:
    row = f.section("headline")
    found = [(side, i, c) for side in ("rises", "falls")
             for i, c in enumerate(row.get(side) or []) if c.get("share") is not None]
    return [f.t("head_driver", name=value_name(f, c),
                change=amount(f, c["contribution"], False),
                cite=f.cite(f"headline.{side}[{i}].contribution"), share=f.pct(c["share"]),
                share_cite=f.cite(f"headline.{side}[{i}].share")) for side, i, c in found]


def change_blocks(f: Facts) -> list[str]:
    """The markdown blocks (headings and bullets) of drivers, anomalies and forecast."""
    blocks: list[str] = []
    if f.kind is ReportType.WHAT_CHANGED:
        blocks += [f.t("h_headline"), _bullets(headline_drivers(f) or [f.t("drv_none")])]
    else:
        blocks += [f.t("h_drivers"), _bullets(driver_lines(f))]
    return [*blocks, f.t("h_anomalies"), _bullets(anomaly_lines(f)), f.t("h_forecast"),
            _bullets(forecast_lines(f))]


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)
