"""The keyboard's way to filter the dashboard: a chart's bars and slices cannot be reached by
keyboard, so choosing a row of the table under a chart sets the same filter as clicking that
row's bar (through the same ``apply``; by keyboard, in Streamlit's data grid: Tab into it,
the arrow keys to the row, Shift+Space); the hour charts, which have no table of hours, have a
select box instead. A selectable table adds no element to draw (see README "Page speed")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import streamlit as st

from services.ui.dashboard_filters import Kind, Pick, apply
from services.ui.i18n import t


def pick_of_row(kind: Kind, keys: Sequence[str], row: int) -> Pick | None:
    """What a chosen table row sets: ``keys`` are the filter values of the rows in order (an
    empty one, a row nothing filters by, such as the skipped answers)."""
    if not 0 <= row < len(keys) or not keys[row]:
        return None
    return Pick(kind, keys[row])


def _row_picked(kind: Kind, keys: Sequence[str], row: int) -> None:
    pick = pick_of_row(kind, keys, row)
    if pick is not None:
        apply(pick)


def row_pick(kind: Kind, keys: Sequence[str]) -> Callable[[int], None]:
    """A table's ``on_row``: choosing a row filters as a click on its bar does (the keyboard's
    way to filter: a chart's points cannot be reached by keyboard)."""
    return partial(_row_picked, kind, list(keys))


HOUR_PICK_KEY = "dash_hour_pick"


def _hour_picked() -> None:
    hour = st.session_state.get(HOUR_PICK_KEY)
    if isinstance(hour, int):
        apply(Pick(Kind.HOUR, str(hour)))
    # Back to the placeholder: the chip shows the filter, and the same hour can be chosen again.
    st.session_state[HOUR_PICK_KEY] = None


def hour_pick() -> None:
    """The keyboard's way to filter by an hour (the hour charts have no table of hours)."""
    st.selectbox(t("dashfilter.hour_pick"), list(range(24)), index=None, key=HOUR_PICK_KEY,
                 placeholder=t("dashfilter.hour_pick_placeholder"), on_change=_hour_picked,
                 label_visibility="collapsed", width=240,
                 format_func=lambda hour: t("analytics.hour_range", start=hour, end=hour + 1))
