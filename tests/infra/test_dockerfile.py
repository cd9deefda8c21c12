"""deploy/Dockerfile (no Docker engine here: the file is parsed) and .dockerignore."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml
from streamlit import config as streamlit_config

from services.settings import UPLOADER_HEADROOM, Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
HEALTH_URL = "http://127.0.0.1:8501/_stcore/health"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        found.append((keyword.upper(), args.strip()))
    assert not pending, "a continuation line runs off the end"
    return found


def args_of(keyword: str) -> list[str]:
    return [args for kw, args in instructions() if kw == keyword]


def env_defaults() -> dict[str, str]:
    env: dict[str, str] = {}
    for args in args_of("ENV"):
        for pair in shlex.split(args):
            name, _, value = pair.partition("=")
            env[name] = value
    return env


def command() -> list[str]:
    """The streamlit command line of CMD (exec form around ``sh -c "exec ..."``)."""
    [cmd] = args_of("CMD")
    argv = json.loads(cmd)
    assert argv[:2] == ["sh", "-c"]
    words = shlex.split(argv[2])
    start = words.index("exec")
    assert words[start:start + 4] == ["exec", "streamlit", "run", "server.py"]
    return words[start + 4:]


def test_the_doctor_sees_the_upload_limit_in_force() -> None:
    """The config doctor reads STREAMLIT_SERVER_MAX_UPLOAD_SIZE, not the command line."""
    [cmd] = args_of("CMD")
    words = shlex.split(json.loads(cmd)[2])
    # Twice the app's limit: a file somewhat over it reaches the app, which names it
    # (services/ui/uploads.py).
    assert words[:3] == ["export",
                         "STREAMLIT_SERVER_MAX_UPLOAD_SIZE=$((DEMO_FACTORY_MAX_UPLOAD_MB * 2))",
                         "&&"]


def flags() -> dict[str, str]:
    words = command()
    assert len(words) % 2 == 0, words
    return dict(zip(words[::2], words[1::2], strict=True))


def test_the_app_runs_as_a_non_root_user() -> None:
    sequence = instructions()
    users = [i for i, (kw, _) in enumerate(sequence) if kw == "USER"]
    assert users, "no USER instruction"
    last_user = sequence[users[-1]][1]
    assert last_user.split(":")[0] not in ("root", "0")
    # Nothing after it runs as root again, and the command runs as that user.
    assert [kw for kw, _ in sequence[users[-1]:]].count("USER") == 1
    assert users[-1] < max(i for i, (kw, _) in enumerate(sequence) if kw == "CMD")
    assert "useradd" in " ".join(args_of("RUN"))


def test_requirements_are_installed_before_the_code_without_a_cache() -> None:
    sequence = instructions()
    pip = [i for i, (kw, args) in enumerate(sequence) if kw == "RUN" and "pip install" in args]
    [install] = pip
    assert "-r requirements.txt" in sequence[install][1]
    assert "--no-cache-dir" in sequence[install][1]
    copies = [(i, args) for i, (kw, args) in enumerate(sequence) if kw == "COPY"]
    # requirements.txt alone first, so a code change does not reinstall the dependencies.
    assert copies[0][1] == "requirements.txt ." and copies[0][0] < install < copies[-1][0]


def test_streamlit_listens_on_8501_with_proxy_settings() -> None:
    options = flags()
    assert args_of("EXPOSE") == ["8501"]
    assert options["--server.port"] == "8501"
    assert options["--server.address"] == "0.0.0.0"
    assert options["--server.headless"] == "true"
    assert options["--server.enableXsrfProtection"] == "true"
    # Same origin behind CloudFront (Host forwarded): CORS protection stays on.
    assert options["--server.enableCORS"] == "true"
    assert options["--server.fileWatcherType"] == "none"
    assert options["--server.maxUploadSize"] == "${STREAMLIT_SERVER_MAX_UPLOAD_SIZE}"


def test_every_flag_is_a_streamlit_option() -> None:
    known = set(streamlit_config.get_config_options())
    unknown = [flag for flag in flags() if flag.removeprefix("--") not in known]
    assert unknown == []


def test_the_upload_limit_default_matches_the_app_and_the_stack() -> None:
    image_default = int(env_defaults()["DEMO_FACTORY_MAX_UPLOAD_MB"])
    with (ROOT / ".streamlit" / "config.toml").open("rb") as fh:
        config_default = tomllib.load(fh)["server"]["maxUploadSize"]
    stack = cfn_yaml.load(str(ROOT / "deploy" / "cloudformation.yaml"))
    # Streamlit's cap on every upload is the uploaders' cap, twice the app's limit.
    assert image_default == Settings().max_upload_mb == config_default // UPLOADER_HEADROOM
    assert stack["Parameters"]["MaxUploadMb"]["Default"] == image_default


class _Health(BaseHTTPRequestHandler):
    body = b"ok"

    def do_GET(self) -> None:  # the http.server API
        status = 200 if self.path == "/_stcore/health" else 404
        self.send_response(status)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/_stcore/health"
    finally:
        server.shutdown()
        _Health.body = b"ok"


def test_the_healthcheck_asks_streamlit_with_python(health_server: str) -> None:
    [healthcheck] = args_of("HEALTHCHECK")
    _, _, exec_form = healthcheck.partition("CMD ")
    argv = json.loads(exec_form)
    assert argv[:2] == ["python", "-c"] and "curl" not in healthcheck
    assert HEALTH_URL in argv[2]
    probe = argv[2].replace(HEALTH_URL, health_server)

    healthy = subprocess.run([sys.executable, "-c", probe], check=False, timeout=10)
    _Health.body = b"starting"
    unhealthy = subprocess.run([sys.executable, "-c", probe], check=False, timeout=10,
                               capture_output=True)

    assert healthy.returncode == 0
    assert unhealthy.returncode != 0


def test_the_build_context_leaves_out_data_secrets_and_tooling() -> None:
    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "data", "tests", ".streamlit/secrets.toml"} <= ignored
    assert not any(line.startswith("!") and "secrets" in line for line in ignored)
