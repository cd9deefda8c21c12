"""Tags are links: on cards and on the content page a tag opens browse filtered by it
(``?tag=``), with the tag's text URL-encoded in the address and inert on the page."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import parse_qs

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.models import Category, ContentItem, Sort
from tests.ui.conftest import as_shown, card_titles, texts

BROWSE = "app_pages/browse.py"


def _tag_links(at: AppTest) -> dict[str, str]:
    """Shown label -> the ``tag`` its link carries, for every link to browse."""
    return {as_shown(str(link.proto.label)): parse_qs(link.proto.query_string)["tag"][0]
            for link in at.get("page_link")
            if link.proto.page.endswith("browse") and link.proto.query_string}


def _card_tag_links(at: AppTest) -> dict[str, tuple[str, str]]:
    """Shown label -> (the link's address without query, the ``tag`` it carries), for every
    tag link of a card (plain links in the card's HTML block)."""
    found = {}
    for block in at.html:
        for href, label in re.findall(r'<a class="df-tag" href="([^"]+)"[^>]*>(.*?)</a>',
                                      block.value):
            path, _, query = html.unescape(href).partition("?")
            found[html.unescape(label)] = (path, parse_qs(query)["tag"][0])
    return found



def _browse(new_app: Callable[..., AppTest], tag: str | None = None) -> AppTest:
    at = new_app()
    at.run()
    if tag is not None:
        at.query_params["tag"] = tag
    at.session_state["browse_all_filters"] = True  # drawn only while their panel is open
    at.switch_page(BROWSE).run()
    assert not at.exception, at.exception
    return at


def test_tags_on_cards_are_links_to_browse_by_that_tag(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("Bedrock 챗봇")  # tags Bedrock, RAG

    at = _browse(new_app)

    assert _card_tag_links(at) == {"#Bedrock": ("browse", "Bedrock"),
                                   "#RAG": ("browse", "RAG")}


def test_browse_opened_with_a_tag_shows_only_items_with_it(
    new_app: Callable[..., AppTest], services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    tagged = make_item("RAG 검색 데모")
    other = make_item("그냥 데모")
    services.ports.content.update(replace(other, tags=("IoT",)), other.version)

    at = _browse(new_app, "RAG")

    assert card_titles(at) == [tagged.title]
    assert at.multiselect(key="browse_all_tags").value == ["RAG"]
    # The filter is the person's now: removing the tag shows everything again.
    at.multiselect(key="browse_all_tags").set_value([]).run()
    assert sorted(card_titles(at)) == sorted([tagged.title, other.title])


def test_a_tag_on_the_content_page_is_a_link(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    item = make_item()
    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()

    assert _tag_links(at) == {"#Bedrock": "Bedrock", "#RAG": "RAG"}


def test_a_tag_with_markup_and_spaces_is_encoded_and_inert(
    new_app: Callable[..., AppTest], services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    item = make_item()
    hostile = "a&b=c [x](https://evil.example)"
    services.ports.content.update(replace(item, tags=(hostile,)), item.version)

    at = _browse(new_app)
    (block,) = [b.value for b in at.html if 'class="df-tag"' in b.value]
    href = html.unescape(re.search(r'class="df-tag" href="([^"]+)"', block)[1])
    assert "&b=" not in href  # one parameter, the text encoded
    assert "<a href" not in block and "evil.example\"" not in block  # no link of the tag's own
    assert _card_tag_links(at) == {f"#{hostile}": ("browse", hostile)}

    opened = _browse(new_app, hostile)
    assert card_titles(opened) == [item.title]


def test_an_unknown_tag_says_so_and_filters_nothing(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    item = make_item()

    at = _browse(new_app, "없는태그")

    assert "‘없는태그’ 태그가 붙은 콘텐츠가 없습니다" in texts(at)
    assert card_titles(at) == [item.title]


def _filtered_then_tag_link(new_app: Callable[..., AppTest], tag: str) -> AppTest:
    """Browse narrowed by a category, an author and a sort; then, from another page, a tag
    link (the content page's) to browse."""
    at = _browse(new_app)
    at.selectbox(key="browse_all_category").select(Category.FINANCE).run()
    at.selectbox(key="browse_all_author").select("author-user").run()
    at.selectbox(key="browse_all_sort").select(Sort.TITLE).run()
    at.switch_page("app_pages/home.py").run()
    at.query_params.clear()
    at.query_params["tag"] = tag
    at.switch_page(BROWSE).run()
    assert not at.exception, at.exception
    return at


def test_a_tag_link_shows_everything_with_the_tag_whatever_was_filtered_before(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    finance = make_item("금융 데모", category=Category.FINANCE)  # tags Bedrock, RAG
    factory = make_item("제조 데모", category=Category.MANUFACTURING)

    at = _filtered_then_tag_link(new_app, "RAG")

    assert at.multiselect(key="browse_all_tags").value == ["RAG"]
    assert at.selectbox(key="browse_all_category").value == ""
    assert at.selectbox(key="browse_all_author").value == ""
    assert at.selectbox(key="browse_all_sort").value == Sort.NEWEST
    assert sorted(card_titles(at)) == sorted([finance.title, factory.title])


def test_an_unknown_tag_shows_everything_as_it_says(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    finance = make_item("금융 데모", category=Category.FINANCE)
    factory = make_item("제조 데모", category=Category.MANUFACTURING)

    at = _filtered_then_tag_link(new_app, "없는태그")

    assert "전체를 보여 드립니다" in texts(at)
    assert at.multiselect(key="browse_all_tags").value == []
    assert at.selectbox(key="browse_all_category").value == ""
    assert sorted(card_titles(at)) == sorted([finance.title, factory.title])
