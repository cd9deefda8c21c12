"""One author's items and their numbers (``author-stats?id=<user name>``): the author,
analysts, admins."""

import streamlit as st

from services.ui import session
from services.ui.item_stats import author_page_view

author_page_view(session.services().analytics, session.actor(), st.query_params.get("id"))
