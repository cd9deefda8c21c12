"""My content on a phone: Streamlit stacks a row's columns under 640 px, so the heading row
would stand alone above the rows and each number would lose its heading. The heading row is
hidden there and each value carries its label, shown there and read out by a screen reader
everywhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.models import ContentItem, Status
from services.domain.users import User
from services.i18n.times import format_date
from services.ui import column_table
from services.ui.styles import APP_CSS
from tests.ui.conftest import ko

# A value's cell: its label (a class of the stylesheet), then the value.
_CELL = re.compile(r'<span class="(?P<cls>[^"]*df-cell-label[^"]*)">(?P<label>[^<]*)</span>\s*'
                   r'(?P<value>[^<]*)<')
NARROW = column_table.NARROW  # where the table stacks its columns


def _labelled(at: AppTest) -> list[tuple[str, str, str]]:
    """(label, value, the label's classes) of every labelled value on the page."""
    found = []
    for element in at.get("html"):
        for match in _CELL.finditer(str(element.proto.body)):
            found.append((match["label"], match["value"].strip(), match["cls"]))
    return found


def _narrow_rules() -> str:
    start = APP_CSS.index(NARROW)
    return APP_CSS[start : APP_CSS.index("\n}", start)]


def _keys_around(node: Any, text: str, keys: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The ids of the blocks holding the markdown ``text`` (a keyed container's id ends with
    its key), outermost first."""
    if getattr(node, "type", "") == "markdown" and node.value == text:
        return keys
    block_id = str(getattr(getattr(node, "proto", None), "id", "") or "")
    for child in getattr(node, "children", {}).values():
        found = _keys_around(child, text, (*keys, block_id) if block_id else keys)
        if found is not None:
            return found
    return None


def _open(new_app: Callable[..., AppTest], user: User) -> AppTest:
    at = new_app(user.username)
    at.run()
    at.switch_page("app_pages/my_content.py").run()
    assert not at.exception, at.exception
    return at


def test_each_value_of_a_row_carries_its_label(
    new_app: Callable[..., AppTest],
    users: dict[str, User],
    services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    draft = make_item("작성 중인 초안", status=Status.DRAFT)
    make_item("공개 글")
    at = _open(new_app, users["author"])
    pairs = [(label, value) for label, value, _ in _labelled(at)]
    status, views, likes = ko("content.status_label"), ko("content.views"), ko("content.likes")
    updated = ko("content.updated")
    for value in (ko("content.status.draft"), ko("content.status.published")):
        assert (status, value) in pairs, pairs
    assert pairs.count((views, "0")) == 2 and pairs.count((likes, "0")) == 2, pairs
    assert (updated, format_date(draft.updated_at, services.settings.tz)) in pairs, pairs
    # Shown on a narrow screen only: hidden (read out) at a desktop's width, where the
    # heading row names the column.
    assert {cls for _, _, cls in _labelled(at)} == {"df-sr df-cell-label"}
    assert ".df-cell-label.df-sr" in _narrow_rules()


def test_the_heading_row_is_hidden_on_a_narrow_screen(
    new_app: Callable[..., AppTest], users: dict[str, User], make_item: Callable[..., ContentItem]
) -> None:
    make_item("공개 글")
    at = _open(new_app, users["author"])
    keys = _keys_around(at.main, f"**{ko('content.status_label')}**")
    assert keys is not None, "no heading row"
    assert any(key.endswith("df_head_my_content") for key in keys), keys
    assert re.search(r'\[class\*="st-key-df_head_"\]\s*\{\s*display: none;', _narrow_rules())
