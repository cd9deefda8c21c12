"""Inquiries from the contact form, for administrators: open and handled, newest first."""

import streamlit as st

from services.domain.inquiries import InquiryStatus
from services.ui import contact, session
from services.ui.i18n import t

services = session.services()
actor = session.actor()

st.title(t("inquiries.admin_title"))
if services.inquiries.notifies and services.settings.ses_recipient:
    st.caption(t("inquiries.notify_on", recipient=services.settings.ses_recipient))
open_tab, handled_tab = st.tabs([t("inquiries.tab_open"), t("inquiries.tab_handled")])
with open_tab:
    contact.inquiry_list(services, actor, InquiryStatus.OPEN)
with handled_tab:
    contact.inquiry_list(services, actor, InquiryStatus.HANDLED)
