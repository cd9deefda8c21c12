"""One item's own analytics (``item-stats?id=<content id>``): its author, analysts, admins."""

import streamlit as st

from services.ui import session
from services.ui.item_stats import item_page_view

item_page_view(session.services().analytics, session.actor(), st.query_params.get("id"))
