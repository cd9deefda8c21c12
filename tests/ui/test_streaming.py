"""A streamed answer is redrawn at most every ``REDRAW_S`` and always ends complete: a text that
arrives at once is not drawn once per chunk (each drawing sends the whole text so far)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.ui import streaming
from services.ui.widgets import RENDERED_CLASS
from tests.doubles.clock import Clock


class Placeholder:
    """What ``st.empty()`` is to ``show_html``: each drawing replaces the last."""

    def __init__(self) -> None:
        self.drawn: list[str] = []

    def html(self, body: str) -> None:
        # What was drawn inside the wrapper every rendered text has (the stylesheet's hook).
        opening = f'<div class="{RENDERED_CLASS}">'
        assert body.startswith(opening) and body.endswith("</div>")
        self.drawn.append(body.removeprefix(opening).removesuffix("</div>"))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    found = Clock(1000.0)
    monkeypatch.setattr(streaming, "_now", found)
    return found


def render(text: str) -> str:
    return f"<p>{text}</p>"


def test_a_text_that_arrives_at_once_is_drawn_at_its_start_and_its_end(clock: Clock) -> None:
    where = Placeholder()
    lines = [f"line {n}\n" for n in range(58)]
    text = streaming.stream_html(lines, where, render)
    assert text == "".join(lines)
    assert len(where.drawn) == 2
    assert where.drawn[-1] == render(text)


def test_a_slow_stream_shows_its_progress(clock: Clock) -> None:
    def slow() -> Iterator[str]:
        for word in ("one ", "two ", "three"):
            yield word
            clock.now += 2 * streaming.REDRAW_S  # the model takes its time between words

    where = Placeholder()
    streaming.stream_html(slow(), where, render)
    assert where.drawn == [render("one "), render("one two "), render("one two three")]


def test_nothing_is_drawn_twice_and_an_empty_stream_draws_nothing(clock: Clock) -> None:
    where = Placeholder()
    streaming.stream_html(["only chunk"], where, render)
    assert where.drawn == [render("only chunk")]
    empty = Placeholder()
    assert streaming.stream_html([], empty, render) == ""
    assert empty.drawn == []
