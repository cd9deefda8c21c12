"""The one wrapper of a fragment's body (``@st.fragment`` reruns a part of a page alone):
what app.py does around a whole run, for the part that reruns without it.

- The sign-in is checked again. A fragment's run skips app.py, so a dashboard left open would
  go on refreshing (``run_every``) and answering clicks for an account that was disabled,
  demoted or signed out everywhere. When the sign-in ended or its roles changed, the whole app
  runs again and app.py's own check decides what the person may see.
- Errors read as on a page: Streamlit handles an exception raised inside a fragment itself,
  with its English "This app has encountered an error", before app.py's handler sees it.

Goes below ``@st.fragment``.

A widget's ``on_click``/``on_change`` callback runs before the script, so before app.py checks
the sign-in, with the actor its button was drawn for: a like tapped seconds after the account
was disabled was stored as that user's. ``signed_in_callback`` checks the sign-in first and
does nothing when it ended or changed; the run that follows signs the tab out and says why.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NoReturn, ParamSpec

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from services.ui import auth, session
from services.ui.widgets import errors_shown

P = ParamSpec("P")


def fragment_body(body: Callable[P, None]) -> Callable[P, None]:
    @functools.wraps(body)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        if auth.sign_in_changed(session.services()):
            st.rerun(scope="app")
        with errors_shown(f"fragment {body.__qualname__}"):
            body(*args, **kwargs)

    return guarded


def signed_in_callback(act: Callable[P, object]) -> Callable[P, None]:
    """``act`` as a callback that acts only while the sign-in it was drawn for stands."""
    @functools.wraps(act)
    def checked(*args: P.args, **kwargs: P.kwargs) -> None:
        if not auth.sign_in_changed(session.services()):
            act(*args, **kwargs)

    return checked


def rerun_here() -> NoReturn:
    """Run again what this run draws: the fragment alone when this is its own run (a click
    inside it), else the whole page. Streamlit refuses a fragment's rerun from a run of the
    whole page, which runs its fragments too (and is what AppTest runs)."""
    ctx = get_script_run_ctx()
    st.rerun(scope="fragment" if ctx is not None and ctx.fragment_ids_this_run else "app")
