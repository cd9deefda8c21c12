"""The search box itself stops a visitor from typing more than the events keep."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.domain.analytics import SEARCH_QUERY_MAX


def test_the_search_box_has_a_length_limit(new_app: Callable[..., AppTest]) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/browse.py").run()

    assert at.text_input(key="browse_all_q").max_chars == SEARCH_QUERY_MAX
