"""Draw only what a person can see. Streamlit builds, sends and lays out the contents of every
tab, of a collapsed expander and of a closed popover although nobody sees them (a chart, a
table, a syntax-highlighted prompt, a select box); stateful tabs, expanders and popovers tell the
script which part is open, so the rest is skipped and drawn on the rerun that opens it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

Draw = Callable[[], None]


def tab_sections(labels: Sequence[str], key: str, sections: Sequence[Draw]) -> None:
    """Tabs of which only the open one is drawn (under AppTest too: the first by default)."""
    labels = list(labels)
    _same_tab_in_another_language(key, labels)
    tabs = st.tabs(labels, key=key, on_change="rerun")
    for index, (tab, section) in enumerate(zip(tabs, sections, strict=True)):
        if tab.open is not False:
            st.session_state[_position_key(key)] = index
            with tab:
                section()


def _position_key(key: str) -> str:
    return f"{key}_position"


def _same_tab_in_another_language(key: str, labels: list[str]) -> None:
    """A tab's state is its label: after a language switch no label matches it and Streamlit
    would open the first tab. Reopen the one that was open, by its position."""
    label = st.session_state.get(key)
    position = st.session_state.get(_position_key(key))
    if (label is not None and label not in labels and isinstance(position, int)
            and 0 <= position < len(labels)):
        st.session_state[key] = labels[position]


def expander(label: str, key: str, draw: Draw, *, icon: str | None = None,
             expanded: bool = False, kept: bool = False) -> bool:
    """An expander whose contents are drawn only while it is open; whether it is. ``kept``:
    opened (or folded) by the person, it stays so for the session, on any page it is on."""
    if kept:
        _restore(key)
    box = st.expander(label, expanded=expanded, key=key, icon=icon, on_change="rerun")
    shown = box.open is not False
    if kept:
        st.session_state[_kept_key(key)] = shown
    if not shown:
        return False
    with box:
        draw()
    return True


def _kept_key(key: str) -> str:
    return f"{key}_kept"


def _restore(key: str) -> None:
    """The panel as it was last drawn. Present, its state is set again as ``keep`` does: under
    another label (the other language) the panel is a new widget, which would start folded.
    Gone, it comes back from the plain key, which is no widget's and stays: Streamlit forgets a
    widget on a run that does not draw it (another page), and one last drawn by a fragment's
    run is forgotten already when the next page's run starts, before ``keep`` could set it."""
    if key in st.session_state:
        keep(key)
        return
    kept = st.session_state.get(_kept_key(key))
    if isinstance(kept, bool):
        st.session_state[key] = kept


def popover(label: str, key: str, draw: Draw, *, help: str | None = None) -> bool:
    """A popover whose contents are drawn only while it is open; whether it is."""
    box = st.popover(label, key=key, help=help, on_change="rerun")
    if box.open is False:
        return False
    with box:
        draw()
    return True


def keep(*keys: str) -> None:
    """Keep the values of widgets inside a tab or expander that this run may not draw.
    Streamlit drops the state of every widget a run does not draw, so a choice made in one tab
    would be gone on coming back to it; assigning each widget its own value first marks it as
    set by the app, which Streamlit keeps. Call before any of these widgets is drawn."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
