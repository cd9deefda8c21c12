"""Korean and English have the same keys, and every key the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.domain.models import Category, Sort, Status
from services.domain.permissions import Role
from services.i18n import LANGUAGES, catalog

ROOT = Path(__file__).resolve().parents[3]
_KEY = r"[a-z][a-z0-9_]*\.[a-z0-9_.]*[a-z0-9_]"
# t("area.key", ...), the first argument of the project's errors, and their default keys.
_USES = re.compile(
    r"(?:\b(?:t|\w*Error|NotFound|PermissionDenied|QuotaExceeded|ServiceUnavailable)\(\s*"
    r"|\bdefault_key\s*=\s*)[\"'](" + _KEY + r")[\"']"
)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _sources() -> list[Path]:
    files = [ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"),
             *(ROOT / "services").rglob("*.py")]
    return [f for f in files if f.is_file()]


def _used_keys() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in _sources():
        for key in _USES.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    return used


def test_languages_have_the_same_keys() -> None:
    ko, en = catalog("ko"), catalog("en")
    assert sorted(set(ko) - set(en)) == []
    assert sorted(set(en) - set(ko)) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_between_languages(lang: str) -> None:
    ko = catalog("ko")
    for key, text in catalog(lang).items():
        assert set(_PLACEHOLDER.findall(text)) == set(_PLACEHOLDER.findall(ko[key])), key


def test_the_scan_finds_keys() -> None:
    used = _used_keys()
    assert "content.err_title_empty" in used  # an error key in services/
    assert "auth.err_bad_credentials" in used
    assert "nav.home" in used  # a t() key in services/ui
    assert "common.home_title" in used  # a t() key in pages/


def test_every_used_key_exists() -> None:
    ko = catalog("ko")
    missing = {key: sorted(files) for key, files in _used_keys().items() if key not in ko}
    assert missing == {}


def test_enum_labels_exist() -> None:
    ko = catalog("ko")
    expected = (
        [f"content.category.{c.name.lower()}" for c in Category]
        + [f"content.status.{s.value}" for s in Status]
        + [f"content.sort.{s.value}" for s in Sort]
        + [f"auth.role.{r.value}" for r in Role]
    )
    assert [k for k in expected if k not in ko] == []
