"""A stopped container keeps its buffered events: the SIGTERM handler closes every live tracker
(writing what is queued) and then does what the replaced handler would have done. The handler
is called directly; nothing here sends a signal to the test process."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.analytics import shutdown
from services.analytics.tracker import Tracker
from services.domain.analytics import Event, EventType

T0 = datetime(2026, 5, 4, 1, 2, 3, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> SqliteEventStore:
    db = SqliteDatabase(tmp_path / "events.sqlite3")
    db.migrate()
    return SqliteEventStore(db, UTC, retention_days=3650)


@pytest.fixture
def tracker(store: SqliteEventStore) -> Iterator[Tracker]:
    tracker = Tracker(store, flush_seconds=3600.0)  # nothing is written before a flush
    yield tracker
    tracker.close(timeout=5)


def events(n: int) -> list[Event]:
    return [Event(id=f"01EV{i:04d}", ts=T0 + timedelta(seconds=i), type=EventType.PAGE_VIEW,
                  session_id="s1", page="home") for i in range(n)]


def stored(store: SqliteEventStore) -> int:
    return len(list(store.raw_events(T0, T0 + timedelta(days=1))))


def test_sigterm_writes_the_buffer_then_chains_the_previous_handler(
    tracker: Tracker, store: SqliteEventStore
) -> None:
    for event in events(5):
        tracker.track(event)
    calls: list[tuple[int, FrameType | None]] = []

    def previous(signum: int, frame: FrameType | None) -> None:
        calls.append((signum, frame))
        assert stored(store) == 5  # already written when the previous handler runs

    shutdown.sigterm_handler(previous)(signal.SIGTERM, None)

    assert calls == [(signal.SIGTERM, None)]
    assert tracker.stats().written == 5 and tracker.stats().queued == 0


def test_with_the_default_handler_it_exits_so_that_atexit_runs(
    tracker: Tracker, store: SqliteEventStore
) -> None:
    tracker.track(events(1)[0])

    with pytest.raises(SystemExit) as exited:
        shutdown.sigterm_handler(signal.SIG_DFL)(signal.SIGTERM, None)

    assert exited.value.code == 128 + signal.SIGTERM
    assert stored(store) == 1


def test_an_ignored_sigterm_stays_ignored(tracker: Tracker, store: SqliteEventStore) -> None:
    tracker.track(events(1)[0])

    shutdown.sigterm_handler(signal.SIG_IGN)(signal.SIGTERM, None)  # returns: no exit

    assert stored(store) == 1


def test_a_handler_interrupting_a_tracker_holding_its_lock_does_not_hang(
    tracker: Tracker, store: SqliteEventStore
) -> None:
    tracker.track(events(1)[0])
    with tracker._lock:  # the signal arrived in the middle of track()
        shutdown.close_all(timeout=0.2)  # gives up instead of deadlocking
    assert tracker.close()  # atexit's turn: it writes
    assert stored(store) == 1


class _Recorder:
    def __init__(self) -> None:
        self.installed: list[Any] = []

    def signal(self, signum: int, handler: Any) -> Any:
        self.installed.append((signum, handler))
        return signal.SIG_DFL

    def getsignal(self, signum: int) -> Any:
        return signal.SIG_DFL


def test_installed_once_from_the_main_thread_only(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _Recorder()
    monkeypatch.setattr(shutdown, "_installed", False)
    monkeypatch.setattr(shutdown, "_live", type(shutdown._live)())
    monkeypatch.setattr(shutdown.signal, "signal", recorder.signal)
    monkeypatch.setattr(shutdown.signal, "getsignal", recorder.getsignal)

    class Dummy:
        def close(self, timeout: float = 0) -> bool:
            return True

    answers: list[bool] = []
    script_thread = threading.Thread(target=lambda: answers.append(
        shutdown.flush_on_sigterm(Dummy())))
    script_thread.start()
    script_thread.join()
    assert answers == [False] and recorder.installed == []  # e.g. a Streamlit script thread

    first, second = Dummy(), Dummy()
    assert shutdown.flush_on_sigterm(first) and shutdown.flush_on_sigterm(second)
    assert [signum for signum, _ in recorder.installed] == [signal.SIGTERM]  # one handler
    assert set(shutdown._live) >= {first, second}
