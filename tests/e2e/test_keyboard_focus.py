"""Keyboard focus is kept where a keyboard user can go on from: Enter on a card's "open" link or
a tag link puts focus on the new page's heading (not on the page's body, from where Tab
starts again at the top), and liking an item by keyboard leaves focus on the button, which
now reads "unlike" (its key changes with the state, so Streamlit draws a new button)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from services.bootstrap import build_services
from services.content.samples import load_samples
from services.domain.permissions import Role
from services.settings import Settings
from tests.e2e.conftest import RunningApp, app_with_users, sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)
FOCUSED = "() => document.activeElement && document.activeElement.tagName"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    users = {"reader": ("읽는이", Role.VIEWER)}
    with app_with_users(tmp_path_factory.mktemp("focus"), users, PASSWORD) as running:
        services = build_services(Settings(data_dir=running.data_dir, sample_content=False))
        try:
            load_samples(services.content, limit=4)
        finally:
            services.tracker.close()
        yield running


def test_enter_on_open_puts_focus_on_the_item_s_heading(app: RunningApp, page: Page) -> None:
    page.goto(f"{app.url}/browse")
    link = page.get_by_role("link", name=tr("content.open")).first
    expect(link).to_be_visible(timeout=90_000)
    title = page.locator(".df-card-title").first.inner_text()

    link.focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/content\?id=\w+$"))
    heading = page.locator('[data-testid="stMain"] h1').first
    expect(heading).to_have_text(title)
    expect(heading).to_be_focused()


def test_enter_on_a_tag_puts_focus_on_browse_s_heading(app: RunningApp, page: Page) -> None:
    page.goto(f"{app.url}/browse")
    tag = page.locator("a.df-tag").first
    expect(tag).to_be_visible(timeout=90_000)

    tag.focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/browse\?tags="))
    expect(page.locator('[data-testid="stMain"] h1').first).to_be_focused()


def test_liking_by_keyboard_keeps_focus_on_the_like_button(app: RunningApp, page: Page) -> None:
    sign_in(page, app, "reader", PASSWORD, "읽는이")
    page.goto(f"{app.url}/browse")
    page.get_by_role("link", name=tr("content.open")).first.click()
    like = page.get_by_role("button", name=tr("content.like", likes="0"), exact=True)
    expect(like).to_be_visible(timeout=60_000)

    like.focus()
    page.keyboard.press("Enter")

    unlike = page.get_by_role("button", name=tr("content.unlike", likes="1"), exact=True)
    expect(unlike).to_be_visible()
    expect(unlike).to_be_focused()
    page.keyboard.press("Enter")  # and back, from the keyboard still
    expect(like).to_be_focused()
    assert page.evaluate(FOCUSED) == "BUTTON"
