"""The report builder (analysts and admins): choices, the data sent, the estimate, generation.

Every choice lives in a plain session key, so a failed generation keeps the user's inputs and a
language switch keeps them too (each language gets its own widget; see ``_choice``). The data
shown in the expander is the exact context sent: the preview is built once per run and handed to
the service, which sends it as is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

import streamlit as st

from services.analytics.dashboards import Period, Preset
from services.analytics.periods import earliest_day
from services.bootstrap import Services
from services.domain.models import new_id
from services.domain.permissions import Actor
from services.domain.reports import Report, ReportLanguage, ReportType
from services.errors import DemoFactoryError
from services.reports.cost import Estimate
from services.reports.models import OFFLINE
from services.reports.request import Preview, ReportRequest
from services.reports.streams import Phase, Reading
from services.ui import insights_cache, lazy, tracking
from services.ui.browser_state import sent_suffix
from services.ui.field_errors import optional, required_note
from services.ui.i18n import LANGUAGE_NAMES, language, period_text, relabel, t
from services.ui.report_pdf import start_pdf
from services.ui.report_view import (
    model_label,
    narrative_html,
    reader_html,
    show_report,
)
from services.ui.streaming import stream_html
from services.ui.widgets import held_elsewhere, show_error

log = logging.getLogger(__name__)

TYPE_KEY = "rep_type"
LANG_KEY = "rep_lang"
PRESET_KEY = "rep_preset"
RANGE_KEY = "rep_range"
MODEL_KEY = "rep_model"
TEMPERATURE_KEY = "rep_temperature"
MAX_TOKENS_KEY = "rep_max_tokens"
GENERATE_KEY = "rep_generate"
BUSY = "busy"  # the generate button's key while a generation is being written
FORM_KEY = "rep_form"  # _Form: the submission token and the generation of its last click
# Widgets of the builder whose values live under their own key (the select boxes keep theirs
# in plain keys): kept while the history tab is open.
BUILDER_WIDGETS = (RANGE_KEY, TEMPERATURE_KEY, MAX_TOKENS_KEY)
CONTEXT_OPEN_KEY = "rep_context_open"
PROMPT_OPEN_KEY = "rep_prompt_open"
SUBJECT_KEY = "rep_subject"  # one per report type: "rep_subject_content", ...
SUBJECT_TYPES = (ReportType.CONTENT.value, ReportType.AUTHOR.value)
DEFAULT_PRESET = Preset.DAYS_30


def widget_key(key: str) -> str:
    """A selectbox keeps its old labels after a language switch: one widget per language,
    the choice itself in the plain session key ``key``."""
    return f"{key}_{language()}"


def _choice(label: str, options: list[str], format_func: Callable[[str], str], key: str,
            default: str) -> str:
    stored = st.session_state.get(key, default)
    index = options.index(stored) if stored in options else 0
    chosen = st.selectbox(label, options, index=index, format_func=format_func,
                          key=relabel(widget_key(key)), placeholder=t("common.choose"))
    st.session_state[key] = chosen or options[0]
    return str(st.session_state[key])


def _subject(services: Services, actor: Actor, kind: str) -> str:
    """A content report's item or an author report's author, whose own insights the report
    then carries ("": every item or author, with platform-wide insights)."""
    if kind not in SUBJECT_TYPES:
        return ""
    names = dict(services.reports.subjects(actor, kind))
    key = f"{SUBJECT_KEY}_{kind}"
    # A subject deleted or unpublished since it was picked stays picked, shown as such (a
    # platform-wide report was written where one about it was asked for); the service refuses
    # it and the page says why.
    return _choice(optional(t(f"reports.subject_{kind}")),
                   ["", *names, *held_elsewhere(key, names)],
                   lambda v: names.get(v) or (t("analytics.deleted_item") if v else
                                              t(f"reports.subject_none_{kind}")),
                   key, "")


def _period(services: Services) -> Period | None:
    analytics = services.analytics
    preset = Preset(_choice(t("reports.period"), [p.value for p in Preset],
                            lambda p: t(f"analytics.preset.{Preset(p).name.lower()}"),
                            PRESET_KEY, DEFAULT_PRESET.value))
    if preset is not Preset.CUSTOM:
        return analytics.period(preset)
    today = analytics.today()
    chosen = st.date_input(t("reports.custom_range"), value=(today - timedelta(days=29), today),
                           min_value=earliest_day(today), max_value=today, key=RANGE_KEY,
                           format="YYYY-MM-DD")
    days = list(chosen) if isinstance(chosen, tuple | list) else [chosen]
    if len(days) != 2 or not all(isinstance(d, date) for d in days):
        st.caption(t("reports.custom_pick_end"))
        return None
    return analytics.period(Preset.CUSTOM, days[0], days[1])


def _model_options(services: Services, model: str) -> tuple[float, int]:
    settings = services.settings
    if model == OFFLINE:
        return settings.bedrock_temperature, settings.bedrock_max_tokens
    left, right = st.columns(2)
    with left:
        temperature = st.slider(t("reports.temperature"), 0.0, 1.0,
                                value=float(settings.bedrock_temperature), step=0.05,
                                key=TEMPERATURE_KEY, help=t("reports.temperature_help"))
    with right:
        max_tokens = st.number_input(t("reports.max_tokens"), min_value=256, max_value=64_000,
                                     value=int(settings.bedrock_max_tokens), step=256,
                                     key=MAX_TOKENS_KEY, help=t("reports.max_tokens_help"))
    return float(temperature), int(max_tokens)


def _data_sent(preview: Preview) -> None:
    """The context and the prompt, each drawn only when opened (tens of kB of highlighted
    text that nobody sees on most visits)."""
    lazy.expander(t("reports.context_title"), CONTEXT_OPEN_KEY, partial(_context, preview),
                  icon=":material/data_object:")
    lazy.expander(t("reports.prompt_title"), PROMPT_OPEN_KEY, partial(_prompt, preview),
                  icon=":material/description:")


def _context(preview: Preview) -> None:
    st.caption(t("reports.context_help"))
    text = json.dumps(preview.context, ensure_ascii=False, indent=2)
    st.download_button(t("reports.context_download"), text.encode("utf-8"),
                       file_name=_file_name(preview.context, "json"),
                       mime="application/json", key="rep_context_download",
                       icon=":material/download:")
    st.json(preview.context, expanded=1)


def _prompt(preview: Preview) -> None:
    st.caption(t("reports.prompt_version", version=preview.prompt.version))
    st.code(preview.prompt.system, language=None, wrap_lines=True)
    st.code(preview.prompt.prompt, language=None, wrap_lines=True)


def _file_name(context: dict[str, Any], extension: str) -> str:
    period = context.get("period", {})
    return (f"report-{context.get('report_type', 'report')}-{period.get('start', '')}"
            f"-{period.get('end', '')}.{extension}")


def _estimate_box(estimate: Estimate) -> None:
    if not estimate.metered:
        st.info(t("reports.offline_note"), icon=":material/offline_bolt:")
        return
    st.markdown(f"**{t('reports.estimate_title')}**")
    cols = st.columns(4)
    cost = (f"${estimate.cost_usd:,.4f}" if estimate.cost_usd is not None
            else t("reports.estimate_cost_unknown"))
    for col, label, value in zip(cols, ("estimate_input", "estimate_output", "estimate_cost",
                                        "estimate_left"),
                                 (f"{estimate.input_tokens:,}", f"{estimate.output_tokens:,}",
                                  cost, f"{estimate.left:,} / {estimate.budget:,}"),
                                 strict=True):
        col.metric(t(f"reports.{label}"), value)
    st.caption(t("reports.estimate_note"))
    if not estimate.fits:
        st.warning(t("reports.err_budget", needed=f"{estimate.tokens:,}",
                     left=f"{estimate.left:,}", used=f"{estimate.used:,}",
                     budget=f"{estimate.budget:,}"), icon=":material/savings:")


def phase_text(phase: Phase) -> str:
    """The step line of ``phase`` ("" once done: the report itself says so)."""
    return "" if phase is Phase.DONE else t(f"reports.phase_{phase.value}")


def show_phase(where: Any, phase: Phase) -> None:
    """The step a generation is at, in the placeholder ``where``: the whole of it has words,
    not only the seconds the model writes (the offline narrator writes at once)."""
    text = phase_text(phase)
    if text:
        where.caption(f":material/progress_activity: {text}")
    else:
        where.empty()


def _writing(where: Any) -> None:
    """Until the model's first words (seconds for a long prompt), the click visibly did
    something."""
    where.info(t("reports.generating"), icon=":material/hourglass_top:")


def show_stream(chunks: Iterable[str], context: Mapping[str, Any] | None = None,
                lang: str = "ko", where: Any = None) -> None:
    """The narrative as it arrives in the placeholder ``where``, rendered like the saved one
    (``reader_html``: its data paths as footnote markers when the ``context`` is given): never
    through Streamlit's markdown, where a quoted title could become a live link."""
    def render(text: str) -> str:
        return reader_html(text, context, lang)[0] if context is not None else \
            narrative_html(text)

    where = st.empty() if where is None else where
    _writing(where)
    text = stream_html(chunks, where, render)
    if not render(text).strip():
        where.empty()  # nothing to show: no "writing" left behind


@dataclass
class _Form:
    """The builder's submission token and the generation its last click started.

    The token is in the "generate" button's key, so a click belongs to the form it was drawn
    with: a second click of a double click, sent before the page redrew, names a button that
    is no longer drawn and starts nothing. The generation is read to its end on a worker
    thread (``Reading``), so a click while the model writes stops only the run that shows it:
    the next run follows the same text, and the report is saved once. Streamlit stops a run
    only inside its own calls, so this object is fetched from session state before the service
    is called and filled in by plain attribute assignment right after it returns.
    """

    token: str = field(default_factory=new_id)
    reading: Reading[Report] | None = None
    context: Mapping[str, Any] = field(default_factory=dict)  # the reading's, for footnotes
    lang: str = "ko"
    seen: bool = True  # the reading was followed to its end by a run (its outcome shown)

    def report(self) -> Report | None:
        """The report of the last click, once saved."""
        return self.reading.stream.value if self.reading is not None else None


def _form() -> _Form:
    """This session's builder; on a new server session under a tab whose "generate" button was
    clicked (the server restarted), the builder that button was drawn with."""
    form = st.session_state.get(FORM_KEY)
    if not isinstance(form, _Form):
        sent = sent_suffix(f"{GENERATE_KEY}_")
        form = st.session_state[FORM_KEY] = _Form(
            token=sent if sent and sent != BUSY else new_id())
    return form


def _generate_button(where: Any, token: str, disabled: bool) -> bool:
    return bool(where.button(t("reports.generate"), key=f"{GENERATE_KEY}_{token}",
                             type="primary", icon=":material/auto_awesome:",
                             disabled=disabled))


def _start(services: Services, actor: Actor, request: ReportRequest, preview: Preview,
           form: _Form, slot: Any) -> bool:
    """Start a generation for this click, its first steps shown in ``slot``; False (the error
    shown) if the service refused."""
    try:
        generation = services.reports.stream(actor, request, tracking.session_id(), preview,
                                             on_phase=partial(show_phase, slot))
    except DemoFactoryError as exc:
        log.warning("report generation failed: %s", exc)
        slot.empty()
        show_error(exc)
        return False
    # No stop point in between: the reading and the new token are noted together.
    form.reading, form.token, form.seen = Reading(generation), new_id(), False
    form.context, form.lang = preview.context, request.language.value
    return True


def _follow(services: Services, form: _Form, reading: Reading[Report], slot: Any) -> bool:
    """Show the generation as it is written, from its start; True once its report is saved.
    The saved report is drawn below by the same run (``builder``): the stream makes way for
    the message, and the page is not run a second time (a rerun redrew the whole page: 0.1 s
    of server time and 13% of what a person waited for an offline report, A/B)."""
    with slot.container():
        step = st.empty()
        with st.container(border=True):
            where = st.empty()
    try:
        # The steps are heard on this run's thread, the one that may draw them.
        show_stream(reading.follow(partial(show_phase, step)), form.context, form.lang, where)
    except DemoFactoryError as exc:
        form.seen = True
        log.warning("report generation failed: %s", exc)
        slot.empty()
        show_error(exc)
        return False
    form.seen = True
    report = reading.stream.value
    if report is None:
        return False
    # The PDF is built in the background while the page shows the report.
    start_pdf(services, report)
    slot.success(t("reports.generated"), icon=":material/check_circle:")
    return True


def builder(services: Services, actor: Actor) -> None:
    """The "new report" tab."""
    note = st.empty()
    first, second, third = st.columns(3)
    with first:
        kind = _choice(t("reports.type"), [k.value for k in ReportType],
                       lambda k: t(f"reports.type_{k}"), TYPE_KEY, ReportType.OVERALL.value)
    if kind in SUBJECT_TYPES:
        # The note explains the "(선택)" mark, which only the subject carries: above four
        # choices that all have a default it said nothing.
        with note:
            required_note()
    with second:
        lang = _choice(t("reports.language"), [lang.value for lang in ReportLanguage],
                       LANGUAGE_NAMES.__getitem__, LANG_KEY, language())
    with third:
        period = _period(services)
    subject = _subject(services, actor, kind)
    model = _choice(t("reports.model"), services.reports.models(), model_label, MODEL_KEY,
                    OFFLINE)
    temperature, max_tokens = _model_options(services, model)
    if period is None:
        return
    previous = period.previous()
    st.caption(t("reports.period_caption", period=period_text(period.start, period.end),
                 days=period.days, previous=period_text(previous.start, previous.end))
               + " " + t("insights.cache_note", seconds=insights_cache.CACHE_TTL_SECONDS))
    preview = insights_cache.preview(services, actor, kind, lang, period, subject)
    _data_sent(preview)
    estimate = services.reports.estimate(actor, preview, model, max_tokens)
    estimate_slot = st.empty()
    with estimate_slot.container():
        _estimate_box(estimate)
    request = ReportRequest(ReportType(kind), ReportLanguage(lang), period, model,
                            temperature, max_tokens, subject)
    form = _form()
    running = form.reading is not None and not form.reading.done
    button = st.empty()
    # While a generation is written, a click would start nothing: the button says so.
    drawn = BUSY if running else form.token
    clicked = _generate_button(button, drawn, disabled=not estimate.fits or running)
    slot = st.empty()  # the generation's steps and text, then the notice that it is saved
    if clicked and not running:
        _start(services, actor, request, preview, form, slot)
    unseen = form.reading if not form.seen else None  # a generation no run has shown to its end
    followed = unseen is not None
    if unseen is not None:
        saved = _follow(services, form, unseen, slot)
        if form.token != drawn:  # the button of the next click's form
            _generate_button(button, form.token, disabled=not estimate.fits)
        if saved and estimate.metered:
            # What is left of the budget changed: shown above the button at once, with the
            # warning if another report would not fit (the service refuses one that does not).
            with estimate_slot.container():
                _estimate_box(services.reports.estimate(actor, preview, model, max_tokens))
    last = form.report()
    if last is not None:
        try:
            report = services.reports.get(actor, last.id)  # deleted meanwhile: not shown
        except DemoFactoryError:
            form.reading = None
            return
        if not followed:
            # The notice stays where the report was written on the runs after the click's
            # (the one that draws the finished PDF's button, a choice changed): gone, it moved
            # the report up under the reader's eyes a second after it appeared.
            st.success(t("reports.generated"), icon=":material/check_circle:")
        st.divider()
        show_report(services, actor, report, "rep_last_view")
