"""Filtering without a pointer: choosing a row of the table under a chart (a row selection,
sent as the browser sends it) applies the same filter as clicking that row's bar; a chart with
no table of its values (the hours) has a select box instead. The run a row choice starts moves
the keyboard's focus to the chip of the filter it set (a day's row: back to its table)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.analytics import Purpose
from services.domain.models import Category, ContentItem
from services.domain.users import User
from services.i18n import translate
from services.ui.dashboard import FILTERS_OPEN_KEY
from services.ui.data_table import folded_key
from services.ui.i18n import t
from services.ui.tracking import purpose_label
from tests.ui import test_click_filter
from tests.ui.conftest import errors
from tests.ui.test_click_filter import chips, click, open_tab
from tests.ui.test_dashboard import metric, open_dashboard
from tests.ui.test_dashboard_sources import seed

# The click tests' data, so that a row and its bar are compared on the same board.
items, seeded = test_click_filter.items, test_click_filter.seeded


def open_folded(at: AppTest, table_name: str) -> None:
    """Open the panel a folded table (the trend's) is drawn in, as its click does."""
    at.session_state[folded_key(table_name)] = True
    at.run()
    assert not at.exception, at.exception


def selectable(at: AppTest, table_name: str) -> Any:
    tables = [d for d in at.dataframe if d.proto.id.endswith(f"table_{table_name}")]
    assert tables, "the table is not selectable"
    return tables[0]


def column(at: AppTest, table_name: str, index: int) -> list[str]:
    return [str(v) for v in selectable(at, table_name).value.iloc[:, index]]


def choose_row(at: AppTest, table_name: str, row: int) -> None:
    """What choosing a table row (by keyboard or pointer) sends: the table's selection."""
    table = selectable(at, table_name)
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = table.proto.id
    state.string_value = json.dumps({"selection": {"rows": [row], "columns": [], "cells": []}})
    at._run(WidgetStates(widgets=list(states.widgets)))
    assert not at.exception, at.exception
    assert not errors(at), errors(at)


def page_scripts(at: AppTest) -> list[str]:
    """The scripts the run drew in the page (the sidebar's set the page's language)."""
    return [block.value for block in at.main.html if "<script" in block.value]


def _filtered_by_click(new_app: Callable[..., AppTest], user: User, tab: str, chart: str,
                       point_index: int) -> dict[str, str]:
    at = open_dashboard(new_app, user.username)
    open_tab(at, tab)
    click(at, chart, point_index=point_index)
    return dict(at.query_params)


def test_a_content_table_row_filters_by_its_item_as_its_bar_does(
        new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services,
        items: dict[str, ContentItem]) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "content")
    choose_row(at, "top_content", 1)  # rows by views: GenAI (4), then Finance (1)
    assert metric(at, "콘텐츠 조회") == "1"
    assert at.query_params["item"] == items["finance"].id
    assert any("금융 리스크 데모" in chip for chip in chips(at)), chips(at)
    # The Finance bar is first in trace order (largest on top): the same view.
    assert dict(at.query_params) == _filtered_by_click(
        new_app, users["analyst"], "content", "chart_content", 0)


def test_a_category_row_sets_the_category_as_its_slice_does(
        new_app: Callable[..., AppTest], users: dict[str, User],
        seeded: Services) -> None:
    at = open_dashboard(new_app, users["analyst"].username, FILTERS_OPEN_KEY)
    open_tab(at, "categories")
    choose_row(at, "categories", column(at, "categories", 0).index("금융"))
    assert metric(at, "콘텐츠 조회") == "1"
    assert at.selectbox(key="dash_category_ko").value == Category.FINANCE.value
    assert at.query_params["category"] == Category.FINANCE.value


def test_a_trend_row_sets_the_period_to_that_day(
        new_app: Callable[..., AppTest], users: dict[str, User],
        seeded: Services) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    today = seeded.analytics.today()
    assert not [d for d in at.dataframe if d.proto.id.endswith("table_trend")]  # folded
    open_folded(at, "trend")
    choose_row(at, "trend", 0)  # the latest of the default seven days is on top
    assert (at.query_params["period"], at.query_params["start"], at.query_params["end"]) == (
        "custom", today.isoformat(), today.isoformat())


def test_a_purpose_row_filters_by_the_segment(
        new_app: Callable[..., AppTest], users: dict[str, User],
        seeded: Services) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "purposes")
    # the one answered purpose
    choose_row(at, "purposes", column(at, "purposes", 1).index("1"))
    assert at.query_params["purpose"] == "customer-demo"
    assert any("방문 목적" in chip for chip in chips(at)), chips(at)


def test_a_device_row_filters_by_the_device_as_its_slice_does(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem]) -> None:
    seed(services, make_item("캠페인 데모"))
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "devices")
    choose_row(at, "device", column(at, "device", 0).index("모바일"))
    assert at.query_params["device"] == "mobile"
    assert metric(at, "콘텐츠 조회") == "2"  # the phone visit's two views
    assert any("모바일" in chip for chip in chips(at)), chips(at)


def test_the_hour_box_filters_by_the_hour_as_the_hour_bars_do(
        new_app: Callable[..., AppTest], users: dict[str, User],
        seeded: Services) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "time")
    box = at.selectbox(key="dash_hour_pick")
    assert box.value is None and box.proto.placeholder == t("dashfilter.hour_pick_placeholder")
    box.set_value(0).run()  # the seeded events are just after midnight
    assert not at.exception, at.exception
    assert at.query_params["hour"] == "0"
    assert metric(at, "콘텐츠 조회") == "5"
    assert any(t("dashfilter.kind.hour") in chip for chip in chips(at)), chips(at)
    # Back to its placeholder: the chip shows the filter, and the same hour can be chosen again.
    assert at.selectbox(key="dash_hour_pick").value is None


def test_the_hint_says_a_table_row_filters_too(
        new_app: Callable[..., AppTest], users: dict[str, User],
        seeded: Services) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    assert any("표의 행" in c.value for c in at.caption), [c.value for c in at.caption]
    # And with which key: in the browser's grid Space and Enter alone choose nothing (Enter
    # moves down a row); Shift+Space chooses the row (tests/e2e/test_click_filter.py).
    assert any("Shift+Space" in c.value for c in at.caption), [c.value for c in at.caption]
    assert "Shift+Space" in translate("en", "dashfilter.hint")


def test_focus_goes_to_the_new_filters_chip_on_the_run_a_row_choice_starts(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "content")
    assert page_scripts(at) == []
    choose_row(at, "top_content", 1)
    (first,) = page_scripts(at)
    assert ".st-key-dash_chip_item" in first, first  # the chip that names the item
    at.run()  # any other run: focus is left where the person put it
    assert page_scripts(at) == []
    choose_row(at, "top_content", 0)
    (second,) = page_scripts(at)
    # Another body: the browser runs a script drawn in the same place again only if it changed.
    assert ".st-key-dash_chip_item" in second and second != first


def test_focus_goes_back_to_the_trend_table_after_a_day_row(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    open_folded(at, "trend")
    choose_row(at, "trend", 0)  # a day sets the period: no chip names it
    (script,) = page_scripts(at)
    assert ".st-key-table_trend" in script, script
    assert selectable(at, "trend")  # the table it names is drawn


def test_a_row_that_filters_nothing_moves_no_focus(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "purposes")
    skipped = column(at, "purposes", 0).index(purpose_label(Purpose.SKIPPED.value))
    choose_row(at, "purposes", skipped)
    assert page_scripts(at) == []


def test_removing_a_chip_moves_focus_to_the_next_chip(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    """Enter on a chip removes its filter and the chip with it: focus goes to the chip after
    it (else the one before), not the page's body."""
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "categories")
    choose_row(at, "categories", column(at, "categories", 0).index("금융"))
    open_tab(at, "content")
    choose_row(at, "top_content", 0)
    at.button(key="dash_chip_category").click().run()
    assert not at.exception, at.exception
    (script,) = page_scripts(at)
    assert ".st-key-dash_chip_item" in script, script
    assert at.button(key="dash_chip_item")  # the chip it names is drawn
    at.run()  # any other run: focus is left where the person put it
    assert page_scripts(at) == []


def test_removing_the_last_chip_moves_focus_back_to_the_table(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "content")
    choose_row(at, "top_content", 1)
    first = page_scripts(at)
    at.button(key="dash_chip_item").click().run()
    assert not at.exception, at.exception
    assert "item" not in at.query_params
    (script,) = page_scripts(at)
    assert "st-key-table_" in script and "data-grid-canvas" in script, script
    assert script not in first  # a new body, so the browser runs it
    # "Clear all" too: the chips are gone with it.
    choose_row(at, "top_content", 0)
    at.button(key="dash_chip_clear").click().run()
    (cleared,) = page_scripts(at)
    assert "st-key-table_" in cleared and "data-grid-canvas" in cleared, cleared


def test_a_chip_has_no_tooltip_to_cover_the_period_control(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    """The chip's label and its ✕ say what it does; its tooltip opened over "7일"."""
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "content")
    choose_row(at, "top_content", 1)
    assert at.button(key="dash_chip_item").help in ("", None)


def test_the_hour_box_moves_focus_to_the_hour_chip(
    new_app: Callable[..., AppTest], users: dict[str, User], seeded: Services
) -> None:
    """The hour box is the keyboard's way to filter by an hour: after its choice the redraw
    took focus to the page's body, as a row choice's did."""
    at = open_dashboard(new_app, users["analyst"].username)
    open_tab(at, "time")
    assert page_scripts(at) == []
    at.selectbox(key="dash_hour_pick").set_value(0).run()
    assert not at.exception, at.exception
    (script,) = page_scripts(at)
    assert ".st-key-dash_chip_hour" in script, script  # the chip that names the hour
    assert at.button(key="dash_chip_hour")  # the chip it names is drawn
    at.run()  # any other run: focus is left where the person put it
    assert page_scripts(at) == []
