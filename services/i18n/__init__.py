"""Translations: ``services/i18n/<lang>/<area>.toml`` files; keys are ``<area>.<name>``.

One file per area (common, errors, content, auth, ...) keeps edits from colliding. Korean is the
default language; a key missing in a language falls back to Korean, then to the key itself, so a
gap is visible on screen instead of crashing a page (a test checks both languages have every key).

A message that counts something can be a table of plural forms, chosen by the language's CLDR
plural rules (Babel): ``audit_count = { one = "{count} entry", other = "{count} entries" }``.
The count is the ``count`` parameter, or the one ``by`` names (``{ by = "total", ... }``); it is
shown with the language's digit grouping. Korean has a single form, so its messages stay strings.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from services.i18n.particles import fill

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
_BY = "by"  # the key of a plural table naming its count parameter
_ROOT = Path(__file__).parent


@dataclass(frozen=True)
class Plural:
    """A message's plural forms by CLDR category (``other`` always present) and the name of
    the parameter that selects one."""

    by: str
    forms: Mapping[str, str]


Message = str | Plural


def _is_plural(table: dict[str, Any]) -> bool:
    return ("other" in table and set(table) <= PLURAL_CATEGORIES | {_BY}
            and all(isinstance(value, str) for value in table.values()))


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, Message]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict) and _is_plural(value):
            forms = {cat: text for cat, text in value.items() if cat != _BY}
            out[name] = Plural(by=value.get(_BY, "count"), forms=forms)
        elif isinstance(value, dict):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


@cache
def messages(lang: str) -> dict[str, Message]:
    """All messages of a language, flattened to dotted keys, plural tables as ``Plural``."""
    found: dict[str, Message] = {}
    for path in sorted((_ROOT / lang).glob("*.toml")):
        with path.open("rb") as fh:
            _flatten(path.stem, tomllib.load(fh), found)
    return found


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of a language as text: a plural message as its ``other`` form."""
    return {key: msg.forms["other"] if isinstance(msg, Plural) else msg
            for key, msg in messages(lang).items()}


def for_administrator(key: str) -> str:
    """The key of ``key``'s words for an administrator. A message any user may meet says that
    an administrator must act ("llm.err_no_credentials"); the Bedrock check, the doctor and
    the audit log are read by that administrator, and show ``<catalog>.for_admin.<name>``
    instead when there is one: what happened, with the fix beside it saying what to do."""
    catalog_name, _, name = key.partition(".")
    candidate = f"{catalog_name}.for_admin.{name}"
    return candidate if candidate in catalog(DEFAULT_LANGUAGE) else key


@cache
def _count_params() -> dict[str, str]:
    """Key -> its count parameter, from the plural tables of any language: a count is grouped
    the same way whether or not a language needs more than one form for it."""
    return {key: msg.by for lang in LANGUAGES for key, msg in messages(lang).items()
            if isinstance(msg, Plural)}


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def number(lang: str, value: int | float | Decimal) -> str:
    """``value`` with the language's digit grouping and decimal sign (12345 -> "12,345")."""
    return format_decimal(value, locale=_locale(lang))


def plural_category(lang: str, count: object) -> str:
    """The CLDR plural category of ``count`` in ``lang`` ("one", "other", ...). A count given
    as text ("1,234") is parsed; anything that is not a number counts as "other"."""
    if isinstance(count, str):
        try:
            count = parse_decimal(count, locale=_locale(lang))
        except NumberFormatError:
            return "other"
    if isinstance(count, bool) or not isinstance(count, int | float | Decimal):
        return "other"
    return _locale(lang).plural_form(count)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def translate(lang: str, key: str, **params: Any) -> str:
    """The message for ``key`` in ``lang`` with ``{placeholders}`` filled from ``params``; a
    plural message in the form its count needs."""
    own = messages(lang).get(key)
    if not own:
        lang = DEFAULT_LANGUAGE
        own = messages(lang).get(key)
    if not own:
        return key
    count_param = _count_params().get(key)
    if isinstance(own, Plural):
        category = plural_category(lang, params.get(own.by))
        text = own.forms.get(category) or own.forms["other"]
    else:
        text = own
    if not params:
        return text
    if count_param and _is_number(params.get(count_param)):
        params = {**params, count_param: number(lang, params[count_param])}
    try:
        # Korean: the message's particle pairs fitted to the values filled in before them.
        return fill(text, params) if lang == "ko" else text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def date_range(lang: str, start: date | str, end: date | str) -> str:
    """A range of days as every page, report, PDF and mail writes it: the language's own
    convention (``common.date_range``: "2026-09-01 ~ 2026-09-30" in Korean, an en dash in
    English), kept in one message so that no caption picks its own separator."""
    return translate(lang, "common.date_range", start=str(start), end=str(end))
