"""One word for one thing across the report page and the report PDF."""

from __future__ import annotations

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
