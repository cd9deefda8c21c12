"""Switching the language redraws everything in it, the chosen values of select boxes too
(the browser keeps a select box's label until the app sets its value again)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from services.i18n import translate
from tests.e2e.conftest import RunningApp, shot, tr


def en(key: str, **params: object) -> str:
    return translate("en", key, **params)


def chosen(select_box: Locator) -> Locator:
    """The box's input, whose value is the label of the chosen option."""
    return select_box.locator("input")


def test_filters_show_their_choice_in_the_new_language(app: RunningApp, page: Page) -> None:
    page.goto(f"{app.url}/browse")
    page.get_by_text(tr("content.filters"), exact=True).click()  # the panel, folded at first
    sort_box = page.locator('[data-testid="stSelectbox"]').filter(
        has_text=tr("content.sort_label"))
    expect(chosen(sort_box)).to_have_value(tr("content.sort.newest"), timeout=90_000)

    page.get_by_text("English", exact=True).click()  # the panel stays open
    sort_box = page.locator('[data-testid="stSelectbox"]').filter(
        has_text=en("content.sort_label"))
    expect(chosen(sort_box)).to_have_value(en("content.sort.newest"))
    category_box = page.locator('[data-testid="stSelectbox"]').filter(
        has_text=en("content.category_label"))
    expect(chosen(category_box)).to_have_value(en("content.all_categories"))
    shot(page, "30-browse-in-english")


def test_the_page_language_follows_the_chosen_language(app: RunningApp, page: Page) -> None:
    page.goto(f"{app.url}/browse")
    expect(page.locator("html")).to_have_attribute("lang", "ko", timeout=90_000)
    page.get_by_text("English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
