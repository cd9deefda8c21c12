"""Where a report's generation is, as the page shows it: reading the usage data, writing the
narrative, checking its numbers, saving; told in that order, each once, for the offline
narrator and a streamed model, and to whoever follows a reading on a worker thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from services.bootstrap import Ports
from services.reports.streams import Phase, Reading, Settled
from tests.unit.reports.test_reports_service import (  # noqa: F401 - ``ports`` is a fixture
    ANALYST,
    MODEL,
    ports,
    request,
    service,
)

ALL = [Phase.READING, Phase.WRITING, Phase.CHECKING, Phase.SAVING, Phase.DONE]


def test_an_offline_generation_tells_each_phase_in_order(ports: Ports) -> None:  # noqa: F811
    phases: list[Phase] = []
    saved_when: dict[Phase, int] = {}

    def note(phase: Phase) -> None:
        phases.append(phase)
        saved_when[phase] = len(ports.reports.list())

    generation = service(ports).stream(ANALYST, request(), on_phase=note)
    assert phases == [Phase.READING, Phase.WRITING]  # told on the caller's thread
    generation.watch(note)
    text = "".join(generation)

    assert phases == ALL and text and generation.report is not None
    # Checked, then saved: the report is kept between "saving" and "done".
    assert (saved_when[Phase.SAVING], saved_when[Phase.DONE]) == (0, 1)


def test_a_model_s_generation_writes_while_its_text_arrives(ports: Ports) -> None:  # noqa: F811
    phases: list[Phase] = []
    generation = service(ports).stream(ANALYST, request(MODEL), on_phase=phases.append)
    generation.watch(phases.append)
    seen = []
    for chunk in generation:
        seen.append((chunk, phases[-1]))
    assert {phase for _, phase in seen} == {Phase.WRITING}
    assert phases == ALL


def test_a_follower_hears_every_phase_in_order_on_its_own_thread() -> None:
    gate = threading.Event()

    def chunks() -> Iterator[str]:
        yield "a"
        gate.wait(5)

    def finish() -> str:
        stream.enter(Phase.CHECKING)
        stream.enter(Phase.SAVING)
        stream.enter(Phase.DONE)
        return "saved"

    stream: Settled[str] = Settled(chunks(), finish, lambda received: None)
    reading = Reading(stream)
    heard: list[tuple[Phase, bool]] = []
    follower = reading.follow(
        lambda phase: heard.append((phase, threading.current_thread() is follower_thread)))
    follower_thread = threading.current_thread()
    assert next(follower) == "a"
    gate.set()
    assert list(follower) == []
    assert heard == [(p, True) for p in (Phase.WRITING, Phase.CHECKING, Phase.SAVING,
                                         Phase.DONE)]
