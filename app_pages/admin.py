"""Administration (simple): remove sample content, list users, create users, change roles."""

import streamlit as st

from services.errors import DemoFactoryError
from services.ui import admin, session
from services.ui.i18n import t
from services.ui.widgets import show_error

services = session.services()
actor = session.actor()

st.title(t("nav.admin"))
admin.samples_section(services, actor)
st.divider()

try:
    users = services.accounts.list_users(actor)
except DemoFactoryError as exc:
    show_error(exc)
    st.stop()
admin.users_table(users)
create_col, roles_col = st.columns(2)
with create_col:
    admin.create_user_form(services, actor)
with roles_col:
    admin.roles_form(services, actor, users)
