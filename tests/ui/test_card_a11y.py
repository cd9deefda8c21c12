"""Cards as a screen reader meets them: the cards are a list, each card's title is a heading one
level below the heading above the cards (no level skipped), and each card's "open" link is
named after its card, not one more "열기" among a dozen; the author's title stays inert text."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

from streamlit.testing.v1 import AppTest

from services.domain.models import ContentItem
from tests.ui.conftest import errors, ko

HOSTILE = '<img src=x onerror="alert(1)"> **Bedrock** </h3><b>'


class _Cards(HTMLParser):
    """The parts of a cards block that assistive technology reads: the list, the headings and
    the links' accessible names (their text, less anything ``aria-hidden``)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[str, str]] = []
        self.links: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, hidden)
        self._heading: list[str] | None = None
        self._link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in {"img", "br", "source"}:
            return
        hidden = dict(attrs).get("aria-hidden") == "true" or any(h for _, h in self._open)
        self._open.append((tag, hidden))
        if tag in {"h2", "h3"}:
            self._heading = []
        if tag == "a" and "df-card-open" in (dict(attrs).get("class") or ""):
            self._link = []

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass
        if tag in {"h2", "h3"} and self._heading is not None:
            self.headings.append((tag, "".join(self._heading)))
            self._heading = None
        if tag == "a" and self._link is not None:
            self.links.append(" ".join("".join(self._link).split()))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if self._link is not None and not any(h for _, h in self._open):
            self._link.append(data)


def _cards(at: AppTest) -> _Cards:
    blocks = [b.value for b in at.html if "df-card" in b.value]
    assert len(blocks) >= 1
    parsed = _Cards()
    parsed.feed(blocks[0])
    return parsed


def _page(new_app: Callable[..., AppTest], page: str | None = None) -> AppTest:
    at = new_app()
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception and not errors(at)
    return at


def test_home_cards_are_a_list_of_headed_cards_under_a_section_heading(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("첫 데모")
    make_item(HOSTILE)
    at = _page(new_app)

    # h1 (the page's title), then the section as h2, then each card's title as h3
    assert [h.value for h in at.header] == [ko("common.home_latest")]
    cards = _cards(at)
    assert cards.headings == [("h3", HOSTILE), ("h3", "첫 데모")]
    lists = [attrs for tag, attrs in cards.tags if tag == "ul"]
    assert len(lists) == 1 and lists[0].get("role") == "list"
    assert sum(tag == "li" for tag, _ in cards.tags) == 2
    # the title's markup stays text
    assert not any(tag == "b" or "onerror" in attrs for tag, attrs in cards.tags)


def test_each_open_link_is_named_after_its_card(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("첫 데모")
    make_item(HOSTILE)
    at = _page(new_app)

    assert _cards(at).links == [
        f"{ko('content.open')} – {' '.join(HOSTILE.split())}",
        f"{ko('content.open')} – 첫 데모",
    ]


def test_browse_cards_are_headed_one_level_below_the_page_title(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item("첫 데모")
    at = _page(new_app, "app_pages/browse.py")
    assert _cards(at).headings == [("h2", "첫 데모")]

    at.text_input(key="browse_all_q").input("데모").run()  # a search marks the titles
    cards = _cards(at)
    assert cards.headings == [("h2", "첫 데모")]
    assert cards.links == [f"{ko('content.open')} – 첫 데모"]
