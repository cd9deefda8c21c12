"""The keyboard's way to filter the dashboard: a chart's bars and slices cannot be reached by
keyboard, so choosing a row of the table under a chart sets the same filter as clicking that
row's bar (through the same ``apply``; by keyboard, in Streamlit's data grid: Tab into it,
the arrow keys to the row, Shift+Space); the hour charts, which have no table of hours, have a
select box instead. A selectable table adds no element to draw (see README "Page speed").

The run a row choice starts draws the board anew, and the browser put the keyboard's focus on
the page's body: the person started again at the top. On that run alone a fixed script moves
focus to the chip that names the new filter (where it is removed), or for a day's row, which
sets the period and has no chip, back to its table (``focus_after_filter_change``). The hour
box's choice moves it to the hour's chip the same way (the box kept focus, back at its
placeholder). Removing a chip (Enter on it) takes the focused element away the same way: focus
goes to the next chip, or, with none left, back to the open tab's table the row was chosen in."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial

import streamlit as st

from services.ui.dashboard_filters import (
    Kind,
    Pick,
    active_kinds,
    apply,
    chip_key,
    clear_filters,
    remove_filter,
    state_filters,
)
from services.ui.data_table import table_key
from services.ui.i18n import t

DAY_TABLE = "trend"  # the one table whose rows are days (the trend tab's)
_FOCUS_COUNT = "_df_focus_count"  # focus moves asked in this session, numbering each script
_FOCUS_ASKED = "_df_row_focus"  # where focus goes, until the run a change started draws it
Target = tuple[str, str]  # (the element's class, what takes focus in it)
# With no chip left: the open tab's table (only the open tab is drawn), else the hour box.
_TABLE: Target = ('[class*="st-key-table_"]', '[data-testid="data-grid-canvas"]')
_HOUR_BOX: Target = (".st-key-dash_hour_pick", "input")


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
        _ask_focus([focus_target(kind)])


def _ask_focus(targets: list[Target]) -> None:
    st.session_state[_FOCUS_COUNT] = int(st.session_state.get(_FOCUS_COUNT, 0)) + 1
    st.session_state[_FOCUS_ASKED] = targets


def row_pick(kind: Kind, keys: Sequence[str]) -> Callable[[int], None]:
    """A table's ``on_row``: choosing a row filters as a click on its bar does (the keyboard's
    way to filter: a chart's points cannot be reached by keyboard)."""
    return partial(_row_picked, kind, list(keys))


def focus_target(kind: Kind) -> Target:
    """(the element's class, what takes focus in it) after a row of ``kind``: the chip of its
    filter, or the day table's grid (Streamlit's table takes keys on its canvas)."""
    if kind is Kind.DAY:
        return f".st-key-{table_key(DAY_TABLE)}", '[data-testid="data-grid-canvas"]'
    return f".st-key-{chip_key(kind)}", "button"


def after_removal(kind: Kind, shown: list[Kind]) -> list[Target]:
    """Where focus goes once the chip of ``kind`` (of the ``shown`` ones) is gone: the chip
    after it, else the one before, else the table."""
    left = [other for other in shown if other is not kind]
    if left:
        at = shown.index(kind) if kind in shown else len(left)
        return [focus_target(left[min(at, len(left) - 1)])]
    return [_TABLE, _HOUR_BOX]


def remove_chip(kind: Kind) -> None:
    """A chip's on_click: its filter goes, and focus to ``after_removal``."""
    shown = active_kinds(state_filters())
    remove_filter(kind)
    _ask_focus(after_removal(kind, shown))


def clear_chips() -> None:
    """The "clear all" button's on_click: the chips go, focus back to the table."""
    clear_filters()
    _ask_focus([_TABLE, _HOUR_BOX])


# For up to 15 s: focus goes to the target once it is drawn, and back to it whenever a redraw
# drops it to the body (after a day's row the grid kept focus for about a second, then lost it:
# stopping at the run's end was too soon). Focus still in a table, the chips' row or the hour
# box before that is the chosen row's, the removed chip's or the chosen hour's (the box keeps
# it, showing its placeholder again, or a redraw takes it away); anywhere else, or
# in a table once focus was placed, the person moved it, and a key or pointer pressed after it
# was placed is theirs too: then it is left alone.
_ROW_FOCUS_JS = """(() => {
  const targets = %s, started = Date.now();
  const place = targets.map(([where]) => where).join(", ");
  let placed = false, theirs = false;
  const pressed = () => { theirs = placed; };
  document.addEventListener("keydown", pressed, true);
  document.addEventListener("pointerdown", pressed, true);
  const timer = setInterval(() => {
    const active = document.activeElement;
    const atBody = !active || active === document.body;
    const there = !atBody && active.closest(place);
    const before = '[class*="st-key-table_"], .st-key-dash_chips, .st-key-dash_hour_pick';
    if (theirs || Date.now() - started > 15000
        || (!atBody && !there && (placed || !active.closest(before)))) {
      clearInterval(timer);
      document.removeEventListener("keydown", pressed, true);
      document.removeEventListener("pointerdown", pressed, true);
      return;
    }
    const target = targets.map(([where, inner]) => document.querySelector(where + " " + inner))
      .find(Boolean);
    if (!there && target) {
      target.focus();
      placed = true;
    }
  }, 50);
})();"""


def row_focus_script(targets: list[Target], choice: int) -> str:
    """Focus to the first of ``targets`` drawn. ``choice`` (the focus move's number) makes each
    body new: Streamlit does not run a script again that the run before drew the same in the
    same place. A fixed script: the selectors are the app's own keys, JSON-encoded."""
    body = _ROW_FOCUS_JS % json.dumps([list(target) for target in targets])
    return f"<script>/* focus move {int(choice)} */\n{body}\n</script>"


def focus_after_filter_change() -> None:
    """On the run a row choice, an hour box choice or a chip's removal started, its focus
    script (drawn after the chips). Its box is hidden by the stylesheet: the element would take
    a gap's room in the page."""
    targets = st.session_state.pop(_FOCUS_ASKED, None)
    if isinstance(targets, list) and targets:
        st.html(
            row_focus_script(targets, int(st.session_state.get(_FOCUS_COUNT, 0))),
            unsafe_allow_javascript=True,
        )


HOUR_PICK_KEY = "dash_hour_pick"


def _hour_picked() -> None:
    hour = st.session_state.get(HOUR_PICK_KEY)
    if isinstance(hour, int):
        apply(Pick(Kind.HOUR, str(hour)))
        _ask_focus([focus_target(Kind.HOUR)])  # to its chip, as after a row's choice
    # Back to the placeholder: the chip shows the filter, and the same hour can be chosen again.
    st.session_state[HOUR_PICK_KEY] = None


def hour_pick() -> None:
    """The keyboard's way to filter by an hour (the hour charts have no table of hours)."""
    st.selectbox(t("dashfilter.hour_pick"), list(range(24)), index=None, key=HOUR_PICK_KEY,
                 placeholder=t("dashfilter.hour_pick_placeholder"), on_change=_hour_picked,
                 label_visibility="collapsed", width=240,
                 format_func=lambda hour: t("analytics.hour_range", start=hour, end=hour + 1))
