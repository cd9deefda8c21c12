"""``browser_state``: which widget values came with a run from the browser (what a tab still
shows after the server restarted under it), by the widget's key, read from the run's widget
states whose ids end with the key."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.ui import browser_state
from services.ui.browser_state import browser_sent


def _run_with(monkeypatch: pytest.MonkeyPatch, *widget_ids: str) -> None:
    states = SimpleNamespace(states=dict.fromkeys(widget_ids))
    ctx = SimpleNamespace(session_state=SimpleNamespace(
        _state=SimpleNamespace(_new_widget_state=states)))
    monkeypatch.setattr(browser_state, "get_script_run_ctx", lambda: ctx)


def test_a_key_is_sent_only_when_its_own_widget_came_with_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _run_with(monkeypatch, "$$ID-1a2b-ed_title", "$$ID-3c4d-None", "$$ID-5e6f-my-name")
    assert browser_sent("ed_title")
    assert browser_sent("my-name")  # a key with dashes is the whole rest of the id
    assert not browser_sent("name")  # another key's end is not this key
    assert not browser_sent("ed_body")
    assert not browser_sent("None")  # a widget without a key


def test_nothing_is_sent_outside_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser_state, "get_script_run_ctx", lambda: None)
    assert not browser_sent("ed_title")
    assert browser_state.sent_suffix("funnel_save_") is None


def test_the_token_of_the_clicked_button_is_read_from_its_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _run_with(monkeypatch, "$$ID-1a2b-funnel_name", "$$ID-3c4d-funnel_save_t0k3n")
    assert browser_state.sent_suffix("funnel_save_") == "t0k3n"
    assert browser_state.sent_suffix("rep_generate_") is None

