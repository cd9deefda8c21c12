"""AI insight report use cases: context preview, cost estimate, generation, history.

``ReportService`` needs ``Action.GENERATE_REPORTS`` for everything (analysts and admins); a
saved report may be deleted by its owner or an admin. Generation builds the context from the
dashboards of the period and of the one before and renders the prompt of the report type and
language (``request.py``: the request and its preview), checks the daily token budget
for metered models (``services.report_cost``), streams the chosen model's answer, checks its
numbers (``services.grounding``), saves the report with its provenance and records a
``report_generated`` usage event (a failure before the stream's end saves nothing). A content
or author report (``subject``) carries its own insights (``services.insights.scoped``).

``ask`` answers a follow-up question on a saved report from its saved context: offline by the
patterns of ``services.reports.followup``, or by a model with the same data block and the
question as data (``services.reports.followup_prompt``), under the same budget and grounding
check; each asker's turns are kept with the report (``services.reports.chat_turns``). A
metered generation or answer reserves its estimate on the day's budget in one atomic step
before the model is called and settles it to the real use when its stream ends; one not read
to its end (the page reads on a worker thread, ``streams.Reading``, so a click never leaves
one) keeps what it cost (``services.reports.usage``). Every generation and answer first takes
one of the process's places (``streams.Places``, ``report_concurrent_limit``): with all taken
it is refused before anything is reserved or sent.

Model choices are the keys of ``llms``: ``"offline"`` (the offline narrator, always there) and
``"bedrock:<model or inference profile id>"``; the part after ``bedrock:`` is the model id sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from ulid import ULID

from services.analytics.dashboards import Period
from services.analytics.tables import load_catalog
from services.domain.llm import LLMRequest, LLMResult, LLMStream
from services.domain.models import utcnow
from services.domain.permissions import Action, Actor, can, require
from services.domain.reports import (
    OFFLINE_MODEL_ID,
    ChatHistory,
    Report,
    ReportLanguage,
    ReportSummary,
    ReportType,
)
from services.errors import PermissionDenied, ValidationError
from services.i18n import translate
from services.insights.service import VISITOR_READS
from services.ops.audit import record_audit
from services.ports import LLM, AuditLog, ContentRepository, EventStore, ReportStore
from services.reports.chat_turns import answered_turn, keep_turn, unfinished_turn
from services.reports.compare import kpi_comparison as kpi_comparison
from services.reports.cost import (
    Estimate,
    cost_usd,
    estimate_tokens,
    local_midnight,
    next_midnight,
    price_of,
)
from services.reports.followup import answer_offline
from services.reports.followup_prompt import followup_prompt
from services.reports.grounding import check
from services.reports.models import OFFLINE, model_id_of
from services.reports.prompts import RenderedPrompt
from services.reports.request import Preview, ReportRequest, build_preview, same_request
from services.reports.scoped_context import subject_choices
from services.reports.streams import Answer as Answer
from services.reports.streams import AnswerResult as AnswerResult
from services.reports.streams import Generation as Generation
from services.reports.streams import Phase, Places, unheard
from services.reports.usage import (
    ASK_AUDIT_ACTION,
    DELETE_AUDIT_ACTION,
    REPORT_AUDIT_ACTION,
    Reservation,
    record_unfinished,
    reserve,
    start_stream,
    unfinished_tokens,
)
from services.settings import Settings

MAX_QUESTION_CHARS = 500
ANSWER_MAX_TOKENS = 1024  # answers are a few sentences
# A question refused by the budget: what it needs and when the budget starts again, without
# the report's advice to lower a maximum that the chat does not offer.
ASK_REFUSAL = "followup.err_budget"


class ReportEvents(Protocol):
    """What the service needs of ``AnalyticsService``: the usage event of a new report."""

    def report_generated(self, session_id: str, actor: Actor, report_type: str,
                         **properties: Any) -> None: ...


def _question(text: str) -> str:
    question = " ".join(text.split())
    if not question:
        raise ValidationError("followup.err_empty_question")
    if len(question) > MAX_QUESTION_CHARS:
        raise ValidationError("followup.err_question_too_long", limit=MAX_QUESTION_CHARS)
    return question


@dataclass
class ReportService:
    store: ReportStore
    events: EventStore
    repo: ContentRepository
    llms: dict[str, LLM]
    settings: Settings
    clock: Callable[[], datetime] = utcnow
    analytics: ReportEvents | None = None
    audit: AuditLog | None = None
    new_id: Callable[[], str] = field(default=lambda: str(ULID()))

    def __post_init__(self) -> None:
        # The insights read one visitor sketch per day (a round trip each on DynamoDB): a few
        # at a time, as InsightsService does (threads start on first use).
        self._pool = ThreadPoolExecutor(VISITOR_READS, thread_name_prefix="report-visitors")
        self._places = Places(self.settings.report_concurrent_limit)

    @contextmanager
    def _place(self) -> Iterator[Callable[[], None]]:
        """A place for one more stream (refused when all are taken), given back at once if the
        stream cannot start; else its release goes with the stream."""
        release = self._places.take()
        try:
            yield release
        except BaseException:
            release()
            raise

    # ---- before generating -------------------------------------------------------------

    def models(self) -> list[str]:
        """The model choices, the offline narrator first."""
        return sorted(self.llms, key=lambda key: (key != OFFLINE, key))

    def preview_context(self, actor: Actor, report_type: ReportType | str,
                        language: ReportLanguage | str, period: Period,
                        subject: str = "") -> Preview:
        """``subject``: a content report's item or an author report's author, whose own
        insights the report then carries (none: platform-wide insights)."""
        require(actor, Action.GENERATE_REPORTS)
        now = self.clock().astimezone(self.settings.tz)
        return build_preview(self.events, self.repo, ReportType(report_type), language, period,
                             subject, now, self._pool.map)

    def subjects(self, actor: Actor, report_type: ReportType | str) -> list[tuple[str, str]]:
        """(id, name) of the items or authors a content or author report can be about."""
        require(actor, Action.GENERATE_REPORTS)
        return subject_choices(ReportType(report_type), load_catalog(self.repo))

    def estimate(self, actor: Actor, preview: Preview, model: str, max_tokens: int) -> Estimate:
        """Tokens and cost of generating ``preview`` with ``model``, and today's budget."""
        return self._estimate(actor, preview.prompt, model, max_tokens)

    def _estimate(self, actor: Actor, prompt: RenderedPrompt, model: str,
                  max_tokens: int) -> Estimate:
        require(actor, Action.GENERATE_REPORTS)
        self._llm(model)
        metered = model != OFFLINE
        input_tokens = estimate_tokens(prompt.system + prompt.prompt)
        budget = self.settings.report_daily_token_budget
        used = self.tokens_used_today(actor)
        price = price_of(self.settings.model_prices, model_id_of(model))
        return Estimate(
            model=model, metered=metered, input_tokens=input_tokens if metered else 0,
            output_tokens=max_tokens if metered else 0,
            cost_usd=cost_usd(price, input_tokens, max_tokens) if metered else 0.0,
            budget=budget, used=used, left=max(0, budget - used),
            resets=next_midnight(self.clock(), self.settings.tz))

    def tokens_used_today(self, actor: Actor) -> int:
        """The actor's model tokens today, those held by streams under way included."""
        require(actor, Action.GENERATE_REPORTS)
        return self.store.tokens_spent(str(actor.user_id), self._today())

    def _today(self) -> date:
        return local_midnight(self.clock(), self.settings.tz).date()

    # ---- generating --------------------------------------------------------------------

    def stream(self, actor: Actor, request: ReportRequest, session_id: str = "",
               preview: Preview | None = None, on_phase: Callable[[Phase], None] = unheard,
               ) -> Generation:
        """Check everything that can fail before the model writes (permission, model, budget,
        the model's own refusal), then hand back the chunks as they come. ``preview``: the
        context the user has seen (built afresh when not given). ``on_phase`` hears the phases
        before the hand-back on the caller's thread; ``Generation.watch`` the later ones."""
        on_phase(Phase.READING)
        if preview is None or not same_request(preview, request):
            preview = self.preview_context(actor, request.report_type, request.language,
                                           request.period, request.subject)
        llm = self._llm(request.model)
        estimate = self.estimate(actor, preview, request.model, request.max_tokens)
        llm_request = LLMRequest(model_id_of(request.model), system=preview.prompt.system,
                                 prompt=preview.prompt.prompt, max_tokens=request.max_tokens,
                                 temperature=request.temperature)
        report_id = self.new_id()
        with self._place() as release:
            reservation = reserve(self.store, str(actor.user_id), self._today(), estimate)
            on_phase(Phase.WRITING)  # the offline narrator writes the whole text right here
            stream = start_stream(llm, llm_request, reservation)

        def finish() -> Report:
            result = stream.result()
            generation.enter(Phase.CHECKING)
            report = self._report(report_id, actor, request, preview, estimate, result)
            generation.enter(Phase.SAVING)
            self.store.add(report)
            # After the report is kept: a settlement that fails leaves the whole estimate
            # spent (the safe side), never a paid-for report unsaved.
            reservation.settle(result.total_tokens if estimate.metered else 0)
            self._record(session_id, actor, report)
            generation.enter(Phase.DONE)
            return report

        def abandon(received: str) -> None:
            if estimate.metered:  # the offline narrator costs nothing
                self._unfinished(actor, REPORT_AUDIT_ACTION, report_id, stream,
                                 estimate.input_tokens, received, reservation,
                                 {"type": request.report_type.value, "model": llm_request.model_id,
                                  "language": request.language.value})

        generation = Generation(report_id, stream, finish, abandon, release)
        return generation

    def _unfinished(self, actor: Actor, action: str, target: str, stream: LLMStream,
                    prompt_tokens: int, received: str, reservation: Reservation,
                    detail: dict[str, str]) -> None:
        """What a stream not read to its end cost: kept on the day's budget, and audited."""
        tokens = unfinished_tokens(stream, prompt_tokens, received)
        reservation.settle(tokens)
        record_unfinished(self.audit, self.clock(), str(actor.user_id), action, target,
                          tokens, detail)

    def generate(self, actor: Actor, request: ReportRequest, session_id: str = "",
                 on_chunk: Callable[[str], None] | None = None,
                 preview: Preview | None = None) -> Report:
        """``stream`` read to its end (each chunk handed to ``on_chunk``): the saved report."""
        generation = self.stream(actor, request, session_id, preview)
        for chunk in generation:
            if on_chunk is not None:
                on_chunk(chunk)
        assert generation.report is not None
        return generation.report

    def _record(self, session_id: str, actor: Actor, report: Report) -> None:
        if self.audit is not None:  # who spent model tokens on what, for the admin's log
            record_audit(self.audit, self.clock(), str(actor.user_id), REPORT_AUDIT_ACTION,
                         report.id, detail={"type": report.type.value,
                                            "language": report.language.value,
                                            "model": report.model_id})
        if self.analytics is not None:
            self.analytics.report_generated(
                session_id, actor, report.type.value, language=report.language.value,
                model=report.model_id, tokens=report.input_tokens + report.output_tokens,
                unmatched=len(report.grounding.unmatched))

    def _report(self, report_id: str, actor: Actor, request: ReportRequest, preview: Preview,
                estimate: Estimate, result: LLMResult) -> Report:
        metered = estimate.metered
        price = price_of(self.settings.model_prices, result.model_id)
        cost = cost_usd(price, result.input_tokens, result.output_tokens) if metered else 0.0
        lang = request.language.value
        return Report(
            id=report_id, type=request.report_type, language=request.language,
            period_start=request.period.start, period_end=request.period.end,
            context=preview.context, prompt_version=preview.prompt.version,
            model_id=result.model_id, narrative=result.text,
            grounding=check(result.text, preview.context),
            input_tokens=result.input_tokens, output_tokens=result.output_tokens,
            cost_usd=cost or 0.0, latency_ms=result.latency_ms,
            created_by=str(actor.user_id), created_at=self.clock(),
            title=translate(lang, f"narrator.report_name.{request.report_type.value}"),
            extra={"model_choice": request.model, "offline": not metered,
                   "temperature": request.temperature, "max_tokens": request.max_tokens,
                   "stop_reason": result.stop_reason,
                   "truncated": result.stop_reason == "max_tokens",
                   "estimated_input_tokens": estimate.input_tokens,
                   "price_known": cost is not None, "created_by_name": actor.name},
        )

    def _llm(self, model: str) -> LLM:
        if model not in self.llms:
            raise ValidationError("reports.err_unknown_model", model=model)
        return self.llms[model]

    # ---- follow-up questions ------------------------------------------------------------

    def ask(self, actor: Actor, report_id: str, question: str, model: str,
            language: ReportLanguage | str) -> Answer:
        """A question on a saved report, answered from its saved context: by the offline
        patterns (``services.reports.followup``) or by a model, within the daily budget. The
        answer's numbers are checked against the context once it is written."""
        report = self.get(actor, report_id)
        text, lang = _question(question), ReportLanguage(language)
        llm = self._llm(model)
        if model == OFFLINE:
            found = answer_offline(report.context, text, lang.value)

            def offline() -> AnswerResult:
                return self._kept(actor, report, text, lang, self._answered(
                    actor, report, found.text, found.answered, OFFLINE_MODEL_ID, 0, 0))

            with self._place() as release:  # nothing billed
                return Answer([found.text], offline, lambda received: None, release)
        prompt = followup_prompt(report.context, text, lang)
        estimate = self._estimate(actor, prompt, model, ANSWER_MAX_TOKENS)
        model_id = model_id_of(model)
        with self._place() as release:
            reservation = reserve(self.store, str(actor.user_id), self._today(), estimate,
                                  ASK_REFUSAL)
            stream = start_stream(llm, LLMRequest(
                model_id, system=prompt.system, prompt=prompt.prompt,
                max_tokens=ANSWER_MAX_TOKENS, temperature=self.settings.bedrock_temperature),
                reservation)

        def finish() -> AnswerResult:
            result = stream.result()
            reservation.settle(result.total_tokens)
            return self._kept(actor, report, text, lang, self._answered(
                actor, report, result.text, True, result.model_id, result.input_tokens,
                result.output_tokens))

        def abandon(received: str) -> None:
            self._unfinished(actor, ASK_AUDIT_ACTION, report.id, stream,
                             estimate.input_tokens, received, reservation, {"model": model_id})
            keep_turn(self.store, report.id, str(actor.user_id),
                      unfinished_turn(text, lang, self.clock()))

        return Answer(stream, finish, abandon, release)

    def _answered(self, actor: Actor, report: Report, text: str, answered: bool,
                  model_id: str, input_tokens: int, output_tokens: int) -> AnswerResult:
        found = AnswerResult(text, check(text, report.context), answered, model_id,
                             input_tokens, output_tokens)
        if self.audit is not None:  # who spent model tokens on which report
            record_audit(self.audit, self.clock(), str(actor.user_id), ASK_AUDIT_ACTION,
                         report.id, detail={"model": model_id,
                                            "tokens": str(input_tokens + output_tokens),
                                            "unmatched": str(len(found.grounding.unmatched))})
        return found

    def _kept(self, actor: Actor, report: Report, question: str, lang: ReportLanguage,
              found: AnswerResult) -> AnswerResult:
        keep_turn(self.store, report.id, str(actor.user_id),
                  answered_turn(question, lang, found, self.clock()))
        return found

    def turns(self, actor: Actor, report_id: str) -> ChatHistory:
        """The actor's own follow-up questions on the report and their outcomes, oldest
        first (``services.reports.chat_turns``); nobody reads another's."""
        require(actor, Action.GENERATE_REPORTS)
        return self.store.turns(report_id, str(actor.user_id))

    def turn_count(self, actor: Actor, report_id: str) -> int:
        """How many turns the actor's own chat on the report holds (``turns``' length), read
        without the turns."""
        require(actor, Action.GENERATE_REPORTS)
        return self.store.turn_count(report_id, str(actor.user_id))

    # ---- history -----------------------------------------------------------------------

    def history(self, actor: Actor, mine_only: bool = False,
                limit: int = 100) -> list[ReportSummary]:
        """Saved reports, newest first: everyone's (analysts share them) or the actor's; their
        summaries (``get`` reads one whole)."""
        require(actor, Action.GENERATE_REPORTS)
        return self.store.list(created_by=actor.user_id if mine_only else None, limit=limit)

    def get(self, actor: Actor, report_id: str) -> Report:
        require(actor, Action.GENERATE_REPORTS)
        return self.store.get(report_id)

    def compare(self, actor: Actor, first_id: str, second_id: str) -> tuple[Report, Report]:
        return self.get(actor, first_id), self.get(actor, second_id)

    def may_delete(self, actor: Actor, report: Report) -> bool:
        """What ``delete`` allows: their own reports for reports users, any for admins."""
        return can(actor, Action.DELETE_REPORT, report.created_by)

    def delete(self, actor: Actor, report_id: str) -> None:
        report = self.get(actor, report_id)
        if not self.may_delete(actor, report):
            raise PermissionDenied("reports.err_delete_not_owner")
        # Everyone's chat on it goes too; its tokens stay spent (``services.reports.usage``).
        self.store.delete(report_id)
        if self.audit is not None:
            record_audit(self.audit, self.clock(), str(actor.user_id), DELETE_AUDIT_ACTION,
                         report_id)
