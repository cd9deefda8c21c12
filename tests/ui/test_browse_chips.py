"""Browse's filters sit in a panel drawn only while open; under it, folded, each choice is a
chip that says what the list is narrowed by and takes that choice away in one click."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import parse_qs

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.models import Category, ContentItem
from tests.ui.conftest import card_titles, open_page

BROWSE = "app_pages/browse.py"
_CHIP = re.compile(r'<a class="df-tag df-chip" href="([^"]+)"[^>]*>(.*?)<span class="df-sr">')


def _chips(at: AppTest) -> dict[str, dict[str, list[str]]]:
    """Shown text of each chip -> the parameters of the address its link leads to."""
    found = {}
    for block in at.html:
        for href, label in _CHIP.findall(block.value):
            _, _, query = html.unescape(href).partition("?")
            found[html.unescape(label)] = parse_qs(query)
    return found


def _open(new_app: Callable[..., AppTest], **params: str | list[str]) -> AppTest:
    at = new_app()
    at.query_params.update(params)
    at.switch_page(BROWSE).run()
    assert not at.exception, at.exception
    return at


def _follow(at: AppTest, params: dict[str, list[str]]) -> None:
    """A chip's link: the same page at the address it names."""
    at.query_params.clear()
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception


def test_browse_opens_with_its_filters_folded_and_names_what_they_chose(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("첫 데모")
    make_item("제조 데모", category=Category.MANUFACTURING)

    at = _open(new_app, category="Manufacturing", tags="RAG", sort="title")

    assert not at.selectbox and not at.multiselect  # folded: not drawn
    assert card_titles(at) == ["제조 데모"]
    assert _chips(at) == {
        "카테고리: 제조": {"tags": ["RAG"], "sort": ["title"], "page": ["1"]},
        "태그: RAG": {"category": ["Manufacturing"], "sort": ["title"], "page": ["1"]},
        "정렬: 제목순": {"category": ["Manufacturing"], "tags": ["RAG"], "page": ["1"]},
    }


def test_a_chip_takes_its_choice_away_and_none_is_left_at_the_end(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("첫 데모")
    make_item("제조 데모", category=Category.MANUFACTURING)
    at = _open(new_app, category="Manufacturing", sort="title")

    _follow(at, _chips(at)["카테고리: 제조"])

    assert card_titles(at) == ["제조 데모", "첫 데모"]  # every category, still by title
    assert list(_chips(at)) == ["정렬: 제목순"]
    _follow(at, _chips(at)["정렬: 제목순"])
    assert _chips(at) == {}
    assert card_titles(at) == ["제조 데모", "첫 데모"]  # newest first
    assert not [b for b in at.html if 'class="df-chips"' in b.value]  # no empty list either


def test_the_open_panel_shows_the_choices_in_its_widgets_instead(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("제조 데모", category=Category.MANUFACTURING)
    at = new_app()
    at.session_state["browse_all_filters"] = True  # opened
    at.query_params.update(category="Manufacturing")
    at.switch_page(BROWSE).run()

    assert at.selectbox(key="browse_all_category").value == Category.MANUFACTURING
    assert _chips(at) == {}

    at.selectbox(key="browse_all_category").select("").run()  # all categories
    at.session_state["browse_all_filters"] = False  # folded again
    at.run()
    assert _chips(at) == {}
    assert not at.selectbox


def test_a_category_page_has_no_chip_for_its_own_category(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("금융 데모", category=Category.FINANCE)
    at = new_app()
    at.run()
    at.query_params.update(tags="RAG")
    open_page(at, "category_finance").run()

    assert list(_chips(at)) == ["태그: RAG"]
    assert _chips(at)["태그: RAG"] == {"page": ["1"]}
    assert card_titles(at) == ["금융 데모"]


def test_a_chip_holds_a_tag_and_an_author_as_text(
    new_app: Callable[..., AppTest], services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    item = make_item()
    hostile = '<img src=x onerror=alert(1)> "x" a&b'
    services.ports.content.update(replace(item, tags=(hostile,)), item.version)

    at = _open(new_app, tags=hostile)

    (block,) = [b.value for b in at.html if 'class="df-chips"' in b.value]
    assert "<img" not in block and "&lt;img src=x onerror=alert(1)&gt;" in block
    assert _chips(at) == {f"태그: {hostile}": {"page": ["1"]}}
    assert card_titles(at) == [item.title]
