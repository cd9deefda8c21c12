"""Emptying a form after it succeeded: the one way, which also empties what the browser shows.

A widget's value can be set only before the widget is drawn in a run, and only a value set
through its key is sent to the browser. Deleting the keys is not enough: the browser keeps
showing what was typed (a password too) and sends it back with the next click. So a success
marks the form (``empty_next_run``), and the run that draws it next sets each field to its
empty value first (``empty_if_marked``). A failure marks nothing: what was typed stays.

A form whose success is noted by plain assignment on an object fetched before the service call
(the funnel builder's ``saved``: reading or writing session state is a point where Streamlit
may stop the run, such as right after the service saved) empties through ``empty_fields``
when the next run sees that note, before drawing the form."""

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
    empty_fields(empty)
    return True


def empty_fields(empty: Mapping[str, object]) -> None:
    """Set each widget key to its value in ``empty``; only before those widgets are drawn."""
    for key, value in empty.items():
        st.session_state[key] = value
