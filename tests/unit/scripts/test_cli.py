"""The scripts' progress bar: drawn on a terminal, silent in logs and pipes."""

from __future__ import annotations

import pytest

from scripts.cli import Progress, StagedProgress
from tests.unit.scripts.conftest import on_terminal


def test_a_bar_counts_up_to_the_total_with_the_new_ones() -> None:
    with on_terminal() as screen, Progress("events", 2000) as bar:
        bar.update(1000, new=900)
        bar.update(2000, new=1500)
    text = screen.getvalue()
    assert "100%" in text and "2000/2000" in text and "1,500 new" in text
    assert text.endswith("\n")  # the line is ended for what is printed next


def test_without_a_total_the_count_shows() -> None:
    with on_terminal() as screen, Progress("lines") as bar:
        bar.update(12)
    assert "12 lines" in screen.getvalue() and "%" not in screen.getvalue()


def test_each_stage_has_its_own_bar() -> None:
    with on_terminal() as screen, StagedProgress() as shown:
        shown("content", 4, 4)
        shown("events", 7, None)
    text = screen.getvalue()
    assert "4/4" in text and "7 events" in text
    assert text.index("4/4") < text.index("7 events")


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(
        capsys: pytest.CaptureFixture[str]) -> None:
    with Progress("events", 10) as bar:
        bar.update(10, new=10)
    with StagedProgress() as shown:
        shown("content", 1, None)
    assert capsys.readouterr().err == ""
