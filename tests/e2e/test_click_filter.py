"""Click to filter in a real browser: a click on a bar of the top-content chart filters the
dashboard (a chip names the item, the URL carries it), and that URL opened in a new page shows
the same filtered view; a row of the table under the chart, chosen by keyboard alone, filters
by its item as its bar does, and focus goes to the chip that removes the filter (after a trend
row, which sets the period, back to the table; that table is folded under the trend chart and
opened by keyboard as well)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from scripts.seed_demo import published_contents, seed_stores
from services.bootstrap import build_services
from services.content.samples import load_samples
from services.domain.models import utcnow
from services.domain.permissions import Role
from services.settings import Settings
from tests.e2e.conftest import RunningApp, app_with_users, open_by_keyboard, shot, sign_in, tr

PASSWORD = "e2e-" + secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """A running app with a few sample items and a week of synthetic usage on them."""
    users = {"analyst": ("분석가", Role.ANALYST)}
    with app_with_users(tmp_path_factory.mktemp("click-filter"), users, PASSWORD) as running:
        services = build_services(Settings(data_dir=running.data_dir, sample_content=False))
        try:
            load_samples(services.content, limit=6)
            seed_stores(services.ports.content, services.ports.events,
                        published_contents(services), total=3000, days=7,
                        tz=services.settings.tz, seed=14, now=utcnow())
        finally:
            services.tracker.close()
        yield running


def tile(page: Page, key: str) -> Locator:
    """The value of the KPI tile labelled exactly ``key``'s text (another tile's caption can
    mention it: "share of content views")."""
    label = page.locator('.df-tile-label').filter(
        has_text=re.compile(rf"{re.escape(tr(key))}\s*$"))  # (after its icon)
    return (page.locator('.df-tile').filter(has=label)
            .locator('.df-tile-value').first)


def tile_value(page: Page, key: str) -> str:
    found = tile(page, key)
    expect(found).to_be_visible(timeout=60_000)
    return found.inner_text()


def item_chip(page: Page) -> Locator:
    """The item filter's chip (its key names it; its text starts with the filter's kind)."""
    return page.locator(".st-key-dash_chip_item button").filter(
        has_text=tr("dashfilter.kind.item"))


IDLE_JS = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'notRunning'"""


def settled_box(page: Page, target: Locator) -> dict[str, float]:
    """Where ``target`` is once the page stops moving (panels above it draw later and push it
    down: a click aimed before that lands beside the bar)."""
    page.wait_for_function(IDLE_JS, timeout=60_000)
    target.scroll_into_view_if_needed()
    last = None
    for _ in range(40):
        box = target.bounding_box()
        if box is not None and box == last:
            return box
        last = box
        page.wait_for_timeout(250)
    assert last is not None
    return last


def click_top_bar(page: Page, chart: Locator, chip: Locator) -> None:
    """Click the top bar where it is, as a person does (plotly takes clicks on its drag
    layer above the bars); if no filter came of it, the chart was redrawn meanwhile: again."""
    for attempt in range(2):
        bar = chart.locator("g.barlayer g.point path").last
        expect(bar).to_be_visible(timeout=30_000)
        box = settled_box(page, bar)
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            expect(chip.first).to_be_visible(timeout=45_000 if attempt == 0 else 60_000)
            return
        except AssertionError:
            if attempt == 1 or re.search(r"[?&]item=", page.url):
                raise


def test_a_bar_click_filters_and_the_url_reproduces_the_view(app: RunningApp, page: Page) -> None:
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    page.goto(f"{app.url}/dashboard")
    expect(page.locator('.df-tile').first).to_be_visible(timeout=60_000)
    everything = tile_value(page, "analytics.kpi.content_views")
    page.get_by_role("tab", name=tr("analytics.tab.content")).click()
    # The top-content chart (the panels above the tabs have charts of their own).
    chart = page.locator('.st-key-chart_content [data-testid="stPlotlyChart"]')
    expect(chart).to_be_visible(timeout=30_000)
    # The bars are drawn largest on top; the last bar in the DOM is the top one. plotly
    # takes clicks on its drag layer above the bars: click where the bar is, as a person does.
    chip = item_chip(page)
    click_top_bar(page, chart, chip)
    page.wait_for_url(re.compile(r"[?&]item="), timeout=30_000)
    filtered = tile_value(page, "analytics.kpi.content_views")
    assert filtered != everything
    chip_text = chip.first.inner_text()
    shot(page, "60-click-filter")

    second = page.context.new_page()
    second.goto(page.url)
    expect(item_chip(second).first).to_be_visible(timeout=60_000)
    assert item_chip(second).first.inner_text() == chip_text
    # The second page draws on its own: wait for its tile to show the filtered number.
    expect(tile(second, "analytics.kpi.content_views")).to_have_text(filtered, timeout=60_000)
    assert re.search(r"[?&]item=", second.url)
    shot(second, "61-click-filter-link")


# Where the keyboard's focus is: its element and the table (its key's class) holding it.
FOCUS_JS = """() => {
  const el = document.activeElement;
  const table = el && el.closest('[class*="st-key-table_"]');
  return {tag: el.tagName, cell: el.getAttribute('data-testid'),
          table: table ? [...table.classList].find(c => c.startsWith('st-key-')) : null};
}"""
# The cells of the focused cell's row, as the grid's accessible table gives them.
FOCUSED_ROW_JS = """() => {
  const text = cells => [...cells].map(cell => cell.textContent.trim());
  const row = document.activeElement.closest('tr');
  return {heads: text(row.closest('table').querySelectorAll('thead th')),
          cells: text(row.querySelectorAll('td'))};
}"""
TOP_TABLE = "st-key-table_top_content"
TREND_TABLE = "st-key-table_trend"
# How each box of a script drawn in the page (not the sidebar) is displayed; null: none drawn.
SCRIPT_BOXES_JS = """() => {
  const boxes = [...document.querySelectorAll(
      '[data-testid="stMain"] [data-testid="stHtml"] > script')].map(
      script => getComputedStyle(script.closest('[data-testid="stElementContainer"]')).display);
  return boxes.length ? boxes : null;
}"""


def tab_into_table(page: Page, table: str) -> list[dict[str, str | None]]:
    """Press Tab until the keyboard's focus is on ``table``'s grid; the stops on the way."""
    stops = []
    for _ in range(80):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS_JS))
        if stops[-1]["table"] == table and stops[-1]["tag"] == "CANVAS":
            return stops
    raise AssertionError(f"the table was not reached by Tab: {stops}")


def test_a_row_chosen_by_keyboard_filters_as_its_bar_would(app: RunningApp, page: Page) -> None:
    """Glide's grid (Streamlit's table): Tab reaches it, the arrow keys move between cells and
    Shift+Space chooses the cell's row (Space and Enter alone do not)."""
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    page.goto(f"{app.url}/dashboard")
    everything = tile_value(page, "analytics.kpi.content_views")
    page.get_by_role("tab", name=tr("analytics.tab.content")).focus()
    page.keyboard.press("Enter")
    expect(page.locator(f".{TOP_TABLE}")).to_be_visible(timeout=30_000)
    page.wait_for_function(IDLE_JS, timeout=60_000)
    page.wait_for_timeout(1500)  # the grid draws after the script ends
    tab_into_table(page, TOP_TABLE)
    page.keyboard.press("ArrowDown")  # from the first row's cell (where Tab lands) to the second
    page.wait_for_function("() => document.activeElement.tagName === 'TD'", timeout=10_000)
    focus = page.evaluate(FOCUS_JS)
    assert focus["table"] == TOP_TABLE and focus["tag"] == "TD", focus
    row = page.evaluate(FOCUSED_ROW_JS)
    cells = dict(zip(row["heads"], row["cells"], strict=True))
    title, views = cells[tr("analytics.col.title")], cells[tr("analytics.col.views")]
    assert title and views != everything, cells  # the tile then shows the filter applied
    shot(page, "62-keyboard-row-focused")
    page.keyboard.press("Shift+Space")
    # The script that moves focus takes no room in the page (seen while it is there: a later
    # run draws none).
    boxes = page.wait_for_function(SCRIPT_BOXES_JS, timeout=45_000).json_value()
    assert boxes == ["none"], boxes

    chip = item_chip(page)
    expect(chip.first).to_be_visible(timeout=45_000)
    page.wait_for_url(re.compile(r"[?&]item="), timeout=30_000)
    assert title in chip.first.inner_text()
    expect(tile(page, "analytics.kpi.content_views")).to_have_text(views, timeout=60_000)
    # Focus on the chip that names the filter (where it is removed), not the page's body
    # from where a keyboard started again at the top.
    page.wait_for_function(IDLE_JS, timeout=60_000)
    expect(chip.first).to_be_focused(timeout=10_000)
    page.wait_for_timeout(2000)  # and still there once the board's redraws are over
    expect(chip.first).to_be_focused()
    shot(page, "63-keyboard-row-filter")
    page.keyboard.press("Enter")  # the chip removes its filter
    expect(chip).to_have_count(0, timeout=45_000)
    expect(tile(page, "analytics.kpi.content_views")).to_have_text(everything, timeout=60_000)
    # The chip went with the focus on it: focus back to the table the row was chosen in, not
    # the page's body.
    page.wait_for_function(IDLE_JS, timeout=60_000)
    page.wait_for_timeout(2000)
    focus = page.evaluate(FOCUS_JS)
    assert focus["table"] == TOP_TABLE, focus
    shot(page, "64-keyboard-chip-removed")

    # A trend row sets the period to its day, which no chip names: focus goes back to the
    # table (it fell to the body about a second after the choice, when the grid was redrawn).
    page.wait_for_function(IDLE_JS, timeout=60_000)
    page.wait_for_timeout(1000)
    page.get_by_role("tab", name=tr("analytics.tab.trend")).focus()
    page.keyboard.press("Enter")
    # The day-by-day table is folded under the chart: opened by keyboard too.
    folded = page.locator("summary").filter(has_text=tr("analytics.trend_table"))
    expect(folded).to_be_visible(timeout=30_000)
    page.wait_for_function(IDLE_JS, timeout=60_000)
    folded.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f".{TREND_TABLE}")).to_be_visible(timeout=30_000)
    page.wait_for_function(IDLE_JS, timeout=60_000)
    page.wait_for_timeout(1500)  # the grid draws after the script ends
    tab_into_table(page, TREND_TABLE)
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.activeElement.tagName === 'TD'", timeout=10_000)
    page.keyboard.press("Shift+Space")
    page.wait_for_url(re.compile(r"[?&]period=custom"), timeout=30_000)
    page.wait_for_function(IDLE_JS, timeout=60_000)
    page.wait_for_timeout(2000)
    focus = page.evaluate(FOCUS_JS)
    assert focus["table"] == TREND_TABLE, focus
    shot(page, "64-keyboard-day-row")


def hour_chip(page: Page) -> Locator:
    return page.locator(".st-key-dash_chip_hour button").filter(
        has_text=tr("dashfilter.kind.hour"))


def test_an_hour_chosen_in_the_hour_box_by_keyboard_leaves_focus_on_its_chip(
        app: RunningApp, page: Page) -> None:
    """The hour charts have no table of hours: the hour box is the keyboard's way to filter by
    an hour. After its choice focus stayed in the box, which then showed its placeholder again;
    the chip that names the hour (where Enter removes it) is where a row's choice leaves it."""
    sign_in(page, app, "analyst", PASSWORD, "분석가")
    page.goto(f"{app.url}/dashboard")
    tile_value(page, "analytics.kpi.content_views")
    page.get_by_role("tab", name=tr("analytics.tab.time")).focus()
    page.keyboard.press("Enter")
    box = page.locator(".st-key-dash_hour_pick input")
    expect(box).to_be_visible(timeout=30_000)
    page.wait_for_function(IDLE_JS, timeout=60_000)
    open_by_keyboard(page, box)  # the list, on its first hour
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"[?&]hour="), timeout=30_000)
    chip = hour_chip(page)
    expect(chip.first).to_be_visible(timeout=45_000)
    page.wait_for_function(IDLE_JS, timeout=60_000)
    expect(chip.first).to_be_focused(timeout=10_000)
    page.wait_for_timeout(2000)  # and still there once the board's redraws are over
    expect(chip.first).to_be_focused()
    shot(page, "65-keyboard-hour-box")
    page.keyboard.press("Enter")  # the chip removes its filter; focus back to the hour box
    expect(chip).to_have_count(0, timeout=45_000)
    page.wait_for_function(IDLE_JS, timeout=60_000)
    expect(box).to_be_focused(timeout=10_000)
