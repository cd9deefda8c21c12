"""The cost guard's pure parts, the model choices offered, and the report settings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.adapters.aws.bedrock.lazy import LazyBedrock, credentials_configured
from services.bootstrap import report_models
from services.errors import ConfigError, QuotaExceeded, ServiceUnavailable
from services.i18n import translate
from services.reports.cost import (
    Estimate,
    base_model_id,
    cost_usd,
    estimate_tokens,
    local_midnight,
    next_midnight,
    price_of,
    require_budget,
)
from services.settings import DEFAULT_MODEL_PRICES, ModelPrice, Settings, load_settings

HAIKU = "global.anthropic.claude-haiku-4-5-20251001-v1:0"


def test_token_estimates_count_hangul_per_syllable_and_other_text_per_three_and_a_half() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcdefg") == 2  # 7 / 3.5
    assert estimate_tokens("가나다") == 3
    assert estimate_tokens("가나다 abcdefg") == 3 + 3  # 8 other characters -> 2.29 -> 3 total
    assert estimate_tokens('{"views":110}') == 4


def test_prices_follow_the_model_across_inference_profile_prefixes() -> None:
    prices = {HAIKU: ModelPrice(input=0.001, output=0.005)}
    assert price_of(prices, HAIKU) == prices[HAIKU]
    assert price_of(prices, "apac.anthropic.claude-haiku-4-5-20251001-v1:0") == prices[HAIKU]
    assert price_of(prices, "anthropic.claude-haiku-4-5-20251001-v1:0") == prices[HAIKU]
    assert price_of(prices, "anthropic.claude-sonnet-4") is None
    assert base_model_id("us-gov.x.y") == "x.y" and base_model_id("x.y") == "x.y"


def test_cost_is_per_thousand_tokens() -> None:
    price = ModelPrice(input=0.001, output=0.005)
    assert cost_usd(price, 12_000, 4_000) == pytest.approx(0.012 + 0.02)
    assert cost_usd(None, 10, 10) is None


def test_local_midnight_is_in_the_app_s_zone() -> None:
    seoul = ZoneInfo("Asia/Seoul")
    late = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # 01:00 on the 10th in Seoul
    assert local_midnight(late, seoul) == datetime(2026, 3, 10, tzinfo=seoul)


def test_the_budget_message_says_how_much_is_left_and_when_it_starts_again() -> None:
    seoul = ZoneInfo("Asia/Seoul")
    resets = next_midnight(datetime(2026, 3, 9, 16, 0, tzinfo=UTC), seoul)  # 01:00 in Seoul
    assert resets == datetime(2026, 3, 11, tzinfo=seoul)
    over = Estimate("bedrock:x", True, 3000, 4096, 0.1, budget=10_000, used=8_500, left=1_500,
                    resets=resets)
    assert not over.fits
    with pytest.raises(QuotaExceeded) as raised:
        require_budget(over)
    assert raised.value.key == "reports.err_budget"
    assert raised.value.params == {"needed": "7,096", "left": "1,500", "used": "8,500",
                                   "budget": "10,000", "resets": "2026-03-11 00:00 KST"}
    with pytest.raises(QuotaExceeded) as asked:
        require_budget(over, "followup.err_budget")
    assert (asked.value.key, asked.value.params) == ("followup.err_budget", raised.value.params)
    for lang in ("ko", "en"):  # both say when the budget starts again, not "tomorrow"
        for key in ("reports.err_budget", "followup.err_budget"):
            assert "2026-03-11 00:00 KST" in translate(lang, key, **raised.value.params)
    require_budget(Estimate("offline", False, 0, 0, 0.0, budget=0, used=0, left=0,
                            resets=resets))


def test_settings_have_a_budget_and_default_prices(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.report_daily_token_budget == 200_000
    assert settings.model_prices == DEFAULT_MODEL_PRICES
    assert HAIKU in settings.model_prices and settings.bedrock_model_id == HAIKU
    monkeypatch.setenv("DEMO_FACTORY_MODEL_PRICES", '{"m": {"input": 0.01, "output": 0.02}}')
    monkeypatch.setenv("DEMO_FACTORY_REPORT_DAILY_TOKEN_BUDGET", "5000")
    loaded = load_settings()
    assert loaded.model_prices == {"m": ModelPrice(input=0.01, output=0.02)}
    assert loaded.report_daily_token_budget == 5000


@pytest.mark.parametrize("prices", ['{"m": {"input": 1}}', '{"m": {"input": -1, "output": 1}}',
                                    '{"m": {"input": 1, "output": 1, "cached": 1}}', "not json"])
def test_bad_prices_are_a_config_error(monkeypatch: pytest.MonkeyPatch, prices: str) -> None:
    monkeypatch.setenv("DEMO_FACTORY_MODEL_PRICES", prices)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "DEMO_FACTORY_MODEL_PRICES" in raised.value.params["problems"]


def test_credentials_are_judged_from_the_environment_only(tmp_path: Path) -> None:
    local = Settings()
    assert not credentials_configured(local, {}, tmp_path)
    assert credentials_configured(local, {"AWS_PROFILE": "dev"}, tmp_path)
    assert credentials_configured(local, {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2"},
                                  tmp_path)
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text("[default]\n")
    assert credentials_configured(local, {}, tmp_path)
    assert credentials_configured(Settings(backend="aws"), {}, tmp_path / "none")


def test_model_choices(tmp_path: Path) -> None:
    settings = Settings(model_prices={"apac.x": ModelPrice(input=1, output=1)})
    assert list(report_models(settings, {}, tmp_path)) == ["offline"]
    with_keys = {"AWS_ACCESS_KEY_ID": "k"}
    assert list(report_models(settings, with_keys, tmp_path)) == [
        "offline", f"bedrock:{HAIKU}", "bedrock:apac.x"]
    emulated = Settings(emulation=True)
    assert list(report_models(emulated, with_keys, tmp_path)) == ["offline"]


def test_bedrock_is_not_touched_until_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.adapters.aws.bedrock import llm as bedrock

    made: list[str] = []
    monkeypatch.setattr(bedrock, "make_bedrock_client",
                        lambda service, settings: made.append(service))
    lazy = LazyBedrock(Settings())
    assert made == []
    lazy._model()
    lazy._model()
    assert made == ["bedrock-runtime"]


def test_no_region_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import NoRegionError

    from services.adapters.aws.bedrock import llm as bedrock
    from services.domain.llm import LLMRequest

    def no_region(service: str, settings: Settings) -> None:
        raise NoRegionError()

    monkeypatch.setattr(bedrock, "make_bedrock_client", no_region)
    with pytest.raises(ServiceUnavailable) as raised:
        LazyBedrock(Settings()).stream(LLMRequest("m", system="", prompt="p"))
    assert raised.value.key == "llm.err_no_region"


def test_token_estimate_counts_every_hangul_range_and_nothing_else() -> None:
    edges = "".join(chr(c) for lo, hi in ((0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F))
                    for c in (lo, hi))
    outside = "".join(chr(c) for c in (0xABFF, 0xD7A4, 0x10FF, 0x1200, 0x312F, 0x3190))
    assert estimate_tokens(edges) == 6
    assert estimate_tokens(outside) == 2  # six other characters / 3.5
    # 3,000 syllables; 1,000 spaces and 1,300 JSON characters: 2,300 / 3.5 = 657.1
    assert estimate_tokens("보고서 " * 1000 + '{"views": 12}' * 100) == 3000 + 658
