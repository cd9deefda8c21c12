"""The short HTML tables (the dashboard's insights drivers): formatted as the grids format the
same numbers, a title or a term with markup stays text, and the dashboard's first screen draws
no grid (the trend's day table waits, folded, until opened)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.models import ContentItem
from services.domain.users import User
from services.ui.dashboard import INSIGHTS_OPEN_KEY
from services.ui.data_table import folded_key
from services.ui.static_table import cell_text, static_table_html
from tests.ui.conftest import static_tables
from tests.ui.test_dashboard import open_dashboard, views


def test_numbers_read_as_the_grids_show_them() -> None:
    assert cell_text(1234567, "int") == "1,234,567"
    assert cell_text(-10, "int") == "-10"
    assert cell_text(12.345, "percent") == "12.3%"  # already times 100, as the grid's column
    assert cell_text(0.5, "float") == "0.50"
    assert cell_text(pd.NA, "int") == "—"
    assert cell_text(float("nan"), "float") == "—"
    assert cell_text("금융", "text") == "금융"


def test_a_cell_with_markup_stays_text() -> None:
    shown = pd.DataFrame({"값": ['<img src=x onerror="alert(1)">'], "변화": [3]})
    body = static_table_html(shown, ["wide", "int"], '표 "요인"')
    assert "<img" not in body and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body
    assert 'aria-label="표 &quot;요인&quot;"' in body
    assert '<td class="df-num">3</td>' in body  # numbers right-aligned


def test_the_first_screen_draws_no_grid_and_the_drivers_as_text(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem],
) -> None:
    item = make_item('<b>굵게</b> 데모')
    services.ports.events.append(views(services, item, 8, 10) + views(services, item, 1, 30))
    at = open_dashboard(new_app, users["analyst"].username, INSIGHTS_OPEN_KEY)
    assert not at.dataframe  # neither the drivers nor the trend's day table is a grid
    (drivers,) = [f for f in static_tables(at) if "변화" in f.columns]
    assert "<b>굵게</b> 데모" in drivers["값"].tolist()  # the title as typed, not bold
    at.session_state[folded_key("trend")] = True  # the day table's panel opened
    at.run()
    assert not at.exception
    assert [d for d in at.dataframe if d.proto.id.endswith("table_trend")]

