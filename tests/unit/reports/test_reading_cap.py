"""At most ``report_concurrent_limit`` model texts (reports and follow-up answers) are written
at once in a process: each is read to its end on a thread of its own, which no click stops.
One over the cap is refused before anything is reserved or sent, and each way a text ends
gives its place back."""

from __future__ import annotations

import threading
from collections.abc import Generator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.analytics.dashboards import Period
from services.bootstrap import Ports, build_local_ports
from services.domain.analytics import EventType
from services.domain.llm import LLMRequest, LLMResult, LLMStream
from services.domain.permissions import Role
from services.domain.reports import ReportLanguage, ReportType
from services.errors import QuotaExceeded, ServiceUnavailable
from services.reports.narrator.offline import OfflineNarrator
from services.reports.request import ReportRequest
from services.reports.service import ReportService
from services.reports.streams import Reading
from services.settings import Settings
from tests.conftest import make_actor
from tests.doubles.fake_llm import FakeLLM
from tests.unit.reports.report_fixtures import ev

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
PERIOD = Period(date(2026, 3, 4), date(2026, 3, 10))
MODEL = "bedrock:test-model"
ANALYST = make_actor("ana", Role.ANALYST)
BUSY = "reports.err_busy"


class HeldLLM:
    """A model that writes its first chunk and then waits until ``release`` is set."""

    def __init__(self) -> None:
        self.fake = FakeLLM(["방문자는 ", "늘었습니다."], usage=(900, 40))
        self.release = threading.Event()
        self.requests: list[LLMRequest] = self.fake.requests

    def complete(self, request: LLMRequest) -> LLMResult:
        return self.stream(request).read_all()

    def stream(self, request: LLMRequest) -> LLMStream:
        inner = self.fake.stream(request)

        def body() -> Generator[str, None, LLMResult]:
            chunks = iter(inner)
            yield next(chunks)
            assert self.release.wait(5)
            yield from chunks
            return inner.result()

        return LLMStream(body())


@pytest.fixture
def ports(tmp_path: Path) -> Ports:
    ports = build_local_ports(Settings(data_dir=tmp_path / "data", sample_content=False))
    ports.events.append([*ev("2026-03-05 03:00", EventType.PAGE_VIEW, 110, page="home")])
    return ports


def service(ports: Ports, model: object, limit: int) -> ReportService:
    settings = Settings(sample_content=False, report_concurrent_limit=limit)
    return ReportService(ports.reports, ports.events, ports.content,
                         {"offline": OfflineNarrator(), MODEL: model},  # type: ignore[dict-item]
                         settings, clock=lambda: NOW, audit=ports.audit)


def request(model: str = MODEL) -> ReportRequest:
    return ReportRequest(ReportType.OVERALL, ReportLanguage.KO, PERIOD, model, 0.2, 2000)


def test_a_report_or_answer_over_the_cap_is_refused_before_anything_is_spent(
        ports: Ports) -> None:
    held = HeldLLM()
    reports = service(ports, held, limit=2)
    saved = reports.generate(ANALYST, request("offline"))  # read to its end: its place is back
    writing = [Reading(reports.stream(ANALYST, request())),
               Reading(reports.ask(ANALYST, saved.id, "방문자는?", MODEL, "ko"))]
    spent = reports.tokens_used_today(ANALYST)

    for refused in (lambda: reports.stream(ANALYST, request()),
                    lambda: reports.stream(ANALYST, request("offline")),
                    lambda: reports.ask(ANALYST, saved.id, "왜?", MODEL, "ko")):
        with pytest.raises(QuotaExceeded) as caught:
            refused()
        assert caught.value.key == BUSY
    assert reports.tokens_used_today(ANALYST) == spent  # nothing reserved for the refused
    assert len(held.requests) == 2  # nor sent

    held.release.set()
    for reading in writing:
        list(reading.follow())
    assert all(reading.stream.value is not None for reading in writing)
    assert len(ports.reports.list()) == 2
    again = reports.stream(ANALYST, request())  # the places are back
    assert "".join(again) == held.fake.text


def test_every_way_a_text_ends_gives_its_place_back(ports: Ports) -> None:
    broken = FakeLLM(["a "], fail_with=ServiceUnavailable("llm.err_timeout"), fail_after=1)
    reports = service(ports, broken, limit=1)
    with pytest.raises(ServiceUnavailable):  # the model's error mid-stream
        list(Reading(reports.stream(ANALYST, request())).follow())
    closed = reports.stream(ANALYST, request("offline"))
    closed.close()  # closed before it was read
    dropped = iter(reports.stream(ANALYST, request("offline")))
    next(dropped)
    del dropped  # dropped midway by a stopped run
    refusing = FakeLLM(fail_with=ServiceUnavailable("llm.err_timeout"))
    reports.llms[MODEL] = refusing
    with pytest.raises(ServiceUnavailable):  # the model refused before any text
        reports.stream(ANALYST, request())
    tight = ReportService(ports.reports, ports.events, ports.content, reports.llms,
                          Settings(sample_content=False, report_concurrent_limit=1,
                                   report_daily_token_budget=10), clock=lambda: NOW)
    with pytest.raises(QuotaExceeded) as over_budget:
        tight.stream(ANALYST, request())
    assert over_budget.value.key != BUSY
    assert tight.generate(ANALYST, request("offline")) is not None
    under_way = reports.stream(ANALYST, request("offline"))  # the one place is free again
    with pytest.raises(QuotaExceeded) as caught:  # and is the only one
        reports.stream(ANALYST, request("offline"))
    assert caught.value.key == BUSY
    under_way.close()
