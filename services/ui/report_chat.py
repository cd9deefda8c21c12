"""Follow-up questions under a report: a chat box answered from the report's saved context.

History is kept per report in the session, begun from the asker's turns the report store keeps
(``ReportService.turns``: a reload or another tab finds them), and drawn in a fragment that
reads them again every ``HISTORY_REFRESH_SECONDS``: a question the same person asked in another
tab appears without a reload (``report_chat_turns``). A question is answered once: the
question box carries the chat's submission token in its key (a second send of the same box names
a box no longer drawn), and the answer is read to its end on a worker thread (``Reading``), so a
click while the model writes stops only the run that shows it; the answer goes into the history,
whole, when the model has written it, and a run that draws the chat meanwhile follows it from
its start. A question sent while an answer is written waits its turn (``_Chat``). Everything
typed and everything answered is HTML-escaped and shown through ``st.html`` (never Streamlit's
markdown): the only markup is ours, the ``<mark>`` around a number the grounding check could not
find in the data and the footnote markers of cited figures. The answer streams into the same
kind of placeholder the report's narrative uses (``st.write_stream`` would render the model's
text as markdown).
"""

from __future__ import annotations

import contextlib
import html
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from services.bootstrap import Services
from services.domain.models import new_id
from services.domain.permissions import Actor
from services.domain.reports import ChatTurn, Report
from services.errors import DemoFactoryError
from services.i18n import translate
from services.reports.citations import footnotes, markup
from services.reports.grounding import unmatched_spans
from services.reports.models import OFFLINE
from services.reports.service import AnswerResult
from services.reports.streams import Answer, Reading
from services.ui.footnote import footnote_html
from services.ui.fragments import fragment_body
from services.ui.i18n import language, relabel, t
from services.ui.report_chat_turns import UNKEPT, Message, answer_message, resynced, turn_messages
from services.ui.streaming import stream_html
from services.ui.widgets import error_params, show_html

CHATS_KEY = "_rep_chat"  # report id -> _Chat
# How often a shown chat reads its kept turns again (a question asked in another tab): one
# read of the asker's turns per open chat, and the history drawn again only when they changed.
HISTORY_REFRESH_SECONDS = 15
# Private-use characters that mark unmatched numbers through the escaping, and those the
# citations use for footnote markers: removed from any text first, so none can be forged.
_MARK = ("\ue000", "\ue001")
_PRIVATE = str.maketrans("", "", "\ue000\ue001\ue010\ue011")
MARK_HTML = ('<mark style="background-color:#ffe3e3;color:#c92a2a"><strong>',
             "</strong></mark>")
_STYLE = "white-space: pre-wrap; word-break: keep-all; overflow-wrap: break-word; margin: 0"
log = logging.getLogger(__name__)


def text_html(text: str) -> str:
    """Typed or streamed text as inert HTML."""
    return f'<div class="df-chat" style="{_STYLE}">{html.escape(text.translate(_PRIVATE))}</div>'


def answer_html(text: str, context: Mapping[str, Any], lang: str) -> str:
    """A finished answer as inert HTML: unmatched numbers in ``<mark>``, cited data paths as
    numbered footnote markers that say where the figure comes from (``footnote_html``)."""
    text = text.translate(_PRIVATE)
    parts, at = [], 0
    for start, end in unmatched_spans(text, context):
        parts += [text[at:start], _MARK[0], text[start:end], _MARK[1]]
        at = end
    cited = footnotes("".join([*parts, text[at:]]), context, lang)
    sources = {s.number: s for s in cited.sources}
    body = markup(cited.text, html.escape, lambda n: footnote_html(sources.get(n), n, lang))
    body = body.replace(_MARK[0], MARK_HTML[0]).replace(_MARK[1], MARK_HTML[1])
    return f'<div class="df-chat" style="{_STYLE}">{body}</div>'


@dataclass(frozen=True)
class _Question:
    """A question sent from the box, as it is asked: with the model and language of its send."""

    text: str
    model: str
    lang: str


@dataclass
class _Chat:
    """One report's chat: its history, the question box's submission token, the answer being
    written (until it is in the history) and the questions sent meanwhile, in their order.

    The token is in the question box's key, so a question belongs to the box it was typed in:
    a second send of the same box (a double Enter, or a send the page had not redrawn after)
    names a box no longer drawn and asks nothing. The key changes only on a send: drawn again
    under the same key, the box keeps what is typed in it and not yet sent. A question sent
    while an answer is being written waits (``waiting``) and is asked once that answer has
    ended, by the run that draws the chat then (``next``), one answer at a time.

    The answer's outcome goes into the history on the reading's worker thread as soon as it is
    written (``_ended``), whether or not a page shows the chat then: a person who left the
    report (another tab, another page, the report closed) finds it there, once. The worker and
    the page's run both touch this object, so each does it under ``_lock`` and a run draws a
    copy (``view``). Streamlit stops a run only inside its own calls, and none is made between
    taking a question and noting its answer's reading.

    ``kept`` counts the store's turns the history holds: those read, and one for each answer
    this tab saw end (its turn was kept before the reading ended). Turns beyond it were kept by
    another tab: ``refresh`` takes them in.
    """

    history: list[Message] = field(default_factory=list)
    token: str = field(default_factory=new_id)
    reading: Reading[AnswerResult] | None = None  # the answer not yet in the history
    lang: str = "ko"  # the language the question was asked in
    waiting: list[_Question] = field(default_factory=list)
    kept: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def view(self) -> tuple[list[Message], Reading[AnswerResult] | None, str]:
        """The history so far, and the answer being written after it (with its language)."""
        with self._lock:
            return list(self.history), self.reading, self.lang

    def queued(self) -> list[_Question]:
        with self._lock:
            return list(self.waiting)

    def send(self, question: _Question) -> None:
        """A question from the box, in line; the box of the next question gets a new key."""
        with self._lock:
            self.waiting.append(question)
            self.token = new_id()

    def next(self) -> _Question | None:
        """The first question in line, once no answer is being written."""
        with self._lock:
            return self.waiting.pop(0) if self.reading is None and self.waiting else None

    def busy(self) -> bool:
        """An answer being written or questions waiting: this tab's own turns are landing."""
        with self._lock:
            return self.reading is not None or bool(self.waiting)

    def refresh(self, read: Callable[[], Sequence[ChatTurn]],
                count: Callable[[], int] | None = None) -> bool:
        """Take in turns kept elsewhere since the history was read (``read``: the asker's
        turns); True when the history changed. Never while this tab is busy. ``count`` (how
        many turns are kept) is asked first: the turns are read only when it moved, so a chat
        checked every few seconds costs one small read, not the whole chat."""
        if self.busy() or (count is not None and count() == self.kept):
            return False
        turns = read()  # a store read, outside the lock
        with self._lock:
            if self.reading is not None or self.waiting or len(turns) == self.kept:
                return False
            self.history = resynced(turn_messages(turns), self.history)
            self.kept = len(turns)
            return True

    def add(self, *messages: Message) -> None:
        with self._lock:
            self.history += messages

    def begin(self, answer: Answer, question: Message, lang: str) -> Reading[AnswerResult]:
        """The question in the history and its answer read on a worker thread."""
        with self._lock:  # held until all is noted: an answer that ends at once waits for it
            self.reading = Reading(answer, on_end=self._ended)
            self.lang = lang
            self.history.append(question)
            return self.reading

    def _ended(self, reading: Reading[AnswerResult]) -> None:
        with self._lock:
            if reading is not self.reading:
                return
            found = _outcome(reading, self.lang)
            self.history.append(found)
            self.reading = None
            self.kept += 1  # the stream kept its turn (answered or broken off) as it ended
        if reading.error is not None and not isinstance(reading.error, DemoFactoryError):
            log.error("follow-up answer failed", exc_info=reading.error)


def _chat(services: Services, actor: Actor, report: Report) -> _Chat:
    """The report's chat of this session, begun from the asker's kept turns on first draw."""
    chats: dict[str, _Chat] = st.session_state.setdefault(CHATS_KEY, {})
    if report.id not in chats:
        turns = _kept(services, actor, report)
        chats[report.id] = _Chat(history=turn_messages(turns), kept=len(turns))
    return chats[report.id]


def _kept(services: Services, actor: Actor, report: Report) -> Sequence[ChatTurn]:
    """The questions asked earlier (another tab, before a reload) and their outcomes; none
    when the store cannot say (the chat works on, from this session's questions, and takes
    them in at its next refresh)."""
    try:
        return services.reports.turns(actor, report.id)
    except DemoFactoryError:
        log.warning("kept follow-up turns of report %s not read", report.id, exc_info=True)
        return []


def _note(message: Message) -> None:
    if message.get("unmatched"):
        st.warning(t("followup.chat_grounding_bad", count=message["unmatched"]),
                   icon=":material/report:")
    elif message.get("checked"):
        st.caption(t("followup.chat_grounding_ok", checked=message["checked"]))


def _show(message: Message, report: Report) -> None:
    with st.chat_message(message["role"]):
        if "error" in message:
            st.error(message["error"], icon=":material/error:")
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


def _question_box(where: Any, key: str, token: str) -> str | None:
    found = where.chat_input(t("followup.chat_placeholder"), key=f"{key}_chat_{token}")
    return str(found) if found else None


def _show_waiting(where: Any, questions: list[_Question]) -> None:
    if not questions:
        where.empty()
        return
    with where.container():
        for question in questions:
            with st.chat_message("user"):
                show_html(text_html(question.text))
                st.caption(t("followup.chat_waiting"))


def _error(exc: Exception, lang: str) -> Message:
    """A refusal or a failure as the chat keeps it, in the language the question was asked in
    (made on the reading's worker thread too, where there is no page to ask the language)."""
    if isinstance(exc, DemoFactoryError):
        return {"role": "assistant", "error": translate(lang, exc.key, **error_params(exc.params))}
    return {"role": "assistant", "error": translate(lang, "errors.unexpected")}


def _start(services: Services, actor: Actor, report: Report, asked: _Question,
           chat: _Chat) -> tuple[list[Message], Reading[AnswerResult] | None]:
    """Ask ``asked`` (no Streamlit call: the question, taken from the line, is in the history
    when this returns) and what to show of it; its answer is read on a worker thread (returned)
    or, refused, its reason goes into the history with it."""
    user: Message = {"role": "user", "text": asked.text}
    try:
        answer = services.reports.ask(actor, report.id, asked.text, asked.model, asked.lang)
    except Exception as exc:  # refused (nothing sent, nothing charged), or the store failed
        if not isinstance(exc, DemoFactoryError):
            log.error("follow-up question failed", exc_info=exc)
        refused = {**_error(exc, asked.lang), UNKEPT: True}
        user[UNKEPT] = True  # nothing was asked: the store keeps no turn of it
        chat.add(user, refused)
        return [user, refused], None
    return [user], chat.begin(answer, user, asked.lang)


def _answered(result: AnswerResult, lang: str) -> Message:
    return answer_message(result.text, lang, result.grounding.checked,
                          len(result.grounding.unmatched))


def _outcome(reading: Reading[AnswerResult], lang: str) -> Message:
    """What a finished reading leaves in the history: the answer, or the model's error (such
    as a stream that broke off)."""
    result = reading.stream.value
    if reading.error is not None or result is None:
        return _error(reading.error or RuntimeError("answer without a result"), lang)
    return _answered(result, lang)


def _follow(report: Report, reading: Reading[AnswerResult], lang: str) -> None:
    """Show the answer as it is written, from its start, then as the history keeps it (the
    reading put it there when it ended)."""
    with st.chat_message("assistant"):
        shown = st.empty()
        # The model's or the store's error, raised at the end, is in the outcome below.
        with contextlib.suppress(Exception):
            stream_html(reading.follow(), shown, text_html)
        found = _outcome(reading, lang)
        if "error" in found:
            shown.error(found["error"], icon=":material/error:")
            return
        show_html(answer_html(found["text"], report.context, lang), shown)
        _note(found)


def chat_box(services: Services, actor: Actor, report: Report, key: str,
             label: Callable[[str], str]) -> None:
    """The chat under a report: its history, the model choice and the question box."""
    st.markdown(f"**{t('followup.chat_title')}**")
    model = _model(services, report, key, label)
    st.caption(t("followup.chat_caption") if model != OFFLINE
               # The emulation offers no model to choose (``ops.bedrock_emulated``).
               else t("followup.chat_offline_emulated") if services.ops.bedrock_emulated
               else t("followup.chat_offline_note"))
    chat = _chat(services, actor, report)
    history, reading, lang = chat.view()
    _history(services, actor, report, key, chat, history)
    latest = st.container()  # the answers being written now and their questions
    waiting = st.empty()  # the questions sent meanwhile
    box = st.empty()
    question = _question_box(box, key, chat.token)
    if question:
        chat.send(_Question(question, model, language()))
        _question_box(box, key, chat.token)
    _answer(services, actor, report, chat, (latest, waiting), reading, lang)


def _answer(services: Services, actor: Actor, report: Report, chat: _Chat,
            where: tuple[Any, Any], reading: Reading[AnswerResult] | None, lang: str) -> None:
    """Follow the answer being written, then ask the waiting questions in their order, each
    once the answer before it has ended, and follow its answer."""
    latest, waiting = where
    _show_waiting(waiting, chat.queued())
    while True:
        if reading is not None:
            with latest:
                _follow(report, reading, lang)
        asked = chat.next()
        if asked is None:
            return
        shown, reading = _start(services, actor, report, asked, chat)
        lang = asked.lang
        _show_waiting(waiting, chat.queued())
        with latest:
            for message in shown:
                _show(message, report)


@dataclass
class _Drawn:
    """What the history's fragment shows, and whether the page's own run is drawing it."""

    messages: list[Message]
    by_page: bool = True


def _history(services: Services, actor: Actor, report: Report, key: str, chat: _Chat,
             history: list[Message]) -> None:
    """The history as this run found it, in a fragment that reruns alone every
    ``HISTORY_REFRESH_SECONDS`` and draws it again when another tab's turns came in; the
    question box, outside it, is left alone (what is typed in it stays)."""
    drawn = _Drawn(list(history))

    @st.fragment(run_every=HISTORY_REFRESH_SECONDS, key=f"{key}_chat_history")
    @fragment_body
    def part() -> None:
        if drawn.by_page:
            drawn.by_page = False
        else:
            _catch_up(services, actor, report, chat, drawn)
        for message in drawn.messages:
            _show(message, report)

    part()


def _catch_up(services: Services, actor: Actor, report: Report, chat: _Chat,
              drawn: _Drawn) -> None:
    """A rerun of the history alone: turns kept elsewhere taken in. What the page's run drew
    under the history (this tab's answers, refusals) is in the history now, and not the
    fragment's to clear: then the whole page runs again, and draws each message once."""
    below = len(chat.view()[0]) > len(drawn.messages)
    try:
        changed = chat.refresh(lambda: services.reports.turns(actor, report.id),
                               lambda: services.reports.turn_count(actor, report.id))
    except DemoFactoryError:  # the store cannot say now: the next rerun asks again
        log.warning("kept follow-up turns of report %s not read", report.id, exc_info=True)
        return
    if not changed:
        return
    if below:
        st.rerun(scope="app")
    drawn.messages = chat.view()[0]
