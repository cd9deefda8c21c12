"""Follow-up questions under a report: a chat box answered from the report's saved context.

History is kept per report in the session; a question is kept before it is answered, so one
whose answer a click cut short stays, with the answer marked as interrupted. Everything typed and
everything answered is HTML-escaped and shown through ``st.html`` (never Streamlit's markdown):
the only markup is ours, the ``<mark>`` around a number the grounding check could not find in
the data and the footnote markers of cited figures. The answer streams into the same kind of
placeholder the report's narrative uses (``st.write_stream`` would render the model's text as
markdown).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from services.bootstrap import Services
from services.domain.permissions import Actor
from services.domain.reports import Report
from services.errors import DemoFactoryError
from services.reports.citations import footnotes, markup
from services.reports.grounding import unmatched_spans
from services.reports.models import OFFLINE
from services.reports.service import AnswerResult
from services.ui.i18n import language, relabel, t
from services.ui.streaming import stream_html
from services.ui.widgets import error_params, show_html

HISTORY_KEY = "_rep_chat"  # report id -> list of messages
# Private-use characters that mark unmatched numbers through the escaping, and those the
# citations use for footnote markers: removed from any text first, so none can be forged.
_MARK = ("\ue000", "\ue001")
_PRIVATE = str.maketrans("", "", "\ue000\ue001\ue010\ue011")
MARK_HTML = ('<mark style="background-color:#ffe3e3;color:#c92a2a"><strong>',
             "</strong></mark>")
_STYLE = "white-space: pre-wrap; word-break: keep-all; overflow-wrap: break-word; margin: 0"
Message = dict[str, Any]


def text_html(text: str) -> str:
    """Typed or streamed text as inert HTML."""
    return f'<div class="df-chat" style="{_STYLE}">{html.escape(text.translate(_PRIVATE))}</div>'


def answer_html(text: str, context: Mapping[str, Any], lang: str) -> str:
    """A finished answer as inert HTML: unmatched numbers in ``<mark>``, cited data paths as
    numbered footnote markers whose tooltip says where the figure comes from."""
    text = text.translate(_PRIVATE)
    parts, at = [], 0
    for start, end in unmatched_spans(text, context):
        parts += [text[at:start], _MARK[0], text[start:end], _MARK[1]]
        at = end
    cited = footnotes("".join([*parts, text[at:]]), context, lang)
    sources = {s.number: s for s in cited.sources}

    def marker(number: int) -> str:
        found = sources.get(number)
        title = html.escape(f"{found.label}: {found.value}" if found else "", quote=True)
        return f'<sup style="color:#0b5cad;font-size:0.7em" title="{title}">[{number}]</sup>'

    body = markup(cited.text, html.escape, marker)
    body = body.replace(_MARK[0], MARK_HTML[0]).replace(_MARK[1], MARK_HTML[1])
    return f'<div class="df-chat" style="{_STYLE}">{body}</div>'


def _history(report: Report) -> list[Message]:
    chats: dict[str, list[Message]] = st.session_state.setdefault(HISTORY_KEY, {})
    return chats.setdefault(report.id, [])


def _note(message: Message) -> None:
    if message.get("unmatched"):
        st.warning(t("followup.chat_grounding_bad", count=message["unmatched"]),
                   icon=":material/report:")
    elif message.get("checked"):
        st.caption(t("followup.chat_grounding_ok", checked=message["checked"]))


def _interrupted(model: str) -> Message:
    """The answer's place in the history until it is written: what stays there if a click
    stops the run meanwhile (said on the next run, as the builder says it of a report)."""
    return {"role": "assistant", "interrupted": True, "metered": model != OFFLINE}


def _show(message: Message, report: Report) -> None:
    with st.chat_message(message["role"]):
        if "error" in message:
            st.error(message["error"], icon=":material/error:")
        elif message.get("interrupted"):
            key = "chat_interrupted" if message.get("metered") else "chat_interrupted_offline"
            st.warning(t(f"followup.{key}"), icon=":material/pause_circle:")
        elif message["role"] == "user":
            show_html(text_html(message["text"]))
        else:
            show_html(answer_html(message["text"], report.context, message["lang"]))
            _note(message)


def _model(services: Services, report: Report, key: str,
           label: Callable[[str], str]) -> str:
    models = services.reports.models()
    if len(models) == 1:
        return models[0]
    chosen = str(report.extra.get("model_choice") or OFFLINE)
    return str(st.selectbox(t("followup.chat_model"), models, format_func=label,
                            index=models.index(chosen) if chosen in models else 0,
                            key=relabel(f"{key}_chat_model_{language()}")))


def _ask(services: Services, actor: Actor, report: Report, question: str,
         model: str) -> Message:
    """Ask, streaming the answer into an assistant bubble; the message to keep."""
    lang = language()
    with st.chat_message("assistant"):
        shown = st.empty()
        try:
            answer = services.reports.ask(actor, report.id, question, model, lang)
            try:
                stream_html(answer, shown, text_html)
            finally:  # a click that stops the run too: what the answer cost is settled now
                answer.close()
        except DemoFactoryError as exc:
            message = t(exc.key, **error_params(exc.params))
            shown.error(message, icon=":material/error:")
            return {"role": "assistant", "error": message}
        result: AnswerResult | None = answer.result
        assert result is not None  # the stream was read to its end
        found: Message = {"role": "assistant", "text": result.text, "lang": lang,
                          "checked": result.grounding.checked,
                          "unmatched": len(result.grounding.unmatched)}
        show_html(answer_html(result.text, report.context, lang), shown)
        _note(found)
    return found


def chat_box(services: Services, actor: Actor, report: Report, key: str,
             label: Callable[[str], str]) -> None:
    """The chat under a report: its history, the model choice and the question box."""
    st.markdown(f"**{t('followup.chat_title')}**")
    model = _model(services, report, key, label)
    st.caption(t("followup.chat_offline_note") if model == OFFLINE
               else t("followup.chat_caption"))
    history = _history(report)
    for message in history:
        _show(message, report)
    question = st.chat_input(t("followup.chat_placeholder"), key=f"{key}_chat")
    if question:
        user: Message = {"role": "user", "text": question}
        _show(user, report)
        # Kept before the model is asked: a click while it answers stops this run.
        history += [user, _interrupted(model)]
        try:
            history[-1] = _ask(services, actor, report, question, model)
        except Exception:  # shown by the page; Streamlit's stop and rerun keep the mark
            history.pop()
            raise
