"""Reading on a phone (390 px): an item's text stays inside the screen (a long command scrolls
inside its code block, a long address wraps, a table has borders and room in its cells), and
the browse pager's links bring the next page's results into view instead of leaving the reader
at the bottom of the new page."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from services.bootstrap import build_services
from services.content.samples import load_samples
from services.domain.models import Category, ContentDraft, Status
from services.domain.permissions import Actor, Role
from services.settings import Settings
from tests.e2e.conftest import CLI, RunningApp, app_with_users, shot, sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)
WRITER = Actor(user_id="writer", name="작성자", roles=frozenset({Role.AUTHOR}))

ITEM: list[str] = []  # the id of the item with wide text
LONG_COMMAND = "docker run --rm " + " ".join(f"--env SETTING_{n}=value_{n}" for n in range(30))
LONG_URL = "https://example.com/" + "/".join(f"segment{n}" for n in range(40))
BODY = f"""Some text before.

```
{LONG_COMMAND}
```

Read {LONG_URL} for more.

| a | b |
|---|---|
| 1 | 2 |
"""
IDLE_JS = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'notRunning'"""
# How wide the document is against the screen, and the text's code block and table cells.
MEASURE_JS = """() => {
  const pre = document.querySelector('pre');
  const cell = document.querySelector('td');
  return {page: document.documentElement.scrollWidth, screen: window.innerWidth,
          main: document.querySelector('[data-testid="stMain"]').scrollWidth,
          preWide: pre.scrollWidth, preShown: pre.clientWidth,
          preOverflow: getComputedStyle(pre).overflowX,
          cellPad: parseFloat(getComputedStyle(cell).paddingLeft),
          cellBorder: parseFloat(getComputedStyle(cell).borderTopWidth)};
}"""
# How far down the reader is, whichever element scrolls the page.
SCROLLED_JS = """() => Math.max(window.scrollY,
    document.querySelector('[data-testid="stMain"]').scrollTop,
    document.querySelector('[data-testid="stAppScrollToBottomContainer"]')?.scrollTop ?? 0)"""
TO_BOTTOM_JS = """() => {
  window.scrollTo(0, document.body.scrollHeight);
  for (const el of document.querySelectorAll(
      '[data-testid="stMain"], [data-testid="stAppScrollToBottomContainer"]')) {
    el.scrollTop = el.scrollHeight;
  }
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """Two pages of samples and one item whose text is wider than a phone."""
    users = {"writer": ("작성자", Role.AUTHOR)}
    with app_with_users(tmp_path_factory.mktemp("reading"), users, PASSWORD) as running:
        services = build_services(Settings(data_dir=running.data_dir, sample_content=False))
        try:
            load_samples(services.content, limit=30)
            item = services.content.create(
                ContentDraft("넓은 본문", "요약", BODY, Category.ETC, status=Status.PUBLISHED),
                [],
                CLI,
            )
            ITEM[:] = [item.id]
            # The writer's two items (My content on a phone: a line between them); the draft
            # first, so that the published one is the newer and listed first.
            services.content.create(
                ContentDraft(LONG_TITLE, "요약", "본문", Category.ETC, status=Status.DRAFT),
                [],
                WRITER,
            )
            services.content.create(
                ContentDraft("내 글", "요약", "본문", Category.ETC, status=Status.PUBLISHED),
                [],
                WRITER,
            )
        finally:
            services.tracker.close()
        yield running


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="ko-KR"
    )
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def _settled(page: Page) -> None:
    page.wait_for_function(IDLE_JS, timeout=60_000)
    page.wait_for_timeout(500)


def test_an_items_wide_text_stays_inside_a_phone(app: RunningApp, phone: Page) -> None:
    phone.goto(f"{app.url}/content?id={ITEM[0]}")
    expect(phone.locator("pre").first).to_be_visible(timeout=60_000)
    _settled(phone)
    shot(phone, "reading_phone_wide_text")
    found = phone.evaluate(MEASURE_JS)
    assert found["page"] <= found["screen"], found  # the page does not scroll sideways
    assert found["main"] <= found["screen"], found
    assert found["preWide"] > found["preShown"], found  # the command scrolls in its block
    assert found["preOverflow"] == "auto", found
    assert found["cellPad"] >= 4, found  # "a b / 1 2" no longer runs together
    assert found["cellBorder"] >= 1, found


def _next_link(page: Page) -> Locator:
    return page.locator("nav.df-pager-links").get_by_role(
        "link", name=tr("common.next"), exact=True
    )


# What has focus: its tag and text.
FOCUSED_JS = """() => [document.activeElement.tagName,
    document.activeElement.textContent.trim()]"""
# The pager's entries (links and text): the smallest height and width, in px.
PAGER_BOXES_JS = """() => [...document.querySelectorAll('.df-pager .df-page:not(.df-page-gap)')]
  .map(e => e.getBoundingClientRect())
  .reduce((m, r) => [Math.min(m[0], r.height), Math.min(m[1], r.width)], [1e9, 1e9])"""
CURRENT_JS = """() => document.querySelector('.df-pager [aria-current="page"]')?.textContent"""


def test_the_pager_brings_the_next_pages_results_into_view(app: RunningApp, phone: Page) -> None:
    phone.goto(f"{app.url}/browse")
    expect(_next_link(phone)).to_be_visible(timeout=60_000)
    _settled(phone)
    smallest = phone.evaluate(PAGER_BOXES_JS)
    assert min(smallest) >= 36, smallest  # tap targets 2.25rem at least
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.evaluate(TO_BOTTOM_JS)
    phone.wait_for_timeout(300)
    assert phone.evaluate(SCROLLED_JS) > 1000  # the reader is at the bottom of page 1
    _next_link(phone).tap()
    phone.wait_for_url("**page=2**")
    _settled(phone)
    phone.wait_for_timeout(500)
    shot(phone, "reading_phone_page2")
    heading = phone.get_by_role("heading", name=tr("nav.browse"))
    assert phone.evaluate(SCROLLED_JS) < 844, "page 2 opened scrolled to its bottom"
    expect(heading).to_be_in_viewport()
    assert phone.evaluate(CURRENT_JS) == "2"
    assert phone.evaluate(FOCUSED_JS) == ["H1", tr("nav.browse")]  # the switch is announced
    # A second change in a row: the run before it drew the same script in the same place.
    phone.evaluate(TO_BOTTOM_JS)
    phone.wait_for_timeout(300)
    assert phone.evaluate(SCROLLED_JS) > 1000
    _next_link(phone).tap()
    phone.wait_for_url("**page=3**")
    _settled(phone)
    phone.wait_for_timeout(500)
    assert phone.evaluate(SCROLLED_JS) < 844, "page 3 opened scrolled to its bottom"
    # Back goes to the page of results before.
    phone.go_back()
    phone.wait_for_url("**page=2**")
    _settled(phone)
    assert phone.evaluate(CURRENT_JS) == "2"


def test_a_keyboard_follows_a_page_link(app: RunningApp, page: Page) -> None:
    page.goto(f"{app.url}/browse")
    link = page.locator("nav.df-pager-links a", has_text="3")
    expect(link).to_be_visible(timeout=60_000)
    _settled(page)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**page=3**")
    _settled(page)
    assert page.evaluate(CURRENT_JS) == "3"
    assert page.evaluate(FOCUSED_JS) == ["H1", tr("nav.browse")]
    page.keyboard.press("Tab")  # from the title on through the page, not from its top
    assert page.evaluate("() => document.activeElement !== document.body")


# The page links of My content's rows whose label is cut off (wider inside than shown).
CLIPPED_LINKS_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stPageLink"] a')]
  .filter(a => a.getBoundingClientRect().width > 0)
  .flatMap(a => [a, ...a.querySelectorAll('*')])
  .filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
  .map(e => ({text: e.innerText, wide: e.scrollWidth, shown: e.clientWidth}))"""


# A title longer than its column even at 1400 px (it was cut mid-letter, with no ellipsis).
LONG_TITLE = "내 초안: a draft whose fairly long English title runs past its column"
# My content's headings that take more than one line (broken inside the word: "View/s").
BROKEN_HEADINGS_JS = """() => [...document.querySelectorAll('[class*="st-key-df_head_"] strong')]
  .filter(e => e.getBoundingClientRect().width > 1)
  .map(e => { const r = document.createRange(); r.selectNodeContents(e);
              return [e.textContent.trim(),
                      new Set([...r.getClientRects()].map(x => Math.round(x.top))).size]; })
  .filter(([, lines]) => lines > 1)"""


@pytest.mark.parametrize("language", ["한국어", "English"])
def test_my_content_shows_its_links_whole_at_a_desktops_width(
    app: RunningApp, page: Page, language: str
) -> None:
    sign_in(page, app, "writer", PASSWORD, "작성자")
    page.get_by_text(language, exact=True).click()
    _settled(page)
    page.goto(f"{app.url}/my_content")
    expect(page.get_by_text("내 글").first).to_be_visible(timeout=60_000)
    _settled(page)
    shot(page, f"reading_my_content_{language}")
    assert page.evaluate(CLIPPED_LINKS_JS) == []
    assert page.evaluate(BROKEN_HEADINGS_JS) == []
    # Just above the width where the columns stack (640 px), and a small desktop's.
    for width in (900, 700, 660):
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(500)
        shot(page, f"reading_my_content_{language}_{width}")
        assert page.evaluate(CLIPPED_LINKS_JS) == [], width
        assert page.evaluate(BROKEN_HEADINGS_JS) == [], width
        assert page.get_by_text(LONG_TITLE).first.is_visible()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone stacks the columns
    page.wait_for_timeout(500)
    shot(page, f"reading_my_content_phone_{language}")
    assert page.evaluate(CLIPPED_LINKS_JS) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


# What a sighted reader sees of My content's heading row and of each value's label (a label
# hidden for a screen reader only is 1 px wide), and each shown label's line.
LABELS_SEEN_JS = """(headings) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 1 && r.height > 1; };
  return {
    headings: [...main.querySelectorAll('[data-testid="stMarkdownContainer"] strong')]
      .filter(shown).map(e => e.textContent.trim()).filter(t => headings.includes(t)),
    labels: [...main.querySelectorAll('.df-cell-label')].filter(shown)
      .map(e => e.parentElement.innerText.trim()),
  };
}"""


# The line under each of My content's rows (a row: the columns holding its labelled values):
# its style, width and colour.
ROW_LINES_JS = """() => {
  const cells = document.querySelectorAll('[data-testid="stMain"] .df-cell');
  const rows = new Set([...cells].map(c => c.closest('[data-testid="stHorizontalBlock"]')));
  return [...rows].map(row => {
    const style = getComputedStyle(row);
    return [style.borderBottomStyle, style.borderBottomWidth, style.borderBottomColor];
  });
}"""
CLEAR = "rgba(0, 0, 0, 0)"  # a transparent colour, as computed


def test_my_content_on_a_phone_says_what_each_value_is(app: RunningApp, page: Page) -> None:
    headings = [
        tr(key)
        for key in ("content.status_label", "content.views", "content.likes", "content.updated")
    ]
    sign_in(page, app, "writer", PASSWORD, "작성자")
    page.goto(f"{app.url}/my_content")
    expect(page.get_by_text("내 글").first).to_be_visible(timeout=60_000)
    _settled(page)
    shot(page, "reading_my_content_labels_desktop")
    desktop = page.evaluate(LABELS_SEEN_JS, headings)
    assert desktop == {"headings": headings, "labels": []}, desktop  # the table as it was
    assert {(style, width) for style, width, _ in page.evaluate(ROW_LINES_JS)} == {("none", "0px")}
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    shot(page, "reading_my_content_labels_phone")
    phone = page.evaluate(LABELS_SEEN_JS, headings)
    assert phone["headings"] == [], phone  # no heading row alone above the rows
    assert [line.split()[0] for line in phone["labels"]] == headings * 2, phone
    assert phone["labels"][:3] == [
        f"{headings[0]} {tr('content.status.published')}",
        f"{headings[1]} 0",
        f"{headings[2]} 0",
    ], phone
    # The stacked values of one item and the next do not run together: a line under each item.
    lines = page.evaluate(ROW_LINES_JS)
    assert len(lines) == 2, lines
    assert all(
        style == "solid" and width == "1px" and colour != CLEAR for style, width, colour in lines
    ), lines
