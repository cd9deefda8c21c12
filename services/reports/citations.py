"""Figure citations as footnotes (pure): the one conversion every narrative goes through.

Models (and the offline narrator) cite each figure by its data path in backticks, right after
it: ``17,234 `kpis[1].value` ``. The saved narrative keeps those paths (the grounding check and
auditors read them); readers get ``footnotes(narrative, context, lang)``: the same text with
each citation replaced by a numbered marker, and the list of sources behind the markers
(number, a readable label in the report's language, the value as the app formats it, the
path). Markers are numbered in order of first appearance; a path cited again reuses its
number. A path that is not in the context still gets a marker and says so.

A citation is a code span whose text is a data path (``a.b``, ``a[0].b``, ``data.a.0.b``, or a
top-level key of the context); other code spans stay code. A model that drops the backticks
still cites: a bare dotted path that exists in the context counts too. Citations next to each other
(``(`a`, `b`)``) collapse into adjacent markers, with the parentheses and the space before
them. In ``Footnoted.text`` a marker is ``MARKER[0] + n + MARKER[1]`` (private-use characters
no renderer touches), so the screen and the PDF each draw it their own way
(``replace_markers``); ``Footnoted.reader`` writes it ``[n]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from services.insights.metrics import RATES
from services.reports.data import Labels, fmt_count, fmt_share, number

MARKER = ("\ue010", "\ue011")
_MARKED = re.compile(f"{MARKER[0]}(\\d+){MARKER[1]}")
# Data paths are ASCII (``re.ASCII``): a Korean particle glued to a bare path
# ("kpis[1].value입니다") is not part of it.
_CODE = re.compile(r"(?<![\\`])`([^`\n]+)`(?!`)"  # a code span, or a bare dotted path:
                   r"|(?<![\w.\[\]\\`])([A-Za-z_]\w*(?:\[\d+\])*(?:\.[A-Za-z_]\w*|\[\d+\])+)"
                   r"(?![A-Za-z0-9_\[\\]|\.[A-Za-z_])", re.ASCII)
_PATH = re.compile(r"[A-Za-z_]\w*(?:\.\w+|\[\d+\])*", re.ASCII)
_SEGMENT = re.compile(r"\[(\d+)\]|\.?(\w+)", re.ASCII)
_ROOTS = ("data.", "context.")
_JOIN = re.compile(r"\s*(?:[,;/]|and|및|,\s*and)?\s*")
_OPEN = re.compile(r"\(\s*(?:(?:source|sources|key|keys|data|출처|키)\s*[:：]\s*)?$",
                   re.IGNORECASE)
_CLOSE = re.compile(r"\s*\)")

RATIO_FIELDS = frozenset({
    "share", "skip_rate", "zero_rate", "previous_zero_rate", "likes_per_view", "active_share",
    "top_item_share", "top_author_share", "top3_authors_share", "top1_share", "top5_share",
    "top10_share", "top3_share", "share_of_answers"})
AVERAGE_FIELDS = frozenset({"views_per_item", "likes_per_item", "items_per_author"})
HOUR_FIELDS = frozenset({"peak_hour", "hour"})
# Tables whose rows are cited as ``<table>[i].<field>``: the row's subject (a title, a term),
# shown in the label. User-typed subjects stay as typed; renderers escape them.
ROW_SUBJECTS = {"top_content": "title", "categories": "category", "authors": "author",
                "search.top": "term", "search.zero_results": "term", "purposes": "purpose",
                "time_of_day.top_hours": "hour", "distribution.bands": "band"}

# The insights' sections: their rows are named by metric (and day, driver, horizon), not by
# row numbers. Lists that hold rows only, and lists whose rows are drivers of the row above.
INSIGHT_SECTIONS = frozenset({"headline", "drivers", "anomalies", "forecast"})
_ROW_LISTS = frozenset({"metrics", "flagged"})
_DRIVER_LISTS = frozenset({"rises", "falls", "drivers"})
# An insight row's figures in its metric's unit (``insight_context``): changes signed (a count's
# ``+120``, a rate's ``+2.3%p``), levels as counts or, for a rate, percentages.
_CHANGE_FIELDS = frozenset({"difference", "contribution", "mix", "rate"})
_LEVEL_FIELDS = frozenset({"before", "after", "actual", "expected", "low", "high"})
_RATE_KEYS = frozenset(rate.key for rate in RATES)

Segment = str | int


@dataclass(frozen=True)
class Source:
    """One footnote: where the figure behind marker ``number`` comes from."""

    number: int
    path: str  # canonical: ``kpis[1].value``
    label: str  # readable, in the report's language
    value: str  # formatted like the rest of the app; "–" when there is none
    known: bool  # the path exists in the context


@dataclass(frozen=True)
class Footnoted:
    text: str  # the narrative with markers (see the module docstring)
    sources: tuple[Source, ...]

    @property
    def reader(self) -> str:
        """The text as plain reading text: markers written ``[n]``."""
        return replace_markers(self.text, lambda n: f"[{n}]")


def replace_markers(text: str, render: Callable[[int], str]) -> str:
    """``text`` with each marker drawn by ``render(number)``."""
    return _MARKED.sub(lambda m: render(int(m.group(1))), text)


def markup(text: str, escape: Callable[[str], str], render: Callable[[int], str]) -> str:
    """``text`` for a renderer that escapes text: each piece between markers escaped, each
    marker drawn by ``render`` (escaping first could drop or mangle the marker characters)."""
    pieces = _MARKED.split(text)  # text, number, text, number, ..., text
    return "".join(render(int(piece)) if odd else escape(piece)
                   for odd, piece in ((i % 2 == 1, p) for i, p in enumerate(pieces)))


def parse_path(text: str, context: Mapping[str, Any]) -> list[Segment] | None:
    """The segments of a cited data path, or None when ``text`` is not one."""
    text = text.strip()
    for root in _ROOTS:
        if text.startswith(root) and text[len(root):].split(".")[0].split("[")[0] in context:
            text = text[len(root):]
    if not _PATH.fullmatch(text):
        return None
    segments: list[Segment] = [int(m.group(1)) if m.group(1) is not None
                               else int(m.group(2)) if m.group(2).isdigit() else m.group(2)
                               for m in _SEGMENT.finditer(text)]
    if len(segments) == 1 and segments[0] not in context:
        return None  # one word that is not a section: ordinary code
    return segments


def canonical(segments: list[Segment]) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in segments).lstrip(".")


def resolve(context: Any, segments: list[Segment]) -> tuple[bool, Any]:
    """(found, value) at ``segments`` in ``context``."""
    value = context
    for segment in segments:
        by_index = isinstance(segment, int) and isinstance(value, list) \
            and 0 <= segment < len(value)
        by_key = isinstance(segment, str) and isinstance(value, Mapping) and segment in value
        if not (by_index or by_key):
            return False, None
        value = value[segment]
    return True, value


# ---- labels and values -------------------------------------------------------------------------


def _field(labels: Labels, name: str, area: str = "field") -> str:
    key = f"sources.{area}.{name}"
    found = labels.t(key)
    return name.replace("_", " ") if found == key else found


def _row_label(labels: Labels, context: Mapping[str, Any], table: str, index: int,
               field: str) -> str | None:
    key = ROW_SUBJECTS.get(table)
    found, row = resolve(context, [*table.split("."), index])
    if key is None or not found or not isinstance(row, Mapping):
        return None
    subject = row.get(key)
    if key == "category":
        subject = labels.category(subject)
    elif key == "purpose":
        subject = labels.purpose(subject)
    elif key == "hour":
        subject = labels.t("sources.hour", hour=subject)
    return labels.t(f"sources.row.{table.replace('.', '_')}",
                    subject="" if subject is None else str(subject),
                    field=_field(labels, field))


def _insight_label(labels: Labels, context: Mapping[str, Any],
                   segments: list[Segment]) -> str:
    """A figure of the insights: its section, then what it is about (the metric; an unusual
    day; a driver, by dimension and name; a forecast's horizon), then the field."""
    parts: list[str] = []
    value: Any = context
    for index, segment in enumerate(segments):
        value = resolve(value, [segment])[1]
        last = index == len(segments) - 1
        if isinstance(segment, str) and index and not last and segment not in _ROW_LISTS:
            parts.append(_field(labels, segment))
        if not isinstance(value, Mapping) or last:
            continue
        previous = segments[index - 1] if index else ""
        if previous in _DRIVER_LISTS and "dim" in value:
            parts[-1:] = [f"{parts[-1]} {labels.driver(value)}" if parts
                          else labels.driver(value)]
            continue
        if "metric" in value:
            parts.append(labels.metric(value["metric"]))
        if "day" in value:
            hour = value.get("hour")
            parts.append(str(value["day"]) if hour is None
                         else f"{value['day']} {labels.t('sources.hour', hour=hour)}")
            if value.get("dim") not in (None, "", "all"):
                parts.append(labels.driver(value))
    field = segments[-1]
    if isinstance(field, str):
        parts.append(_field(labels, field))
    section = _field(labels, str(segments[0]), "section")
    return labels.t("sources.generic", section=section, field=" · ".join(parts))


def label_of(labels: Labels, context: Mapping[str, Any], segments: list[Segment]) -> str:
    """A reader's name for the figure at ``segments`` (the path must exist)."""
    names = [s for s in segments if isinstance(s, str)]
    field = names[-1] if names else ""
    if segments[0] in INSIGHT_SECTIONS and len(segments) > 1:
        return _insight_label(labels, context, segments)
    if len(segments) == 3 and segments[0] == "kpis" and isinstance(segments[1], int):
        _, row = resolve(context, segments[:2])
        key = str(row.get("key", "")) if isinstance(row, Mapping) else ""
        return labels.t("sources.kpi", kpi=labels.kpi(key), field=_field(labels, field,
                                                                         "kpi_field"))
    if len(segments) == 2 and segments[0] in ("period", "previous_period"):
        return _field(labels, str(field), str(segments[0]))
    if len(segments) >= 3 and isinstance(segments[-2], int):
        table = ".".join(str(s) for s in segments[:-2])
        found = _row_label(labels, context, table, segments[-2], field)
        if found:
            return found
    section = _field(labels, str(segments[0]), "section")
    rest = [_field(labels, s) if isinstance(s, str) else str(s + 1) for s in segments[1:]]
    return labels.t("sources.generic", section=section, field=" · ".join(rest)) if rest \
        else section


def _kind_of_kpi(context: Mapping[str, Any], segments: list[Segment]) -> str:
    if segments[0] != "kpis" or len(segments) < 2:
        return ""
    _, row = resolve(context, segments[:2])
    return str(row.get("kind", "")) if isinstance(row, Mapping) else ""


def _insight_rate(context: Mapping[str, Any], segments: list[Segment]) -> bool | None:
    """Whether the insight row the path goes through is a rate's (None: not an insight row):
    the nearest enclosing row that names its ``metric``."""
    if segments[0] not in INSIGHT_SECTIONS:
        return None
    found: bool | None = None
    value: Any = context
    for segment in segments:
        value = resolve(value, [segment])[1]
        if isinstance(value, Mapping) and "metric" in value:
            found = value.get("kind") == "rate" or value["metric"] in _RATE_KEYS
    return found


def _insight_text(rate: bool, field: str, found: float) -> str | None:
    if field in _CHANGE_FIELDS:
        return f"{found * 100:+.1f}%p" if rate else f"{found:+,.0f}"
    if field in _LEVEL_FIELDS:
        return fmt_share(found) if rate else fmt_count(found)
    if field == "relative_change":  # a count's percent against the period before
        return f"{found:+.1f}%"
    return None


def value_text(labels: Labels, context: Mapping[str, Any], segments: list[Segment],
               value: Any) -> str:
    """``value`` as the app shows it: counts grouped, ratios as percentages, changes signed,
    categories and purposes translated; an insight's figure as its sentence writes it."""
    field = next((s for s in reversed(segments) if isinstance(s, str)), "")
    kind = _kind_of_kpi(context, segments)
    rate = _insight_rate(context, segments)
    found = number(value)
    if rate is not None and found is not None and (
            shown := _insight_text(rate, field, found)) is not None:
        return shown
    if isinstance(value, str):
        if field in ("category", "top_category") or kind == "label":
            return labels.category(value)
        return labels.purpose(value) if field == "purpose" else value
    found = number(value)
    if found is None:
        return "–"
    if field == "change":
        return f"{found:+.1f}{'%p' if kind == 'rate' else '%'}"
    if field == "delta":
        return f"{found:+,.0f}"
    if field in RATIO_FIELDS or (kind == "rate" and field in ("value", "previous")):
        return fmt_share(found)
    if field in AVERAGE_FIELDS:
        return f"{found:,.1f}"
    if field in HOUR_FIELDS:
        return labels.t("sources.hour", hour=int(found))
    if field == "peak_weekday":
        return labels.weekday(int(found))
    return fmt_count(found)


def source_for(labels: Labels, context: Mapping[str, Any], number_: int,
               segments: list[Segment]) -> Source:
    found, value = resolve(context, segments)
    if not found:
        return Source(number_, canonical(segments), labels.t("sources.unknown"), "–", False)
    return Source(number_, canonical(segments), label_of(labels, context, segments),
                  value_text(labels, context, segments, value), True)


# ---- the conversion ----------------------------------------------------------------------------


@dataclass
class _Citations:
    context: Mapping[str, Any]
    labels: Labels
    numbers: dict[str, int]
    sources: list[Source]

    def marker(self, segments: list[Segment]) -> str:
        path = canonical(segments)
        if path not in self.numbers:
            self.numbers[path] = len(self.numbers) + 1
            self.sources.append(source_for(self.labels, self.context, self.numbers[path],
                                           segments))
        return f"{MARKER[0]}{self.numbers[path]}{MARKER[1]}"


def _groups(text: str, context: Mapping[str, Any]) -> list[tuple[int, int, list[list[Segment]]]]:
    """(start, end, paths) of each run of adjacent citations, in order."""
    runs: list[tuple[int, int, list[list[Segment]]]] = []
    for match in _CODE.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        segments = parse_path(quoted if quoted is not None else bare, context)
        if segments is None or (bare is not None and not resolve(context, segments)[0]):
            continue  # ordinary code; a bare word pair that is no figure of the context
        if runs and _JOIN.fullmatch(text[runs[-1][1]:match.start()]):
            start, _, paths = runs[-1]
            runs[-1] = (start, match.end(), [*paths, segments])
        else:
            runs.append((match.start(), match.end(), [segments]))
    return runs


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """A run with its parentheses (when it fills them) and the space before it."""
    opening = _OPEN.search(text, 0, start)
    closing = _CLOSE.match(text, end)
    if opening and closing and not text[opening.end():start].strip():
        start, end = opening.start(), closing.end()
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return start, end


def footnotes(narrative: str, context: Mapping[str, Any], lang: str) -> Footnoted:
    """``narrative`` with its citations as numbered markers, and their sources."""
    text = narrative.replace(MARKER[0], "").replace(MARKER[1], "")
    citations = _Citations(context, Labels(lang), {}, [])
    parts, at = [], 0
    for start, end, paths in _groups(text, context):
        start, end = _widen(text, start, end)
        start = max(start, at)
        parts += [text[at:start], "".join(citations.marker(p) for p in paths)]
        at = end
    parts.append(text[at:])
    return Footnoted("".join(parts), tuple(citations.sources))
