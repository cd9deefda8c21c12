"""Admin: the audit log, filtered by actor, action and dates, with a CSV export."""

import streamlit as st

from services.ui import admin_tools, session
from services.ui.i18n import t

st.title(t("admin_tools.audit_title"), anchor=False)
admin_tools.audit_section(session.services(), session.actor())
