"""Korean particles after a filled-in value, chosen by how the value ends.

A Korean message is written with both forms ("{metric}은(는)", "{after}(으)로") because the value
is not known when it is written. Once it is filled in, the particle that fits replaces the pair:
"페이지 조회는", "9로", "'지울 글'을". The choice follows the last sound: a Hangul syllable's
final consonant, or how a number is read aloud (1 일, 3 삼, 10 십, 100 백). A data path (a
`code` span), a footnote marker, quotes and brackets after the word are looked past. Where the
word ends in something else (a Latin name such as 'boss'), the written pair stays: it reads
correctly either way. Only the message's own pairs are fitted: a filled-in value (a title
someone typed) is never changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from string import Formatter
from typing import Any, Literal

Ending = Literal["vowel", "rieul", "consonant"]

# the written pair -> (after a consonant, after a vowel)
_FORMS = {"은(는)": ("은", "는"), "이(가)": ("이", "가"), "을(를)": ("을", "를"),
          "과(와)": ("과", "와"), "와(과)": ("과", "와"), "(으)로": ("으로", "로")}
_PAIR = re.compile("|".join(re.escape(pair) for pair in _FORMS))
# What may sit between the word and its particle: data paths, footnote markers, quotes, brackets.
_BETWEEN = re.compile(r"""(?:\s*`[^`]*`|\s*\[\d+\]|['"“”‘’」』)\]])*$""")
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)(%p?)?$")
_DIGIT_ENDINGS: dict[str, Ending] = {
    "1": "rieul", "7": "rieul", "8": "rieul",  # 일, 칠, 팔
    "2": "vowel", "4": "vowel", "5": "vowel", "9": "vowel",  # 이, 사, 오, 구
    "3": "consonant", "6": "consonant",  # 삼, 육
}
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # the final-consonant index of ㄹ


def _number_ending(digits: str, unit: str | None) -> Ending:
    if unit:  # 퍼센트, 퍼센트포인트
        return "vowel"
    whole = digits.replace(",", "")
    last = whole[-1]
    if last != "0" or "." in whole:
        return _DIGIT_ENDINGS.get(last, "consonant")  # 영 after a decimal point
    # 영, 십, 백, 천, 만, 억 ...: each ends in a consonant other than ㄹ
    return "consonant"


def ending(text: str) -> Ending | None:
    """How ``text`` ends when read aloud, looking past paths, markers, quotes and brackets;
    None when it ends in anything else."""
    word = text[:_BETWEEN.search(text).start()]  # type: ignore[union-attr]
    number = _NUMBER.search(word)
    if number:
        return _number_ending(number.group(1), number.group(2))
    if not word:
        return None
    code = ord(word[-1])
    if not _HANGUL_FIRST <= code <= _HANGUL_LAST:
        return None
    final = (code - _HANGUL_FIRST) % 28
    return "vowel" if final == 0 else "rieul" if final == _RIEUL else "consonant"


def _form(pair: str, found: Ending) -> str:
    after_consonant, after_vowel = _FORMS[pair]
    if pair == "(으)로":  # ㄹ takes 로, like a vowel
        return after_vowel if found in ("vowel", "rieul") else after_consonant
    return after_vowel if found == "vowel" else after_consonant


def _fit(literal: str, before: str) -> str:
    """``literal`` (a piece of the message itself) with its pairs replaced by the form the word
    before each takes; ``before``: the message as filled in so far."""
    if "(" not in literal:
        return literal
    parts: list[str] = []
    done = 0
    for match in _PAIR.finditer(literal):
        context = (before + literal[:match.start()])[-200:]
        found = ending(context)
        parts.append(literal[done:match.start()])
        parts.append(match.group(0) if found is None else _form(match.group(0), found))
        done = match.end()
    parts.append(literal[done:])
    return "".join(parts)


def attach(text: str) -> str:
    """``text`` with every written particle pair replaced by the form its word takes."""
    return _fit(text, "")


_FORMATTER = Formatter()


def fill(message: str, params: Mapping[str, Any]) -> str:
    """``message.format(**params)`` with the message's own particle pairs fitted to the values
    before them; the values themselves go in as they are."""
    if not _PAIR.search(message):  # most messages: nothing to fit
        return message.format(**params)
    filled: list[str] = []
    for literal, field, spec, conversion in _FORMATTER.parse(message):
        filled.append(_fit(literal, "".join(filled)))
        if field is None:
            continue
        value, _ = _FORMATTER.get_field(field, (), params)
        value = _FORMATTER.convert_field(value, conversion)
        filled.append(_FORMATTER.format_field(value, _FORMATTER.vformat(spec or "", (), params)))
    return "".join(filled)
