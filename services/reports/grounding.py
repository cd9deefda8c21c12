"""The grounding check: is every number in a report's narrative one of its context's figures?

``check(narrative, context) -> Grounding``. The rules, in order:

1. **Masked first** (their digits are never numbers): text that appears verbatim as a string in
   the context (titles, search terms, names: "Bedrock 2.0 데모"), inline code spans that are
   figure keys (```kpis[1].value```), URLs, and dates and times of day written as dates:
   ``2026-03-10``, ``2026.3.10``, ``2026/03/10``, ``2026년 3월 10일``, ``3월 10일``, ``3월``,
   ``Mar 10``, ``10 March 2026``.
2. **Ignored** (found, not checked):
   - the number of an ordered-list item or a heading (``1. ``, ``2) `` at the start of the line,
     after the heading's ``#``);
   - ordinals and ranks: ``1st``/``2nd``/``3rd``/``4th``, ``1위``, ``2번째``, ``#3``, ``No. 4``,
     ``top 3``/``상위 3``/``하위 3``/``bottom 3``, ``Insight 2``/``인사이트 2``/``권고 2``;
   - planning horizons and durations in weeks, months, quarters: ``1-3 months``, ``3–12개월``,
     ``6 weeks``, ``2분기``;
   - years: a 4-digit integer 1900..2100 written without separators, percent or unit;
   - small integers 0..10 with no decimals, no percent sign and no count unit after them
     (count units: 건 회 명 개 편 번 일 시, views visitors items likes downloads searches
     sessions users people authors demos answers responses times days).
   - numbers glued to letters (``5G``, ``3D``, ``S3``, ``x86``, ``v1.2``) are names, not figures.
3. **Checked**: every other number, written with or without thousands separators and decimals,
   a sign, a percent mark (``%``, ``%p``, ``%포인트``, ``퍼센트``, ``pp``, ``percent``,
   ``percentage points``), a multiplier (``천`` ``만`` ``억`` ``k`` ``M`` ``thousand``
   ``million`` ``billion``) and a time of day
   (``14:00`` is 14, ``오후 2시`` and ``2 PM`` are 14).
   A checked number N written with d decimals (times its multiplier s) matches a context
   figure v when ``| |N| - |v| | <= 0.5 * 10**-d * s`` (rounding to the shown precision; the
   sign is not compared: "fell by 25.0%" cites a change of -25.0). A number with a percent mark
   also matches ``v * 100`` (a ratio 0.375 is 37.5%). Context figures are every int and float
   anywhere in the context (booleans excluded).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from services.domain.reports import Grounding, UnmatchedNumber

_MONTHS = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?")
_MASKS = [re.compile(p) for p in (
    r"https?://\S+",
    r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?",
    r"\d{4}[./]\d{1,2}[./]\d{1,2}\.?",
    r"\d{4}\s*년(?:\s*\d{1,2}\s*월)?(?:\s*\d{1,2}\s*일)?",
    r"\d{1,2}\s*월(?:\s*\d{1,2}\s*일)?",
    rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?",
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}(?:,?\s+\d{{4}})?",
)]
_KEY_CODE = re.compile(r"`([A-Za-z_][\w.\[\]=-]*)`")
_IGNORED = [re.compile(p, re.MULTILINE) for p in (
    r"^\s{0,3}(?:#{1,6}\s+)?(?:[-*+]\s+)?\d{1,3}[.)](?=\s)",  # list item / heading number
    r"\b\d+(?:st|nd|rd|th)\b",
    r"\d+\s*(?:위|번째|순위)",
    r"#\d+",
    r"\b[Nn]o\.\s*\d+",
    r"(?:\b[Tt]op|\bTOP|\b[Bb]ottom|상위|하위)[\s-]*\d+",
    r"(?:\b[Ii]nsight|\b[Rr]ecommendation|\b[Rr]isk|인사이트|권고|위험)\s*\d+",
    r"\d+(?:\s*[-–~]\s*\d+)?\s*(?:개월|months?\b|weeks?\b|주간?|quarters?\b|분기)",
)]
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.,])"
    r"(?P<ampm_before>(?:오전|오후)\s*)?"
    r"(?P<sign>[-+−])?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?![.,]?\d)"
    r"(?P<time>:\d{2})?"
    r"(?P<mult>천|만|억|[kKM](?![A-Za-z])|\s(?:thousand|million|billion)\b)?"
    r"(?P<pct>\s?(?:%\s?p\b|%p|%포인트|%|퍼센트(?:\s?포인트)?|pp\b|p\.p\.|"
    r"percentage points?\b|percent\b|per cent\b))?"
    r"(?P<ampm_after>\s?(?:[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?"
)
_MULTIPLIERS = {"천": 1e3, "만": 1e4, "억": 1e8, "k": 1e3, "K": 1e3, "M": 1e6,
                "thousand": 1e3, "million": 1e6, "billion": 1e9}
_COUNT_UNIT = re.compile(
    r"\s?(?:건|회|명|개|편|번|일|시|(?:views?|visitors?|items?|likes?|downloads?|searches|"
    r"search|sessions?|users?|people|authors?|demos?|answers?|responses?|times|days?)\b)"
)
_SENTENCE_END = re.compile(r"[.!?。](?=\s|$)")


@dataclass(frozen=True)
class Number:
    """A number written in the narrative."""

    text: str
    value: float  # with its multiplier and time-of-day conversion, sign kept
    decimals: int
    scale: float  # the multiplier (1 when none)
    percent: bool
    start: int
    end: int
    checked: bool


def context_numbers(context: Any) -> list[float]:
    """Every int and float in the context (booleans excluded), sorted, as magnitudes."""
    found: list[float] = []

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            found.append(abs(float(value)))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(context)
    return sorted(found)


def context_strings(context: Any) -> list[str]:
    """Strings of the context that contain a digit, longest first (masked in the narrative)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if len(value.strip()) >= 2 and any(ch.isdigit() for ch in value):
                found.add(value.strip())
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(context)
    return sorted(found, key=lambda s: (-len(s), s))


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _masked(narrative: str, context: Any) -> str:
    spans: list[tuple[int, int]] = []
    for literal in context_strings(context):
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(literal), narrative)]
    spans += [(m.start(), m.end()) for m in _KEY_CODE.finditer(narrative)]
    text = _blank(narrative, spans)
    for pattern in _MASKS:
        text = _blank(text, [(m.start(), m.end()) for m in pattern.finditer(text)])
    return text


def _ignored_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for p in _IGNORED for m in p.finditer(text)]


def _value(match: re.Match[str]) -> tuple[float, int, float]:
    digits = match["num"].replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    scale = _MULTIPLIERS.get((match["mult"] or "").strip(), 1.0)
    value = float(digits) * scale
    afternoon = (match["ampm_before"] or "").strip() == "오후" or (
        (match["ampm_after"] or "").strip().lower().startswith("p"))
    if afternoon and value < 12:
        value += 12
    if match["sign"] in ("-", "−"):
        value = -value
    return value, decimals, scale


def _is_checked(match: re.Match[str], text: str, value: float, decimals: int,
                ignored: list[tuple[int, int]]) -> bool:
    start = match.start("num")
    if any(a <= start < b for a, b in ignored):
        return False
    after = text[match.end():]
    if after[:1].isascii() and after[:1].isalpha():
        return False  # glued to letters: a name like 5G or 3D
    plain = decimals == 0 and not match["pct"] and not match["mult"] and not match["time"]
    has_unit = _COUNT_UNIT.match(after) is not None
    if plain and "," not in match["num"] and 1900 <= abs(value) <= 2100 and not has_unit:
        return False  # a year
    return not (plain and abs(value) <= 10 and not has_unit and not match["ampm_after"])


def find_numbers(narrative: str, context: Any) -> list[Number]:
    """Every number the check sees in ``narrative``, checked or ignored, in order."""
    text = _masked(narrative, context)
    ignored = _ignored_spans(text)
    numbers = []
    for match in _NUMBER.finditer(text):
        value, decimals, scale = _value(match)
        numbers.append(Number(
            text=narrative[match.start("num") - (1 if match["sign"] else 0):match.end()].strip(),
            value=value, decimals=decimals, scale=scale, percent=bool(match["pct"]),
            start=match.start(), end=match.end(),
            checked=_is_checked(match, text, value, decimals, ignored),
        ))
    return numbers


def matches(number: Number, figures: list[float]) -> bool:
    """``figures``: sorted magnitudes from ``context_numbers``."""
    tolerance = 0.5 * 10 ** -number.decimals * number.scale + 1e-9
    wanted = [(abs(number.value), tolerance)]
    if number.percent:  # a percentage may cite a ratio 0..1
        wanted.append((abs(number.value) / 100, tolerance / 100))
    for target, allowed in wanted:
        at = bisect.bisect_left(figures, target - allowed)
        if at < len(figures) and figures[at] <= target + allowed:
            return True
    return False


def sentence_of(narrative: str, position: int) -> str:
    """The sentence (within its line) around ``position``, markdown markers trimmed."""
    line_start = narrative.rfind("\n", 0, position) + 1
    line_end = narrative.find("\n", position)
    line_end = len(narrative) if line_end < 0 else line_end
    line = narrative[line_start:line_end]
    offset = position - line_start
    start = 0
    for end_mark in _SENTENCE_END.finditer(line):
        if end_mark.end() <= offset:
            start = end_mark.end()
        else:
            return line[start:end_mark.end()].strip(" #*->")
    return line[start:].strip(" #*->")


def check(narrative: str, context: Any) -> Grounding:
    figures = context_numbers(context)
    checked = [n for n in find_numbers(narrative, context) if n.checked]
    unmatched = tuple(
        UnmatchedNumber(text=n.text, value=n.value, sentence=sentence_of(narrative, n.start))
        for n in checked if not matches(n, figures)
    )
    return Grounding(checked=len(checked), unmatched=unmatched)


def unmatched_spans(narrative: str, context: Any) -> Iterator[tuple[int, int]]:
    """(start, end) of each unmatched number in ``narrative``, for highlighting."""
    figures = context_numbers(context)
    for number in find_numbers(narrative, context):
        if number.checked and not matches(number, figures):
            start = narrative.find(number.text, number.start)
            yield (start, start + len(number.text)) if start >= 0 else (number.start,
                                                                        number.end)
