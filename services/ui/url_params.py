"""A view's own parameters in the page's address (the dashboard's period and filters, browse's
search): set to what the view shows, one value or several, the others (``lang``, ``id``) left
as they are."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st


def write_params(names: Sequence[str], wanted: Mapping[str, str | Sequence[str]]) -> None:
    """Each of ``names`` set to its value in ``wanted``, or removed when it has none there.
    Only a parameter that changes is written (each write updates the browser's address)."""
    for name in names:
        if name not in wanted:
            if name in st.query_params:
                del st.query_params[name]
            continue
        value = wanted[name]
        values = [value] if isinstance(value, str) else list(value)
        if st.query_params.get_all(name) != values:
            st.query_params[name] = values if len(values) > 1 else values[0]
