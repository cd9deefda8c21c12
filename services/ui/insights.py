"""The dashboard's insights panel: what drove the largest change, the period's unusual days and
hours, and the next days' estimate (all from ``services.insights``; labels here)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import pandas as pd
import streamlit as st

from services.analytics.dashboards import Period
from services.domain.analytics import Dim, Purpose
from services.domain.models import Category
from services.insights.analysis import Insights
from services.insights.anomalies import WEEKS, Anomaly
from services.insights.cube import driver_mark_name
from services.insights.drivers import DELETED, NAMED_DIMS, REST, Contribution, Drivers, fold_unnamed
from services.insights.forecast import HORIZONS
from services.insights.metrics import RATES
from services.ui import lazy
from services.ui.chart_view import show_chart
from services.ui.dashboard import INSIGHTS_OPEN_KEY, widget_key
from services.ui.data_table import Col, ColumnKind, table
from services.ui.i18n import category_label, language, period_text, relabel, t
from services.ui.insights_cache import CACHE_TTL_SECONDS
from services.ui.insights_chart import forecast_chart
from services.ui.tracking import purpose_label

PART_KEY = "insights_part"
METRIC_KEY = "insights_metric"
TOP_DRIVERS = 4  # rises and falls each
ANOMALIES_SHOWN = 30
PARTS = ("drivers", "anomalies", "forecast")
RATE_KEYS = frozenset(rate.key for rate in RATES)


def metric_label(key: str) -> str:
    return t(f"insights.metric.{key}")


def dim_label(dim: str) -> str:
    key = f"insights.dim.{dim}"
    label = t(key)
    return dim if label == key else label  # a dimension added later shows its own name


def value_label(dim: str, value: str, names: Mapping[str, Mapping[str, str]]) -> str:
    """A dimension value as a reader knows it; user-typed values are returned as they are
    (tables show them as plain text)."""
    if value == REST:
        return t("insights.rest")
    if dim == Dim.CATEGORY and value in set(Category):
        return category_label(value)
    if dim in (Dim.PURPOSE, Dim.SIGNUP_PURPOSE) and value in set(Purpose):
        return purpose_label(value)
    if dim in NAMED_DIMS and dim in names and value not in names[dim]:
        # Deleted or unpublished: never its id (counts fold them into one row, DELETED).
        return t("analytics.deleted_items" if value == DELETED else "analytics.deleted_item")
    return (driver_mark_name(language(), dim, value)
            or names.get(dim, {}).get(value, value))


def drivers_frame(drivers: Drivers, names: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """The strongest rises and falls over every dimension, one row each."""
    drivers = fold_unnamed(drivers, names)
    rows = [*drivers.top(TOP_DRIVERS, sign=1), *drivers.top(TOP_DRIVERS, sign=-1)]
    return pd.DataFrame([_driver_row(c, names) for c in rows],
                        columns=["dim", "value", "before", "after", "change", "share", "mix",
                                 "rate"])


def _driver_row(c: Contribution, names: Mapping[str, Mapping[str, str]]) -> dict[str, object]:
    return {"dim": dim_label(c.dim), "value": value_label(c.dim, c.value, names),
            "before": c.before, "after": c.after, "change": c.change, "share": c.share,
            "mix": c.mix, "rate": c.rate}


def change_text(drivers: Drivers) -> str:
    before, after = drivers.before or 0.0, drivers.after or 0.0
    if drivers.kind == "rate":
        return t("insights.rate_change", metric=metric_label(drivers.metric),
                 change=f"{(after - before) * 100:+.1f}", before=f"{before:.1%}",
                 after=f"{after:.1%}")
    relative = drivers.relative_change
    if relative is None:  # from zero or below: the difference, as the dashboard's tiles say
        return t("insights.count_difference", metric=metric_label(drivers.metric),
                 difference=f"{after - before:+,.0f}", before=f"{before:,.0f}",
                 after=f"{after:,.0f}")
    return t("insights.count_change", metric=metric_label(drivers.metric),
             change=f"{relative * 100:+.1f}", before=f"{before:,.0f}", after=f"{after:,.0f}")


def _drivers_section(found: Insights) -> None:
    explained = [d for d in found.drivers if d.by_dim and d.change]
    headline = found.headline()
    if not explained or headline is None:
        st.info(t("insights.no_change"), icon=":material/info:")
        return
    keys = [d.metric for d in explained]
    # The choice lives in a plain session key: another period may not have it to offer, and
    # each language gets its own widget (as the dashboard's filters do).
    stored = st.session_state.get(METRIC_KEY)
    index = keys.index(stored) if stored in keys else keys.index(headline.metric)
    chosen = st.selectbox(t("insights.metric_pick"), keys, index=index, format_func=metric_label,
                          key=relabel(widget_key(METRIC_KEY))) or headline.metric
    st.session_state[METRIC_KEY] = chosen
    drivers = found.of(chosen) or headline
    st.caption(change_text(drivers))
    frame = drivers_frame(drivers, found.names)
    if frame.empty:
        st.caption(t("insights.no_drivers"))
        return
    rate = drivers.kind == "rate"
    kind: ColumnKind = "percent" if rate else "int"
    points: ColumnKind = "float" if rate else "int"
    if rate:  # rates and their effects in percentage points
        frame = frame.assign(**{c: frame[c] * 100 for c in ("change", "mix", "rate")})
    cols = [Col("dim", t("insights.col.dim")), Col("value", t("insights.col.value"), "wide"),
            Col("before", t("insights.col.before"), kind),
            Col("after", t("insights.col.after"), kind),
            Col("change", t("insights.col.change_pp" if rate else "insights.col.change"),
                points),
            Col("share", t("insights.col.share"), "percent")]
    if rate:
        cols += [Col("mix", t("insights.col.mix"), "float"),
                 Col("rate", t("insights.col.rate"), "float")]
    # Read at a glance on every visit: HTML, not a grid (``static_table``).
    table(frame, cols, f"insights_drivers_{chosen}", found.period,
          static=t("insights.drivers_title"))
    st.caption(t("insights.rate_note" if rate else "insights.count_note"))


def _when(anomaly: Anomaly) -> str:
    day = anomaly.day.isoformat()
    return day if anomaly.hour is None else f"{day} {anomaly.hour:02d}:00"


def _segment(anomaly: Anomaly, names: Mapping[str, Mapping[str, str]]) -> str:
    if anomaly.dim == "all":
        return t("insights.whole")
    return f"{dim_label(anomaly.dim)}: {value_label(anomaly.dim, anomaly.value, names)}"


def _number(anomaly: Anomaly, value: float) -> str:
    return f"{value:.1%}" if anomaly.metric in RATE_KEYS else f"{value:,.0f}"


def _likely(anomaly: Anomaly, names: Mapping[str, Mapping[str, str]]) -> str:
    if anomaly.drivers is None:
        return ""
    top = fold_unnamed(anomaly.drivers, names).top(2, sign=anomaly.direction)
    if anomaly.drivers.kind == "rate":
        return ", ".join(f"{value_label(c.dim, c.value, names)} ({c.change * 100:+.1f}%p)"
                         for c in top)
    return ", ".join(f"{value_label(c.dim, c.value, names)} ({c.change:+,.0f})" for c in top)


def anomalies_frame(found: Insights) -> pd.DataFrame:
    """Values as text: counts and rates share the columns."""
    rows = [{"when": _when(a), "metric": metric_label(a.metric),
             "segment": _segment(a, found.names), "actual": _number(a, a.actual),
             "expected": _number(a, a.expected),
             "range": f"{_number(a, a.low)} – {_number(a, a.high)}",
             "drivers": _likely(a, found.names)}
            for a in found.anomalies.anomalies[:ANOMALIES_SHOWN]]
    return pd.DataFrame(rows, columns=["when", "metric", "segment", "actual", "expected",
                                       "range", "drivers"])


def _anomalies_section(found: Insights) -> None:
    report = found.anomalies
    short = sorted({metric_label(c.metric) for c in report.short_history if c.dim == "all"})
    if short:
        st.warning(t("insights.not_enough_history", metrics=", ".join(short), weeks=WEEKS),
                   icon=":material/history:")
    if not report.checks:
        st.info(t("insights.nothing_judged"), icon=":material/info:")
        return
    frame = anomalies_frame(found)
    if frame.empty:
        st.success(t("insights.no_anomalies"), icon=":material/check_circle:")
        return
    table(frame, [Col("when", t("insights.col.when")), Col("metric", t("insights.col.metric")),
                  Col("segment", t("insights.col.segment")),
                  Col("actual", t("insights.col.actual")),
                  Col("expected", t("insights.col.expected")),
                  Col("range", t("insights.col.range")),
                  Col("drivers", t("insights.col.likely_drivers"), "wide")],
          "insights_anomalies", found.period)
    st.caption(t("insights.anomaly_note", weeks=WEEKS))


def forecast_frame(found: Insights) -> pd.DataFrame:
    rows = []
    for forecast in found.forecasts:
        if not forecast.enough_history:
            continue
        row: dict[str, object] = {"metric": metric_label(forecast.metric)}
        for days in HORIZONS:
            estimate, low, high = forecast.total(days)
            row |= {f"estimate_{days}": estimate, f"low_{days}": low, f"high_{days}": high}
        row["mape"] = forecast.mape
        rows.append(row)
    return pd.DataFrame(rows, columns=["metric", *(f"{k}_{d}" for d in HORIZONS
                                                   for k in ("estimate", "low", "high")),
                                       "mape"])


def _forecast_section(found: Insights) -> None:
    if found.period_ended:
        st.info(t("insights.forecast_period_ended"), icon=":material/info:")
        return
    frame = forecast_frame(found)
    if frame.empty:
        st.info(t("insights.forecast_short"), icon=":material/info:")
        return
    cols = [Col("metric", t("insights.col.metric"))]
    for days in HORIZONS:
        cols += [Col(f"estimate_{days}", t("insights.col.estimate", days=days), "int"),
                 Col(f"low_{days}", t("insights.col.low", days=days), "int"),
                 Col(f"high_{days}", t("insights.col.high", days=days), "int")]
    names = {f.metric: metric_label(f.metric) for f in found.forecasts}
    figure = forecast_chart(found.forecasts, names, t("insights.forecast_chart"),
                            t("insights.estimate"))
    show_chart(figure, "chart_insights_forecast")
    table(frame, [*cols, Col("mape", t("insights.col.mape"), "float")], "insights_forecast",
          found.period)
    st.caption(t("insights.forecast_note"))


def insights_panel(found: Insights, period: Period) -> None:
    """Below the KPI tiles, folded at first, so the trend chart shows without scrolling and the
    page draws sooner (the panel was the largest part of the first screen); once opened it
    stays open for the session. Open, it draws one of three parts
    (platform-wide): what drove the change, unusual days and hours, the forecast."""
    lazy.expander(t("insights.panel"), INSIGHTS_OPEN_KEY, partial(_panel, found, period),
                  icon=":material/lightbulb:", kept=True)


def _panel(found: Insights, period: Period) -> None:
    previous = period.previous()
    st.caption(t("insights.scope", previous=period_text(previous.start, previous.end)) + " "
               + t("insights.cache_note", seconds=CACHE_TTL_SECONDS))
    # One part drawn at a time: the other two would add a chart and two tables to every
    # run of the page, drawn out of sight.
    lazy.tab_sections([t(f"insights.{name}_title") for name in PARTS], PART_KEY,
                      [partial(section, found) for section in
                       (_drivers_section, _anomalies_section, _forecast_section)])
