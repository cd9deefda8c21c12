"""The config doctor in local mode: a broken config per check, each reported with its fix; a
healthy config passes; the script's exit code and output formats."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ProfileNotFound
from pydantic import SecretStr

from scripts.doctor import main as doctor_main
from services.adapters.aws.bedrock.check import BedrockClients
from services.bootstrap import doctor_checks, report_models
from services.domain.checks import DoctorLine, Message
from services.errors import ConfigError
from services.ops.doctor.base import (
    STREAMLIT_CONFIG,
    Check,
    DoctorContext,
    DoctorReport,
    json_report,
    render_message,
    run_doctor,
    text_lines,
)
from services.settings import ENV_PREFIX, Settings
from tests.doubles.bedrock import REGION, stubbed

HEALTHY_CONFIG = """
[server]
enableXsrfProtection = true
maxUploadSize = 100
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(HEALTHY_CONFIG)
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", sample_content=False)


@pytest.fixture
def run(settings: Settings, config: Path, tmp_path: Path) -> Callable[..., DoctorReport]:
    def run(settings: Settings = settings, **overrides: Any) -> DoctorReport:
        # No credentials from the machine's AWS config folder either.
        values: dict[str, Any] = {"streamlit_config": config, "env": {},
                                  "home": tmp_path / "home"}
        values.update(overrides)
        return run_doctor(DoctorContext(settings, **values), doctor_checks())

    return run


def line(report: DoctorReport, check: str) -> DoctorLine:
    found = [entry for entry in report.lines if entry.check == check]
    assert len(found) == 1, [entry.check for entry in report.lines]
    return found[0]


def failed_with(report: DoctorReport, check: str, detail: str, fix: str) -> DoctorLine:
    found = line(report, check)
    assert not found.ok
    assert found.detail.key == f"admin_tools.{detail}"
    assert found.fix is not None and found.fix.key == f"admin_tools.{fix}"
    assert not report.ok
    return found


def test_a_healthy_local_config_passes(run: Callable[..., DoctorReport]) -> None:
    report = run()

    assert report.ok, [(entry.check, entry.detail) for entry in report.failures]
    assert [entry.check for entry in report.lines] == [
        "local.data_dir", "local.sqlite", "local.files_dir", "font", "cookie_key",
        "streamlit.xsrf", "streamlit.cors", "streamlit.upload", "streamlit.base_url", "bedrock",
    ]
    assert line(report, "bedrock").detail.key == "admin_tools.doc_bedrock_not_configured"


def test_the_repositorys_own_streamlit_config_passes(run: Callable[..., DoctorReport]) -> None:
    report = run(streamlit_config=STREAMLIT_CONFIG)

    assert all(entry.ok for entry in report.lines if entry.check.startswith("streamlit."))


def test_a_data_dir_that_cannot_be_written(tmp_path: Path, run: Callable[..., DoctorReport]
                                           ) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")

    report = run(Settings(data_dir=blocker))

    found = failed_with(report, "local.data_dir", "doc_dir_not_writable", "fix_data_dir")
    assert found.fix is not None and found.fix.params["path"] == str(blocker.resolve())
    failed_with(report, "local.sqlite", "doc_sqlite_failed", "fix_sqlite")


def test_a_files_dir_that_cannot_be_written(settings: Settings,
                                            run: Callable[..., DoctorReport]) -> None:
    settings.data_dir.mkdir(parents=True)
    settings.files_dir.write_text("a file where the files dir should be")

    failed_with(run(), "local.files_dir", "doc_dir_not_writable", "fix_files_dir")


def test_a_corrupt_database(settings: Settings, run: Callable[..., DoctorReport]) -> None:
    settings.data_dir.mkdir(parents=True)
    settings.sqlite_path.write_bytes(b"this is not a database" * 100)

    found = failed_with(run(), "local.sqlite", "doc_sqlite_failed", "fix_sqlite")
    assert "not a database" in found.detail.params["error"]


def test_a_missing_korean_font(run: Callable[..., DoctorReport]) -> None:
    def no_font() -> Path:
        raise FileNotFoundError("NanumGothic.ttf not found")

    failed_with(run(font_path=no_font), "font", "doc_font_missing", "fix_font")


@pytest.mark.parametrize(
    ("key", "detail"),
    [("replace-with-a-long-random-value", "doc_key_placeholder"),
     ("ChangeMe", "doc_key_placeholder"), ("short-but-random-9f3k", "doc_key_short"),
     ("ab" * 20, "doc_key_repetitive")],
)
def test_weak_cookie_keys(key: str, detail: str, tmp_path: Path,
                          run: Callable[..., DoctorReport]) -> None:
    # Settings refuse such a key when they load (tests/unit/config/test_cookie_key.py); the
    # doctor says the same of settings made without that check.
    unchecked = Settings.model_construct(data_dir=tmp_path / "data", cookie_key=SecretStr(key))
    report = run(unchecked)

    found = failed_with(report, "cookie_key", detail, "fix_cookie_key")
    assert found.fix is not None and found.fix.params["min"] == 32


@pytest.mark.parametrize(
    ("key", "detail"),
    [("changeme", "doc_key_file_placeholder"), ("short-but-random-9f3k", "doc_key_file_short"),
     ("ab" * 20, "doc_key_file_repetitive")],
)
def test_a_weak_generated_key_file_is_reported(key: str, detail: str, tmp_path: Path,
                                               run: Callable[..., DoctorReport]) -> None:
    """No DEMO_FACTORY_COOKIE_KEY: the key is the data dir's file, held to the same rule."""
    data = tmp_path / "data"
    data.mkdir()
    (data / ".cookie_key").write_text(key)

    found = failed_with(run(Settings(data_dir=data)), "cookie_key", detail, "fix_cookie_key_file")
    assert key not in str(found.detail.params)
    assert found.detail.params["path"] == str(data / ".cookie_key")


def test_a_generated_key_file_passes(tmp_path: Path, run: Callable[..., DoctorReport]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / ".cookie_key").write_text(secrets.token_urlsafe(48))

    assert line(run(Settings(data_dir=data)), "cookie_key").ok


def test_a_strong_cookie_key_passes(tmp_path: Path, run: Callable[..., DoctorReport]) -> None:
    report = run(Settings(data_dir=tmp_path / "data", cookie_key=secrets.token_urlsafe(48)))

    assert line(report, "cookie_key").ok


def _with_config(config: Path, text: str) -> Path:
    config.write_text(text)
    return config


@pytest.mark.parametrize(
    ("text", "check", "detail", "fix"),
    [
        ("[server]\nenableXsrfProtection = false\n", "streamlit.xsrf", "doc_xsrf_off", "fix_xsrf"),
        ("[server]\nenableCORS = false\n", "streamlit.cors", "doc_cors_off", "fix_cors"),
        ("[server]\nmaxUploadSize = 10\n", "streamlit.upload", "doc_upload_small", "fix_upload"),
        # no room above the app's limit: a file just over it never reaches the app
        ("[server]\nmaxUploadSize = 50\n", "streamlit.upload", "doc_upload_small", "fix_upload"),
        ('[server]\nbaseUrlPath = "my demos"\n', "streamlit.base_url", "doc_base_url_invalid",
         "fix_base_url"),
        ("[server\nbroken", "streamlit.config", "doc_config_unreadable", "fix_config_unreadable"),
    ],
)
def test_streamlit_settings_that_break_behind_a_proxy(
    text: str, check: str, detail: str, fix: str, config: Path,
    run: Callable[..., DoctorReport],
) -> None:
    failed_with(run(streamlit_config=_with_config(config, text)), check, detail, fix)


def test_environment_overrides_are_what_streamlit_uses(run: Callable[..., DoctorReport]) -> None:
    env = {"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "10", "STREAMLIT_SERVER_BASE_URL_PATH": "demo"}

    report = run(env=env)

    upload = failed_with(report, "streamlit.upload", "doc_upload_small", "fix_upload")
    assert (upload.detail.params["size"], upload.detail.params["wanted"]) == (10, 100)
    failed_with(report, "streamlit.base_url", "doc_base_url_mismatch", "fix_base_url")


def test_without_a_config_file_streamlits_defaults_apply(tmp_path: Path,
                                                         run: Callable[..., DoctorReport]) -> None:
    report = run(streamlit_config=tmp_path / "absent.toml")

    assert all(entry.ok for entry in report.lines if entry.check.startswith("streamlit."))
    assert line(report, "streamlit.upload").detail.params["size"] == 200


def test_the_bedrock_check_reuses_the_diagnostics(tmp_path: Path,
                                                  run: Callable[..., DoctorReport]) -> None:
    sts, stub = stubbed("sts")
    stub.add_client_error("get_caller_identity", "ExpiredToken", "expired", 403)
    clients = BedrockClients(sts, None, None, REGION)
    configured = Settings(data_dir=tmp_path / "data", bedrock_region=REGION)

    report = run(configured, include_bedrock=True, bedrock_clients=lambda s: clients)
    skipped = run(configured, include_bedrock=False)

    found = line(report, "bedrock.credentials")
    assert not found.ok and found.detail.key == "llm.err_expired_token"
    assert found.fix is not None and found.fix.key == "llm.fix_expired_token"
    assert not [entry for entry in report.lines if entry.check == "bedrock.region"]  # skipped
    assert line(skipped, "bedrock").detail.key == "admin_tools.doc_bedrock_skipped"
    stub.assert_no_pending_responses()


@pytest.mark.parametrize("where", ["profile", "config file", "region"])
def test_the_doctor_checks_bedrock_wherever_reports_offer_it(
        where: str, tmp_path: Path, run: Callable[..., DoctorReport]) -> None:
    """One rule for both: credentials in the environment or an AWS config folder (local mode),
    or a Bedrock Region."""
    home, env = tmp_path / "home", {"AWS_PROFILE": "dev"} if where == "profile" else {}
    if where == "config file":
        (home / ".aws").mkdir(parents=True)
        (home / ".aws" / "config").write_text("[default]\nregion = ap-northeast-2\n")
    settings = Settings(data_dir=tmp_path / "data",
                        bedrock_region=REGION if where == "region" else None)
    sts, stub = stubbed("sts")
    stub.add_client_error("get_caller_identity", "ExpiredToken", "expired", 403)
    clients = BedrockClients(sts, None, None, REGION)

    report = run(settings, env=env, home=home, bedrock_clients=lambda s: clients)

    assert any(key.startswith("bedrock:") for key in report_models(settings, env, home))
    assert line(report, "bedrock.credentials").detail.key == "llm.err_expired_token"
    unconfigured = run(settings.model_copy(update={"bedrock_region": None}), env={},
                       home=tmp_path / "nobody")
    assert line(unconfigured, "bedrock").detail.key == "admin_tools.doc_bedrock_not_configured"
    assert list(report_models(settings.model_copy(update={"bedrock_region": None}), {},
                              tmp_path / "nobody")) == ["offline"]


def test_a_crashing_check_is_a_failed_line_and_checks_can_be_added(
    settings: Settings, config: Path
) -> None:
    def crash(context: DoctorContext) -> list[DoctorLine]:
        raise KeyError("bug")

    def extra(context: DoctorContext) -> list[DoctorLine]:
        return [DoctorLine("extra", True, Message("admin_tools.doc_xsrf_on"))]

    def no_region(context: DoctorContext) -> list[DoctorLine]:
        raise ConfigError("aws.no_region")

    checks = [Check("crash", crash), Check("extra", extra), Check("region", no_region),
              Check("aws only", crash, frozenset({"aws"}))]

    report = run_doctor(DoctorContext(settings, streamlit_config=config), checks)

    assert [entry.check for entry in report.lines] == ["crash", "extra", "region"]
    failed_with(report, "crash", "doc_crashed", "fix_crashed")
    region = line(report, "region")
    assert not region.ok and region.detail.key == "aws.no_region"  # its message names the fix


def test_bedrock_clients_that_cannot_be_made_are_diagnosed(
    tmp_path: Path, run: Callable[..., DoctorReport]
) -> None:
    def missing_profile(settings: Settings) -> BedrockClients:
        raise ProfileNotFound(profile="demo")

    report = run(Settings(data_dir=tmp_path / "data", bedrock_region=REGION),
                 bedrock_clients=missing_profile)

    found = line(report, "bedrock")
    assert not found.ok and found.detail.key == "llm.err_no_credentials"
    assert found.fix is not None and found.fix.key == "llm.fix_no_credentials"
    # Read by the administrator: what to do, not "an administrator needs to".
    shown = "\n".join(text_lines(report, "en")).lower()
    assert "aws_access_key_id" in shown and "administrator" not in shown


def test_text_and_json_output(tmp_path: Path, run: Callable[..., DoctorReport]) -> None:
    def no_font() -> Path:
        raise FileNotFoundError

    report = run(font_path=no_font)

    lines = text_lines(report, "en")
    assert lines[0].startswith("✔ local.data_dir: ")
    font = lines.index("✘ font: No Korean TrueType font (NanumGothic) was found: PDFs and charts "
                       "would show boxes.")
    assert lines[font + 1].startswith("    → Install the requirements")
    assert lines[-1] == "local mode: 1 of 9 checks failed, 1 skipped (bedrock)."
    data = json.loads(json_report(report, "ko"))
    assert data["ok"] is False
    font_entry = next(c for c in data["checks"] if c["check"] == "font")
    assert "나눔고딕" in font_entry["detail"] and font_entry["fix"]


def test_a_check_that_did_not_run_is_marked_skipped_not_passed(
        run: Callable[..., DoctorReport]) -> None:
    report = run()  # Bedrock is not configured: its check does not run

    bedrock = line(report, "bedrock")
    assert bedrock.ok and bedrock.skipped
    assert not line(report, "font").skipped
    lines = text_lines(report, "en")
    assert lines[0].startswith("✔ local.data_dir: ")
    assert [x for x in lines if " bedrock: " in x] == [
        "– bedrock: Bedrock is not configured: no AWS credentials were found (keys or "
        "AWS_PROFILE in the environment, an ~/.aws folder) and DEMO_FACTORY_BEDROCK_REGION is "
        "not set; reports offer only the offline narrator."]
    checks = {c["check"]: c for c in json.loads(json_report(report, "en"))["checks"]}
    assert checks["bedrock"]["skipped"] is True and checks["bedrock"]["ok"] is True
    assert checks["font"]["skipped"] is False
    assert run(include_bedrock=False).lines[-1].skipped


def test_the_summary_counts_a_skipped_check_apart(run: Callable[..., DoctorReport]) -> None:
    """Nine checks ran and passed; Bedrock did not run: not "all ten passed". The summary names
    the skipped check, whose own line says why; the mode is not read as the reason."""
    report = run()  # Bedrock is not configured

    assert text_lines(report, "en")[-1] == "local mode: 9 checks passed, 1 skipped (bedrock)."
    assert text_lines(report, "ko")[-1] == (
        "local 모드: 점검 9개를 통과했고 1개(bedrock)는 건너뛰었습니다.")
    ran = DoctorReport("local", tuple(line for line in report.lines if not line.skipped))
    assert text_lines(ran, "en")[-1] == "All 9 checks passed (local mode)."
    one = DoctorReport("local", (*ran.lines[:1], *report.lines[-1:]))
    assert text_lines(one, "en")[-1] == "local mode: 1 check passed, 1 skipped (bedrock)."
    failed = DoctorReport("local", (DoctorLine("x", False, Message("admin_tools.doc_crashed",
                                                                   {"error": "E"})),
                                    *report.lines[-1:]))
    assert text_lines(failed, "en")[-1] == "local mode: 1 of 1 check failed, 1 skipped (bedrock)."


@pytest.mark.parametrize(("lang", "reason"), [("en", "Include the Bedrock check"),
                                              ("ko", "Bedrock 점검 포함")])
def test_a_bedrock_check_left_out_says_so_on_its_line(
    run: Callable[..., DoctorReport], lang: str, reason: str
) -> None:
    """Left out by the page's box or the script's --no-bedrock, not by the mode."""
    left_out = text_lines(run(include_bedrock=False), lang)

    bedrock = next(text for text in left_out if " bedrock: " in text)
    assert reason in bedrock and "--no-bedrock" in bedrock


# ---- scripts/doctor.py -----------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    import os

    for name in list(os.environ):
        if name.startswith((ENV_PREFIX, "STREAMLIT_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DEMO_FACTORY_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


def test_the_script_exits_zero_when_healthy_and_one_when_not(
    clean_env: pytest.MonkeyPatch, config: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert doctor_main(["--streamlit-config", str(config), "--no-bedrock"]) == 0
    healthy = capsys.readouterr().out

    clean_env.setenv("DEMO_FACTORY_COOKIE_KEY", "changeme")
    assert doctor_main(["--streamlit-config", str(config), "--no-bedrock", "--json"]) == 1
    broken = json.loads(capsys.readouterr().out)

    assert "✘" not in healthy and healthy.rstrip().endswith(
        "\n– bedrock: Bedrock check skipped: left out of this run ('Include the Bedrock check' "
        "not ticked on the page, or --no-bedrock given to the script).\n"
        "local mode: 9 checks passed, 1 skipped (bedrock).")
    assert broken["ok"] is False
    assert [c["check"] for c in broken["checks"] if not c["ok"]] == ["settings"]
    assert "DEMO_FACTORY_COOKIE_KEY" in broken["checks"][0]["detail"]
    assert "changeme" not in broken["checks"][0]["detail"]


def test_the_script_reports_invalid_settings_instead_of_a_traceback(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("DEMO_FACTORY_MAX_UPLOAD_MB", "0")

    assert doctor_main(["--lang", "ko"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("✘ settings: 설정 값이 올바르지 않습니다: DEMO_FACTORY_MAX_UPLOAD_MB")


@pytest.mark.parametrize("origin_https, ok, detail", [
    (False, False, "doc_origin_plain"),
    (True, True, "doc_origin_https"),
])
def test_the_doctor_says_whether_cloudfront_reaches_the_app_over_https(
    tmp_path: Path, run: Callable[..., DoctorReport], origin_https: bool, ok: bool, detail: str
) -> None:
    """The stack passes DEMO_FACTORY_ORIGIN_HTTPS: false when CloudFront reaches the load
    balancer over plain HTTP (no OriginDomainName and OriginCertificateArn)."""
    report = run(Settings(data_dir=tmp_path / "data", origin_https=origin_https))

    if ok:
        assert line(report, "origin.https").detail.key == f"admin_tools.{detail}"
        assert line(report, "origin.https").ok
    else:
        found = failed_with(report, "origin.https", detail, "fix_origin_plain")
        assert found.fix is not None
        assert "OriginCertificateArn" in render_message(found.fix, "en")


def test_without_the_stacks_word_the_origin_is_not_judged(
    run: Callable[..., DoctorReport]
) -> None:
    assert "origin.https" not in [entry.check for entry in run().lines]


def test_the_stack_tells_the_app_how_its_origin_is_reached(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_PREFIX + "ORIGIN_HTTPS", "false")
    assert Settings().origin_https is False
