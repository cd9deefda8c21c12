"""AI insight reports (analysts and admins): build and generate a report, and its history.
Only the open tab is drawn: the history (a table, and a whole report when one is open) is not
built on every run of the builder."""

from functools import partial

import streamlit as st

from services.ui import lazy, session
from services.ui.i18n import t
from services.ui.report_view import HISTORY_WIDGETS, history
from services.ui.reports import BUILDER_WIDGETS, builder

TAB_KEY = "rep_tab"

services = session.services()
actor = session.actor()

st.title(t("reports.title"), anchor=False)
st.caption(t("reports.subtitle"))
lazy.keep(*BUILDER_WIDGETS, *HISTORY_WIDGETS)
lazy.tab_sections([t("reports.tab_new"), t("reports.tab_history")], TAB_KEY,
                  [partial(builder, services, actor),
                   partial(history, services, actor)])
