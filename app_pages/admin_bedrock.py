"""Admin: the Amazon Bedrock connectivity check (runs only when clicked: it costs a call)."""

import streamlit as st

from services.ui import admin_tools, session
from services.ui.i18n import t

st.title(t("admin_tools.bedrock_title"), anchor=False)
admin_tools.bedrock_check_section(session.services(), session.actor())
