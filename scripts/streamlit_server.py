"""A Streamlit server for the benchmarks, the screenshots and the load run: started on a free
127.0.0.1 port in its own process group, waited for until healthy, stopped with its children."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests


@dataclass(frozen=True)
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_streamlit(script: Path, cwd: Path, log: Path, env: dict[str, str]) -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with log.open("wb") as out:  # its own process group: stopping it stops its children too
        proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env}, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{server.url}/_stcore/health", timeout=1).text == "ok":
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"streamlit did not become healthy:\n{log.read_text()[-3000:]}")


def stop(server: Server) -> None:
    if server.proc.poll() is not None:
        return
    os.killpg(server.proc.pid, signal.SIGTERM)
    try:
        server.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=10)
