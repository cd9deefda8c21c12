"""The daily budget is checked and spent in one step: two tabs cannot both pass it.

A metered generation or answer reserves its estimate before the model is called, so a second
one started before the first is read sees the tokens held (on SQLite and DynamoDB alike). When
the stream settles, the reservation keeps the model's real use and gives back the rest."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from services.bootstrap import Ports
from services.errors import DemoFactoryError, QuotaExceeded, ServiceUnavailable
from tests.doubles.fake_llm import FakeLLM
from tests.unit.reports import test_report_interrupted as metered
from tests.unit.reports.test_report_interrupted import (
    ANALYST,
    CHUNKS,
    MODEL,
    backend,
    request,
    service,
)

ports = metered.ports  # the same fixture: local ports with a week of events


def _needed(ports: Ports) -> int:
    probe = service(ports, FakeLLM(CHUNKS))
    preview = probe.preview_context(ANALYST, "overall", "ko", request().period)
    return probe.estimate(ANALYST, preview, MODEL, 2000).tokens


@pytest.mark.parametrize("name", ["sqlite", "dynamodb"])
def test_a_second_tab_is_refused_while_the_first_holds_the_budget(
        ports: Ports, name: str) -> None:
    fake = FakeLLM(CHUNKS, usage=(1000, 200))
    with backend(name, ports) as stores:
        reports = service(ports, fake, budget=_needed(ports) + 10, stores=stores)
        first = reports.stream(ANALYST, request())  # started, not read yet

        with pytest.raises(QuotaExceeded) as refused:
            reports.stream(ANALYST, request())

        assert len(fake.requests) == 1  # the model was called once
        assert refused.value.params["used"] == f"{_needed(ports):,}"  # the held estimate
        assert "".join(first) == "".join(CHUNKS)
        assert reports.tokens_used_today(ANALYST) == 1200  # settled to the real use


@pytest.mark.parametrize("name", ["sqlite", "dynamodb"])
def test_tabs_starting_at_once_get_only_what_the_budget_holds(ports: Ports, name: str) -> None:
    fake = FakeLLM(CHUNKS, usage=(1000, 200))
    needed = _needed(ports)
    with backend(name, ports) as stores:
        reports = service(ports, fake, budget=2 * needed + 10, stores=stores)
        preview = reports.preview_context(ANALYST, "overall", "ko", request().period)
        start = threading.Barrier(6)

        def tab(_: int) -> bool:
            start.wait()
            try:
                reports.stream(ANALYST, request(), preview=preview)
            except QuotaExceeded:
                return False
            return True

        with ThreadPoolExecutor(6) as pool:
            started = list(pool.map(tab, range(6)))

        assert started.count(True) == 2 and len(fake.requests) == 2
        assert reports.tokens_used_today(ANALYST) == 2 * needed


def test_a_request_the_model_refuses_gives_its_reservation_back(ports: Ports) -> None:
    refusing = FakeLLM(CHUNKS, fail_with=DemoFactoryError("llm.access_denied"))
    reports = service(ports, refusing)
    with pytest.raises(DemoFactoryError) as refused:
        reports.stream(ANALYST, request())
    assert refused.value.key == "llm.access_denied"  # the model's refusal, passed on
    assert reports.tokens_used_today(ANALYST) == 0


def test_an_answer_holds_its_estimate_until_it_is_read(ports: Ports) -> None:
    fake = FakeLLM(["방문자는 ", "늘었습니다."], usage=(700, 50))
    reports = service(ports, fake)
    report = reports.generate(ANALYST, request("offline"))
    answer = reports.ask(ANALYST, report.id, "방문자는?", MODEL, "ko")
    held = reports.tokens_used_today(ANALYST)
    assert held > 750  # the prompt's estimate and the answer's ceiling
    "".join(answer)
    assert reports.tokens_used_today(ANALYST) == 750


def test_a_report_is_kept_when_giving_back_its_unused_tokens_fails(
        ports: Ports, monkeypatch: pytest.MonkeyPatch) -> None:
    """The model wrote the report and was paid; the write that returns the unused part of
    the estimate fails. The report stays, and the day keeps the whole estimate."""
    reports = service(ports, FakeLLM(CHUNKS, usage=(1000, 200)))
    spend = ports.reports.spend_tokens
    calls: list[int] = []

    def second_write_fails(user: str, day: date, tokens: int, limit: int | None = None) -> bool:
        calls.append(tokens)
        if len(calls) == 2:  # the first reserves, the second settles
            raise ServiceUnavailable()
        return spend(user, day, tokens, limit)

    monkeypatch.setattr(ports.reports, "spend_tokens", second_write_fails)
    generation = reports.stream(ANALYST, request())
    with pytest.raises(ServiceUnavailable):
        "".join(generation)

    [listed] = ports.reports.list(created_by=ANALYST.user_id)
    kept = ports.reports.get(listed.id)
    assert kept.id == generation.id and kept.narrative == "".join(CHUNKS)
    assert reports.tokens_used_today(ANALYST) == _needed(ports)
