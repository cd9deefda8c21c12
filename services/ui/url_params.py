"""A view's own parameters in the page's address (the dashboard's period and filters, browse's
search, the funnel shown): set to what the view shows, one value or several, the others
(``lang``, ``id``) left as they are.

Only a run whose page the browser's address already names may write. On the first run after a
switch from another page (the menu, a page link, ``st.switch_page``) the browser still shows the
previous page's address, and Streamlit's frontend writes a changed query under that path: a
history entry such as ``/content?q=bedrock`` that Back opens, the wrong page with the wrong
parameters, before the switch adds the new page's entry. Such a run leaves the address as it
came; the view's next run writes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

import streamlit as st

_PAGE_KEY = "_df_url_page"  # the page of the session's last run, by its address
_ARRIVED_KEY = "_df_url_arrived"  # this run is the first on its page after another page

Params = dict[str, list[str]]


def note_page(url_path: str) -> None:
    """Called once a run knows its page (``app.py``, after ``st.navigation``). The session's
    first run is no switch: the browser opened this page's own address."""
    state = st.session_state
    state[_ARRIVED_KEY] = _PAGE_KEY in state and state[_PAGE_KEY] != url_path
    state[_PAGE_KEY] = url_path


def page() -> str:
    """The address of this run's page (as ``note_page`` was told)."""
    return str(st.session_state.get(_PAGE_KEY, ""))


def arrived() -> bool:
    """Whether this run is the first on its page after another page's: the browser's address
    is still the other page's, so this run must not write parameters."""
    return bool(st.session_state.get(_ARRIVED_KEY))


def current() -> Params:
    """Every parameter of the address (``lang``, ``id``... included), each with its values."""
    return {name: st.query_params.get_all(name) for name in st.query_params}


def write_params(names: Sequence[str], wanted: Mapping[str, str | Sequence[str]]) -> None:
    """Each of ``names`` set to its value in ``wanted``, or removed when it has none there.
    Nothing is written when nothing changes, or on a run that arrived from another page. The
    change is one write: each write of ``st.query_params`` adds a history entry, and Back
    would stop at each half-made address."""
    if arrived():
        return
    now = current()
    new = {name: values for name, values in now.items() if name not in names}
    for name in names:
        if name in wanted:
            value = wanted[name]
            new[name] = [value] if isinstance(value, str) else list(value)
    if new != now:
        st.query_params.from_dict(
            {name: values[0] if len(values) == 1 else values for name, values in new.items()})


def href(params: Mapping[str, str | Sequence[str]]) -> str:
    """A link to this run's page with ``params`` as its query, relative (``browse?q=…``) as the
    cards' links are, so that a base path is kept."""
    return f"{page()}?{_query(params)}"


def shareable_address(params: Mapping[str, str | Sequence[str]]) -> str:
    """This page's full address with ``params`` as its query: what a person copies to share
    the view, as the dashboard's own address shares its period and filters. The browser's
    address (``st.context.url``: scheme, host, base path and page, without its query), so it
    holds behind a proxy and under a base path; the query alone where the browser's address is
    not known (a script without a browser)."""
    return f"{st.context.url or ''}?{_query(params)}"


def _query(params: Mapping[str, str | Sequence[str]]) -> str:
    return urlencode({name: [value] if isinstance(value, str) else list(value)
                      for name, value in params.items()}, doseq=True)
