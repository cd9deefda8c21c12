"""The keyboard's way to filter the dashboard: a chart's bars and slices cannot be reached by
keyboard, so choosing a row of the table under a chart sets the same filter as clicking that
row's bar (through the same ``apply``; by keyboard, in Streamlit's data grid: Tab into it,
the arrow keys to the row, Shift+Space); the hour charts, which have no table of hours, have a
select box instead. A selectable table adds no element to draw (see README "Page speed").

The run a row choice starts draws the board anew, and the browser put the keyboard's focus on
the page's body: the person started again at the top. On that run alone a fixed script moves
focus to the chip that names the new filter (where it is removed), or for a day's row, which
sets the period and has no chip, back to its table (``focus_after_row_choice``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial

import streamlit as st

from services.ui.dashboard import table_key
from services.ui.dashboard_filters import Kind, Pick, apply, chip_key
from services.ui.i18n import t

DAY_TABLE = "trend"  # the one table whose rows are days (the trend tab's)
_ROW_CHOICES = "_df_row_choices"  # rows chosen in this session, numbering each focus script
_FOCUS_ASKED = "_df_row_focus"  # the kind of the filter a row just set, until its run draws it


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
        st.session_state[_ROW_CHOICES] = int(st.session_state.get(_ROW_CHOICES, 0)) + 1
        st.session_state[_FOCUS_ASKED] = kind


def row_pick(kind: Kind, keys: Sequence[str]) -> Callable[[int], None]:
    """A table's ``on_row``: choosing a row filters as a click on its bar does (the keyboard's
    way to filter: a chart's points cannot be reached by keyboard)."""
    return partial(_row_picked, kind, list(keys))


def focus_target(kind: Kind) -> tuple[str, str]:
    """(the element's class, what takes focus in it) after a row of ``kind``: the chip of its
    filter, or the day table's grid (Streamlit's table takes keys on its canvas)."""
    if kind is Kind.DAY:
        return f".st-key-{table_key(DAY_TABLE)}", '[data-testid="data-grid-canvas"]'
    return f".st-key-{chip_key(kind)}", "button"


# For up to 15 s: focus goes to the target once it is drawn, and back to it whenever a redraw
# drops it to the body (after a day's row the grid kept focus for about a second, then lost it:
# stopping at the run's end was too soon). Focus still in a table before that is the chosen
# row's; anywhere else, or in a table once focus was placed, the person moved it, and a key or
# pointer pressed after it was placed is theirs too: then it is left alone.
_ROW_FOCUS_JS = """(() => {
  const place = %s, inner = %s, started = Date.now();
  let placed = false, theirs = false;
  const pressed = () => { theirs = placed; };
  document.addEventListener("keydown", pressed, true);
  document.addEventListener("pointerdown", pressed, true);
  const timer = setInterval(() => {
    const active = document.activeElement;
    const atBody = !active || active === document.body;
    const there = !atBody && active.closest(place);
    if (theirs || Date.now() - started > 15000
        || (!atBody && !there && (placed || !active.closest('[class*="st-key-table_"]')))) {
      clearInterval(timer);
      document.removeEventListener("keydown", pressed, true);
      document.removeEventListener("pointerdown", pressed, true);
      return;
    }
    const target = document.querySelector(place + " " + inner);
    if (!there && target) {
      target.focus();
      placed = true;
    }
  }, 50);
})();"""


def row_focus_script(kind: Kind, choice: int) -> str:
    """Focus to ``focus_target(kind)``. ``choice`` (the row choice's number) makes each body
    new: Streamlit does not run a script again that the run before drew the same in the same
    place. A fixed script: the selectors are the app's own keys, JSON-encoded."""
    place, inner = (json.dumps(part) for part in focus_target(kind))
    return f"<script>/* row choice {int(choice)} */\n{_ROW_FOCUS_JS % (place, inner)}\n</script>"


def focus_after_row_choice() -> None:
    """On the run a row choice started, its focus script (drawn after the chips). Its box is
    hidden by the stylesheet: the element would take a gap's room in the page."""
    kind = st.session_state.pop(_FOCUS_ASKED, None)
    if isinstance(kind, Kind):
        st.html(
            row_focus_script(kind, int(st.session_state.get(_ROW_CHOICES, 0))),
            unsafe_allow_javascript=True,
        )


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
