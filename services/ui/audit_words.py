"""The audit log's actor, target and detail columns in the admin's language.

Writers record short keys and raw values (``events`` = "12345", "40 items", a Bedrock step's
``llm.err_throttled``) and the entries keep them: the CSV export has them as written, beside
these words, and the rows older versions wrote stay readable. The page and the CSV word them
here, with the labels in ``audit.toml`` and the names other pages already use for report
types, languages, roles and Bedrock steps. A key or value without words (an older or newer
version's) is shown as it is rather than hidden, as ``audit_action_label`` does.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo

from services.domain.inquiries import reference
from services.domain.models import AuditEntry
from services.domain.permissions import Role
from services.domain.users import (
    ANONYMOUS_ACTOR,
    CLI_ACTOR,
    SCRIPT_ACTOR_PREFIX,
    SYSTEM_ACTOR,
)
from services.i18n import catalog, for_administrator, translate
from services.i18n.times import format_time
from services.ops.bedrock_check import AUDIT_ACTION as BEDROCK_CHECK
from services.reports.models import model_words
from services.ui.i18n import LANGUAGE_NAMES, audit_outcome_label, count_text, role_label

SEPARATOR = " · "  # between a detail's pairs: a Bedrock message has commas and full stops
_UNKNOWN = "…"  # a message's parameter the entry did not keep

# A key whose meaning depends on the action that wrote it: the doctor's "failed" lists checks,
# the orphan cleanup's counts the files it could not remove.
_KEY_BY_ACTION = {("doctor.run", "failed"): "failed_checks"}
# Values someone chose, or ids: shown as written even when they are all digits.
_TEXT_KEYS = frozenset({"name", "model", "aws_region", "failed_checks"})
_FLAG_KEYS = frozenset({"strict", "dry_run"})  # "true" / "false"

# Targets that name no record but the log, the file store or the settings; only for these
# actions, since "audit" and "files" are valid user names too.
_NAMED_TARGETS = {("audit.view", "audit"): "audit", ("content.orphans_scan", "files"): "files",
                  ("content.orphans_remove", "files"): "files", ("doctor.run", "config"): "config"}
_MARK_TARGETS = {"-": "none", "*": "all"}  # never user names (those have 3 characters or more)
# Actions whose target is "<count> <things>".
_COUNTED_TARGETS = {"content.samples_loaded": "items", "content.remove_samples": "items",
                    "user.export": "users"}
_COUNTED = re.compile(r"^(\d+) \w+$")
# A refused sign-up, reset or inquiry: "<first 8 characters of the visit>/<the full limit>".
_RATE_LIMITED = re.compile(r"^(?P<visit>[^/]{1,8})/(?P<limit>visit|instance|global)$")
# Actions whose target is "<user>:<value>": the roles set or decided, a sign-up's status, the
# language chosen.
_ROLE_TARGETS = frozenset({"user.set_roles", "user.signup_approve", "user.signup_decline",
                           "user.role_request"})
_STATUS_TARGETS = frozenset({"user.signup", "user.signup_confirm"})
_LANGUAGE_TARGETS = frozenset({"user.profile_language"})
_ROLE_VALUES = frozenset(r.value for r in Role)
# Actions whose target is an inquiry's id: named by the number the inquiries page shows.
_INQUIRY_TARGETS = frozenset({"inquiry.submit", "inquiry.handled", "inquiry.reopened",
                              "inquiry.notify"})
_INQUIRY_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # a ULID
# Actors that are no person (reserved: no account can take these names).
_NAMED_ACTORS = {ANONYMOUS_ACTOR: "anonymous", SYSTEM_ACTOR: "system", CLI_ACTOR: "cli"}


def _known(lang: str, key: str) -> str | None:
    """The catalog's words for ``key``; None when it has none."""
    text = translate(lang, key)
    return None if text == key else text


# ---- actor -------------------------------------------------------------------------------------


def actor_text(actor: str, lang: str) -> str:
    """A person by their user name; the app, a visitor not signed in and a script in words."""
    named = _NAMED_ACTORS.get(actor)
    if named is not None:
        return translate(lang, f"audit.actor.{named}")
    if actor.startswith(SCRIPT_ACTOR_PREFIX):
        return translate(lang, "audit.actor.script", name=actor.removeprefix(SCRIPT_ACTOR_PREFIX))
    return actor


# ---- detail ------------------------------------------------------------------------------------


def detail_text(entry: AuditEntry, lang: str, tz: tzinfo) -> str:
    """The entry's detail as "label: value" pairs in ``lang``."""
    return SEPARATOR.join(_pair(entry, key, value, lang, tz)
                          for key, value in entry.detail.items())


def _pair(entry: AuditEntry, key: str, value: str, lang: str, tz: tzinfo) -> str:
    if entry.action == BEDROCK_CHECK and key != "aws_region":  # one key per step
        label = _known(lang, f"admin_tools.step_{key}") or key
        return f"{label}: {_step_outcome(entry, value, lang)}"
    key = _KEY_BY_ACTION.get((entry.action, key), key)
    label = _known(lang, f"audit.detail.{key}") or key
    return f"{label}: {_value(key, value, lang, tz)}"


def _value(key: str, value: str, lang: str, tz: tzinfo) -> str:
    if key == "type":  # a report's type, by the name the report page gives it
        return _known(lang, f"reports.type_{value}") or value
    if key == "model":  # as the report page and its PDF name it
        return model_words(value, lang)
    if key == "language":  # named in its own language, as the report history names it
        return LANGUAGE_NAMES.get(value, value)
    if key in _FLAG_KEYS:
        return _known(lang, f"audit.value.{value}") or value
    if key == "backup_created_at":
        return _moment(value, tz)
    if key == "first_bad_line":  # "<line>: <reason's i18n key>"
        line, _, reason = value.partition(": ")
        return translate(lang, "audit.value.bad_line", line=line,
                         reason=_message(lang, reason, {}))
    if key not in _TEXT_KEYS and value.isascii() and value.isdigit():
        return count_text(int(value))
    return value


def _moment(value: str, tz: tzinfo) -> str:
    try:
        return format_time(datetime.fromisoformat(value), tz)
    except ValueError:
        return value


def _step_outcome(entry: AuditEntry, value: str, lang: str) -> str:
    """A Bedrock step's "ok" or "skipped" as the outcome column says them; a failed step's
    message (the entry keeps its key), with the model and Region the entry names."""
    if value in ("ok", "skipped"):
        return audit_outcome_label(value, lang)
    region = entry.detail.get("aws_region", "-")
    known = {"model": entry.target, "region": "" if region == "-" else region}
    return f"{audit_outcome_label('failed', lang)} — {_message(lang, value, known)}"


def _message(lang: str, key: str, known: Mapping[str, str]) -> str:
    """The message ``key`` names, its placeholders filled from ``known`` and "…" for the rest
    (an entry keeps a message's key, not its parameters); a key without one as it is."""
    key = for_administrator(key)  # the log is read by an administrator
    text = catalog(lang).get(key)
    if text is None:
        return key
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:  # not a format string: the log page must still draw
        return key
    return translate(lang, key, **{name: known.get(name) or _UNKNOWN for name in names})


# ---- target ------------------------------------------------------------------------------------


def target_text(entry: AuditEntry, titles: Mapping[str, str], lang: str) -> str:
    """An item's title or a funnel's name beside its id; an inquiry's number; counts, marks,
    refused visits and users' roles, statuses and languages in words; anything else as it is."""
    title = titles.get(entry.target)
    if title:
        return f"{title} ({entry.target})"
    for wording in _TARGET_WORDINGS:
        found = wording(entry, lang)
        if found is not None:
            return found
    return entry.target


def _named(entry: AuditEntry, lang: str) -> str | None:
    name = _NAMED_TARGETS.get((entry.action, entry.target)) or _MARK_TARGETS.get(entry.target)
    return translate(lang, f"audit.target.{name}") if name else None


def _counted(entry: AuditEntry, lang: str) -> str | None:
    things = _COUNTED_TARGETS.get(entry.action)
    found = _COUNTED.match(entry.target) if things else None
    if found is None:
        return None
    return translate(lang, f"audit.target.{things}", count=int(found.group(1)))


def _rate_limited(entry: AuditEntry, lang: str) -> str | None:
    found = _RATE_LIMITED.match(entry.target) if entry.outcome == "rate_limited" else None
    if found is None:
        return None
    return (translate(lang, "audit.target.visit", visit=found["visit"]) + SEPARATOR
            + translate(lang, f"audit.target.limit.{found['limit']}"))


def _inquiry_status(entry: AuditEntry, lang: str) -> str | None:
    """The inquiry list viewed ("open", "handled"), by its tab's name."""
    return _known(lang, f"inquiries.tab_{entry.target}") if entry.action == "inquiry.list" \
        else None


def _inquiry(entry: AuditEntry, lang: str) -> str | None:
    """An inquiry by its number (e.g. ``Q-K5G9-KTDQ``), as its page and its sender see it."""
    if entry.action in _INQUIRY_TARGETS and _INQUIRY_ID.match(entry.target):
        return reference(entry.target)
    return None


def _user_and_value(entry: AuditEntry, lang: str) -> str | None:
    user, _, value = entry.target.partition(":")
    if not value:
        return None
    words: str | None = None
    if entry.action in _ROLE_TARGETS and all(r in _ROLE_VALUES for r in value.split(",")):
        words = ", ".join(role_label(r, lang) for r in value.split(","))
    elif entry.action in _STATUS_TARGETS:
        words = _known(lang, f"signup.status_{value}")
    elif entry.action in _LANGUAGE_TARGETS:
        words = LANGUAGE_NAMES.get(value)
    return f"{user}: {words}" if words else None


_TARGET_WORDINGS: tuple[Callable[[AuditEntry, str], str | None], ...] = (
    _named, _counted, _rate_limited, _inquiry_status, _inquiry, _user_and_value)
