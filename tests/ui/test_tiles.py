"""Number tiles (services/ui/tiles.py): one escaped HTML block whose change reads as good, bad
or neither news, whose help opens on a click or a key, and whose colours are readable."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from services.ui import tiles
from services.ui.tiles import Scope, Tile
from tests.ui.conftest import shown_tiles
from tests.ui.test_contrast import TEXT_MIN, _rgb, contrast


def _script(shown: "list[Tile]", per_row: "int | None") -> None:  # noqa: UP037 (run alone)
    from services.ui.tiles import render_tiles

    render_tiles(shown, per_row)


def _draw(shown: list[Tile], per_row: int | None = None) -> AppTest:
    at = AppTest.from_function(_script, args=(shown, per_row))
    at.run()
    assert not at.exception, at.exception
    return at


def test_all_tiles_are_one_element_with_their_values_in_order() -> None:
    shown = [Tile("방문자", "1,234", "+5.0%"), Tile("검색", "12"), Tile("다운로드", "0")]
    at = _draw(shown, 4)
    assert len(at.get("html")) == 1
    assert [(t.label, t.value) for t in shown_tiles(at)] == [
        ("방문자", "1,234"), ("검색", "12"), ("다운로드", "0")]
    assert 'class="df-tiles df-tiles-4"' in at.get("html")[0].proto.body


@pytest.mark.parametrize(("tile", "tone", "arrow"), [
    (Tile("a", "1", "+5.0%"), "good", "up"),
    (Tile("a", "1", "-5.0%"), "bad", "down"),
    (Tile("a", "1", "+5.0%p", inverse=True), "bad", "up"),  # a rising skip rate
    (Tile("a", "1", "-5.0%p", inverse=True), "good", "down"),
    (Tile("a", "1", "+0.0%", flat=True), "quiet", None),
    (Tile("a", "금융", "41.0%", neutral=True), "quiet", None),  # a share, not a change
])
def test_a_change_reads_as_good_bad_or_neither_news(tile: Tile, tone: str,
                                                     arrow: str | None) -> None:
    (shown,) = shown_tiles(_draw([tile]))
    assert (shown.delta, shown.tone, shown.arrow) == (tile.delta, tone, arrow)


def test_what_a_person_typed_stays_text() -> None:
    typed = '<img src=x onerror="alert(1)"><script>alert(2)</script>**bold**'
    at = _draw([Tile(typed, typed, typed, typed + "\n\n" + typed, description=typed)])
    body = at.get("html")[0].proto.body
    assert "<img" not in body and "<script" not in body
    (shown,) = shown_tiles(at)
    assert (shown.label, shown.value, shown.delta) == (typed, typed, typed)
    assert shown.help == typed + "\n\n" + typed  # two paragraphs, each as typed


def test_help_is_a_button_named_after_its_tile_and_the_scope_icon_is_named() -> None:
    at = _draw([Tile("방문자", "3", help="브라우저 수", scope=Scope.PLATFORM)])
    body = at.get("html")[0].proto.body
    assert re.search(r'<details class="df-tile-help"><summary aria-label="방문자 설명"', body)
    (shown,) = shown_tiles(at)
    assert (shown.help, shown.scope) == ("브라우저 수", "플랫폼 전체 수치")


def test_no_help_no_button() -> None:
    assert "<details" not in _draw([Tile("방문자", "3")]).get("html")[0].proto.body


@pytest.mark.parametrize("tone", ["good", "bad", "quiet"])
def test_a_change_is_readable_on_its_pill(tone: str) -> None:
    rule = re.search(rf"\.df-{tone} \{{ color: (#[0-9a-f]{{6}}); background: (#[0-9a-f]{{6}});",
                     tiles.TILE_RULES)
    assert rule, tone
    assert contrast(_rgb(rule.group(1)), _rgb(rule.group(2))) >= TEXT_MIN
