"""The signed-in user's own profile: details, language, password, sign-ins, role request."""

import streamlit as st

from services.errors import NotFound
from services.ui import gate, profile, routes, session
from services.ui.i18n import t

services = session.services()
actor = session.actor()

if not actor.is_authenticated:
    gate.send_to_sign_in(gate.url_path(routes.PROFILE))

st.title(t("profile.title"), anchor=False)
try:
    user = (services.profile.profile(actor, str(actor.user_id))
            if services.profile is not None else None)
except NotFound:  # deleted meanwhile: the next run signs the session out
    user = None
profile.details_section(services, actor, user)
profile.language_section(services, actor, user)
profile.likes_section(services, actor, user)
profile.request_section(services, actor, user)
profile.password_section(services)
profile.sessions_section(services)
profile.delete_section(services, actor, user)
