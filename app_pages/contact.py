"""Contact us: a public form (anonymous visitors too), stored and optionally emailed."""

import streamlit as st

from services.ui import contact, session
from services.ui.i18n import t

services = session.services()

st.title(t("inquiries.title"), anchor=False)
st.write(t("inquiries.intro"))
form_col, _ = st.columns([3, 1])
with form_col:
    contact.contact_form(services, session.actor())
