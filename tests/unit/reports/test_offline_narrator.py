"""The offline narrator: the LLM port, the fixed structure, both languages, and zero unmatched
numbers on several contexts (hand-made, empty, catalogue only, synthetic traffic)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC
from typing import Any

import pytest

from services.analytics.synthetic import ContentRef, synthetic_events
from services.analytics.tables import Catalog, CatalogItem
from services.domain.llm import LLMRequest
from services.domain.models import Category
from services.domain.reports import OFFLINE_MODEL_ID, ReportLanguage, ReportType
from services.errors import ValidationError
from services.reports.context import build_context
from services.reports.grounding import check
from services.reports.narrator.offline import OfflineNarrator, narrate
from services.reports.prompts import prompt_for
from tests.unit.reports.report_fixtures import PERIOD, boards, scenario
from tests.unit.reports.test_prompts import HEADINGS

KINDS = list(ReportType)
LANGS = list(ReportLanguage)


def request_for(context: dict[str, Any]) -> LLMRequest:
    rendered = prompt_for(context)
    return LLMRequest(OFFLINE_MODEL_ID, system=rendered.system, prompt=rendered.prompt)


def synthetic_catalog() -> tuple[Catalog, list[ContentRef]]:
    categories = itertools.cycle(list(Category))
    authors = itertools.cycle(["kim", "lee", "park", "choi"])
    items = [CatalogItem(f"i{n:02d}", f"데모 {n}번 Bedrock", str(next(categories)), a, a.title())
             for n, a in zip(range(24), authors, strict=False)]
    refs = [ContentRef(i.id, i.category, i.author_id) for i in items[:20]]  # 4 never viewed
    return Catalog(items), refs


def contexts() -> list[tuple[str, dict[str, Any]]]:
    catalog, refs = synthetic_catalog()
    traffic = list(synthetic_events(refs, total=6000, days=14, end=PERIOD.end, tz=UTC))
    sources = {
        "scenario": boards(scenario()),
        "empty": boards((), Catalog()),
        "catalogue only": boards((), catalog),
        "synthetic": boards(traffic, catalog),
    }
    return [(f"{name}-{kind.value}-{lang.value}",
             build_context(kind, *both, PERIOD, lang))
            for name, both in sources.items() for kind in KINDS for lang in LANGS]


CONTEXTS = contexts()


@pytest.mark.parametrize(("name", "context"), CONTEXTS, ids=[n for n, _ in CONTEXTS])
def test_every_number_is_grounded(name: str, context: dict[str, Any]) -> None:
    text = narrate(context)
    grounding = check(text, context)
    assert grounding.unmatched == (), grounding.unmatched
    assert grounding.checked > 0  # it does write figures (the period length at least)
    assert "{" not in text and "narrator." not in text  # every sentence found and filled


@pytest.mark.parametrize(("name", "context"), CONTEXTS[:6], ids=[n for n, _ in CONTEXTS[:6]])
def test_the_fixed_structure_in_the_prompt_s_headings(name: str, context: dict[str, Any]) -> None:
    text = narrate(context)
    lang = ReportLanguage(context["language"])
    positions = [text.index(h + "\n") for h in HEADINGS[lang]]
    assert positions == sorted(positions)
    insights = text.split(HEADINGS[lang][1])[1].split(HEADINGS[lang][2])[0]
    numbered = re.findall(r"^(\d+)\. ", insights, re.MULTILINE)
    assert numbered == [str(n) for n in range(1, len(numbered) + 1)] and numbered
    assert "`kpis[" in text  # figures are cited by key


def test_korean_and_english_are_written_in_their_language() -> None:
    current, previous = boards(scenario())
    ko = narrate(build_context("overall", current, previous, PERIOD, "ko"))
    en = narrate(build_context("overall", current, previous, PERIOD, "en"))
    assert "## 요약" in ko and "오프라인 내레이터" in ko and "14시" in ko and "목요일" in ko
    assert "## Summary" in en and "Offline narrator" in en and "14:00" in en and "Thursday" in en
    assert "110" in ko and "+37.5%" in ko and "75.0%" in ko  # page views, change, purpose


def test_an_empty_period_says_so() -> None:
    context = build_context("overall", *boards((), Catalog()), PERIOD, "en")
    text = narrate(context)
    assert "No usage was recorded" in text and "There was not enough usage" in text


def test_it_streams_like_a_model_and_uses_no_tokens() -> None:
    context = build_context("content", *boards(scenario()), PERIOD, "ko")
    narrator = OfflineNarrator()
    stream = narrator.stream(request_for(context))
    chunks = list(stream)
    result = stream.result()
    assert len(chunks) > 10 and "".join(chunks) == result.text == narrate(context)
    assert (result.input_tokens, result.output_tokens) == (0, 0)
    assert result.model_id == OFFLINE_MODEL_ID and result.stop_reason == "end_turn"
    assert narrator.complete(request_for(context)).text == result.text  # deterministic


def test_a_request_without_data_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        OfflineNarrator().stream(LLMRequest(OFFLINE_MODEL_ID, system="", prompt="hello"))
    assert raised.value.key == "reports.err_offline_no_data"


def test_titles_terms_and_names_are_quoted_as_escaped_text() -> None:
    """What users typed enters the narrative as escaped markdown: it reads back as the same
    text and cannot become a link, an image, code or emphasis."""
    from markdown_it import MarkdownIt

    hostile = "[session expired, sign in again](https://evil.example) **x** `y` <b>"
    catalog = Catalog([CatalogItem("a", hostile, "Generative AI", "alice", "*Alice* ![i](x)"),
                       CatalogItem("b", "금융 리스크 데모", "Finance", "bob", "Bob")])
    context = build_context(ReportType.OVERALL, *boards(scenario(), catalog), PERIOD,
                            ReportLanguage.EN)
    text = narrate(context)
    assert hostile not in text  # never verbatim...
    html = MarkdownIt("commonmark").render(text)
    assert "<a " not in html and "<img" not in html and "<em>" not in html
    assert "<code>y</code>" not in html and "<strong>x</strong>" not in html
    assert "[session expired, sign in again](https://evil.example) **x** `y` &lt;b&gt;" in html
    assert check(text, context).ok  # the escapes add no numbers
