"""Back after browse was opened from another page goes back to that page, and Back after a change
on browse shows browse as it was before the change: one history entry per step, each showing
what it showed. Streamlit writes a changed address under the path the browser shows, which
during the first run after a switch is still the previous page's."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import RunningApp, choose, tr


def _menu_link(page: Page, route_title: str) -> Locator:
    return page.locator('[data-testid="stSidebarNav"]').get_by_text(route_title, exact=True)


def _sort_box(page: Page) -> Locator:
    return page.locator('[data-testid="stSelectbox"]').filter(
        has_text=tr("content.sort_label")).locator("input")


def _chips(page: Page) -> Locator:
    """The chips that name the folded filters' choices."""
    return page.locator("a.df-chip")


def _search_box(page: Page) -> Locator:
    return page.get_by_placeholder(tr("content.search_placeholder"))


def _open_first_item(page: Page) -> str:
    """From browse: the first card's item; its title as its page shows it."""
    page.get_by_role("link", name=tr("content.open")).first.click()
    expect(page).to_have_url(re.compile(r"/content\?id=\w+$"))
    title = page.locator("h1").first
    expect(title).not_to_have_text(tr("nav.browse"))
    expect(title).not_to_be_empty()
    return title.inner_text()


def _back_to_the_item(page: Page, item_url: str, title: str) -> None:
    page.go_back()
    expect(page).to_have_url(item_url)
    expect(page.locator("h1").first).to_have_text(title)
    expect(page.get_by_text(tr("content.choose_item"))).to_have_count(0)


def test_back_from_the_menus_browse_link_returns_to_the_item(
    app: RunningApp, page: Page
) -> None:
    page.goto(f"{app.url}/browse?q=bedrock&sort=title")
    expect(page.get_by_role("link", name=tr("content.open")).first).to_be_visible(timeout=90_000)
    title = _open_first_item(page)
    item_url = page.url

    _menu_link(page, tr("nav.browse")).click()
    expect(page).to_have_url(re.compile(r"/browse(\?|$)"))
    expect(_search_box(page)).to_have_value("bedrock")  # the session's search, kept

    _back_to_the_item(page, item_url, title)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/browse\?q=bedrock&sort=title$"))
    expect(_search_box(page)).to_have_value("bedrock")


def test_back_after_a_change_on_browse_shows_it_as_before(app: RunningApp, page: Page) -> None:
    page.goto(f"{app.url}/browse?q=bedrock")
    expect(page.get_by_role("link", name=tr("content.open")).first).to_be_visible(timeout=90_000)
    _open_first_item(page)
    _menu_link(page, tr("nav.browse")).click()
    expect(_search_box(page)).to_have_value("bedrock")
    page.get_by_text(tr("content.filters"), exact=True).click()  # the panel, folded at first
    expect(_sort_box(page)).to_have_value(tr("content.sort.relevance"))

    choose(page, _sort_box(page), tr("content.sort.title"))
    expect(page).to_have_url(re.compile(r"/browse\?q=bedrock&sort=title$"))

    page.go_back()
    expect(_sort_box(page)).to_have_value(tr("content.sort.relevance"))
    expect(_search_box(page)).to_have_value("bedrock")


def test_back_after_the_first_search_shows_browse_without_it(app: RunningApp, page: Page) -> None:
    page.goto(f"{app.url}/browse")
    search = _search_box(page)
    expect(search).to_be_visible(timeout=90_000)
    search.fill("Bedrock")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/browse\?q=Bedrock$"))

    page.go_back()
    expect(page).to_have_url(re.compile(r"/browse$"))
    expect(search).to_have_value("")


def test_back_from_a_tag_of_the_items_page_returns_to_the_item(
    app: RunningApp, page: Page
) -> None:
    page.goto(f"{app.url}/browse?q=bedrock")
    expect(page.get_by_role("link", name=tr("content.open")).first).to_be_visible(timeout=90_000)
    title = _open_first_item(page)
    item_url = page.url
    tag = page.locator('[data-testid="stPageLink"] a[href*="tag="]').first
    name = tag.inner_text().removeprefix("#")

    tag.click()
    expect(_chips(page)).to_have_text([re.compile(f"^{tr('content.tags')}: {re.escape(name)}")])
    expect(page).to_have_url(re.compile(r"/browse\?"))

    _back_to_the_item(page, item_url, title)


def test_a_change_of_two_parameters_is_one_step_back(app: RunningApp, page: Page) -> None:
    page.goto(f"{app.url}/browse?sort=title")
    search = _search_box(page)
    expect(search).to_be_visible(timeout=90_000)
    search.fill("Bedrock")  # a search sorts by relevance, the default with text: no sort
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/browse\?q=Bedrock$"))

    page.go_back()
    expect(page).to_have_url(re.compile(r"/browse\?sort=title$"))
    expect(search).to_have_value("")
    expect(_chips(page)).to_have_text(
        [re.compile(f"^{tr('content.sort_label')}: {tr('content.sort.title')}")])
