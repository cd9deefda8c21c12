"""Korean and English have the same keys, and every key the code uses exists; counted messages
take the plural form their count needs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel import Locale

from services.domain.models import Category, Sort, Status
from services.domain.permissions import Role
from services.i18n import LANGUAGES, Plural, catalog, messages, translate
from services.ui.page_names import TITLE_KEYS

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


def _texts(message: str | Plural) -> list[str]:
    return list(message.forms.values()) if isinstance(message, Plural) else [message]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_between_languages(lang: str) -> None:
    """Every form of a plural message too: "1 entry" still shows the count."""
    ko = messages("ko")
    for key, message in messages(lang).items():
        wanted = {name for text in _texts(ko[key]) for name in _PLACEHOLDER.findall(text)}
        for text in _texts(message):
            assert set(_PLACEHOLDER.findall(text)) == wanted, key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_tables_have_the_forms_of_their_language(lang: str) -> None:
    """The CLDR categories of the language (English: one, other; Korean: other only), no
    more and no fewer, and the count they are chosen by is one of the message's placeholders."""
    needed = set(Locale.parse(lang).plural_form.tags) | {"other"}
    plurals = {key: m for key, m in messages(lang).items() if isinstance(m, Plural)}
    for key, plural in plurals.items():
        assert set(plural.forms) == needed, key
        assert plural.by in _PLACEHOLDER.findall(plural.forms["other"]), key
    if lang == "en":
        assert len(plurals) > 20


def test_one_entry_and_two_entries() -> None:
    assert translate("en", "admin_tools.audit_count", count=1) == "1 entry"
    assert translate("en", "admin_tools.audit_count", count=2) == "2 entries"
    assert translate("en", "admin_tools.audit_count", count=0) == "0 entries"
    assert translate("en", "content.reading_files", count=1) == "Reading 1 file"
    assert translate("en", "content.reading_files", count=3) == "Reading 3 files"


def test_the_count_can_be_another_parameter() -> None:
    assert translate("en", "admin.users_page", page=1, pages=1, total=1) == (
        "Page 1 of 1 · 1 user")
    assert translate("en", "admin.users_page", page=2, pages=3, total=41) == (
        "Page 2 of 3 · 41 users")
    assert translate("en", "imports.events_summary", lines=1, valid=1, bad=0) == (
        "1 line: 1 good, 0 bad.")


def test_the_count_is_grouped_in_both_languages() -> None:
    assert translate("en", "admin_tools.audit_count", count=12345) == "12,345 entries"
    assert translate("ko", "admin_tools.audit_count", count=12345) == "12,345건"
    # a count the caller already formatted still chooses the form
    assert translate("en", "common.total", total="1") == "1 item in total"
    assert translate("en", "common.total", total="1,234") == "1,234 items in total"


def test_korean_has_one_form() -> None:
    assert translate("ko", "admin_tools.audit_count", count=1) == "1건"
    assert translate("ko", "admin_tools.audit_count", count=2) == "2건"
    assert translate("ko", "content.reading_files", count=1) == "파일 1개를 읽는 중"


def test_catalog_shows_a_plural_message_by_its_general_form() -> None:
    """Callers that read the catalog as text (and sections like [category], whose key
    ``etc`` is no plural category) keep working."""
    assert catalog("en")["admin_tools.audit_count"] == "{count} entries"
    assert catalog("en")["content.category.etc"] == "Other"
    assert translate("en", "admin_tools.audit_count") == "{count} entries"  # no count given


def test_the_scan_finds_keys() -> None:
    used = _used_keys()
    assert "content.err_title_empty" in used  # an error key in services/
    assert "auth.err_bad_credentials" in used
    assert "nav.section_explore" in used  # a t() key in services/ui
    assert "common.home_title" in used  # a t() key in pages/


def test_every_used_key_exists() -> None:
    ko = catalog("ko")
    missing = {key: sorted(files) for key, files in _used_keys().items() if key not in ko}
    assert missing == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_title_exists(lang: str) -> None:
    """Page titles are keys in a table (``services/ui/page_names.py``), not t() calls."""
    assert [key for key in TITLE_KEYS.values() if key not in catalog(lang)] == []


def test_enum_labels_exist() -> None:
    ko = catalog("ko")
    expected = (
        [f"content.category.{c.name.lower()}" for c in Category]
        + [f"content.status.{s.value}" for s in Status]
        + [f"content.sort.{s.value}" for s in Sort]
        + [f"auth.role.{r.value}" for r in Role]
    )
    assert [k for k in expected if k not in ko] == []
