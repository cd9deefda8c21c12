"""The pager is one block of links: each page of results has its own address (browse, a
category page, My content), so it opens in a new tab, is shared and read out as a link list;
the address carries the search, and opening it shows that page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from services.domain.models import Category, ContentItem, Sort
from services.domain.users import User
from tests.ui.conftest import card_titles, ko, open_page

BROWSE = "app_pages/browse.py"
MY_CONTENT = "app_pages/my_content.py"


@pytest.fixture(autouse=True)
def _two_a_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DEMO_FACTORY_PAGE_SIZE", "2")
    yield


@dataclass
class Entry:
    """One entry of the pager: a link (``href``) or plain text, with its attributes."""

    text: str = ""
    href: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)


class _PagerParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.navs: list[dict[str, str]] = []
        self.entries: list[Entry] = []
        self.text = ""
        self.scripts = 0
        self._entry: Entry | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "nav":
            self.navs.append(found)
        elif tag == "script":
            self.scripts += 1
        elif tag in ("a", "span") and self._entry is None and "df-sr" not in found.get("class", ""):
            self._entry = Entry(href=found.get("href") if tag == "a" else None, attrs=found)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("a", "span") and self._entry is not None:
            self._entry.text = self._entry.text.strip()
            self.entries.append(self._entry)
            self._entry = None

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._entry is not None:
            self._entry.text += data


def _pager_blocks(at: AppTest) -> list[str]:
    return [str(e.proto.body) for e in at.get("html") if "<nav" in str(e.proto.body)]


def _pager(at: AppTest) -> _PagerParser:
    blocks = _pager_blocks(at)
    assert len(blocks) == 1, blocks
    parser = _PagerParser()
    parser.feed(blocks[0])
    return parser


def _links(at: AppTest) -> dict[str, str]:
    """Each link's text -> its href."""
    return {e.text: e.href for e in _pager(at).entries if e.href is not None}


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(href.partition("?")[2])


def _follow(at: AppTest, href: str) -> AppTest:
    """What a click on the link does: the address becomes the link's (same page), and the
    page runs with it."""
    at.query_params.clear()
    at.query_params.update(parse_qsl(href.partition("?")[2]))
    at.run()
    assert not at.exception, at.exception
    return at


def _open(
    new_app: Callable[..., AppTest], where: str = BROWSE, user: str | None = None, **params: str
) -> AppTest:
    """``where`` opened at its address with ``params`` (a link, a new tab, a reload)."""
    at = new_app(user)
    if not where.endswith(".py"):
        at.run()  # a category page is known once the navigation has been built
    at.query_params.update(params)
    open_page(at, where).run()
    assert not at.exception, at.exception
    return at


def _items(make_item: Callable[..., ContentItem], count: int, **kwargs: object) -> None:
    for number in range(count):
        make_item(f"데모 {number:02d}", **kwargs)


def test_the_pager_is_one_block_of_links_that_keep_the_search(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    _items(make_item, 16)  # two a page: eight pages

    at = _open(new_app, q="데모", category="Generative AI", tags="RAG", sort="title", page="4")

    assert not at.button and not [s for s in at.selectbox if s.key.endswith("_page")]
    pager = _pager(at)
    assert [n.get("aria-label") for n in pager.navs] == [ko("common.pages")]
    assert [e.text for e in pager.entries] == [
        ko("common.prev"),
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "…",
        "8",
        ko("common.next"),
    ]
    current = [e for e in pager.entries if e.attrs.get("aria-current") == "page"]
    assert [(e.text, e.href) for e in current] == [("4", None)]
    assert ko("common.total", total=16) in pager.text
    links = _links(at)
    assert set(links) == {ko("common.prev"), "1", "2", "3", "5", "6", "8", ko("common.next")}
    for text, href in links.items():
        assert href.startswith("browse?"), href
        page = {ko("common.prev"): "3", ko("common.next"): "5"}.get(text, text)
        assert _query(href) == {
            "q": ["데모"],
            "category": ["Generative AI"],
            "tags": ["RAG"],
            "sort": ["title"],
            "page": [page],
        }, text


def test_the_ends_are_text_on_the_first_and_last_page(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    _items(make_item, 5)  # three pages

    first = _pager(_open(new_app)).entries
    assert [(e.text, e.href is None) for e in first] == [
        (ko("common.prev"), True),
        ("1", True),
        ("2", False),
        ("3", False),
        (ko("common.next"), False),
    ]
    assert first[0].attrs.get("aria-disabled") == "true"

    last = _pager(_open(new_app, page="3")).entries
    assert [(e.text, e.href is None) for e in last][-1] == (ko("common.next"), True)
    assert last[-1].attrs.get("aria-disabled") == "true"


def test_a_link_opens_its_page_at_the_top(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    _items(make_item, 5)
    at = _open(new_app, sort="title")
    assert card_titles(at) == ["데모 00", "데모 01"]

    _follow(at, _links(at)[ko("common.next")])
    assert card_titles(at) == ["데모 02", "데모 03"]
    assert dict(at.query_params) == {"sort": "title", "page": "2"}
    first_change = [e for e in at.get("html") if "scrollTop = 0" in str(e.proto.body)]
    assert len(first_change) == 1

    _follow(at, _links(at)["3"])  # a second change in a row: a new script again
    assert card_titles(at) == ["데모 04"]
    second = [str(e.proto.body) for e in at.get("html") if "scrollTop = 0" in str(e.proto.body)]
    assert second and second != [str(first_change[0].proto.body)]

    _follow(at, _links(at)["1"])  # page 1: the address drops its page again
    assert card_titles(at) == ["데모 00", "데모 01"]
    assert dict(at.query_params) == {"sort": "title"}


def test_an_address_with_a_page_opens_that_page(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    _items(make_item, 8)

    at = _open(new_app, page="3", sort="title")

    assert card_titles(at) == ["데모 04", "데모 05"]
    current = [e.text for e in _pager(at).entries if e.attrs.get("aria-current") == "page"]
    assert current == ["3"]


def test_user_text_in_the_pager_stays_inert(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    _items(make_item, 3)
    typed = '"><script>alert(1)</script>'
    make_item(f"{typed} 데모")
    make_item(f"{typed} 둘째")
    make_item(f"{typed} 셋째")

    at = _open(new_app, q=typed, sort=str(Sort.TITLE))

    (block,) = _pager_blocks(at)
    assert "<script" not in block
    pager = _pager(at)
    assert pager.scripts == 0
    for href in _links(at).values():
        assert _query(href)["q"] == [typed]


def test_a_category_page_links_to_its_own_address(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    _items(make_item, 5, category=Category.FINANCE)

    at = _open(new_app, "category_finance", page="2")

    assert len(card_titles(at)) == 2
    assert [e.text for e in _pager(at).entries if e.attrs.get("aria-current")] == ["2"]
    links = _links(at)
    assert links["3"] == "category_finance?page=3"
    _follow(at, links["3"])
    assert len(card_titles(at)) == 1


def test_my_content_pages_by_its_address(
    new_app: Callable[..., AppTest], users: dict[str, User], make_item: Callable[..., ContentItem]
) -> None:
    _items(make_item, 5)

    at = _open(new_app, MY_CONTENT, "author-user", page="2")

    assert [e.text for e in _pager(at).entries if e.attrs.get("aria-current")] == ["2"]
    links = _links(at)
    assert links["3"] == "my_content?page=3"
    _follow(at, links["3"])
    assert [e.text for e in _pager(at).entries if e.attrs.get("aria-current")] == ["3"]
    assert dict(at.query_params) == {"page": "3"}
    _follow(at, links["1"])
    assert dict(at.query_params) == {}


def test_my_content_past_its_last_page_shows_the_last(
    new_app: Callable[..., AppTest], users: dict[str, User], make_item: Callable[..., ContentItem]
) -> None:
    _items(make_item, 3)

    at = _open(new_app, MY_CONTENT, "author-user", page="99")

    assert [e.text for e in _pager(at).entries if e.attrs.get("aria-current")] == ["2"]
    assert ko("content.my_empty") not in str([e.value for e in at.markdown])
    assert dict(at.query_params) == {"page": "2"}
