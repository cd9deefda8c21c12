"""Emptying a form after it succeeded: the one way, which also empties what the browser shows.

A widget's value can be set only before the widget is drawn in a run, and only a value set
through its key is sent to the browser. Deleting the keys is not enough: the browser keeps
showing what was typed (a password too) and sends it back with the next click. So a success
marks the form (``empty_next_run``), and the run that draws it next sets each field to its
empty value first (``empty_if_marked``). A failure marks nothing: what was typed stays."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

_MARKED = "_df_forms_to_empty"  # the forms the next run empties before drawing them


def empty_next_run(form: str) -> None:
    """Call on success; from a button's callback the same run's drawing empties the form."""
    marked: set[str] = st.session_state.setdefault(_MARKED, set())
    marked.add(form)


def empty_if_marked(form: str, empty: Mapping[str, object]) -> bool:
    """Before ``form`` is drawn: set each widget key to its value in ``empty`` if the form was
    marked. Returns whether it was."""
    marked: set[str] = st.session_state.get(_MARKED) or set()
    if form not in marked:
        return False
    marked.discard(form)
    for key, value in empty.items():
        st.session_state[key] = value
    return True
