"""The public contact form and the admins' inquiry list."""

from __future__ import annotations

import streamlit as st

from services.bootstrap import Services
from services.domain.inquiries import (
    LIMITS,
    Inquiry,
    InquiryDraft,
    InquiryStatus,
    InquiryType,
    inquiry_problems,
    stripped,
)
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.ui import tracking
from services.ui.i18n import relabel, t
from services.ui.widgets import flash, format_time, md_escape, show_error

_FIELDS = ("ct_name", "ct_email", "ct_company", "ct_type", "ct_subject", "ct_message",
           "ct_consent")


def type_label(kind: InquiryType) -> str:
    return t(f"inquiries.type_{kind.value}")


def contact_form(services: Services, actor: Actor) -> None:
    if actor.is_authenticated:  # a signed-in visitor's name and email, editable
        st.session_state.setdefault("ct_name", actor.name)
        st.session_state.setdefault("ct_email", actor.email)
    with st.form("ct_form"):
        name_col, email_col = st.columns(2)
        name = name_col.text_input(t("inquiries.name"), key="ct_name",
                                   max_chars=LIMITS["name"])
        email = email_col.text_input(t("inquiries.email"), key="ct_email",
                                     max_chars=LIMITS["email"])
        company_col, type_col = st.columns(2)
        company = company_col.text_input(t("inquiries.company"), key="ct_company",
                                         max_chars=LIMITS["company"])
        kind = type_col.selectbox(t("inquiries.type"), options=list(InquiryType),
                                  format_func=type_label, key=relabel("ct_type"))
        subject = st.text_input(t("inquiries.subject"), key="ct_subject",
                                max_chars=LIMITS["subject"])
        message = st.text_area(t("inquiries.message"), key="ct_message", height=200,
                               max_chars=LIMITS["message"])
        consent = st.checkbox(t("inquiries.consent"), key="ct_consent")
        submitted = st.form_submit_button(t("inquiries.submit"), type="primary",
                                          icon=":material/send:")
    if not submitted:
        return
    draft = stripped(InquiryDraft(name, email, company, kind or InquiryType.OTHER, subject,
                                  message, consent))
    problems = inquiry_problems(draft)
    if problems:
        for field, key in problems:
            st.error(t(key, max=LIMITS.get(field, 0)), icon=":material/error:")
        return
    try:
        services.inquiries.submit(actor, draft, tracking.session_id())
    except DemoFactoryError as exc:
        show_error(exc)
        return
    for key in _FIELDS:
        st.session_state.pop(key, None)
    flash(t("inquiries.thanks"))
    st.rerun()


def inquiry_list(services: Services, actor: Actor, status: InquiryStatus) -> None:
    inquiries = services.inquiries.list(actor, status)
    if not inquiries:
        st.caption(t("inquiries.none"))
        return
    for inquiry in inquiries:
        inquiry_card(services, actor, inquiry)


def inquiry_card(services: Services, actor: Actor, inquiry: Inquiry) -> None:
    with st.container(border=True):
        st.markdown(f"**{md_escape(inquiry.subject)}**")
        st.caption(t(
            "inquiries.from_line", name=md_escape(inquiry.name), email=md_escape(inquiry.email),
            company=md_escape(inquiry.company or "-"), type=type_label(inquiry.type),
            at=format_time(inquiry.created_at, services.settings.tz),
        ))
        st.text(inquiry.message)  # plain text: nothing a visitor typed is rendered
        if inquiry.status == InquiryStatus.HANDLED:
            st.caption(t("inquiries.handled_line", by=md_escape(inquiry.handled_by or "?"),
                         at=format_time(inquiry.handled_at, services.settings.tz)
                         if inquiry.handled_at else "?"))
        handled = inquiry.status == InquiryStatus.OPEN
        label = t("inquiries.mark_handled") if handled else t("inquiries.reopen")
        if st.button(label, key=f"inq_toggle_{inquiry.id}"):
            try:
                services.inquiries.set_handled(actor, inquiry.id, handled)
            except DemoFactoryError as exc:
                show_error(exc)
                return
            flash(t("inquiries.marked") if handled else t("inquiries.reopened"))
            st.rerun()
