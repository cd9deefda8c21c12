"""One word for one thing across the report page and the report PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.i18n import LANGUAGES, catalog


def test_the_korean_pdf_says_bogoseo_like_the_page() -> None:
    pdf = {k: v for k, v in catalog("ko").items() if k.startswith("pdf.")}
    assert [k for k, v in pdf.items() if "리포트" in v] == []
    assert pdf["pdf.kicker"] == "Demo Factory · AI 인사이트 보고서"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_requester_has_one_name(lang: str) -> None:
    words = catalog(lang)
    assert words["reports.col_by"] == words["pdf.created_by"]


# The offline narrator's one name in each language, and names it has gone by elsewhere.
OFFLINE_NARRATOR = {
    "ko": ("오프라인 내레이터", ("오프라인 작성기", "오프라인 서술기", "오프라인 생성기")),
    "en": ("offline narrator", ("offline writer", "offline composer", "offline generator")),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_offline_narrator_has_one_name_in_every_text(lang: str) -> None:
    """The report page, the model picker, the PDF, the Bedrock check and the doctor all name
    it alike."""
    name, others = OFFLINE_NARRATOR[lang]
    words = {k: v.lower() for k, v in catalog(lang).items()}
    assert [k for k, v in words.items() if any(other in v for other in others)] == []
    assert any(name in v for v in words.values())


def test_the_readme_names_the_offline_narrator_as_the_app_does() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8").lower()
    others = [other for _, names in OFFLINE_NARRATOR.values() for other in names]
    assert [other for other in others if other in readme] == []
