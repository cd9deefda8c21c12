"""Sign-up settings: the mode and the automatically approved email domains."""

from __future__ import annotations

import pytest

from services.errors import ConfigError
from services.settings import load_settings


def test_sign_up_waits_for_approval_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("DEMO_FACTORY_SIGNUP", "DEMO_FACTORY_SIGNUP_AUTO_DOMAINS"):
        monkeypatch.delenv(var, raising=False)

    settings = load_settings()

    assert settings.signup == "approval"
    assert settings.signup_auto_domains == ()


def test_auto_domains_are_a_comma_list_in_lower_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_FACTORY_SIGNUP", "open")
    monkeypatch.setenv("DEMO_FACTORY_SIGNUP_AUTO_DOMAINS", " Example.COM, @partner.co.kr ,,")

    settings = load_settings()

    assert settings.signup == "open"
    assert settings.signup_auto_domains == ("example.com", "partner.co.kr")


@pytest.mark.parametrize(("var", "value"), [
    ("DEMO_FACTORY_SIGNUP", "everyone"),
    ("DEMO_FACTORY_SIGNUP_AUTO_DOMAINS", "example.com, not a domain"),
    ("DEMO_FACTORY_SIGNUP_AUTO_DOMAINS", "*.example.com"),
])
def test_a_bad_sign_up_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str
) -> None:
    monkeypatch.setenv(var, value)

    with pytest.raises(ConfigError) as err:
        load_settings()

    assert var in err.value.params["problems"]
