"""Admin: the config doctor (every setting and resource of the current mode, with fixes)."""

import streamlit as st

from services.ui import admin_tools, session
from services.ui.i18n import t

st.title(t("admin_tools.doctor_title"), anchor=False)
admin_tools.doctor_section(session.services(), session.actor())
