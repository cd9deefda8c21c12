"""The names the dashboard, the live panel and the insights give the pages visitors were on."""

from __future__ import annotations

import pytest

from services.ui.page_names import page_label


@pytest.mark.parametrize(("address", "wanted"), [
    ("browse", "전체 콘텐츠"), ("category_finance", "금융"), ("home", "홈"),
])
def test_the_apps_pages_are_named_as_the_menu_names_them(address: str, wanted: str) -> None:
    assert page_label(address) == wanted


def test_a_page_the_app_does_not_have_is_named_as_unknown_with_its_recorded_name() -> None:
    """An older or imported event's page: said to be unknown, in the reader's language, with
    the name it was recorded under (never the bare key as if it were a page's name)."""
    assert page_label("search") == "알 수 없는 페이지 (search)"
