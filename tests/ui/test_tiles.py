"""Number tiles (services/ui/tiles.py): one escaped HTML block whose change reads as good, bad
or neither news, whose help opens on a click or a key, and whose colours are readable."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from services.ui import tiles
from services.ui.tiles import Scope, Tile, notes_markdown
from tests.ui.conftest import as_shown, shown_tiles
from tests.ui.test_contrast import TEXT_MIN, _rgb, contrast


def _script(shown: "list[Tile]", per_row: "int | None", notes_key: "str | None",  # noqa: UP037
            open_notes: bool) -> None:  # (the function runs alone: its names are strings)
    import streamlit as st

    from services.ui.tiles import render_tiles

    if open_notes and notes_key:
        st.session_state[notes_key] = True  # what opening it sends
    render_tiles(shown, per_row, notes_key)


def _draw(shown: list[Tile], per_row: int | None = None, notes_key: str | None = None,
          open_notes: bool = False) -> AppTest:
    at = AppTest.from_function(_script, args=(shown, per_row, notes_key, open_notes))
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
    at = _draw([Tile(typed, typed, typed, typed + "\n\n" + typed, description=typed)],
               notes_key="notes")
    body = at.get("html")[0].proto.body
    assert "<img" not in body and "<script" not in body
    (shown,) = shown_tiles(at)
    assert (shown.label, shown.value, shown.delta) == (typed, typed, typed)
    notes = notes_markdown([Tile(typed, "1", help=typed)])
    assert as_shown(notes).count(typed) == 2  # label and help, each as typed
    assert "\\<img" in notes and "\\*\\*bold\\*\\*" in notes  # markdown escaped


def test_the_block_holds_nothing_to_open_or_focus() -> None:
    """A live refresh replaces the block whole: anything open or focused in it would be lost
    every 30 s (a "?" inside a tile closed and dropped the keyboard's focus)."""
    at = _draw([Tile("방문자", "3", "+1.0%", help="브라우저 수", scope=Scope.PLATFORM)],
               notes_key="notes")
    body = at.get("html")[0].proto.body
    assert not re.search(r"<(details|summary|button|a|input|select)\b|tabindex", body), body
    (shown,) = shown_tiles(at)
    assert shown.scope == "플랫폼 전체 수치"  # the icon is named for a screen reader


def test_what_each_number_counts_is_in_one_expander_under_the_block() -> None:
    at = _draw([Tile("방문자", "3", help="브라우저 수\n\n비교 기간: 2"), Tile("검색", "1")],
               notes_key="notes")
    (box,) = at.expander
    assert box.label == "숫자 설명"
    assert not box.markdown  # drawn only while open
    opened = _draw([Tile("방문자", "3", help="브라우저 수\n\n비교 기간: 2"), Tile("검색", "1")],
                   notes_key="notes", open_notes=True)
    text = as_shown(opened.expander[0].markdown[0].value)
    assert "**방문자**" in text and "브라우저 수" in text and "비교 기간: 2" in text
    assert "검색" not in text  # a tile without help has no note


def test_no_help_no_notes() -> None:
    at = _draw([Tile("방문자", "3")])
    assert not at.expander


def test_a_value_may_break_after_a_slash_on_a_narrow_tile() -> None:
    (block,) = _draw([Tile("인기 카테고리", "Telco/Media")]).get("html")
    assert "Telco/<wbr>Media" in block.proto.body


@pytest.mark.parametrize("tone", ["good", "bad", "quiet"])
def test_a_change_is_readable_on_its_pill(tone: str) -> None:
    rule = re.search(rf"\.df-{tone} \{{ color: (#[0-9a-f]{{6}}); background: (#[0-9a-f]{{6}});",
                     tiles.TILE_RULES)
    assert rule, tone
    assert contrast(_rgb(rule.group(1)), _rgb(rule.group(2))) >= TEXT_MIN
