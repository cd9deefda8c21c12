"""A question waiting for its second click ("Delete 'x'?"), the one way every destructive
action asks. It belongs to the page that asked it and to what it asked about: a run on another
page drops it (``forget_elsewhere``, called by app.py once a run knows its page), and so does
drawing the question for something else (another user picked, another item opened). Coming
back never finds an old question with its primary button ready."""

from __future__ import annotations

from typing import Any

import streamlit as st

from services.ui import url_params
from services.ui.i18n import t

# question key -> (the page that asked, what it asks about, its value); the "confirm_" prefix
# makes it go with the user at sign-out (auth.USER_STATE_PREFIXES).
_ASKED = "confirm_asked"


def _asked() -> dict[str, tuple[str, object, object]]:
    asked: dict[str, tuple[str, object, object]] = st.session_state.setdefault(_ASKED, {})
    return asked


def ask(key: str, value: object = True, about: object = None) -> None:
    """Ask the question ``key`` about ``about`` (a user name, an item id) on this page;
    ``value`` is what the second click needs (the version shown, the list found)."""
    _asked()[key] = (url_params.page(), about, value)


def pending(key: str, about: object = None) -> Any:
    """The value of the question ``key`` if it waits for ``about``, else None; a question
    about something else is dropped."""
    found = _asked().get(key)
    if found is None:
        return None
    if found[1] != about:
        answered(key)
        return None
    return found[2]


def about(key: str) -> object:
    """What the question ``key`` waits about, if one waits (else None)."""
    found = _asked().get(key)
    return None if found is None else found[1]


def answered(key: str) -> None:
    """Yes or cancel was clicked: the question is gone."""
    _asked().pop(key, None)


def answers(key: str, yes: str, buttons: str) -> bool:
    """The question's two answers side by side under it: whether ``yes`` (the primary button,
    key ``{buttons}_yes``) was clicked, the caller then acting. Cancel (``{buttons}_no``) ends
    the question and draws the page again without it. In two columns the answers stood half a
    page apart."""
    with st.container(horizontal=True):
        agreed = st.button(yes, key=f"{buttons}_yes", type="primary")
        cancelled = st.button(t("common.cancel"), key=f"{buttons}_no")
    if agreed or cancelled:
        answered(key)
    if cancelled:
        st.rerun()
    return agreed


def forget_elsewhere(page: str) -> None:
    """Drop the questions asked on a page other than ``page`` (this run's)."""
    asked = _asked()
    for key in [key for key, (where, _, _) in asked.items() if where != page]:
        del asked[key]
