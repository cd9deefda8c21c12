"""The load run's CPU accounting: the server's CPU time and the machine's busy share between
two readings, from Linux's /proc (the run's own process stands in for the server)."""

from __future__ import annotations

import os
import time

from scripts.load import CpuClock


def _burn(cpu_seconds: float) -> None:
    """Keep this process on a core for about ``cpu_seconds`` of CPU time."""
    end = time.process_time() + cpu_seconds
    while time.process_time() < end:
        sum(range(1000))


def test_the_servers_cpu_time_between_two_readings_is_what_it_used() -> None:
    start = CpuClock.read(os.getpid())
    _burn(0.4)
    found = CpuClock.read(os.getpid()).since(start)

    assert 0.3 <= found["server_cpu_s"] <= 1.0  # clock ticks are 10 ms; other threads may add
    assert 0 < found["server_share_of_machine"] <= 1
    assert found["server_share_of_machine"] <= found["machine_busy_share"] <= 1


def test_without_a_server_process_only_the_machine_is_read() -> None:
    start = CpuClock.read(None)
    _burn(0.05)
    found = CpuClock.read(None).since(start)

    assert set(found) == {"machine_busy_share"}
    assert CpuClock.read(2**22 + 12345).server_s is None  # no such process
