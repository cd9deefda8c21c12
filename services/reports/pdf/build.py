"""The report PDF: ``build_report_pdf(report) -> bytes`` (pure: a Report in, PDF bytes out).

Pages: a cover (title, period, generated at in the local time zone, the model and the
requester as the report page names them, the offline narrator label, the prompt version and
report id labelled as references), the contents, the key figures, the narrative (markdown
rendered: headings, lists, bold, tables; each cited figure's data path drawn as a numbered
footnote marker), the charts, a data appendix (the key tables), a provenance appendix (model,
its id, prompt version, tokens, cost, latency, the grounding check with every unmatched
number) and, when the narrative cites figures, the sources appendix (marker number, where the
figure comes from, value, data path). Every page after the cover has a header, a footer and
"page n of N".

NanumGothic is embedded (TrueType subset), so Korean renders in every viewer. The output is
deterministic for a given report (``invariant``), so a rebuilt PDF is the same file; its
creation and modification dates are the report's own ``created_at``.
"""

from __future__ import annotations

import io
from datetime import tzinfo
from zoneinfo import ZoneInfo

from reportlab.platypus import Flowable, NextPageTemplate, PageBreak

from services.domain.reports import OFFLINE_MODEL_ID, Report
from services.i18n.times import format_time
from services.reports.charts import build_charts
from services.reports.citations import footnotes
from services.reports.data import Labels
from services.reports.pdf.document import ReportDocument, contents_entries
from services.reports.pdf.insights import insights_section
from services.reports.pdf.sections import (
    charts_section,
    contents_section,
    cover_section,
    data_appendix,
    kpi_section,
    narrative_section,
    period_label,
    provenance_section,
    sources_appendix,
    with_footnote_note,
)
from services.reports.pdf.styles import register_fonts

DEFAULT_TZ = "Asia/Seoul"  # settings.timezone's default; callers pass settings.tz


def report_title(report: Report, labels: Labels) -> str:
    return report.title.strip() or labels.t(f"pdf.type_{report.type.value}")


def report_tz(report: Report, tz: tzinfo | None) -> tzinfo:
    """The zone given, else the report's own (``extra["timezone"]``), else Seoul."""
    if tz is not None:
        return tz
    name = str(report.extra.get("timezone") or DEFAULT_TZ)
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo(DEFAULT_TZ)


def report_story(report: Report, labels: Labels, tz: tzinfo) -> list[Flowable]:
    """Every flowable of the report, in order."""
    ctx = report.context if isinstance(report.context, dict) else {}
    charts = build_charts(ctx, labels, report.type.value)
    offline = report.model_id == OFFLINE_MODEL_ID
    generated = format_time(report.created_at, tz)
    cited = footnotes(report.narrative, ctx, labels.lang)  # paths become numbered markers
    sources = sources_appendix(cited.sources, labels)
    body: list[Flowable] = [
        *kpi_section(ctx, labels),
        *with_footnote_note(narrative_section(cited.text, labels), cited.sources, labels),
        PageBreak(),
        *charts_section(charts, labels),
        PageBreak(),
        *((*insights, PageBreak()) if (insights := insights_section(ctx, labels)) else ()),
        *data_appendix(ctx, labels),
        PageBreak(),
        *provenance_section(report, labels, generated),
        *([PageBreak(), *sources] if sources else []),
    ]
    return [
        *cover_section(report, labels, report_title(report, labels), generated,
                       offline=offline),
        NextPageTemplate("body"),
        PageBreak(),
        *contents_section(labels, contents_entries(body)),
        PageBreak(),
        *body,
    ]


def build_report_pdf(report: Report, *, tz: tzinfo | None = None) -> bytes:
    """The PDF of ``report`` in its own language; times shown in ``tz`` (see ``report_tz``)."""
    register_fonts()
    labels = Labels(report.language.value)
    zone = report_tz(report, tz)
    title = report_title(report, labels)
    period = period_label(labels, report.period_start, report.period_end)
    out = io.BytesIO()
    doc = ReportDocument(out, title=title, header_right=period, subject=labels.t("pdf.kicker"),
                         footer=labels.t("pdf.footer",
                                         generated=format_time(report.created_at, zone)),
                         page_format=labels.t("pdf.page", page="{page}", total="{total}"),
                         created=report.created_at)
    doc.build_story(report_story(report, labels, zone))
    return out.getvalue()
