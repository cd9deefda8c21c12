"""DEMO_FACTORY_PUBLIC_URL: its form, and that account mails (verification, reset links) need it
and a sender, with local sign-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from services import bootstrap
from services.bootstrap import build_local_ports, build_services
from services.errors import ConfigError
from services.settings import load_settings
from tests.doubles.mailer import RecordingMailer


@pytest.mark.parametrize("bad", ["demo.example.com", "https://demo.example.com/?a=1",
                                 "javascript:alert(1)", "https://demo example.com"])
def test_a_public_url_must_be_a_plain_http_address(bad: str) -> None:
    with pytest.raises(ConfigError):
        load_settings(public_url=bad)


def test_a_public_url_loses_its_trailing_slash() -> None:
    assert load_settings(public_url="https://demo.example.com/app/").public_url == (
        "https://demo.example.com/app")


@pytest.mark.parametrize(("sender", "url", "on"), [
    ("no-reply@example.com", "https://demo.example.com", True),
    ("no-reply@example.com", None, False),
    (None, "https://demo.example.com", False),
])
def test_account_mail_needs_a_sender_and_the_public_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sender: str | None, url: str | None,
    on: bool,
) -> None:
    monkeypatch.setattr(bootstrap, "_mailer",
                        lambda settings: RecordingMailer() if settings.ses_sender else None)
    settings = load_settings(data_dir=tmp_path, ses_sender=sender, public_url=url,
                             sample_content=False)
    services = build_services(settings, build_local_ports(settings))

    assert services.signup is not None and services.password_reset is not None
    assert services.signup.verifies_email is on
    assert services.password_reset.available is on
