"""Draw only what a person can see. Streamlit builds, sends and lays out the contents of every
tab and of a collapsed expander although nobody sees them (a chart, a table, a syntax-highlighted
prompt); stateful tabs and expanders tell the script which part is open, so the rest is skipped
and drawn on the rerun that opens it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

Draw = Callable[[], None]


def tab_sections(labels: Sequence[str], key: str, sections: Sequence[Draw]) -> None:
    """Tabs of which only the open one is drawn (under AppTest too: the first by default)."""
    tabs = st.tabs(list(labels), key=key, on_change="rerun")
    for tab, section in zip(tabs, sections, strict=True):
        if tab.open is not False:
            with tab:
                section()


def expander(label: str, key: str, draw: Draw, *, icon: str | None = None,
             expanded: bool = False) -> None:
    """An expander whose contents are drawn only while it is open."""
    box = st.expander(label, expanded=expanded, key=key, icon=icon, on_change="rerun")
    if box.open is not False:
        with box:
            draw()
