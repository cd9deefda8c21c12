"""One line of a JSON Lines event file: checked and turned into an ``Event``, or refused.

Pure, no I/O. What a line must hold and why is described in ``services/imports/events.py``; every
refusal is an i18n key of the ``imports`` area with its parameters, so the UI can show it in
Korean and English and the script in English.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from services.domain.analytics import SEARCH_QUERY_MAX, Event, EventType, Purpose
from services.domain.models import Category, stable_id
from services.domain.text import is_encodable, scrub_text
from services.errors import ValidationError

MAX_LINE_BYTES = 64 * 1024  # far above any real event; keeps one broken line from eating memory
_SHOWN_VALUE = 40  # characters of a bad value quoted back in a reason
_OPTIONAL_TEXT = ("session_id", "user_id", "page", "content_id", "category", "author_id")
_CONTENT_TYPES = {EventType.CONTENT_VIEW, EventType.LIKE, EventType.UNLIKE, EventType.DOWNLOAD}
_LIKE_TYPES = {EventType.LIKE, EventType.UNLIKE}
_CATEGORIES = {category.value.casefold(): category.value for category in Category}
_PURPOSES = frozenset(purpose.value for purpose in Purpose)
ID_PREFIX = "jsonl:"
# How far ahead of the server clock a line may be: a source whose clock runs a little fast.
# Anything later is no event that happened; it would show on no dashboard yet move the item's
# counters.
FUTURE_TOLERANCE = timedelta(minutes=10)
SESSION_PREFIX = "import:"

# Every reason a line can be refused for (i18n keys; the UI shows them in ko and en).
BAD_ENCODING = "imports.events_bad_encoding"
LINE_TOO_LONG = "imports.events_line_too_long"
BAD_JSON = "imports.events_bad_json"
NOT_OBJECT = "imports.events_not_object"
MISSING_FIELD = "imports.events_missing_field"
BAD_FIELD = "imports.events_bad_field"
UNKNOWN_TYPE = "imports.events_unknown_type"
BAD_TS = "imports.events_bad_ts"
TOO_OLD = "imports.events_too_old"
IN_FUTURE = "imports.events_in_future"
BAD_CATEGORY = "imports.events_bad_category"
MISSING_PROPERTY = "imports.events_missing_property"
BAD_PROPERTY = "imports.events_bad_property"
BAD_PURPOSE = "imports.events_bad_purpose"
REASONS = (BAD_ENCODING, LINE_TOO_LONG, BAD_JSON, NOT_OBJECT, MISSING_FIELD, BAD_FIELD,
           UNKNOWN_TYPE, BAD_TS, TOO_OLD, IN_FUTURE, BAD_CATEGORY, MISSING_PROPERTY, BAD_PROPERTY,
           BAD_PURPOSE)


class LineError(NamedTuple):
    """A refused line: its 1-based number, the reason's i18n key and the key's parameters."""

    line: int
    key: str
    params: dict[str, str]


@dataclass(frozen=True)
class GoodLine:
    event: Event
    assumed_tz: bool  # the ts had no offset and was read in the app's zone


def parse_line(number: int, raw: str | bytes, tz: tzinfo, *, not_before: datetime | None = None,
               not_after: datetime | None = None) -> GoodLine | LineError | None:
    """One line: the event, why it was refused, or None for a blank line. Events before
    ``not_before`` or after ``not_after`` (the clock plus ``FUTURE_TOLERANCE``) are refused."""
    try:
        text = _text_of(raw, first=number == 1)
        if not text:
            return None
        return _event_of(_object_of(text), tz, (not_before, not_after))
    except ValidationError as problem:
        return LineError(number, problem.key, {k: str(v) for k, v in problem.params.items()})


# ---- one line ----------------------------------------------------------------------------------


def _text_of(raw: str | bytes, *, first: bool) -> str:
    if len(raw) > MAX_LINE_BYTES:
        raise ValidationError(LINE_TOO_LONG, max=MAX_LINE_BYTES)
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(BAD_ENCODING) from None
    if first:
        raw = raw.removeprefix("\ufeff")  # a byte-order mark some editors write
    return raw.strip()


def _object_of(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text, parse_constant=_not_json)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise ValidationError(BAD_JSON) from None
    if not isinstance(value, dict):
        raise ValidationError(NOT_OBJECT)
    # JSON can spell a lone surrogate as an escape ("\\ud800"): text no store can encode.
    if "\\u" in text and not is_encodable(json.dumps(value, ensure_ascii=False)):
        raise ValidationError(BAD_ENCODING)
    return value


def _not_json(name: str) -> Any:
    """NaN and Infinity: Python's json reads them, JSON has no such numbers."""
    raise ValueError(name)


def _event_of(obj: dict[str, Any], tz: tzinfo,
              window: tuple[datetime | None, datetime | None]) -> GoodLine:
    ts, assumed = _timestamp(obj, tz)
    type_ = _event_type(obj)
    _within(ts, tz, *window, given=obj["ts"])
    fields = {name: _optional_text(obj, name) for name in _OPTIONAL_TEXT}
    fields["category"] = _category(fields["category"])
    _require_dimension(type_, fields)
    properties = _properties(type_, obj.get("properties"))
    given_session = fields.pop("session_id")
    # Identity of the checked event (UTC ts, canonical category), so the same event written
    # differently (another zone, key order, spacing) gets the same id.
    canonical = json.dumps(
        {"ts": ts.isoformat(), "type": type_.value, "session_id": given_session, **fields,
         "properties": properties},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    given_id = _event_id(obj)
    event_id = stable_id(ts, ID_PREFIX + (given_id if given_id is not None else canonical))
    session = given_session or SESSION_PREFIX + hashlib.sha256(canonical.encode()).hexdigest()[:16]
    event = Event(id=event_id, ts=ts, type=type_, session_id=session, properties=properties,
                  user_id=fields["user_id"], page=fields["page"],
                  content_id=fields["content_id"], category=fields["category"],
                  author_id=fields["author_id"])
    return GoodLine(event, assumed)


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 1] + "…"


def _timestamp(obj: dict[str, Any], tz: tzinfo) -> tuple[datetime, bool]:
    value = obj.get("ts")
    if value is None:
        raise ValidationError(MISSING_FIELD, field="ts")
    if not isinstance(value, str):
        raise ValidationError(BAD_TS, value=_shown(value))
    try:
        ts = datetime.fromisoformat(value.strip())
        assumed = ts.tzinfo is None
        if assumed:
            ts = ts.replace(tzinfo=tz)
        return ts.astimezone(UTC), assumed
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved across midnight
        raise ValidationError(BAD_TS, value=_shown(value)) from None


def _within(ts: datetime, tz: tzinfo, not_before: datetime | None, not_after: datetime | None,
            *, given: str) -> None:
    if not_before is not None and ts < not_before:
        raise ValidationError(TOO_OLD, date=not_before.astimezone(tz).date().isoformat())
    if not_after is not None and ts > not_after:
        raise ValidationError(IN_FUTURE, value=_shown(given),
                              minutes=int(FUTURE_TOLERANCE.total_seconds() // 60))


def _event_type(obj: dict[str, Any]) -> EventType:
    value = obj.get("type")
    if value is None:
        raise ValidationError(MISSING_FIELD, field="type")
    try:
        return EventType(value)
    except ValueError:
        raise ValidationError(UNKNOWN_TYPE, value=_shown(value)) from None


def _optional_text(obj: dict[str, Any], name: str) -> str | None:
    """A string field; null and "" mean absent (the tracker writes None, never "")."""
    value = obj.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError(BAD_FIELD, field=name)
    return value


def _event_id(obj: dict[str, Any]) -> str | None:
    value = obj.get("id")
    if value is None or value == "":
        return None
    # Legacy exports often number their rows; bool is an int to Python but never an id.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError(BAD_FIELD, field="id")
    return str(value)


def _category(value: str | None) -> str | None:
    if value is None:
        return None
    known = _CATEGORIES.get(value.strip().casefold())
    if known is None:
        raise ValidationError(BAD_CATEGORY, value=_shown(value))
    return known


def _require_dimension(type_: EventType, fields: dict[str, str | None]) -> None:
    """What the tracker always records for the type and the dashboards break it down by."""
    if type_ in _CONTENT_TYPES and not fields["content_id"]:
        raise ValidationError(MISSING_FIELD, field="content_id")
    if type_ is EventType.PAGE_VIEW and not fields["page"]:
        raise ValidationError(MISSING_FIELD, field="page")
    # A like is one user's: the item's like counter moves per user, as the like button does.
    if type_ in _LIKE_TYPES and not fields["user_id"]:
        raise ValidationError(MISSING_FIELD, field="user_id")


def _properties(type_: EventType, value: Any) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ValidationError(BAD_FIELD, field="properties")
    props = dict(value)
    check = _PROPERTY_CHECKS.get(type_)
    if check is not None:
        check(props)
    return props


def _search(props: dict[str, Any]) -> None:
    # Kept as the tracker keeps it: NFC, stripped, its first SEARCH_QUERY_MAX characters, never
    # a blank one.
    props["query"] = scrub_text(_text_property(props, "query")).strip()[:SEARCH_QUERY_MAX].strip()
    if not props["query"]:
        raise ValidationError(BAD_PROPERTY, name="query")
    results = props.get("results")
    if results is None:
        raise ValidationError(MISSING_PROPERTY, name="results")
    if isinstance(results, bool) or not isinstance(results, int) or results < 0:
        raise ValidationError(BAD_PROPERTY, name="results")


def _purpose(props: dict[str, Any]) -> None:
    purpose = _text_property(props, "purpose")
    if purpose not in _PURPOSES:
        raise ValidationError(BAD_PURPOSE, value=_shown(purpose))


def _download(props: dict[str, Any]) -> None:
    if not _text_property(props, "asset_id"):
        raise ValidationError(BAD_PROPERTY, name="asset_id")


# The properties the dashboards read, per type (others are kept as given).
_PROPERTY_CHECKS: dict[EventType, Callable[[dict[str, Any]], None]] = {
    EventType.SEARCH: _search,
    EventType.VISITOR_PURPOSE: _purpose,
    EventType.DOWNLOAD: _download,
}


def _text_property(props: dict[str, Any], name: str) -> str:
    value = props.get(name)
    if value is None:
        raise ValidationError(MISSING_PROPERTY, name=name)
    if not isinstance(value, str):
        raise ValidationError(BAD_PROPERTY, name=name)
    return value
