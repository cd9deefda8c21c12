"""Two saved reports side by side: their KPI rows, for the history's comparison table."""

from __future__ import annotations

from typing import Any

from services.domain.reports import Report


def kpi_comparison(first: Report, second: Report) -> list[dict[str, Any]]:
    """The KPI rows of two reports side by side (key, kind, first value, second value), in the
    order of the first report then any key only the second has. ``kind`` (count, rate or
    label) says how to show the values."""
    def rows(report: Report) -> dict[str, dict[str, Any]]:
        found = report.context.get("kpis") or []
        return {str(r.get("key")): r for r in found if isinstance(r, dict)}

    a, b = rows(first), rows(second)
    keys = list(a) + [k for k in b if k not in a]
    return [{"key": k, "kind": _kpi_kind(a.get(k) or b[k]),
             "first": a.get(k, {}).get("value"), "second": b.get(k, {}).get("value")}
            for k in keys]


def _kpi_kind(row: dict[str, Any]) -> str:
    """A row's kind as saved; older reports without one: a text value is a label."""
    kind = row.get("kind")
    if isinstance(kind, str) and kind:
        return kind
    return "label" if isinstance(row.get("value"), str) else "count"
