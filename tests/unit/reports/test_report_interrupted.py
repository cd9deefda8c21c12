"""A generation or follow-up answer that is not read to its end still costs its tokens.

A click on the page while the model writes stops the Streamlit run: the stream is closed (or
dropped) before the report is saved, while Bedrock has billed the prompt and what it wrote.
These tokens count against the day's budget, on the SQLite and the DynamoDB adapters alike."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.adapters.aws.bedrock.llm import BedrockLLM
from services.adapters.aws.dynamodb.audit import DynamoAuditLog
from services.adapters.aws.dynamodb.reports import DynamoReportStore
from services.analytics.dashboards import Period
from services.bootstrap import Ports, build_local_ports
from services.domain.analytics import EventType
from services.domain.permissions import Role
from services.domain.reports import ReportLanguage, ReportType
from services.errors import QuotaExceeded
from services.ports import LLM, AuditLog, ReportStore
from services.reports.cost import estimate_tokens
from services.reports.narrator.offline import OfflineNarrator
from services.reports.request import Preview, ReportRequest
from services.reports.service import ReportService
from services.settings import ModelPrice, Settings
from tests.conftest import make_actor
from tests.contract.aws_backends import mocked_aws
from tests.doubles.bedrock import StreamingRuntime, stream_events
from tests.doubles.fake_llm import FakeLLM
from tests.unit.reports.report_fixtures import ev

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
PERIOD = Period(date(2026, 3, 4), date(2026, 3, 10))
MODEL = "bedrock:test-model"
ANALYST = make_actor("ana", Role.ANALYST)
CHUNKS = ["## 요약\n\n", "페이지 조회는 110회 `kpis[1].value`", "였고 방문자는 늘었습니다.\n"]


@pytest.fixture
def ports(tmp_path: Path) -> Ports:
    ports = build_local_ports(Settings(data_dir=tmp_path / "data", sample_content=False))
    ports.events.append([*ev("2026-03-05 03:00", EventType.PAGE_VIEW, 110, page="home"),
                         *ev("2026-02-26 03:00", EventType.PAGE_VIEW, 80, page="home")])
    return ports


@contextmanager
def backend(name: str, ports: Ports) -> Iterator[tuple[ReportStore, AuditLog]]:
    """The report store and audit log of one backend (events and content stay local)."""
    if name == "sqlite":
        yield ports.reports, ports.audit
        return
    with mocked_aws() as aws:
        yield (DynamoReportStore(aws.dynamodb, str(aws.settings.reports_table)),
               DynamoAuditLog(aws.dynamodb, str(aws.settings.audit_table)))


def service(ports: Ports, model: LLM, budget: int = 100_000,
            stores: tuple[ReportStore, AuditLog] | None = None) -> ReportService:
    store, audit = stores or (ports.reports, ports.audit)
    settings = Settings(sample_content=False, report_daily_token_budget=budget,
                        model_prices={"test-model": ModelPrice(input=0.003, output=0.015)})
    return ReportService(store, ports.events, ports.content,
                         {"offline": OfflineNarrator(), MODEL: model}, settings,
                         clock=lambda: NOW, audit=audit)


def request(model: str = MODEL) -> ReportRequest:
    return ReportRequest(ReportType.OVERALL, ReportLanguage.KO, PERIOD, model, 0.2, 2000)


def prompt_tokens(reports: ReportService, preview: Preview) -> int:
    return reports.estimate(ANALYST, preview, MODEL, 2000).input_tokens


@pytest.mark.parametrize("name", ["sqlite", "dynamodb"])
def test_a_stream_closed_midway_counts_its_prompt_and_what_was_written(
        ports: Ports, name: str) -> None:
    with backend(name, ports) as stores:
        reports = service(ports, FakeLLM(CHUNKS, usage=(1000, 200)), stores=stores)
        preview = reports.preview_context(ANALYST, "overall", "ko", PERIOD)
        generation = reports.stream(ANALYST, request(), preview=preview)
        gen = iter(generation)
        received = next(gen) + next(gen)
        gen.close()  # what a click on the page does to the run reading it

        assert generation.report is None and stores[0].list() == []
        expected = prompt_tokens(reports, preview) + estimate_tokens(received)
        assert reports.tokens_used_today(ANALYST) == expected > 0


def test_a_bedrock_stream_closed_midway_is_counted(ports: Ports) -> None:
    runtime = StreamingRuntime(stream_events(CHUNKS, 1000, 200))
    reports = service(ports, BedrockLLM(runtime))
    preview = reports.preview_context(ANALYST, "overall", "ko", PERIOD)
    gen = iter(reports.stream(ANALYST, request(), preview=preview))
    received = next(gen)
    gen.close()
    assert reports.tokens_used_today(ANALYST) == (
        prompt_tokens(reports, preview) + estimate_tokens(received))
    assert runtime.streams[0].closed  # the HTTP response is released with it


@pytest.fixture
def no_cyclic_gc() -> Iterator[None]:
    """Only reference counting frees objects (the app turns off Streamlit's collection after
    each run: a cycle may wait long for Python's own)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("no_cyclic_gc")
def test_a_generation_dropped_midway_settles_at_once(ports: Ports) -> None:
    """A stopped run drops the stream it was reading without closing it."""
    reports = service(ports, FakeLLM(CHUNKS, usage=(1000, 200)))
    preview = reports.preview_context(ANALYST, "overall", "ko", PERIOD)
    generation = reports.stream(ANALYST, request(), preview=preview)
    gen = iter(generation)
    received = next(gen)
    del gen, generation
    assert reports.tokens_used_today(ANALYST) == (
        prompt_tokens(reports, preview) + estimate_tokens(received))


@pytest.mark.usefixtures("no_cyclic_gc")
def test_an_answer_dropped_midway_settles_at_once(ports: Ports) -> None:
    fake = FakeLLM(["방문자는 ", "늘었습니다."], usage=(700, 50))
    reports = service(ports, fake)
    report = reports.generate(ANALYST, request("offline"))
    answer = reports.ask(ANALYST, report.id, "방문자는?", MODEL, "ko")
    gen = iter(answer)
    received = next(gen)
    del gen, answer
    question = fake.requests[0]
    # What it cost, not the whole reservation (the prompt and ``ANSWER_MAX_TOKENS``).
    expected = estimate_tokens(question.system + question.prompt) + estimate_tokens(received)
    assert reports.tokens_used_today(ANALYST) == expected
    (entry,) = ports.audit.entries(action="report.ask")
    assert (entry.outcome, int(entry.detail["tokens"])) == ("unfinished", expected)


def test_a_generation_dropped_before_its_first_chunk_counts_its_prompt(ports: Ports) -> None:
    reports = service(ports, FakeLLM(CHUNKS))
    preview = reports.preview_context(ANALYST, "overall", "ko", PERIOD)
    generation = reports.stream(ANALYST, request(), preview=preview)
    generation.close()  # the request was sent; nothing was read
    assert reports.tokens_used_today(ANALYST) == prompt_tokens(reports, preview)


def test_a_stream_that_breaks_off_counts_what_it_cost(ports: Ports) -> None:
    broken = FakeLLM(CHUNKS, fail_with=QuotaExceeded("llm.err_throttled"), fail_after=1)
    reports = service(ports, broken)
    preview = reports.preview_context(ANALYST, "overall", "ko", PERIOD)
    with pytest.raises(QuotaExceeded):
        list(reports.stream(ANALYST, request(), preview=preview))
    assert reports.tokens_used_today(ANALYST) == (
        prompt_tokens(reports, preview) + estimate_tokens(CHUNKS[0]))
    assert ports.reports.list() == []


def test_an_unfinished_generation_is_counted_once_and_a_saved_one_by_its_report(
        ports: Ports) -> None:
    reports = service(ports, FakeLLM(CHUNKS, usage=(1000, 200)))
    saved = reports.stream(ANALYST, request())
    assert "".join(saved) == "".join(CHUNKS)
    saved.close()  # read to its end: the saved report carries its tokens
    assert reports.tokens_used_today(ANALYST) == 1200

    unfinished = reports.stream(ANALYST, request())
    gen = iter(unfinished)
    next(gen)
    unfinished.close()
    unfinished.close()
    del gen, unfinished
    gc.collect()
    (entry,) = [e for e in ports.audit.entries(action="report.generate") if e.outcome != "ok"]
    assert reports.tokens_used_today(ANALYST) == 1200 + int(entry.detail["tokens"])


def test_the_interrupted_generation_is_audited_with_its_tokens(ports: Ports) -> None:
    reports = service(ports, FakeLLM(CHUNKS))
    generation = reports.stream(ANALYST, request())
    gen = iter(generation)
    next(gen)
    gen.close()
    (entry,) = ports.audit.entries(action="report.generate")
    assert (entry.actor, entry.target, entry.outcome) == ("ana", generation.id, "unfinished")
    assert int(entry.detail["tokens"]) == reports.tokens_used_today(ANALYST)
    assert entry.detail["model"] == "test-model"


def test_interrupting_does_not_get_around_the_budget(ports: Ports) -> None:
    fake = FakeLLM(CHUNKS)
    probe = service(ports, fake)
    preview = probe.preview_context(ANALYST, "overall", "ko", PERIOD)
    needed = probe.estimate(ANALYST, preview, MODEL, 2000).tokens
    reports = service(ports, fake, budget=needed + 10)
    gen = iter(reports.stream(ANALYST, request(), preview=preview))
    next(gen)
    gen.close()
    with pytest.raises(QuotaExceeded):
        reports.stream(ANALYST, request(), preview=preview)
    assert len(fake.requests) == 1


def test_an_interrupted_offline_generation_costs_nothing(ports: Ports) -> None:
    reports = service(ports, FakeLLM(CHUNKS))
    gen = iter(reports.stream(ANALYST, request("offline")))
    next(gen)
    gen.close()
    assert reports.tokens_used_today(ANALYST) == 0
    assert ports.audit.entries(action="report.generate") == []


def test_an_answer_closed_midway_counts_against_the_budget(ports: Ports) -> None:
    fake = FakeLLM(["방문자는 ", "늘었습니다."], usage=(700, 50))
    reports = service(ports, fake)
    report = reports.generate(ANALYST, request("offline"))  # offline: no tokens
    answer = reports.ask(ANALYST, report.id, "방문자는?", MODEL, "ko")
    gen = iter(answer)
    received = next(gen)
    gen.close()
    assert answer.result is None
    question = fake.requests[0]
    expected = estimate_tokens(question.system + question.prompt) + estimate_tokens(received)
    assert reports.tokens_used_today(ANALYST) == expected > 0


@pytest.mark.parametrize("name", ["sqlite", "dynamodb"])
def test_deleting_today_s_report_gives_no_budget_back(ports: Ports, name: str) -> None:
    """The model was paid for the report whether or not it is kept: deleting it must not
    let its author generate more today."""
    with backend(name, ports) as stores:
        reports = service(ports, FakeLLM(CHUNKS, usage=(1000, 200)), stores=stores)
        saved = reports.stream(ANALYST, request())
        "".join(saved)
        assert saved.report is not None and reports.tokens_used_today(ANALYST) == 1200

        reports.delete(ANALYST, saved.report.id)

        assert stores[0].list() == []
        assert reports.tokens_used_today(ANALYST) == 1200
