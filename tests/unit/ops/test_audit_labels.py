"""Every action the code writes to the audit log has a readable label in Korean and English;
an action without one (an old or future key) is shown as its raw key."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from services.i18n import LANGUAGES, catalog
from services.ui.i18n import audit_action_label

ROOT = Path(__file__).resolve().parents[3]
_ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")
# Calls that take an action key: the audit writers and the guards that record a refusal.
_CALLS = {"_record", "record_audit", "AuditEntry", "_require", "_require_admin",
          "_require_owner_or", "_require_cleanup", "_record_orphans"}
# Names an action key is kept in before it is written.
_NAMES = {"AUDIT_ACTION", "REPORT_AUDIT_ACTION", "SAMPLES_LOADED", "action"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _keys(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and _ACTION.match(n.value)}


def recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in [*(ROOT / "services").rglob("*.py"), *(ROOT / "scripts").rglob("*.py")]:
        if "adapters" in path.parts or "i18n" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) in _CALLS:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    found |= _keys(arg)
            elif isinstance(node, ast.Assign) and any(_name(t) in _NAMES for t in node.targets):
                found |= _keys(node.value)
    return found


def test_the_scan_finds_the_actions() -> None:
    found = recorded_actions()
    assert {"content.create", "user.reset_password", "inquiry.handled", "inquiry.reopened",
            "doctor.run", "bedrock.check", "events.import", "content.samples_loaded",
            "report.generate", "audit.view", "auth.login", "ops.backup"} <= found
    assert "errors.permission_denied" not in found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_recorded_action_has_a_label(lang: str) -> None:
    labels = catalog(lang)
    missing = sorted(a for a in recorded_actions() if f"audit.action.{a}" not in labels)
    assert missing == []


def test_labels_are_read_in_the_chosen_language_and_unknown_keys_stay_raw() -> None:
    assert audit_action_label("content.create", "ko") == "콘텐츠 작성"
    assert audit_action_label("content.create", "en") == "Content created"
    assert audit_action_label("future.thing", "ko") == "future.thing"


# ---- detail keys -------------------------------------------------------------------------------

# Functions that build an entry's detail map before it is written.
_DETAIL_BUILDERS = {"audit_detail", "_summary", "_record_orphans"}


def _dict_keys(node: ast.AST) -> set[str]:
    """The string keys of every dict literal under ``node``, and of ``x["key"] = ...``."""
    found: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Dict):
            found |= {k.value for k in n.keys
                      if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        elif isinstance(n, ast.Assign):
            found |= {t.slice.value for t in n.targets if isinstance(t, ast.Subscript)
                      and isinstance(t.slice, ast.Constant) and isinstance(t.slice.value, str)}
    return found


def recorded_detail_keys() -> set[str]:
    found: set[str] = set()
    for path in [*(ROOT / "services").rglob("*.py"), *(ROOT / "scripts").rglob("*.py")]:
        if "adapters" in path.parts or "i18n" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in _DETAIL_BUILDERS:
                found |= _dict_keys(node)
            elif isinstance(node, ast.Call) and _name(node.func) in _CALLS:
                for keyword in node.keywords:
                    if keyword.arg == "detail":
                        found |= _dict_keys(keyword.value)
                found |= {k for arg in node.args[3:] for k in _dict_keys(arg)}
    return found


def test_the_scan_finds_the_detail_keys() -> None:
    assert {"events", "kept_items", "tokens", "model", "type", "language", "unmatched", "name",
            "steps", "failed", "aws_region", "orphans", "lines", "first_bad_line",
            "items_imported", "files", "backup_created_at"} <= recorded_detail_keys()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_recorded_detail_key_has_a_label(lang: str) -> None:
    labels = catalog(lang)
    missing = sorted(k for k in recorded_detail_keys() if f"audit.detail.{k}" not in labels)
    assert missing == []
