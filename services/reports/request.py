"""What a report asks for and what it would send: the user's ``ReportRequest``, and the
``Preview`` built for it: the context from the dashboards of the period and of the one before,
with the platform's insights or, for a report about one item or author (``subject``), that
subject's own (``services.insights.scoped``), and the prompt rendered from it. Every part reads
one snapshot of the store (``services.analytics.snapshot``), so that a report states one
number per metric however many events arrive while it is built. No permission
check here: ``ReportService`` checks before it builds one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from services.analytics.dashboards import Period, dashboard
from services.analytics.period_data import ALL_DIMS
from services.analytics.snapshot import HourReads, Reads, read_snapshot
from services.analytics.tables import Catalog, load_catalog
from services.domain.analytics import Dim, EventType
from services.domain.reports import ReportLanguage, ReportType
from services.insights.analysis import Insights
from services.insights.scoped import SCOPED_DIMS, ScopedInsights, load_scoped
from services.insights.service import MapFn, insight_reads, load_insights
from services.ports import ContentRepository, EventStore
from services.reports.context import build_context
from services.reports.models import OFFLINE
from services.reports.prompts import RenderedPrompt, prompt_for
from services.reports.scoped_context import SUBJECT_DIMS, subject_name

MIN_TOP_ITEMS = 20


@dataclass(frozen=True)
class ReportRequest:
    """What the user chose on the page (or the script on its command line)."""

    report_type: ReportType
    language: ReportLanguage
    period: Period
    model: str = OFFLINE
    temperature: float = 0.2
    max_tokens: int = 4096
    subject: str = ""  # content report: one item's id; author report: one author's id


@dataclass(frozen=True)
class Preview:
    """The exact context and prompt a request would send."""

    context: dict[str, Any]
    prompt: RenderedPrompt


def same_request(preview: Preview, request: ReportRequest) -> bool:
    ctx = preview.context
    return (ctx.get("report_type") == request.report_type.value
            and ctx.get("language") == request.language.value
            and ctx.get("period", {}).get("start") == request.period.start.isoformat()
            and ctx.get("period", {}).get("end") == request.period.end.isoformat()
            and (ctx.get("subject") or {}).get("id", "") == request.subject)


def build_preview(events: EventStore, repo: ContentRepository, kind: ReportType,
                  language: ReportLanguage | str, period: Period, subject: str, now: datetime,
                  each: MapFn) -> Preview:
    """``now``: the moment in the app's zone; ``each`` maps the insights' per-day visitor
    reads (``services.insights.service.load_insights``)."""
    catalog = load_catalog(repo)
    name = subject_name(kind, subject, catalog) if subject else ""
    limit = max(len(catalog), MIN_TOP_ITEMS)
    # One read for every part: the dashboards and the insights count the same events.
    snapshot = read_snapshot(events, report_reads(period, now.date(), bool(subject)), each)
    current = dashboard(snapshot, repo, period, catalog=catalog, limit=limit)
    previous = dashboard(snapshot, repo, period.previous(), catalog=catalog, limit=limit,
                         compared=False)  # its own tables only: the report compares
    insights = (_insights(snapshot, period, catalog, now) if not subject
                else _scoped(snapshot, period, catalog, now, SUBJECT_DIMS[kind], subject))
    context = build_context(kind, current, previous, period, language, insights, name,
                            last_day_partial=period.running(now.date()))
    return Preview(context, prompt_for(context))


def report_reads(period: Period, today: date, subject: bool) -> Reads:
    """What a report reads of the store, once: the insights' reads (platform-wide, or a
    subject's own dimensions with no per-day visitors) and its two dashboards' (every
    dimension of their tables, both periods' hourly page views and visitors; the days of
    both periods are within the insights' window)."""
    found, previous = insight_reads(period, today), period.previous()
    if subject:
        found = replace(found, dims=found.dims | SCOPED_DIMS,
                        visitors=((previous.start, previous.end), (period.start, period.end)))
    # Each dashboard's time of day: its period's hourly page views, shown beside the page-view
    # KPI, which is their sum (``HourReads.totals``) on a store without one moment.
    pages = HourReads((previous.start, period.end), frozenset({EventType.PAGE_VIEW}),
                      totals=True)
    return replace(found, dims=found.dims | frozenset(ALL_DIMS), hours=(*found.hours, pages))


def _scoped(events: EventStore, period: Period, catalog: Catalog, now: datetime, dim: Dim,
            subject: str) -> ScopedInsights:
    """The subject's own insights (``services.insights.scoped``), never platform-wide."""
    found = load_scoped(events, period, catalog, now.date(), dim, subject)
    return replace(found, names=_names(catalog))


def _insights(events: EventStore, period: Period, catalog: Catalog,
              now: datetime) -> Insights:
    """The period's drivers, anomalies and forecast, platform-wide (read directly: the
    caller has GENERATE_REPORTS, which need not include the dashboards' permission)."""
    found = load_insights(events, period, now.date(), now.hour)
    return replace(found, names=_names(catalog))


def _names(catalog: Catalog) -> dict[str, dict[str, str]]:
    return {Dim.CONTENT.value: {item.id: item.title for item in catalog},
            Dim.AUTHOR.value: catalog.author_names()}
