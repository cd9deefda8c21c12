"""Administration: sample content, orphan files, users (search, paging, create or invite, roles,
disable/enable, password reset, delete) and importing usage events. Every action is checked and
audited by the services."""

import streamlit as st

from services.ui import admin, admin_users, event_upload, session
from services.ui.i18n import t

services = session.services()
actor = session.actor()

st.title(t("nav.admin"), anchor=False)
admin.samples_section(services, actor)
st.divider()
admin.orphans_section(services, actor)
st.divider()
admin_users.users_section(services, actor)
event_upload.events_import_section(services, actor)
