"""What only a browser shows of the analyst's pages' layout: on a phone (touch), plotly's mode
bar and the tables' toolbar cover no title or text; on a 1400 px desktop, no table scrolls
sideways (its last columns were cut off at the right edge)."""

from __future__ import annotations

import itertools
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from scripts.seed_demo import published_contents, seed_stores
from services.bootstrap import build_services
from services.content.samples import load_samples
from services.domain.models import utcnow
from services.domain.permissions import Role
from services.i18n import translate
from services.settings import Settings
from services.ui.styles import APP_CSS
from services.ui.tiles import Tile, tiles_html
from tests.e2e.conftest import RunningApp, app_with_users, shot, sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)
ITEMS: list[str] = []  # the sample items' ids
IDLE_JS = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'notRunning'"""

# Every chart's mode bar and toolbar against its title and panel titles: the titles covered.
CHART_OVERLAPS_JS = """() => {
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom
                         && b.top < a.bottom;
  const found = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const container = plot.closest('[data-testid="stElementContainer"]');
    const bars = [plot.querySelector('.modebar'), ...(container ? container.querySelectorAll(
      '[data-testid="stElementToolbarButton"]') : [])];
    for (const bar of bars.filter(Boolean)) {
      const barBox = bar.getBoundingClientRect();
      for (const title of plot.querySelectorAll('.gtitle, .annotation-text')) {
        if (meet(barBox, title.getBoundingClientRect())) found.push(title.textContent);
      }
    }
  }
  return found;
}"""

# Where the first chart's bars and titles are (for a failure's message).
BOXES_JS = """() => [...document.querySelector('[data-testid="stPlotlyChart"]').closest(
    '[data-testid="stElementContainer"]').querySelectorAll(
    '.modebar, .gtitle, [data-testid="stElementToolbarButton"]')].map(
    e => [e.className.baseVal ?? e.className, e.getBoundingClientRect().toJSON()])"""

# A table's toolbar (shown after a tap) against the element drawn above the table.
TOOLBAR_OVERLAP_JS = """(frame) => {
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom
                         && b.top < a.bottom;
  const container = frame.closest('[data-testid="stElementContainer"]');
  const bar = container && container.querySelector('[data-testid="stElementToolbar"]');
  let above = container && container.previousElementSibling;
  while (above && above.getBoundingClientRect().height === 0) {
    above = above.previousElementSibling;
  }
  if (!bar || !above) return null;
  const style = getComputedStyle(bar);
  return {shown: style.opacity !== '0', overlaps: meet(bar.getBoundingClientRect(),
                                                         above.getBoundingClientRect()),
          above: above.innerText.slice(0, 60)};
}"""

# The tables drawn, and those whose grid scrolls sideways (its scroller wider inside than out).
SCROLLING_TABLES_JS = """() => {
  const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
    .filter(frame => frame.getBoundingClientRect().width > 0)
    .map(frame => [frame, frame.querySelector('.dvn-scroller')])
    .filter(([, scroller]) => scroller);
  return {tables: grids.length, scrolling: grids
    .filter(([, scroller]) => scroller.scrollWidth > scroller.clientWidth + 1)
    .map(([frame, scroller]) => ({wide: scroller.scrollWidth, shown: scroller.clientWidth,
                                  heads: frame.innerText.slice(0, 80)}))};
}"""


def _no_table_scrolls(page: Page, where: str) -> None:
    found = page.evaluate(SCROLLING_TABLES_JS)
    assert found["tables"] > 0, where  # there were tables to look at
    assert found["scrolling"] == [], where


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """A running app with sample items and a week of synthetic usage on them."""
    users = {"analyst": ("분석가", Role.ANALYST), "admin": ("관리자", Role.ADMIN)}
    with app_with_users(tmp_path_factory.mktemp("layout"), users, PASSWORD) as running:
        services = build_services(Settings(data_dir=running.data_dir, sample_content=False))
        try:
            load_samples(services.content, limit=12)
            items = published_contents(services)
            ITEMS[:] = [ref.id for ref in items]
            seed_stores(
                services.ports.content,
                services.ports.events,
                items,
                total=3000,
                days=7,
                tz=services.settings.tz,
                seed=21,
                now=utcnow(),
            )
        finally:
            services.tracker.close()
        yield running


@pytest.fixture
def phone(browser: Browser, app: RunningApp) -> Iterator[Page]:
    """A touch screen 390 px wide, signed in (at a desktop's width, where the sidebar shows
    the name that says so)."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, is_mobile=True, has_touch=True, locale="ko-KR"
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    page.set_viewport_size({"width": 390, "height": 844})
    yield page
    context.close()


# On a phone: buttons of a segmented control past the page's right edge, chart titles past
# their chart's, and plotly's bar labels turned sideways or drawn below 10 px.
PHONE_FIT_JS = """() => {
  const edge = document.querySelector(
    '[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]'
  ).getBoundingClientRect().right;
  const out = [...document.querySelectorAll('[data-testid="stButtonGroup"] button')]
    .filter(b => b.getBoundingClientRect().right > edge + 1).map(b => b.innerText);
  const cut = [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
    const right = plot.querySelector('svg.main-svg').getBoundingClientRect().right;
    return [...plot.querySelectorAll('.gtitle, .annotation-text')]
      .filter(title => title.getBoundingClientRect().right > right + 1)
      .map(title => title.textContent);
  });
  const labels = [...document.querySelectorAll('.js-plotly-plot text.bartext')].map(text => {
    const how = text.getAttribute('transform') || '';
    const scale = /scale\\(([\\d.]+)\\)/.exec(how);
    return {text: text.textContent, turned: /rotate\\([^0]/.test(how),
            px: parseFloat(getComputedStyle(text).fontSize) * (scale ? +scale[1] : 1)};
  }).filter(label => label.px > 0 && (label.turned || label.px < 10));
  return {out, cut, labels};
}"""


def _settled(page: Page) -> None:
    page.wait_for_function(IDLE_JS, timeout=60_000)
    page.wait_for_timeout(1500)  # charts and grids draw after the script ends


def test_on_a_phone_no_toolbar_covers_a_title_or_text(app: RunningApp, phone: Page) -> None:
    phone.goto(f"{app.url}/dashboard")
    expect(phone.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
    _settled(phone)
    shot(phone, "layout_phone_dashboard")
    assert phone.evaluate(CHART_OVERLAPS_JS) == [], phone.evaluate(BOXES_JS)

    found: list[Any] = []
    frames = phone.locator('[data-testid="stDataFrame"]')
    # The first screen draws no grid (the insights' drivers are HTML, the trend's day table
    # is folded): the content tab's table lies under its chart.
    phone.get_by_role("tab", name=tr("analytics.tab.content"), exact=True).tap()
    expect(frames.first).to_be_visible(timeout=60_000)
    _settled(phone)
    for index in range(min(frames.count(), 4)):
        frame = frames.nth(index)
        frame.scroll_into_view_if_needed()
        frame.tap(position={"x": 20, "y": 60})
        phone.wait_for_timeout(400)
        found.append(frame.evaluate(TOOLBAR_OVERLAP_JS))
    shot(phone, "layout_phone_tables")
    checked = [f for f in found if f and f["shown"]]
    assert checked, found  # a tap shows the toolbar
    assert not [f for f in checked if f["overlaps"]], found


def test_on_a_desktop_no_table_scrolls_sideways(app: RunningApp, page: Page) -> None:
    sign_in(page, app, "admin", PASSWORD, "관리자")
    page.goto(f"{app.url}/dashboard")
    for tab in ("analytics.tab.content", "analytics.tab.authors"):
        page.get_by_role("tab", name=tr(tab), exact=True).click()
        expect(page.get_by_role("tab", name=tr(tab), exact=True)).to_have_attribute(
            "aria-selected", "true"
        )
        _settled(page)
        shot(page, f"layout_desktop_{tab.rsplit('.', 1)[-1]}")
        _no_table_scrolls(page, tab)
    page.goto(f"{app.url}/item-stats?id={ITEMS[0]}")
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=60_000)
    _settled(page)
    shot(page, "layout_desktop_item")
    _no_table_scrolls(page, "item page")
    # The author's page, in both languages (English column names are the longer ones).
    page.get_by_role("link", name=re.compile(tr("itempage.open_author", name="").strip())).click()
    expect(page.locator('[data-testid="stDataFrame"]').nth(1)).to_be_visible(timeout=60_000)
    _settled(page)
    _no_table_scrolls(page, "author page")
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_text(translate("en", "itempage.items_title"), exact=True)).to_be_visible(
        timeout=60_000)
    _settled(page)
    shot(page, "layout_desktop_author_en")
    _no_table_scrolls(page, "author page in English")
    page.goto(f"{app.url}/item-stats?id={ITEMS[0]}")
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=60_000)
    _settled(page)
    _no_table_scrolls(page, "item page in English")
    page.get_by_text("한국어", exact=True).click()
    expect(page.get_by_text(translate("en", "itempage.items_title"), exact=True)).to_have_count(
        0, timeout=60_000)
    page.goto(f"{app.url}/admin_audit")
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=60_000)
    _settled(page)
    shot(page, "layout_desktop_audit")
    _no_table_scrolls(page, "audit log")
    # Twenty rows before it scrolls (the grid's own ten were a short box over a blank half
    # page), and no taller than its rows when it has fewer.
    count = page.locator('[data-testid="stCaptionContainer"]').filter(
        has_text=re.compile(r"^\d+(건| entries)$")).first.inner_text()  # the language may lag
    box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    assert box is not None
    rows = int(re.sub(r"\D", "", count))
    assert rows > 10, count  # more than the grid's own height showed
    shown = min(20, rows) + 1
    assert abs(box["height"] - (shown * 35 + 3)) <= 4, (count, box)


# Each tile's box, and whether its scope icon and change arrow are drawn (a mask over a box of
# some size).
TILES_JS = """() => [...document.querySelectorAll('.df-tile')].map(tile => {
  const box = tile.getBoundingClientRect();
  const drawn = sel => { const e = tile.querySelector(sel);
    if (!e) return null; const r = e.getBoundingClientRect();
    return r.width > 0 && getComputedStyle(e).maskImage.startsWith('url('); };
  const value = document.createRange();
  value.selectNodeContents(tile.querySelector('.df-tile-value'));
  const lines = new Set([...value.getClientRects()].map(r => Math.round(r.top))).size;
  return {label: tile.querySelector('.df-tile-label').innerText, left: Math.round(box.left),
          top: Math.round(box.top), icon: drawn('.df-tile-icon'), arrow: drawn('.df-tile-arrow'),
          value: tile.querySelector('.df-tile-value').innerText, lines};
})"""


def _rows(tiles: list[dict[str, Any]]) -> list[int]:
    """How many tiles stand in each row, top to bottom."""
    tops = [tile["top"] for tile in tiles]
    return [tops.count(top) for top in sorted(set(tops))]


def test_the_kpi_tiles_stand_four_to_a_row_and_two_on_a_phone(
    app: RunningApp, page: Page, phone: Page
) -> None:
    sign_in(page, app, "admin", PASSWORD, "관리자")
    page.goto(f"{app.url}/dashboard")
    expect(page.locator(".df-tile").first).to_be_visible(timeout=60_000)
    _settled(page)
    kpis = [t for t in page.evaluate(TILES_JS) if t["icon"] is not None]  # not the live panel's
    assert len(kpis) == 8 and _rows(kpis) == [4, 4], kpis
    assert all(t["icon"] for t in kpis), kpis  # the globe or the funnel is drawn
    assert all(t["arrow"] in (True, None) for t in kpis), kpis
    phone.goto(f"{app.url}/dashboard")
    expect(phone.locator(".df-tile").first).to_be_visible(timeout=60_000)
    _settled(phone)
    shot(phone, "layout_phone_tiles")
    phone_kpis = [t for t in phone.evaluate(TILES_JS) if t["icon"] is not None]
    assert _rows(phone_kpis) == [2, 2, 2, 2], phone_kpis
    assert [t["value"] for t in phone_kpis if t["lines"] != 1] == [], phone_kpis


VIEWPORT_META = '<meta name="viewport" content="width=device-width, initial-scale=1">'


@pytest.mark.parametrize("category", ["통신/미디어", "유통/소비재", "Telco/Media", "Generative AI"])
def test_on_a_phone_every_tiles_value_stands_on_one_line(browser: Browser, category: str) -> None:
    """The app's tiles and stylesheet as drawn, in a phone's width: the phone's smaller value
    size never applied (a later rule of the same weight won), and a top category broke after
    its slash ("통신/ 미디어"), its tile taller than the rest."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    shown = [Tile("방문자", "1,570", "+12.4%"), Tile("페이지 조회", "12,345"),
             Tile("인기 카테고리", category, "34.9%", neutral=True), Tile("이탈", "35.2%")]
    page.set_content(f"<html><head>{VIEWPORT_META}{APP_CSS}</head><body style='margin: 0 16px'>"
                     f"<div data-testid='stHtml'>{tiles_html(shown, 4)}</div></body></html>")
    tiles = page.evaluate(TILES_JS)
    context.close()
    assert _rows(tiles) == [2, 2], tiles
    assert [t["value"] for t in tiles if t["lines"] != 1] == [], tiles


def test_what_the_tiles_count_opens_under_them_by_keyboard(app: RunningApp, page: Page) -> None:
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    page.goto(f"{app.url}/dashboard")
    expect(page.locator(".df-tile").first).to_be_visible(timeout=60_000)
    _settled(page)
    notes = page.locator('[data-testid="stExpander"] summary').filter(
        has_text=tr("tiles.notes")).last  # the KPI tiles' (the live panel's comes first)
    notes.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(tr("analytics.kpi_help.page_views")[:12]).first).to_be_visible(
        timeout=30_000)
    shot(page, "layout_tile_notes")


# The period's buttons and the filters' panel header: top and bottom of each.
CONTROLS_JS = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; };
  const button = document.querySelector('[data-testid="stButtonGroup"] button');
  const panel = document.querySelector('.st-key-dash_filters_box summary');
  return {buttons: box(button), panel: box(panel)};
}"""


def test_opening_the_filters_leaves_the_period_control_in_place(
    app: RunningApp, page: Page
) -> None:
    """The filters' panel stands level with the period's buttons; opened, it grows downwards
    and the buttons beside it stay where they were (they were pushed to the panel's end)."""
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    page.goto(f"{app.url}/dashboard")
    expect(page.locator(".df-tile").first).to_be_visible(timeout=60_000)
    # Both controls drawn before they are measured (the tiles can come first).
    expect(page.locator('[data-testid="stButtonGroup"] button').first).to_be_visible()
    expect(page.locator(".st-key-dash_filters_box summary")).to_be_visible()
    _settled(page)
    closed = page.evaluate(CONTROLS_JS)
    middle = [sum(closed[part]) / 2 for part in ("buttons", "panel")]
    assert abs(middle[0] - middle[1]) <= 3, closed  # level with each other
    page.get_by_text(tr("dashfilter.panel"), exact=True).click()
    expect(page.locator('[data-testid="stSelectbox"]').first).to_be_visible(timeout=30_000)
    _settled(page)
    shot(page, "layout_filters_open")
    opened = page.evaluate(CONTROLS_JS)
    assert opened["buttons"] == closed["buttons"] and opened["panel"] == closed["panel"], (
        closed, opened)


# Korean words (Hangul runs of up to 8 letters) drawn across two lines, a word's letters in
# more than one line: in text, captions, headings and the app's own HTML blocks (st.html: tiles,
# pager, chips, tables).
SPLIT_WORDS_JS = """() => {
  const split = [];
  const blocks = ['stHtml', 'stMarkdownContainer', 'stCaptionContainer', 'stHeading']
    .map(id => `[data-testid="stMain"] [data-testid="${id}"]`).join(', ');
  for (const block of document.querySelectorAll(blocks)) {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[\\uac00-\\ud7a3]{2,8}/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
          .map(r => Math.round(r.top)));
        if (tops.size > 1) split.push(match[0] + ' in "' + node.data.trim() + '"');
      }
    }
  }
  return split;
}"""


def test_on_a_phone_nothing_runs_past_the_page_or_its_chart(app: RunningApp, phone: Page) -> None:
    """Seen on a phone: the dashboard's period buttons ran past the page's edge in English
    ("Custom" cut off), the trend's first title past its chart ("… — whole"), and the item
    page's funnel labels were turned sideways or shrunk to 7 px."""
    for path in ("dashboard?lang=en", f"item-stats?id={ITEMS[0]}&lang=en",
                 f"item-stats?id={ITEMS[0]}&lang=ko"):
        phone.goto(f"{app.url}/{path}")
        expect(phone.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
        _settled(phone)
        shot(phone, "layout_phone_fit_" + path.split("?")[0])
        found = phone.evaluate(PHONE_FIT_JS)
        assert found == {"out": [], "cut": [], "labels": []}, (path, found)


@pytest.mark.parametrize(("path", "shown"), [("dashboard", ".df-tile"), ("browse", ".df-pager"),
                                           ("", ".df-card")])
def test_on_a_phone_no_korean_word_is_split(
    app: RunningApp, phone: Page, path: str, shown: str
) -> None:
    phone.goto(f"{app.url}/{path}")
    expect(phone.locator(shown).first).to_be_visible(timeout=60_000)
    _settled(phone)
    split = sorted(set(phone.evaluate(SPLIT_WORDS_JS)))
    assert split == [], "\n".join(s[:60] for s in split)


def _side_by_side(controls: list[Locator]) -> list[dict[str, float]]:
    """Their boxes, asserted on one line and each next to the one before, in reading order."""
    boxes = [control.bounding_box() for control in controls]
    assert all(boxes), boxes
    found = [box for box in boxes if box]
    middles = [box["y"] + box["height"] / 2 for box in found]
    assert max(middles) - min(middles) < 4, found  # one line
    for before, after in itertools.pairwise(found):
        gap = after["x"] - (before["x"] + before["width"])
        assert 0 < gap < 48, (before, after)  # side by side
    return found


def test_an_item_stats_pages_two_links_stand_side_by_side(app: RunningApp, page: Page) -> None:
    """"Open the item" and "all items of <author>", not half a page apart in two columns."""
    sign_in(page, app, "admin", PASSWORD, "관리자")
    page.goto(f"{app.url}/item-stats?id={ITEMS[0]}")
    main = page.locator('[data-testid="stMain"]')
    opened = main.get_by_role("link", name=tr("itempage.open_item"))
    expect(opened).to_be_visible(timeout=60_000)
    author = main.get_by_role("link", name=re.compile(tr("itempage.open_author", name="").strip()))
    _side_by_side([opened, author])


def _counted(key: str, name: str) -> re.Pattern[str]:
    """A text with a number in it, whatever the number."""
    text = re.escape(tr(key, **{name: "987654"}))
    return re.compile("^" + text.replace("987654", r"[\d,]+") + "$")


def test_an_items_actions_stand_side_by_side_and_delete_asks_under_them(
    app: RunningApp, page: Page
) -> None:
    """Views, like, edit and delete on one line, each next to the one before (in columns
    they were spread over the page's width, and the edit link sat off the buttons' line);
    the question a delete asks opens under the row, not squeezed into it, with its two
    answers side by side."""
    sign_in(page, app, "admin", PASSWORD, "관리자")
    page.goto(f"{app.url}/content?id={ITEMS[1]}")
    main = page.locator('[data-testid="stMain"]')
    controls = [main.get_by_text(_counted("content.views_count", "views")),
                main.get_by_role("button", name=_counted("content.like", "likes")),
                main.get_by_role("link", name=tr("content.edit")),
                main.get_by_role("button", name=tr("content.delete"), exact=True)]
    expect(controls[-1]).to_be_visible(timeout=60_000)
    boxes = _side_by_side(controls)
    shot(page, "layout_item_actions")
    controls[-1].click()
    yes = main.get_by_role("button", name=tr("content.delete_yes"))
    expect(yes).to_be_visible(timeout=30_000)
    asked = yes.bounding_box()
    assert asked and boxes[-1] and asked["y"] > boxes[-1]["y"] + boxes[-1]["height"], asked
    # Its two answers side by side (confirm.answers), not half a page apart in two columns.
    cancel = main.get_by_role("button", name=tr("common.cancel"), exact=True).bounding_box()
    assert cancel and abs(cancel["y"] - asked["y"]) < 4, (asked, cancel)
    assert 0 < cancel["x"] - (asked["x"] + asked["width"]) < 48, (asked, cancel)
    shot(page, "layout_item_delete_question")
