"""The app's own colours are readable (WCAG 2.x contrast): text at least 4.5:1 against what it
sits on, chart lines and bars at least 3:1 against the page (1.4.3, 1.4.11)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from services.reports import chart_kit
from services.ui import charts, styles, thumbs

ROOT = Path(__file__).resolve().parents[2]
THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]
TEXT, PAGE, PANEL = THEME["textColor"], THEME["backgroundColor"], THEME["secondaryBackgroundColor"]
TEXT_MIN, GRAPHICS_MIN = 4.5, 3.0


def _rgb(colour: str) -> tuple[float, ...]:
    hex_digits = colour.lstrip("#")
    return tuple(int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4))


def _luminance(rgb: tuple[float, ...]) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: tuple[float, ...], other: tuple[float, ...]) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _faded(colour: str, on: str, opacity: float) -> tuple[float, ...]:
    """``colour`` drawn at ``opacity`` over ``on``, as the browser shows it."""
    return tuple(
        f * opacity + b * (1 - opacity) for f, b in zip(_rgb(colour), _rgb(on), strict=True)
    )


def test_the_contrast_function_matches_wcag_examples() -> None:
    assert contrast(_rgb("#000000"), _rgb("#ffffff")) == pytest.approx(21.0)
    assert contrast(_rgb("#767676"), _rgb("#ffffff")) == pytest.approx(4.54, abs=0.01)


def _caption_opacity() -> float:
    """The opacity the stylesheet gives captions (Streamlit's own is 0.6)."""
    rule = re.search(
        r'\[data-testid="stCaptionContainer"\]\s*\{[^}]*opacity:\s*([\d.]+)', styles.TEXT_RULES
    )
    return float(rule.group(1)) if rule else 0.6


@pytest.mark.parametrize("background", [PAGE, PANEL])
def test_captions_are_readable_on_the_page_and_on_panels(background: str) -> None:
    shown = _faded(TEXT, background, _caption_opacity())
    assert contrast(shown, _rgb(background)) >= TEXT_MIN


@pytest.mark.parametrize("category", sorted(thumbs.PLACEHOLDER_COLOURS))
def test_a_card_placeholders_name_is_readable(category: str) -> None:
    background, text = thumbs.PLACEHOLDER_COLOURS[category]  # type: ignore[index]
    assert contrast(_rgb(text), _rgb(background)) >= TEXT_MIN


@pytest.mark.parametrize(
    "colour",
    sorted({*charts.SERIES, charts.PRIMARY, charts.ACCENT, charts.PREVIOUS, *chart_kit.SERIES}),
)
def test_chart_colours_stand_out_from_the_page(colour: str) -> None:
    assert contrast(_rgb(colour), _rgb(PAGE)) >= GRAPHICS_MIN
