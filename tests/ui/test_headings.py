"""Headings reach the browser without Streamlit's English "Link to heading" anchor link (the
source rule: tests/security/test_heading_anchors.py)."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.domain.models import ContentItem


def test_the_home_pages_headings_have_no_anchor_link(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    make_item()  # the latest items' heading too
    at = new_app()
    at.run()
    headings = [*at.title, *at.header, *at.subheader]
    assert len(headings) >= 2 and all(h.proto.hide_anchor for h in headings)
