"""A count reads the same everywhere: "12,345" on a card, on the like button and in "my content"
as on the item's page and the dashboards, never "12345"."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _cards_and_like() -> None:
    from datetime import UTC, datetime

    import streamlit as st

    from services.domain.models import Category, ContentItem, Status
    from services.domain.permissions import Actor
    from services.ui.cards import card_html
    from services.ui.item_actions import like_button

    now = datetime(2026, 12, 1, tzinfo=UTC)
    item = ContentItem("01KJKB3Q005NRHCGNQ4TR480B2", "제목", "요약", "본문", Category.FINANCE,
                       (), "kim", "김", Status.PUBLISHED, now, now, views=12345, likes=1234)
    st.text(card_html(item, UTC))
    like_button(None, item, Actor.anonymous())  # type: ignore[arg-type]


def test_cards_and_the_like_button_group_thousands() -> None:
    at = AppTest.from_function(_cards_and_like, default_timeout=30)
    at.run()
    assert not at.exception
    assert "조회 12,345 · 좋아요 1,234" in at.text[0].value
    assert at.button[0].label == "좋아요 (1,234)"
