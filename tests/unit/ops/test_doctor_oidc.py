"""The config doctor's SSO (OIDC) check: the secrets Streamlit reads for st.login, and the
provider's metadata fetched from a local provider."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.bootstrap import doctor_checks
from services.ops.doctor.base import DoctorContext, run_doctor
from services.settings import Settings
from tests.doubles.oidc_provider import oidc_provider

GOOD_SECRET = "kq3Zt8vW1xYp0aBc5dEf7gHi9jKl2mNo4rSu6"


def _context(tmp_path: Path, body: str, **settings: object) -> DoctorContext:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(body, encoding="utf-8")
    values = {"data_dir": tmp_path / "data", "sample_content": False, "auth": "oidc", **settings}
    return DoctorContext(settings=Settings(**values), secrets_files=(secrets,),
                         include_bedrock=False)


def _oidc_lines(context: DoctorContext) -> dict[str, tuple[bool, str]]:
    report = run_doctor(context, doctor_checks())
    return {line.check: (line.ok, line.detail.key) for line in report.lines
            if line.check.startswith("oidc")}


def _auth(metadata: str, secret: str = GOOD_SECRET, uri: str = "http://x/oauth2callback") -> str:
    return (f'[auth]\nredirect_uri = "{uri}"\ncookie_secret = "{secret}"\n'
            f'client_id = "c"\nclient_secret = "s"\nserver_metadata_url = "{metadata}"\n')


def test_a_complete_setup_reaches_the_provider(tmp_path: Path) -> None:
    with oidc_provider() as url:
        lines = _oidc_lines(_context(
            tmp_path, _auth(f"{url}/.well-known/openid-configuration")))
    assert lines == {"oidc.secrets": (True, "admin_tools.doc_oidc_secrets_ok"),
                     "oidc.provider": (True, "admin_tools.doc_oidc_provider_ok")}


def test_missing_keys_are_named(tmp_path: Path) -> None:
    context = _context(tmp_path, '[auth]\nredirect_uri = "http://x/oauth2callback"\n')
    report = run_doctor(context, doctor_checks())
    (line,) = [line for line in report.lines if line.check.startswith("oidc")]
    assert not line.ok and not report.ok
    assert line.detail.params["keys"] == (
        "[auth] cookie_secret, [auth] client_id, [auth] client_secret, "
        "[auth] server_metadata_url")


def test_a_named_provider_section(tmp_path: Path) -> None:
    body = ('[auth]\nredirect_uri = "http://x/oauth2callback"\n'
            f'cookie_secret = "{GOOD_SECRET}"\n[auth.cognito]\nclient_id = "c"\n')
    report = run_doctor(_context(tmp_path, body, oidc_provider="cognito"), doctor_checks())
    (line,) = [line for line in report.lines if line.check == "oidc.secrets"]
    assert line.detail.params["keys"] == (
        "[auth.cognito] client_secret, [auth.cognito] server_metadata_url")


@pytest.mark.parametrize(("secret", "uri", "failed"), [
    ("short", "http://x/oauth2callback", "oidc.cookie_secret"),
    # the README's template, pasted as it is (63 characters), and a long repetitive value
    ("<python -c 'import secrets; print(secrets.token_urlsafe(48))'>",
     "http://x/oauth2callback", "oidc.cookie_secret"),
    ("s" * 40, "http://x/oauth2callback", "oidc.cookie_secret"),
    (GOOD_SECRET, "http://x/callback", "oidc.redirect_uri"),
])
def test_weak_secret_and_wrong_redirect(tmp_path: Path, secret: str, uri: str,
                                        failed: str) -> None:
    lines = _oidc_lines(_context(tmp_path, _auth("http://127.0.0.1:9/none", secret, uri)))
    assert lines[failed][0] is False
    assert lines["oidc.provider"] == (False, "admin_tools.doc_oidc_unreachable")


def test_not_checked_with_other_sign_in(tmp_path: Path) -> None:
    assert _oidc_lines(_context(tmp_path, "", auth="local")) == {}
