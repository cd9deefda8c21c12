"""AI insight reports (analysts and admins): build and generate a report, and its history."""

import streamlit as st

from services.ui import session
from services.ui.i18n import t
from services.ui.report_view import history
from services.ui.reports import builder

services = session.services()
actor = session.actor()

st.title(t("reports.title"))
st.caption(t("reports.subtitle"))
new_tab, history_tab = st.tabs([t("reports.tab_new"), t("reports.tab_history")])
with new_tab:
    builder(services, actor)
with history_tab:
    history(services, actor)
