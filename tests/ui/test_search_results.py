"""Search results on the browse page: best match first, the other sorts still chosen, and the
words searched for marked in each card's title and snippet, with the text kept inert."""

from __future__ import annotations

import re
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.domain.models import Category, ContentItem, Sort
from services.domain.users import User
from tests.ui.conftest import card_titles, errors


def _hit_parts(block: str) -> list[str]:
    """The marked title and snippet of a card's HTML block (not its tags or meta line)."""
    return re.findall(r'<(?:div|h[23]) class="df-hit-[a-z]+"[^>]*>(.*?)</(?:div|h[23])>', block)


def _browse(new_app: Callable[..., AppTest]) -> AppTest:
    at = new_app()
    at.run()
    at.session_state["browse_all_filters"] = True  # drawn only while their panel is open
    at.switch_page("app_pages/browse.py").run()
    assert not at.exception and not errors(at)
    return at


def test_a_search_lists_the_best_match_first_and_the_other_sorts_stay(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem],
) -> None:
    make_item("Pipeline 입문")  # older, the word in its title
    make_item("다른 데모", body="A data pipeline for stores.")  # newer, the word in its body
    make_item("관계없는 글")
    at = _browse(new_app)
    sort = at.selectbox(key="browse_all_sort")
    assert sort.value == Sort.NEWEST
    assert "관련도순" not in sort.options  # nothing to be relevant to

    at.text_input(key="browse_all_q").input("pipeline").run()
    sort = at.selectbox(key="browse_all_sort")
    assert sort.value == Sort.RELEVANCE and sort.options[0] == "관련도순"
    assert card_titles(at) == ["Pipeline 입문", "다른 데모"]

    sort.select(Sort.NEWEST).run()
    assert card_titles(at) == ["다른 데모", "Pipeline 입문"]
    assert {"조회수순", "좋아요순", "제목순"} <= set(at.selectbox(key="browse_all_sort").options)

    at.text_input(key="browse_all_q").input("").run()
    assert at.selectbox(key="browse_all_sort").value == Sort.NEWEST
    assert "관련도순" not in at.selectbox(key="browse_all_sort").options
    assert not at.exception


def test_matched_words_are_marked_in_the_title_and_a_snippet(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem],
) -> None:
    make_item("생성형AI 안내", body="# 소개\n\n사내 문서를 찾는 **Vector** 검색")
    at = _browse(new_app)
    at.text_input(key="browse_all_q").input("생성형").run()
    shown = [block.value for block in at.html]
    assert any("<strong><mark>생성형</mark>AI 안내</strong>" in block for block in shown)
    assert any("<mark>생성형</mark>AI 안내 요약" in block for block in shown)  # the summary

    at.text_input(key="browse_all_q").input("vector").run()
    shown = [block.value for block in at.html]
    # not in the summary: the passage of the body, as the reader sees it (no markdown)
    assert any("소개 사내 문서를 찾는 <mark>Vector</mark> 검색" in block for block in shown)
    hits = [hit for block in shown for hit in _hit_parts(block)]  # title and snippet only
    assert hits and not any("**" in hit or "#" in hit for hit in hits)


def test_a_title_with_markup_stays_literal_text_when_marked(
    new_app: Callable[..., AppTest], users: dict[str, User],
    make_item: Callable[..., ContentItem],
) -> None:
    hostile = '<img src=x onerror="alert(1)"> **bedrock** [click](https://evil.example) <b>'
    make_item(hostile)
    at = _browse(new_app)
    at.text_input(key="browse_all_q").input("bedrock").run()

    title = next(hit for block in at.html for hit in _hit_parts(block.value)
                 if "mark" in hit)
    assert "<img" not in title and "<b>" not in title and "<a" not in title
    assert ("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; **<mark>bedrock</mark>** "
            "[click](https://evil.example) &lt;b&gt;") in title
    assert card_titles(at) == [hostile]


def test_a_search_is_where_it_was_after_opening_an_item(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    """Opening an item from browse and coming back finds the search, the filters and the
    sort as they were (Streamlit drops the state of widgets a page switch does not draw)."""
    make_item("첫 데모")
    make_item("다른 데모", category=Category.MANUFACTURING)
    at = new_app()
    at.run()
    at.session_state["browse_all_filters"] = True  # drawn only while their panel is open
    at.switch_page("app_pages/browse.py").run()
    at.text_input(key="browse_all_q").input("데모").run()
    at.selectbox(key="browse_all_category").select(Category.MANUFACTURING).run()
    at.selectbox(key="browse_all_sort").select(Sort.MOST_VIEWED).run()
    assert card_titles(at) == ["다른 데모"]

    at.switch_page("app_pages/content.py").run()
    at.switch_page("app_pages/home.py").run()
    at.switch_page("app_pages/browse.py").run()

    assert not at.exception, at.exception
    assert at.text_input(key="browse_all_q").value == "데모"
    assert at.selectbox(key="browse_all_category").value == Category.MANUFACTURING
    assert at.selectbox(key="browse_all_sort").value == Sort.MOST_VIEWED
    assert card_titles(at) == ["다른 데모"]
