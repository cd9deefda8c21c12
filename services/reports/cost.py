"""The cost guard of AI reports (pure): token estimates, prices, the daily budget.

Token estimate (before a model is called, so no tokenizer): Hangul syllables and jamo count one
token each; everything else (English, digits, JSON punctuation) 3.5 characters a token. Claude
tokenizers give about one token per Hangul syllable and 3.5-4 characters per token for English
and JSON, so the estimate errs slightly high, which is the safe side for a budget. The output is
estimated at its ceiling (``max_tokens``): the model may write less, never more.

The budget counts a user's model tokens (input + output) of the local day in the app's time
zone, reserved and settled by ``services.reports.usage``; the offline narrator uses no model
tokens and is never refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from services.errors import QuotaExceeded
from services.i18n.times import format_time
from services.settings import ModelPrice

CHARS_PER_TOKEN = 3.5
HANGUL_TOKENS_PER_CHAR = 1.0
_HANGUL = ((0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F))
# One character class for the ranges: the report page estimates a prompt of some 10,000
# characters on every run, which a per-character loop in Python took ~80 ms to count.
_HANGUL_CHARS = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _HANGUL) + "]")
# Bedrock inference-profile prefixes: the same model at the same price in every geography.
_PROFILE_PREFIXES = ("global.", "us-gov.", "us.", "eu.", "apac.", "jp.", "au.", "ca.")


def estimate_tokens(text: str) -> int:
    hangul = len(_HANGUL_CHARS.findall(text))
    other = len(text) - hangul
    return math.ceil(hangul * HANGUL_TOKENS_PER_CHAR + other / CHARS_PER_TOKEN)


def base_model_id(model_id: str) -> str:
    """``global.anthropic.claude-...`` -> ``anthropic.claude-...`` (profile prefix dropped)."""
    for prefix in _PROFILE_PREFIXES:
        if model_id.startswith(prefix):
            return model_id[len(prefix):]
    return model_id


def price_of(prices: Mapping[str, ModelPrice], model_id: str) -> ModelPrice | None:
    """The price of ``model_id``: its own entry, else that of the same model under another
    inference-profile prefix (or none); None when unknown."""
    if model_id in prices:
        return prices[model_id]
    base = base_model_id(model_id)
    for known, price in sorted(prices.items()):
        if base_model_id(known) == base:
            return price
    return None


def cost_usd(price: ModelPrice | None, input_tokens: int, output_tokens: int) -> float | None:
    if price is None:
        return None
    return round((input_tokens * price.input + output_tokens * price.output) / 1000, 6)


def local_midnight(now: datetime, tz: tzinfo) -> datetime:
    """The start of ``now``'s local day in ``tz`` (an aware datetime)."""
    return datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)


def next_midnight(now: datetime, tz: tzinfo) -> datetime:
    """The start of the local day after ``now``'s: when the day's budget starts again."""
    return datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time(0), tzinfo=tz)


@dataclass(frozen=True)
class Estimate:
    """What a report would cost before it is generated, and the budget around it."""

    model: str  # the model choice ("offline", "bedrock:<id>")
    metered: bool  # False for the offline narrator: no tokens, no cost, no budget
    input_tokens: int
    output_tokens: int  # the ceiling: max_tokens
    cost_usd: float | None  # None: the model's price is not configured
    budget: int
    used: int  # today's tokens so far
    left: int
    resets: datetime  # the next local midnight, when the day's budget starts again

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def fits(self) -> bool:
        return not self.metered or self.tokens <= self.left


# What a refusal says depends on what was asked for: a report (whose maximum tokens the
# person chose) or a follow-up question (whose maximum is fixed).
REPORT_REFUSAL = "reports.err_budget"


def require_budget(estimate: Estimate, refusal: str = REPORT_REFUSAL) -> None:
    """QuotaExceeded (message key ``refusal``) when a metered estimate does not fit today."""
    if not estimate.fits:
        raise QuotaExceeded(refusal, needed=f"{estimate.tokens:,}",
                            left=f"{estimate.left:,}", used=f"{estimate.used:,}",
                            budget=f"{estimate.budget:,}",
                            resets=format_time(estimate.resets, estimate.resets.tzinfo or UTC))
