"""The previous platform's loosely typed records mapped onto this app's model."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.adapters.aws.legacy_source import from_dynamodb_json
from services.adapters.legacy_folder import FolderSource
from services.domain.analytics import Purpose
from services.domain.models import Category, stable_id
from services.imports.legacy.mapping import (
    content_id_for,
    map_category,
    map_purpose,
    parse_time,
    rewrite_media_refs,
)

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(("raw", "category", "how"), [
    ("Generative AI", Category.GENERATIVE_AI, "exact"),
    ("Retail/CPG", Category.RETAIL_CPG, "exact"),
    ("retail / cpg", Category.RETAIL_CPG, "alias"),
    ("Amazon Q Dev", Category.AMAZON_Q, "alias"),
    ("amazonq", Category.AMAZON_Q, "alias"),
    ("genai", Category.GENERATIVE_AI, "alias"),
    ("ＧｅｎＡＩ", Category.GENERATIVE_AI, "alias"),  # full-width, as typed on a Korean IME
    ("Blockchain", Category.ETC, "unknown"),
    ("", Category.ETC, "unknown"),
    (None, Category.ETC, "unknown"),
])
def test_categories(raw: object, category: Category, how: str) -> None:
    match = map_category(raw)
    assert (match.category, match.how) == (category, how)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-07-02T09:25:45.678Z", datetime(2024, 7, 2, 9, 25, 45, 678000, tzinfo=UTC)),
    ("2024-07-02T18:25:45+09:00", datetime(2024, 7, 2, 9, 25, 45, tzinfo=UTC)),
    ("2024-07-02T18:25:45", datetime(2024, 7, 2, 9, 25, 45, tzinfo=UTC)),  # naive: app zone
    (1719912345678, datetime(2024, 7, 2, 9, 25, 45, 678000, tzinfo=UTC)),  # epoch ms
    ("1719912345", datetime(2024, 7, 2, 9, 25, 45, tzinfo=UTC)),  # epoch seconds, as text
    ("2024-07-02", datetime(2024, 7, 1, 15, 0, tzinfo=UTC)),  # a date: local midnight
    ("yesterday", None),
    ("", None),
    (None, None),
    (True, None),
])
def test_times(raw: object, expected: datetime | None) -> None:
    assert parse_time(raw, SEOUL) == expected


def test_media_references_match_loosely_and_missing_ones_are_kept() -> None:
    body = ("[image:diagram.png] [IMAGE:Diagram] [image:1719912345678-diagram.png]\n"
            "[video:demo.mp4] [audio: voice.wav ]")
    rewritten, missing = rewrite_media_refs(body, {"diagram.png": "A1", "voice.wav": "A2"})
    assert rewritten.count("(asset:A1)") == 3 and "![voice.wav](asset:A2)" in rewritten
    assert "[video:demo.mp4]" in rewritten and missing == ["demo.mp4"]


@pytest.mark.parametrize(("raw", "purpose", "known"), [
    ("customer-demo", Purpose.CUSTOMER_DEMO, True),
    ("customer_demo", Purpose.CUSTOMER_DEMO, True),
    ("고객 데모", Purpose.CUSTOMER_DEMO, True),
    ("Customer demo", Purpose.CUSTOMER_DEMO, True),
    ("skip", Purpose.SKIPPED, True),
    ("", Purpose.SKIPPED, True),
    ("curiosity", Purpose.OTHER, False),
])
def test_purposes(raw: str, purpose: Purpose, known: bool) -> None:
    assert map_purpose(raw) == (purpose, known)


def test_content_ids_are_stable_and_sort_by_the_legacy_creation_time() -> None:
    first, later = content_id_for("content-1719912345678"), content_id_for("content-1719912399999")
    assert first == content_id_for("content-1719912345678") and first < later
    assert first == stable_id(datetime.fromtimestamp(1719912345.678, UTC),
                              "legacy-content:content-1719912345678")


def test_dynamodb_json_in_every_shape_it_is_exported() -> None:
    typed = {"id": {"S": "c1"}, "views": {"N": "3"}, "tags": {"L": [{"S": "a"}]},
             "likedBy": {"SS": ["x"]}}
    assert from_dynamodb_json(typed)["views"] == 3
    assert from_dynamodb_json({"Item": typed})["tags"] == ["a"]
    plain = {"id": "c1", "data": {"S": "not a type tag here"}, "views": 3}
    assert from_dynamodb_json(plain) == plain  # not every value typed: left as it is


def test_a_folder_export_cannot_read_outside_itself(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("no")
    export = tmp_path / "export"
    (export / "files").mkdir(parents=True)
    (export / "contents.json").write_text(json.dumps({"Items": [{"id": {"S": "c1"}}]}))
    source = FolderSource(export)
    assert source.file("../secret.txt") is None and source.file("../../secret.txt") is None
    assert [c["id"] for c in source.contents()] == ["c1"]  # a Scan output, as the CLI writes
    assert list(source.analytics()) == []  # no analytics file: nothing, not an error


def test_imported_text_gets_the_service_s_rules() -> None:
    """The import writes to the repository directly; its drafts still get the content
    service's rules: NFC, no unreadable characters, tags one line of plain text."""
    import unicodedata
    from datetime import UTC, datetime

    from services.content.drafts import validate_draft
    from services.imports.legacy.importer import fit_draft
    from services.imports.legacy.mapping import LegacyContent

    when = datetime(2024, 1, 1, tzinfo=UTC)
    legacy = LegacyContent(
        legacy_id="1", title=unicodedata.normalize("NFD", "한국어 데모") + "\ud800",
        summary="요약", body="본문", category_raw="AI",
        tags=("Bedrock", "a\n\n![x](https://evil/i.png)", "<b>bold</b>", "line\nbreak"),
        author="x", created_at=when, updated_at=when, views=0, liked_by=(), likes=0, files=())
    draft, trimmed = fit_draft(legacy, legacy.body, "Generative AI")
    assert draft.title == "한국어 데모\ufffd"
    assert draft.tags == ("Bedrock",)
    assert trimmed.count("tag") == 3
    assert validate_draft(draft) == draft  # what the service itself would accept
