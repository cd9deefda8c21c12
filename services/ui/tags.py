"""The browse side of tag links (``widgets.tag_links``): a tag on a card or a content page
opens browse filtered by it (``?tag=``).

The tag travels as a query parameter (Streamlit encodes it) and is shown through
``md_escape``, so whatever an old import stored stays one line of plain text. Browse takes
the parameter once, as if the visitor had picked the tag in its filter, and its address write
drops it: the filter is then the visitor's to change. The run a link arrives on cannot write
the address (``url_params``), so the tag stays there until the view's next run, which must
not take it again.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from services.ui.i18n import t
from services.ui.url_params import arrived
from services.ui.widgets import TAG_PARAM, md_escape

_TAKEN = "_df_tag_taken"  # per tag filter: the tag taken on arrival, still in the address


def take_tag_link(known: Sequence[str], tags_key: str, reset_keys: dict[str, object]) -> None:
    """Apply a ``?tag=`` the visitor arrived with: the tag filter (widget ``tags_key``) holds
    that tag alone and ``reset_keys`` (the view's other filters, its sort and page) go back to
    their values, since the link promises everything with the tag. A tag no published item
    carries is named in a message, and the view shows everything as the message says."""
    taken = f"{_TAKEN}_{tags_key}"
    if TAG_PARAM not in st.query_params:
        st.session_state.pop(taken, None)
        return
    tag = st.query_params[TAG_PARAM]
    if arrived():
        st.session_state[taken] = tag
    elif st.session_state.pop(taken, None) == tag:
        return  # taken when the link arrived; the visitor may have changed the filter since
    if tag not in known:
        st.info(t("content.tag_unknown", tag=md_escape(tag)), icon=":material/sell:")
    st.session_state[tags_key] = [tag] if tag in known else []
    for key, value in reset_keys.items():
        st.session_state[key] = value
