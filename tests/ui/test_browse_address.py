"""Browse's search lives in its address: a reload, a new tab or a shared link shows the same
search, and what an address asks for is checked like a visitor's own choice."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.domain.models import Category, ContentItem, Sort
from tests.ui.conftest import card_titles

BROWSE = "app_pages/browse.py"


def _open(new_app: Callable[..., AppTest], **params: str) -> AppTest:
    """Browse loaded at its address (a link, a new tab, a reload): the session's first run."""
    at = new_app()
    at.query_params.update(params)
    at.session_state["browse_all_filters"] = True  # drawn only while their panel is open
    at.switch_page(BROWSE).run()
    assert not at.exception, at.exception
    return at


def _ours(at: AppTest) -> dict[str, str]:
    return {k: v for k, v in at.query_params.items() if k != "lang"}


def test_a_link_with_a_search_opens_browse_showing_it(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("첫 데모")
    make_item("다른 데모", category=Category.MANUFACTURING)
    make_item("제조 현장 데모", category=Category.MANUFACTURING)

    at = _open(new_app, q="데모", category="Manufacturing", sort="title")

    assert at.text_input(key="browse_all_q").value == "데모"
    assert at.selectbox(key="browse_all_category").value == Category.MANUFACTURING
    assert at.selectbox(key="browse_all_sort").value == Sort.TITLE
    assert card_titles(at) == ["다른 데모", "제조 현장 데모"]


def test_the_address_follows_the_search_and_a_plain_browse_has_none(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("첫 데모")
    at = _open(new_app)
    assert _ours(at) == {}

    at.text_input(key="browse_all_q").input("데모").run()
    at.selectbox(key="browse_all_sort").select(Sort.MOST_VIEWED).run()
    assert _ours(at) == {"q": "데모", "sort": "most_viewed"}

    at.text_input(key="browse_all_q").input("").run()  # relevance gone: newest, the default
    at.selectbox(key="browse_all_sort").select(Sort.NEWEST).run()
    assert _ours(at) == {}


def test_what_an_address_cannot_ask_for_is_left_out(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("첫 데모")

    at = _open(new_app, q="데" * 500, category="<b>Nope</b>", author="nobody",
               tags="not-a-tag", sort="drop table", page="-3")

    assert len(at.text_input(key="browse_all_q").value) == 200
    assert at.selectbox(key="browse_all_category").value == ""
    assert at.selectbox(key="browse_all_author").value == ""
    assert at.multiselect(key="browse_all_tags").value == []
    assert at.selectbox(key="browse_all_sort").value == Sort.RELEVANCE
    assert _ours(at) == {"q": "데" * 200}  # what was honoured, written back


def test_the_browse_link_keeps_the_search_and_the_next_run_writes_it(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("첫 데모")
    at = _open(new_app, q="데모")
    at.switch_page("app_pages/home.py").run()

    at.query_params.clear()  # the sidebar's link carries no parameters
    at.switch_page(BROWSE).run()

    assert at.text_input(key="browse_all_q").value == "데모"
    # The browser still shows home's address while this run draws: a write now would make
    # a history entry of home's path with browse's search.
    assert _ours(at) == {}
    at.selectbox(key="browse_all_sort").select(Sort.TITLE).run()
    assert _ours(at) == {"q": "데모", "sort": "title"}


def test_back_to_the_bare_address_shows_what_it_showed(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("첫 데모")
    at = _open(new_app, q="데모")
    at.switch_page("app_pages/home.py").run()
    at.query_params.clear()
    at.switch_page(BROWSE).run()  # the menu's link: "데모", the address bare
    at.selectbox(key="browse_all_sort").select(Sort.TITLE).run()

    at.query_params.clear()  # Back: the bare address of the menu's link
    at.run()

    assert at.text_input(key="browse_all_q").value == "데모"
    assert at.selectbox(key="browse_all_sort").value == Sort.RELEVANCE


def test_a_tag_link_becomes_the_views_tags_in_the_address(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("Bedrock 챗봇")  # tags Bedrock, RAG

    at = _open(new_app, tag="RAG")

    assert at.multiselect(key="browse_all_tags").value == ["RAG"]
    assert _ours(at) == {"tags": "RAG"}


def test_a_tag_link_from_another_page_is_taken_once(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("Bedrock 챗봇")  # tags Bedrock, RAG
    at = new_app()
    at.run()
    at.query_params["tag"] = "RAG"
    at.session_state["browse_all_filters"] = True  # drawn only while their panel is open
    at.switch_page(BROWSE).run()
    assert at.multiselect(key="browse_all_tags").value == ["RAG"]
    assert _ours(at) == {"tag": "RAG"}  # the arriving run writes nothing

    at.multiselect(key="browse_all_tags").set_value(["Bedrock"]).run()

    assert at.multiselect(key="browse_all_tags").value == ["Bedrock"]
    assert _ours(at) == {"tags": "Bedrock"}
