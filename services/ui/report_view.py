"""A saved report on screen (narrative with unmatched numbers highlighted and numbered footnote
markers for its cited figures, the sources table under it with a toggle for the data paths, the
number check, provenance, PDF with a preview, delete) and the history tab (list, open,
compare)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from services.bootstrap import Services
from services.content.markdown import render_inert
from services.domain.permissions import Actor
from services.domain.reports import OFFLINE_MODEL_ID, Report, ReportSummary, report_author
from services.errors import DemoFactoryError
from services.i18n.times import format_time
from services.reports.citations import Footnoted, footnotes, replace_markers
from services.reports.compare import kpi_comparison
from services.reports.grounding import unmatched_spans
from services.reports.models import model_words
from services.ui import confirm
from services.ui.footnote import footnote_html
from services.ui.i18n import LANGUAGE_NAMES, kpi_text, language, period_text, relabel, t
from services.ui.report_chat import chat_box
from services.ui.report_pdf import pdf_section
from services.ui.table_widths import grid
from services.ui.widgets import flash, md_escape, show_error, show_html

log = logging.getLogger(__name__)

MINE_KEY = "rep_history_mine"
OPEN_KEY = "rep_history_open"
COMPARE_KEY = "rep_history_compare"
HISTORY_LIMIT = 200
HISTORY_WIDGETS = (MINE_KEY, OPEN_KEY, COMPARE_KEY)  # kept while the builder tab is open


def model_label(model: str) -> str:
    return model_words(model, language())


# Private-use characters mark the unmatched numbers through the markdown pass; no narrative
# contains them (they are removed first) and markdown-it leaves them alone.
_MARK_START, _MARK_END = "\ue000", "\ue001"
MARK_HTML = ('<mark style="background-color:#ffe3e3;color:#c92a2a"><strong>', "</strong></mark>")


def narrative_html(text: str) -> str:
    """A narrative as HTML for ``st.html``: structure and emphasis, but any link, image or
    markup it quotes (titles, search terms typed by users) stays literal text."""
    return render_inert(text)


def reader_html(text: str, context: Mapping[str, Any], lang: str,
                spans: list[tuple[int, int]] | None = None) -> tuple[str, Footnoted]:
    """A narrative as readers see it: HTML with its data paths turned into numbered footnote
    markers (``services.reports.citations``) and the numbers at ``spans`` marked in red; and
    the footnotes, for the table under it."""
    text = text.replace(_MARK_START, "").replace(_MARK_END, "")
    parts, at = [], 0
    for start, end in spans or []:
        parts += [text[at:start], _MARK_START, text[start:end], _MARK_END]
        at = end
    cited = footnotes("".join([*parts, text[at:]]), context, lang)
    by_number = {s.number: s for s in cited.sources}
    shown = narrative_html(cited.text)
    shown = shown.replace(_MARK_START, MARK_HTML[0]).replace(_MARK_END, MARK_HTML[1])
    return replace_markers(shown, lambda n: footnote_html(by_number.get(n), n, lang)), cited


def reader_view(report: Report) -> tuple[str, Footnoted]:
    """The narrative as HTML with every unmatched number marked in red, and its footnotes."""
    text = report.narrative.replace(_MARK_START, "").replace(_MARK_END, "")
    return reader_html(text, report.context, report.language.value,
                       list(unmatched_spans(text, report.context)))


def highlighted(report: Report) -> str:
    """The narrative as readers see it (``reader_view`` without the footnotes)."""
    return reader_view(report)[0]


def sources_table(cited: Footnoted, paths: bool) -> pd.DataFrame:
    """No. -> where it comes from -> value (-> data path, for auditors)."""
    return pd.DataFrame([{
        t("sources.col_number"): s.number, t("sources.col_source"): s.label,
        t("sources.col_value"): s.value,
        **({t("sources.col_path"): s.path} if paths else {}),
    } for s in cited.sources])


def show_sources(cited: Footnoted, key: str) -> None:
    """The footnotes under a narrative, with the toggle that shows the data paths."""
    if not cited.sources:
        return
    st.markdown(f"**{t('sources.title')}**")
    st.caption(t("sources.note"))
    paths = st.toggle(t("sources.show_paths"), key=f"{key}_paths",
                      help=t("sources.show_paths_help"))
    grid(sources_table(cited, paths), wide=(t("sources.col_source"), t("sources.col_path")))


def _when(services: Services, moment: datetime, seconds: bool = False) -> str:
    return format_time(moment, services.settings.tz, seconds=seconds)


def _history_labels(services: Services, reports: list[ReportSummary]) -> dict[str, str]:
    """One line per report, none the same: created to the second, and two that still read
    alike (made in the same second) told apart by the end of their ids."""
    labels = {r.id: t("reports.history_item", when=_when(services, r.created_at, seconds=True),
                      title=r.title, period=_period(r), model=model_label(r.model_id),
                      who=r.author) for r in reports}
    counts = Counter(labels.values())
    return {key: f"{label} · #{key[-6:]}" if counts[label] > 1 else label
            for key, label in labels.items()}


def _period(report: Report | ReportSummary) -> str:
    return period_text(report.period_start, report.period_end)


def _grounding(report: Report) -> None:
    found = report.grounding
    if not found.checked:
        st.info(t("reports.grounding_none"), icon=":material/rule:")
    elif found.ok:
        st.success(t("reports.grounding_ok", checked=found.checked), icon=":material/verified:")
    else:
        st.warning(t("reports.grounding_bad", count=len(found.unmatched), checked=found.checked),
                   icon=":material/report:")
        st.markdown("\n".join(
            "- " + t("reports.unmatched_item", text=md_escape(u.text),
                     sentence=md_escape(u.sentence))
            for u in found.unmatched))


def show_report(services: Services, actor: Actor, report: Report, key: str) -> None:
    st.subheader(md_escape(report.title) or report.type.value, anchor=False)
    st.caption(t("reports.meta", period=_period(report), model=model_label(report.model_id),
                 who=md_escape(report_author(report)), when=_when(services, report.created_at)))
    st.caption(t("reports.usage", input=f"{report.input_tokens:,}",
                 output=f"{report.output_tokens:,}", cost=f"{report.cost_usd:,.4f}",
                 seconds=f"{report.latency_ms / 1000:.1f}", prompt=report.prompt_version))
    if report.model_id == OFFLINE_MODEL_ID:
        st.badge(t("reports.offline_badge"), icon=":material/offline_bolt:", color="gray")
    _grounding(report)
    if report.extra.get("truncated"):
        st.warning(t("reports.truncated"))
    shown, cited = reader_view(report)
    with st.container(border=True):
        show_html(shown)
        show_sources(cited, key)
    pdf_section(services, report, key)
    chat_box(services, actor, report, key, model_label)
    if services.reports.may_delete(actor, report):
        _delete(services, actor, report, key)


def _delete(services: Services, actor: Actor, report: Report, key: str) -> None:
    """Delete asks for a second, explicit click, as every destructive action does
    (``services.ui.confirm``); one question per view of the page (``key``: the last report,
    the history's), about the report it shows."""
    question = f"confirm_delete_report_{key}"
    if st.button(t("reports.delete"), key=f"{key}_delete", icon=":material/delete:"):
        confirm.ask(question, about=report.id)
    if not confirm.pending(question, about=report.id):
        return
    st.warning(t("reports.delete_confirm", title=md_escape(report.title)),
               icon=":material/warning:")
    if confirm.answers(question, t("reports.delete_yes"), f"{key}_delete"):
        try:
            services.reports.delete(actor, report.id)
        except DemoFactoryError as exc:
            show_error(exc)
            return
        flash(t("reports.deleted"))
        st.rerun()


def _table(services: Services, reports: list[ReportSummary]) -> pd.DataFrame:
    return pd.DataFrame([{
        t("reports.col_created"): _when(services, r.created_at),
        t("reports.col_title"): r.title,
        t("reports.col_type"): t(f"reports.type_{r.type.value}"),
        t("reports.col_language"): LANGUAGE_NAMES.get(r.language.value, r.language.value),
        t("reports.col_period"): _period(r),
        t("reports.col_model"): model_label(r.model_id),
        t("reports.col_by"): r.author,
        t("reports.col_unmatched"): r.unmatched,
    } for r in reports])


def _compare(services: Services, actor: Actor, labels: dict[str, str]) -> None:
    chosen = st.multiselect(t("reports.history_compare"), list(labels),
                            format_func=labels.__getitem__, max_selections=2,
                            key=relabel(COMPARE_KEY), placeholder=t("common.choose"),
                            select_all=False)
    if len(chosen) != 2:
        st.caption(t("reports.history_compare_pick"))
        return
    first, second = services.reports.compare(actor, chosen[0], chosen[1])
    rows = kpi_comparison(first, second)
    grid([{
        t("reports.compare_metric"): t(f"analytics.kpi.{r['key']}"),
        t("reports.compare_first"): kpi_text(r["kind"], r["first"]),
        t("reports.compare_second"): kpi_text(r["kind"], r["second"]),
    } for r in rows])
    for column, report in zip(st.columns(2), (first, second), strict=True):
        with column, st.container(border=True):
            st.markdown(f"**{md_escape(labels[report.id])}**")
            shown, cited = reader_view(report)
            show_html(shown)
            show_sources(cited, f"{COMPARE_KEY}_{report.id}")


def history(services: Services, actor: Actor) -> None:
    """The "history" tab."""
    mine = st.toggle(t("reports.history_mine"), key=MINE_KEY)
    reports = services.reports.history(actor, mine_only=mine, limit=HISTORY_LIMIT)
    if not reports:
        st.info(t("reports.history_empty"), icon=":material/history:")
        return
    grid(_table(services, reports), wide=(t("reports.col_title"),))
    labels = _history_labels(services, reports)
    _compare(services, actor, labels)
    opened = st.selectbox(t("reports.history_open"), list(labels), index=None,
                          format_func=labels.__getitem__, key=relabel(OPEN_KEY),
                          placeholder=t("common.choose"))
    if opened:
        try:
            report = services.reports.get(actor, opened)
        except DemoFactoryError as exc:
            show_error(exc)
            return
        show_report(services, actor, report, "rep_history_view")
