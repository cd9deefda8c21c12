"""Translations: ``services/i18n/<lang>/<area>.toml`` files; keys are ``<area>.<name>``.

One file per area (common, errors, content, auth, ...) keeps edits from colliding. Korean is the
default language; a key missing in a language falls back to Korean, then to the key itself, so a
gap is visible on screen instead of crashing a page (a test checks both languages have every key).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"
_ROOT = Path(__file__).parent


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of a language, flattened to dotted keys."""
    messages: dict[str, str] = {}
    for path in sorted((_ROOT / lang).glob("*.toml")):
        with path.open("rb") as fh:
            _flatten(path.stem, tomllib.load(fh), messages)
    return messages


def translate(lang: str, key: str, **params: Any) -> str:
    """The message for ``key`` in ``lang`` with ``{placeholders}`` filled from ``params``."""
    text = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
