"""Each page names itself in the browser's tab ("{page} · Demo Factory", in the session's
language; an item's page by the item's title): tabs, history and a screen reader's first words
tell the pages apart (WCAG 2.4.2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.domain.models import ContentItem
from services.i18n import translate
from tests.ui.conftest import errors


@pytest.fixture
def tab_titles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tab titles the app sets, in order (the test runner keeps no page config)."""
    titles: list[str] = []
    original = st.set_page_config

    def record(*args: Any, **kwargs: Any) -> None:
        if kwargs.get("page_title") is not None:
            titles.append(kwargs["page_title"])
        original(*args, **kwargs)

    monkeypatch.setattr(st, "set_page_config", record)
    return titles


def test_a_page_names_itself_in_the_tab_in_the_chosen_language(
    new_app: Callable[..., AppTest], tab_titles: list[str]
) -> None:
    at = new_app()
    at.run()
    assert not at.exception and not errors(at)
    assert tab_titles[-1] == f"{translate('ko', 'nav.home')} · Demo Factory"
    at.switch_page("app_pages/browse.py").run()
    assert tab_titles[-1] == f"{translate('ko', 'nav.browse')} · Demo Factory"
    at.radio(key="df_lang_widget").set_value("en").run()
    assert tab_titles[-1] == "All content · Demo Factory"


def test_an_items_page_is_named_by_the_item(
    new_app: Callable[..., AppTest], tab_titles: list[str], make_item: Callable[..., ContentItem]
) -> None:
    item = make_item("서울 리테일 수요 예측")
    at = new_app()
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert not at.exception and not errors(at)
    assert tab_titles[-1] == "서울 리테일 수요 예측 · Demo Factory"
