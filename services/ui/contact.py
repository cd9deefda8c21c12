"""The public contact form and the admins' inquiry list."""

from __future__ import annotations

import hashlib

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from services.bootstrap import Services
from services.domain.inquiries import (
    LIMITS,
    Inquiry,
    InquiryDraft,
    InquiryStatus,
    InquiryType,
    field_length,
    inquiry_problems,
    reference,
    stripped,
)
from services.domain.models import new_id
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.i18n.times import format_time
from services.ui import form_reset, tracking
from services.ui.browser_state import browser_sent
from services.ui.field_errors import FieldSlots, required_note
from services.ui.i18n import relabel, t
from services.ui.widgets import flash, md_escape, show_error

_TEXT_FIELDS = {"name": "ct_name", "email": "ct_email", "company": "ct_company",
                "subject": "ct_subject", "message": "ct_message"}
_TOKEN = "ct_token"  # noqa: S105 (a session key; the form's submission token, one per form)
_SENT = "ct_sent"  # (fingerprint of what was sent, its token, the thanks): a resubmit reuses it
_FORM = "ct_form"
# Field names in messages ("회사 (선택)" reads badly inside a sentence).
_FIELD_LABELS = {"company": "inquiries.company_short"}


def type_label(kind: InquiryType) -> str:
    return t(f"inquiries.type_{kind.value}")


def contact_form(services: Services, actor: Actor) -> None:
    form_reset.empty_if_marked(_FORM, _empty_fields(actor))
    if actor.is_authenticated:  # a signed-in visitor's name and email, editable
        for key, value in (("ct_name", actor.name), ("ct_email", actor.email)):
            if not browser_sent(key):  # else what the browser shows, after a server restart
                st.session_state.setdefault(key, value)
    token = st.session_state.setdefault(_TOKEN, new_id())
    # No max_chars: Streamlit drops a paste longer than it without a word, and the field then
    # reads as empty. The limit is shown instead, and a longer text is refused on send, kept.
    # No Enter to send: its "Press Ctrl+Enter to submit form" hint cannot be translated.
    slots = FieldSlots()  # each field's problem is shown right under it
    with st.form(_FORM, enter_to_submit=False):
        required_note()
        name_col, email_col = st.columns(2)
        name = _text_input(name_col, "name", slots)
        email = _text_input(email_col, "email", slots)
        company_col, type_col = st.columns(2)
        company = _text_input(company_col, "company", slots)
        kind = type_col.selectbox(t("inquiries.type"), options=list(InquiryType),
                                  format_func=type_label, key=relabel("ct_type"),
                                  placeholder=t("common.choose"))
        subject = _text_input(st.container(), "subject", slots)
        message = st.text_area(t("inquiries.message"), key="ct_message", height=200,
                               help=t("inquiries.limit_help", max=LIMITS["message"]))
        slots.under("message")
        # A form sends its fields only with the send button: before that the box's length is
        # not known here, and "0 / 5,000" would stand still while the person types.
        st.caption(t("inquiries.count", length=len(message), max=LIMITS["message"]) if message
                   else t("inquiries.limit", max=LIMITS["message"]))
        consent = st.checkbox(t("inquiries.consent"), key="ct_consent")
        slots.under("consent")
        submitted = st.form_submit_button(t("inquiries.submit"), type="primary",
                                          icon=":material/send:")
    if not submitted:
        return
    draft = stripped(InquiryDraft(name, email, company, kind or InquiryType.OTHER, subject,
                                  message, consent))
    if _SENT in st.session_state and _is_blank(draft):
        # The second click of a double click lands on the form the first one emptied: the
        # person sees their thanks again, not a list of empty fields.
        flash(st.session_state[_SENT][2])
        st.rerun()
    problems = inquiry_problems(draft)
    if problems:  # nothing is cleared: the person fixes what they typed
        slots.show((field, _problem_text(draft, field, key)) for field, key in problems)
        return
    fingerprint = _fingerprint(draft)
    sent = st.session_state.get(_SENT)
    if sent and sent[0] == fingerprint:  # the same form again (a second click): same token
        token = sent[1]
    try:
        inquiry = services.inquiries.submit(actor, draft, tracking.session_id(), token=token)
    except DemoFactoryError as exc:
        slots.show_error(exc)  # what was typed stays in the fields
        return
    thanks = t("inquiries.thanks", number=reference(inquiry.id))
    st.session_state[_SENT] = (fingerprint, token, thanks)
    st.session_state.pop(_TOKEN, None)  # the next form drawn gets a new token
    form_reset.empty_next_run(_FORM)
    flash(thanks)
    st.rerun()


def _text_input(where: DeltaGenerator, field: str, slots: FieldSlots) -> str:
    """A limited text field: the limit in the help text, never ``max_chars`` (see above);
    its error slot under it."""
    typed = where.text_input(t(f"inquiries.{field}"), key=_TEXT_FIELDS[field],
                             help=t("inquiries.limit_help", max=LIMITS[field]))
    slots.under(field, where)
    return typed


def _problem_text(draft: InquiryDraft, field: str, key: str) -> str:
    if key != "inquiries.err_too_long":
        return t(key)
    label = t(_FIELD_LABELS.get(field, f"inquiries.{field}"))
    return t("inquiries.err_field_too_long", field=label, length=field_length(draft, field),
             max=LIMITS[field])


def _empty_fields(actor: Actor) -> dict[str, object]:
    """The form after a send: empty, but for a signed-in visitor's own name and email."""
    empty: dict[str, object] = dict.fromkeys(_TEXT_FIELDS.values(), "")
    empty["ct_consent"] = False
    if actor.is_authenticated:
        empty.update(ct_name=actor.name, ct_email=actor.email)
    return empty


def _is_blank(draft: InquiryDraft) -> bool:
    """Nothing of an inquiry typed (name and email may be a signed-in user's, filled in)."""
    return not any((draft.company, draft.subject, draft.message, draft.consent))


def _fingerprint(draft: InquiryDraft) -> str:
    """A digest of what was sent, so that session state does not keep the text itself."""
    text = "\x1f".join((draft.name, draft.email, draft.company, draft.type.value,
                        draft.subject, draft.message))
    return hashlib.sha256(text.encode()).hexdigest()


def inquiry_list(services: Services, actor: Actor, status: InquiryStatus) -> None:
    inquiries = services.inquiries.list(actor, status)
    if not inquiries:
        st.caption(t("inquiries.none"))
        return
    for inquiry in inquiries:
        inquiry_card(services, actor, inquiry)


def inquiry_card(services: Services, actor: Actor, inquiry: Inquiry) -> None:
    with st.container(border=True):
        st.markdown(f"**{md_escape(inquiry.subject)}** · `{reference(inquiry.id)}`")
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
