"""ReportService over the real local adapters: authorization, generation with the offline
narrator, FakeLLM and BedrockLLM streams, the token budget, provenance and history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.adapters.aws.bedrock.llm import BedrockLLM
from services.analytics.dashboards import Period
from services.bootstrap import Ports, build_local_ports, build_services
from services.domain.analytics import EventType
from services.domain.models import Category, ContentDraft, Status
from services.domain.permissions import Actor, Role
from services.domain.reports import OFFLINE_MODEL_ID, ReportLanguage, ReportType
from services.errors import PermissionDenied, QuotaExceeded, ValidationError
from services.ports import LLM
from services.reports.cost import estimate_tokens
from services.reports.narrator.offline import OfflineNarrator, narrate
from services.reports.prompts import data_of
from services.reports.request import ReportRequest
from services.reports.service import ReportService, kpi_comparison
from services.settings import ModelPrice, Settings
from tests.conftest import make_actor
from tests.doubles.bedrock import StreamingRuntime, client_error, stream_events
from tests.doubles.fake_llm import FakeLLM
from tests.unit.reports.report_fixtures import ev

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 12:00 in Seoul
PERIOD = Period(date(2026, 3, 4), date(2026, 3, 10))
MODEL = "bedrock:test-model"
PRICE = ModelPrice(input=0.003, output=0.015)
ANALYST = make_actor("ana", Role.ANALYST)
OTHER = make_actor("bo", Role.ANALYST)
ADMIN = make_actor("root", Role.ADMIN)
CHUNKS = ["## Summary\n\n", "Page views reached ", "110 `kpis[1].value`", " and 999 likes.\n"]


@dataclass
class Recorder:
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def report_generated(self, session_id: str, actor: Actor, report_type: str,
                         **properties: Any) -> None:
        self.calls.append((session_id, report_type, properties))


@pytest.fixture
def ports(tmp_path: Path) -> Ports:
    settings = Settings(data_dir=tmp_path / "data", sample_content=False)
    ports = build_local_ports(settings)
    author = make_actor("alice", Role.AUTHOR)
    content = build_services(settings, ports).content
    item = content.create(ContentDraft("Bedrock 챗봇", "요약", "본문", Category.GENERATIVE_AI,
                                       status=Status.PUBLISHED), (), author)
    fields = {"content_id": item.id, "category": str(item.category), "author_id": "alice"}
    ports.events.append([
        *ev("2026-03-05 03:00", EventType.PAGE_VIEW, 80, page="home"),
        *ev("2026-03-06 03:00", EventType.PAGE_VIEW, 30, page="home"),
        *ev("2026-03-05 03:00", EventType.CONTENT_VIEW, 60, **fields),
        *ev("2026-02-26 03:00", EventType.PAGE_VIEW, 80, page="home"),
    ])
    return ports


def service(ports: Ports, llms: dict[str, LLM] | None = None, budget: int = 100_000,
            recorder: Recorder | None = None, clock: Callable[[], datetime] = lambda: NOW,
            ) -> ReportService:
    settings = Settings(sample_content=False, report_daily_token_budget=budget,
                        model_prices={"test-model": PRICE})
    models: dict[str, LLM] = {"offline": OfflineNarrator(),
                              MODEL: FakeLLM(CHUNKS, usage=(1000, 200))}
    return ReportService(ports.reports, ports.events, ports.content, llms or models, settings,
                         clock=clock, analytics=recorder)


def request(model: str = "offline", **changes: Any) -> ReportRequest:
    values: dict[str, Any] = {"report_type": ReportType.OVERALL,
                              "language": ReportLanguage.KO, "period": PERIOD, "model": model,
                              "temperature": 0.3, "max_tokens": 2000}
    values.update(changes)
    return ReportRequest(**values)


def test_an_offline_report_is_grounded_and_saved_with_provenance(ports: Ports) -> None:
    recorder = Recorder()
    reports = service(ports, recorder=recorder)
    chunks: list[str] = []
    report = reports.generate(ANALYST, request(), "sess-1", on_chunk=chunks.append)

    assert "".join(chunks) == report.narrative == narrate(report.context)
    assert report.grounding.ok and report.grounding.checked > 10
    assert (report.model_id, report.prompt_version) == (OFFLINE_MODEL_ID, "overall.ko.v4")
    assert (report.input_tokens, report.output_tokens, report.cost_usd) == (0, 0, 0.0)
    assert (report.period_start, report.period_end) == (PERIOD.start, PERIOD.end)
    assert report.created_by == "ana" and report.created_at == NOW
    assert report.title == "Demo Factory 전체 플랫폼 보고서"
    assert report.extra["offline"] is True and report.extra["temperature"] == 0.3
    kpis = {k["key"]: k["value"] for k in report.context["kpis"]}
    assert (kpis["page_views"], kpis["content_views"]) == (110, 60)
    assert ports.reports.get(report.id) == report
    assert recorder.calls == [("sess-1", "overall", {
        "language": "ko", "model": OFFLINE_MODEL_ID, "tokens": 0, "unmatched": 0})]


@pytest.mark.parametrize("actor", [make_actor("v", Role.VIEWER), make_actor("a", Role.AUTHOR),
                                   Actor.anonymous()])
def test_only_analysts_and_admins_may_use_reports(ports: Ports, actor: Actor) -> None:
    reports = service(ports)
    with pytest.raises(PermissionDenied):
        reports.preview_context(actor, "overall", "ko", PERIOD)
    with pytest.raises(PermissionDenied):
        reports.generate(actor, request())
    with pytest.raises(PermissionDenied):
        reports.history(actor)
    assert ports.reports.list() == []


def test_a_model_streams_and_its_numbers_are_checked(ports: Ports) -> None:
    fake = FakeLLM(CHUNKS, usage=(1000, 200), latency_ms=1500)
    reports = service(ports, {"offline": OfflineNarrator(), MODEL: fake})
    generation = reports.stream(ANALYST, request(MODEL, language=ReportLanguage.EN))
    assert generation.report is None and list(generation) == CHUNKS
    report = generation.report
    assert report is not None

    (sent,) = fake.requests
    assert (sent.model_id, sent.temperature, sent.max_tokens) == ("test-model", 0.3, 2000)
    assert data_of(sent.prompt) == report.context and "<data>" in sent.prompt
    assert report.prompt_version == "overall.en.v4" and report.model_id == "test-model"
    assert (report.input_tokens, report.output_tokens, report.latency_ms) == (1000, 200, 1500)
    assert report.cost_usd == pytest.approx((1000 * 0.003 + 200 * 0.015) / 1000)
    assert [u.text for u in report.grounding.unmatched] == ["999"]
    assert report.grounding.checked == 2


def test_the_bedrock_adapter_streams_through_the_service(ports: Ports) -> None:
    runtime = StreamingRuntime(stream_events(CHUNKS, 321, 45, latency_ms=900))
    bedrock = BedrockLLM(runtime)
    reports = service(ports, {"offline": OfflineNarrator(), MODEL: bedrock})
    seen: list[str] = []
    report = reports.generate(ANALYST, request(MODEL), on_chunk=seen.append)
    assert seen == CHUNKS and report.narrative == "".join(CHUNKS)
    assert (report.input_tokens, report.output_tokens, report.latency_ms) == (321, 45, 900)
    (call,) = runtime.calls
    assert call["modelId"] == "test-model"
    assert call["inferenceConfig"] == {"maxTokens": 2000, "temperature": 0.3}
    assert "<data>" in call["messages"][0]["content"][0]["text"]


def test_a_refused_model_call_saves_nothing(ports: Ports) -> None:
    runtime = StreamingRuntime(client_error("AccessDeniedException", "no access", 403,
                                            "ConverseStream"))
    bedrock = BedrockLLM(runtime)
    reports = service(ports, {"offline": OfflineNarrator(), MODEL: bedrock})
    with pytest.raises(PermissionDenied):
        reports.generate(ANALYST, request(MODEL))
    assert ports.reports.list() == []


def test_a_stream_that_breaks_off_saves_nothing(ports: Ports) -> None:
    broken = FakeLLM(CHUNKS, fail_with=QuotaExceeded("llm.err_throttled"), fail_after=2)
    reports = service(ports, {"offline": OfflineNarrator(), MODEL: broken})
    generation = reports.stream(ANALYST, request(MODEL))
    seen: list[str] = []
    with pytest.raises(QuotaExceeded):
        for chunk in generation:
            seen.append(chunk)
    assert seen == CHUNKS[:2] and generation.report is None and ports.reports.list() == []


def test_the_estimate_and_the_daily_budget(ports: Ports) -> None:
    reports = service(ports, budget=5000)
    preview = reports.preview_context(ANALYST, "overall", "ko", PERIOD)
    estimate = reports.estimate(ANALYST, preview, MODEL, 2000)
    tokens = estimate_tokens(preview.prompt.system + preview.prompt.prompt)
    assert (estimate.input_tokens, estimate.output_tokens) == (tokens, 2000)
    assert estimate.cost_usd == pytest.approx((tokens * 0.003 + 2000 * 0.015) / 1000)
    assert (estimate.budget, estimate.used, estimate.left) == (5000, 0, 5000)

    offline = reports.estimate(ANALYST, preview, "offline", 2000)
    assert (offline.metered, offline.tokens, offline.cost_usd, offline.fits) == (
        False, 0, 0.0, True)


def test_reports_over_budget_are_refused_before_the_model_is_called(ports: Ports) -> None:
    fake = FakeLLM(CHUNKS, usage=(1000, 200))
    reports = service(ports, {"offline": OfflineNarrator(), MODEL: fake}, budget=100)
    with pytest.raises(QuotaExceeded) as raised:
        reports.generate(ANALYST, request(MODEL))
    assert raised.value.key == "reports.err_budget"
    assert raised.value.params["left"] == "100" and raised.value.params["budget"] == "100"
    assert fake.requests == [] and ports.reports.list() == []
    assert reports.generate(ANALYST, request()).model_id == OFFLINE_MODEL_ID  # never refused


def test_today_s_tokens_count_from_local_midnight(ports: Ports) -> None:
    moments = iter([datetime(2026, 3, 9, 14, 59, tzinfo=UTC),  # 23:59 on the 9th in Seoul
                    datetime(2026, 3, 9, 15, 1, tzinfo=UTC)])  # 00:01 on the 10th
    times: list[datetime] = []

    def clock() -> datetime:
        return times[-1] if times else NOW

    reports = service(ports, clock=clock, budget=10_000)
    for moment in moments:
        times.append(moment)
        reports.generate(ANALYST, request(MODEL))
    times.append(NOW)
    assert reports.tokens_used_today(ANALYST) == 1200  # only the report after midnight
    assert reports.tokens_used_today(OTHER) == 0


def test_a_preview_the_user_saw_is_what_is_sent(ports: Ports) -> None:
    reports = service(ports)
    preview = reports.preview_context(ANALYST, "overall", "ko", PERIOD)
    ports.events.append(ev("2026-03-06 03:00", EventType.PAGE_VIEW, 5, page="home"))
    assert reports.generate(ANALYST, request(), preview=preview).context == preview.context
    fresh = reports.generate(ANALYST, request(language=ReportLanguage.EN), preview=preview)
    assert fresh.context["language"] == "en"  # another request: built afresh
    assert {k["key"]: k["value"] for k in fresh.context["kpis"]}["page_views"] == 115


def test_unknown_models_are_refused(ports: Ports) -> None:
    with pytest.raises(ValidationError):
        service(ports).generate(ANALYST, request("bedrock:other"))


def test_a_truncated_answer_is_marked(ports: Ports) -> None:
    cut = FakeLLM(CHUNKS, usage=(10, 5), stop_reason="max_tokens")
    report = service(ports, {"offline": OfflineNarrator(), MODEL: cut}).generate(
        ANALYST, request(MODEL))
    assert report.extra["truncated"] is True and report.extra["stop_reason"] == "max_tokens"


def test_unknown_prices_are_shown_as_unknown(ports: Ports) -> None:
    reports = service(ports, {"offline": OfflineNarrator(), "bedrock:x": FakeLLM(CHUNKS)})
    preview = reports.preview_context(ANALYST, "overall", "ko", PERIOD)
    assert reports.estimate(ANALYST, preview, "bedrock:x", 100).cost_usd is None
    report = reports.generate(ANALYST, request("bedrock:x"), preview=preview)
    assert report.cost_usd == 0.0 and report.extra["price_known"] is False


def test_history_compare_and_delete(ports: Ports) -> None:
    ticks = iter(range(100))
    reports = service(ports, clock=lambda: NOW + timedelta(seconds=next(ticks)))
    mine = reports.generate(ANALYST, request())
    theirs = reports.generate(OTHER, request(report_type=ReportType.AUTHOR,
                                             period=Period(PERIOD.start - timedelta(days=7),
                                                           PERIOD.end - timedelta(days=7))))
    assert [r.id for r in reports.history(ANALYST)] == [theirs.id, mine.id]  # newest first
    assert [r.id for r in reports.history(ANALYST, mine_only=True)] == [mine.id]
    first, second = reports.compare(ANALYST, mine.id, theirs.id)
    rows = {r["key"]: (r["first"], r["second"]) for r in kpi_comparison(first, second)}
    assert rows["page_views"] == (110, None)  # the author report has no page views
    assert rows["content_views"] == (60, 0)

    assert not reports.may_delete(ANALYST, theirs) and reports.may_delete(ADMIN, theirs)
    with pytest.raises(PermissionDenied):
        reports.delete(ANALYST, theirs.id)
    reports.delete(ANALYST, mine.id)
    reports.delete(ADMIN, theirs.id)
    assert reports.history(ADMIN) == []


def test_the_offline_narrator_comes_first(ports: Ports) -> None:
    reports = service(ports, {MODEL: FakeLLM(), "offline": OfflineNarrator(),
                              "bedrock:a": FakeLLM()})
    assert reports.models() == ["offline", "bedrock:a", MODEL]


def test_generating_a_report_is_audited(ports: Ports, tmp_path: Path) -> None:
    """The services the app builds write who generated which report, of what, with which
    model; streaming writes it once the report is saved."""
    settings = Settings(data_dir=tmp_path / "data", sample_content=False)
    reports = build_services(settings, ports).reports
    report = reports.generate(ANALYST, request(language=ReportLanguage.EN))

    entries = ports.audit.entries(action="report.generate")
    assert [(e.actor, e.target, e.outcome, e.detail) for e in entries] == [
        ("ana", report.id, "ok", {"type": "overall", "language": "en",
                                  "model": OFFLINE_MODEL_ID}),
    ]


@pytest.mark.parametrize(("ends", "partial"), [(0, True), (1, False)])
def test_a_report_made_on_its_periods_last_day_says_that_day_is_not_over(
        ports: Ports, ends: int, partial: bool) -> None:
    """Its figures are lower than a whole day's: the context marks it (the prompt tells the
    model what the mark means, the PDF's trend shades the day), and the offline narrator says
    so once; a period that ended before the report's day carries no mark."""
    today = NOW.astimezone(Settings().tz).date()
    period = Period(today - timedelta(days=6 + ends), today - timedelta(days=ends))
    report = service(ports).generate(ANALYST, request(period=period), "sess-1")
    assert report.context["period"].get("last_day_partial", False) is partial
    assert report.context["previous_period"].get("last_day_partial") is None
    sentence = "기간의 마지막 날은 이 보고서를 쓸 때 아직 집계 중이어서"
    assert (sentence in report.narrative) is partial
    assert report.grounding.ok
