"""The sections of the report PDF, each a list of flowables (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.units import inch, mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from services.domain.reports import Report, report_author
from services.i18n import date_range
from services.reports import data
from services.reports.chart_kit import Chart
from services.reports.citations import Source
from services.reports.data import Labels, fmt_change, fmt_count, fmt_kpi_value, fmt_share
from services.reports.models import model_words
from services.reports.pdf.document import ContentsList
from services.reports.pdf.images import PngImage
from services.reports.pdf.markdown import Heading, markdown_flowables
from services.reports.pdf.styles import (
    ACCENT,
    FRAME_WIDTH,
    OK,
    RULE,
    WARN,
    plain_table_style,
    styles,
)
from services.reports.pdf.tables import paragraph, plain, table


def heading(text: str, key: str, level: int = 0) -> Heading:
    return Heading(plain(text), styles().heading(level + 1), level, key)


def period_label(labels: Labels, start: date, end: date) -> str:
    """``2026-09-01 ~ 2026-09-30 (30일)``."""
    return labels.t("pdf.period_value", period=date_range(labels.lang, start, end),
                    days=(end - start).days + 1)


def _period_text(labels: Labels, period: Any) -> str | None:
    """The context's ``previous_period`` (``{"start", "end", "days"}``) as a label."""
    if not isinstance(period, Mapping) or not period.get("start"):
        return None
    return labels.t("pdf.period_value",
                    period=date_range(labels.lang, period["start"], period.get("end", "")),
                    days=period.get("days", ""))


# ---- cover and contents ------------------------------------------------------------------------

COVER_LABEL_WIDTH = 52 * mm  # the longest label on one line: "Prompt version (AI instructions)"


def cover_section(report: Report, labels: Labels, title: str, generated: str, *,
                  offline: bool) -> list[Flowable]:
    found = styles()
    period = period_label(labels, report.period_start, report.period_end)
    facts = [("pdf.period", period),
             ("pdf.previous_period", _period_text(labels, report.context.get(
                 "previous_period")) if isinstance(report.context, dict) else None),
             ("pdf.generated_at", generated),
             ("pdf.model", model_words(report.model_id, labels.lang)),
             ("pdf.created_by", report_author(report)),
             # References for the record, labelled as such for a reader who is no admin.
             ("pdf.cover_prompt_version", report.prompt_version),
             ("pdf.cover_report_id", report.id)]
    rows = [[Paragraph(plain(labels.t(key)), found.cover_label),
             Paragraph(plain(value), found.cover_value)] for key, value in facts if value]
    facts_table = Table(rows, colWidths=[COVER_LABEL_WIDTH, FRAME_WIDTH - COVER_LABEL_WIDTH],
                        hAlign="LEFT")
    facts_table.setStyle(plain_table_style(("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                                           ("TOPPADDING", (0, 0), (-1, -1), 5),
                                           ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                                           ("LEFTPADDING", (0, 0), (-1, -1), 0)))
    out: list[Flowable] = [
        Spacer(1, 45 * mm),
        Paragraph(plain(labels.t("pdf.kicker")), found.cover_label),
        Spacer(1, 4 * mm),
        Paragraph(plain(title), found.cover_title),
        Paragraph(plain(period), found.cover_sub),
        facts_table,
    ]
    if offline:
        badge = Table([[Paragraph(plain(labels.t("pdf.offline_badge")), found.badge)]],
                      colWidths=[FRAME_WIDTH], hAlign="LEFT")
        badge.setStyle(plain_table_style(("BACKGROUND", (0, 0), (-1, -1), ACCENT),
                                         ("TOPPADDING", (0, 0), (-1, -1), 6),
                                         ("BOTTOMPADDING", (0, 0), (-1, -1), 6)))
        out += [Spacer(1, 8 * mm), badge]
    return out


def contents_section(labels: Labels,
                     entries: Sequence[tuple[int, str, str]]) -> list[Flowable]:
    return [Paragraph(plain(labels.t("pdf.contents")), styles().h1), ContentsList(entries)]


# ---- key figures and narrative -----------------------------------------------------------------


def kpi_section(ctx: Mapping[str, Any], labels: Labels) -> list[Flowable]:
    lines = data.kpis(ctx)
    out: list[Flowable] = [heading(labels.t("pdf.kpi_title"), "kpi")]
    if not lines:
        return [*out, paragraph(plain(labels.t("pdf.data_missing")), "muted")]
    rows = []
    for line in lines:
        value = fmt_kpi_value(line, line.value, labels)
        if line.kind == "label" and line.share is not None:
            value = f"{value} ({fmt_share(line.share)})"
        rows.append([labels.kpi(line.key), value, fmt_kpi_value(line, line.previous, labels),
                     fmt_change(line)])
    header = [labels.t(k) for k in ("pdf.kpi_metric", "pdf.kpi_value", "pdf.kpi_previous",
                                    "pdf.kpi_change")]
    return [*out, table(header, rows, aligns=[None, "right", "right", "right"]),
            Spacer(1, 4), paragraph(plain(labels.t("pdf.kpi_note")), "muted")]


def narrative_section(narrative: str, labels: Labels) -> list[Flowable]:
    body = markdown_flowables(narrative, key_prefix="narrative") if narrative.strip() else []
    if not body:
        return [heading(labels.t("pdf.narrative_title"), "narrative"),
                paragraph(plain(labels.t("pdf.narrative_empty")), "muted")]
    if not isinstance(body[0], Heading):
        body.insert(0, heading(labels.t("pdf.narrative_title"), "narrative"))
    return body


def with_footnote_note(narrative: list[Flowable], sources: Sequence[Source],
                       labels: Labels) -> list[Flowable]:
    """The narrative and, under it, what its bracketed numbers refer to (nothing when none),
    kept on a page with the narrative's last block: alone, the one line once took a page."""
    if not sources:
        return narrative
    note = paragraph(plain(labels.t("sources.pdf_note")), "muted")
    last = len(narrative) - 1
    while last > 0 and isinstance(narrative[last], Spacer):
        last -= 1
    return [*narrative[:last], KeepTogether([*narrative[last:], note])]


PLAIN = "{}"
PATH_MARKUP = '<font size="7" color="#52606D">{}</font>'  # quieter than the label


def sources_appendix(sources: Sequence[Source], labels: Labels) -> list[Flowable]:
    """Where each footnoted number of the narrative comes from: number, label, value and the
    data path (labels quote users' titles and terms: escaped like every cell)."""
    if not sources:
        return []
    header = [plain(labels.t(f"sources.col_{k}")) for k in ("number", "source", "value",
                                                              "path")]
    unknown = f'<font color="{_hex(WARN)}">{{}}</font>'  # a path the data does not have
    rows = [[str(s.number), (PLAIN if s.known else unknown).format(plain(s.label)),
             plain(s.value), PATH_MARKUP.format(plain(s.path))] for s in sources]
    return [heading(labels.t("sources.pdf_title"), "sources"),
            table(header, rows, aligns=["right", None, "right", None], markup=True)]


# ---- charts ------------------------------------------------------------------------------------


def charts_section(charts: Sequence[Chart], labels: Labels) -> list[Flowable]:
    out: list[Flowable] = [heading(labels.t("pdf.charts_title"), "charts")]
    for chart in charts:
        width, height = chart.width_in * inch, chart.height_in * inch
        if width > FRAME_WIDTH:
            width, height = FRAME_WIDTH, height * FRAME_WIDTH / width
        out.append(KeepTogether([heading(chart.title, f"chart-{chart.key}", 1),
                                 PngImage(chart.png, width, height), Spacer(1, 6 * mm)]))
    return out


# ---- data appendix -----------------------------------------------------------------------------


KEEP_ROWS = 15  # tables up to this many rows are never split over two pages


@dataclass(frozen=True)
class Column:
    header_key: str
    key: str
    fmt: Callable[[Any], str] = str


def _change(value: Any) -> str:
    found = data.number(value)
    return "–" if found is None else f"{found:+.1f}%"


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " · ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _tables(labels: Labels) -> list[tuple[str, Callable[[Mapping[str, Any]], list[dict[str, Any]]],
                                            list[Column]]]:
    views = Column("analytics.col.views", "views", fmt_count)
    share = Column("analytics.col.share", "share", fmt_share)
    change = Column("pdf.kpi_change", "change", _change)
    return [
        ("pdf.table_top_content", data.top_content, [
            Column("pdf.col_rank", "rank", fmt_count), Column("analytics.col.title", "title"),
            Column("analytics.col.category", "category", labels.category),
            Column("analytics.col.author", "author", _text), views, share,
            Column("analytics.col.likes", "likes", fmt_count),
            Column("analytics.col.downloads", "downloads", fmt_count), change]),
        ("pdf.table_categories", data.categories, [
            Column("analytics.col.category", "category", labels.category),
            Column("analytics.col.items", "items", fmt_count), views, share,
            Column("analytics.col.likes", "likes", fmt_count), change]),
        ("pdf.table_authors", data.authors, [
            Column("analytics.col.author", "author", _text),
            Column("analytics.col.items", "items", fmt_count), views, share,
            Column("analytics.col.views_per_item", "views_per_item", fmt_count),
            Column("analytics.col.top_titles", "top_titles", _text), change]),
        ("pdf.chart_bands_title", data.view_bands, [
            Column("pdf.col_band", "band", _text),
            Column("analytics.col.items", "items", fmt_count), share]),
        ("pdf.table_purposes", data.purposes, [
            Column("analytics.col.purpose", "purpose", labels.purpose),
            Column("analytics.col.count", "count", fmt_count),
            Column("analytics.col.share_all", "share", fmt_share),
            Column("analytics.col.share_answers", "share_of_answers", fmt_share)]),
        ("pdf.table_search", data.search_top, [
            Column("analytics.col.term", "term", _text),
            Column("analytics.col.searches", "searches", fmt_count),
            Column("analytics.col.zero_results", "zero_results", fmt_count)]),
        ("pdf.table_zero", data.search_zero, [
            Column("analytics.col.term", "term", _text),
            Column("analytics.col.searches", "searches", fmt_count)]),
    ]


def data_appendix(ctx: Mapping[str, Any], labels: Labels) -> list[Flowable]:
    """The key tables of the context (each one present in it; a note when there is none)."""
    out: list[Flowable] = [heading(labels.t("pdf.data_title"), "data")]
    for title_key, rows_of, columns in _tables(labels):
        rows = rows_of(ctx)
        if not rows:
            continue
        present = [c for c in columns if any(c.key in row for row in rows)]
        body = [[c.fmt(row.get(c.key)) if row.get(c.key) is not None else "–"
                 for c in present] for row in rows]
        block = [heading(labels.t(title_key), f"data-{title_key}", 1),
                 table([labels.t(c.header_key) for c in present], body), Spacer(1, 4 * mm)]
        out += [KeepTogether(block)] if len(body) <= KEEP_ROWS else block
    if len(out) == 1:
        out.append(paragraph(plain(labels.t("pdf.data_missing")), "muted"))
    return out


# ---- provenance --------------------------------------------------------------------------------


def _hex(color: Color) -> str:
    return "#" + str(color.hexval())[2:]


def _highlight(sentence: str, number: str) -> str:
    """``sentence`` escaped, with the first ``number`` in it bold and coloured."""
    escaped, target = plain(sentence), plain(number)
    if not target or target not in escaped:
        return escaped
    return escaped.replace(target, f'<b><font color="{_hex(WARN)}">{target}</font></b>', 1)


def grounding_flowables(report: Report, labels: Labels) -> list[Flowable]:
    grounding = report.grounding
    found = styles()
    if grounding.ok:
        key = "pdf.grounding_ok" if grounding.checked else "pdf.grounding_none"
        text = labels.t(key, checked=grounding.checked)
        return [Paragraph(f'<font color="{_hex(OK)}">{plain(text)}</font>', found.body)]
    text = labels.t("pdf.grounding_bad", checked=grounding.checked,
                    count=len(grounding.unmatched))
    rows = [[f"<b>{plain(u.text)}</b>", _highlight(u.sentence, u.text)]
            for u in grounding.unmatched]
    header = [plain(labels.t("pdf.unmatched_number")), plain(labels.t("pdf.unmatched_sentence"))]
    return [Paragraph(f'<font color="{_hex(WARN)}">{plain(text)}</font>', found.body),
            table(header, rows, markup=True)]


def provenance_section(report: Report, labels: Labels, generated: str) -> list[Flowable]:
    facts = [
        ("pdf.model", model_words(report.model_id, labels.lang)),
        ("pdf.model_id", report.model_id),
        ("pdf.prompt_version", report.prompt_version),
        ("pdf.prov_input_tokens", fmt_count(report.input_tokens)),
        ("pdf.prov_output_tokens", fmt_count(report.output_tokens)),
        ("pdf.prov_cost", f"${report.cost_usd:,.4f}"),
        ("pdf.prov_latency", f"{report.latency_ms:,} ms"),
        ("pdf.generated_at", generated),
        ("pdf.created_by", report_author(report)),
        ("pdf.report_id", report.id),
        ("pdf.language", report.language.value),
    ]
    rows = [[labels.t(key), value] for key, value in facts]
    return [
        heading(labels.t("pdf.provenance_title"), "provenance"),
        table([labels.t("pdf.prov_item"), labels.t("pdf.prov_value")], rows,
              aligns=[None, "left"]),
        Spacer(1, 5 * mm),
        heading(labels.t("pdf.prov_grounding"), "grounding", 1),
        *grounding_flowables(report, labels),
        Spacer(1, 5 * mm),
        paragraph(plain(labels.t("pdf.context_note")), "muted"),
    ]

