"""Inquiries from the contact form, for administrators: open and handled, newest first."""

from functools import partial

import streamlit as st

from services.domain.inquiries import InquiryStatus
from services.ui import contact, lazy, session
from services.ui.i18n import t

services = session.services()
actor = session.actor()

st.title(t("inquiries.admin_title"), anchor=False)
if services.inquiries.notifies and services.settings.ses_recipient:
    st.caption(t("inquiries.notify_on", recipient=services.settings.ses_recipient))
# Only the open tab is drawn: the handled inquiries grow without end.
lazy.tab_sections([t("inquiries.tab_open"), t("inquiries.tab_handled")], "inq_tab",
                  [partial(contact.inquiry_list, services, actor, status)
                   for status in (InquiryStatus.OPEN, InquiryStatus.HANDLED)])
