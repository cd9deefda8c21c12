"""The visit-purpose question: a small card on the home page (no other page asks), once per
browser session, never blocking. An answer or "not now" puts it away; a skip is counted.

Its answer acts as the signed-in user, from a widget callback that runs before app.py checks
the sign-in: it goes through ``fragments.signed_in_callback`` as a like does, so an answer
given after the sign-in ended elsewhere is not recorded with the old user's id. (It lives
apart from ``tracking`` because the sign-in code records through ``tracking``.)
"""

from __future__ import annotations

import streamlit as st

from services.domain.analytics import Purpose
from services.ui import tracking
from services.ui.fragments import signed_in_callback
from services.ui.i18n import t

WIDGET_KEY = "df_purpose"
SKIP_KEY = "df_purpose_skip"
ANSWERS = [p for p in Purpose if p is not Purpose.SKIPPED]


def _answer(purpose: Purpose) -> None:
    tracking.visitor_purpose(purpose)
    if purpose is not Purpose.SKIPPED:
        st.toast(t("analytics.purpose_thanks"), icon=":material/favorite:")


def _picked() -> None:
    chosen = st.session_state.get(WIDGET_KEY)
    if chosen:
        _answer(Purpose(chosen))


def purpose_prompt() -> None:
    """The card, unless this browser session settled it; never shown to a signed-in user who
    gave their purpose at sign-up."""
    if tracking.purpose_settled():
        return
    if tracking.signed_up_purpose() is not None:
        # Answered at sign-up: the visit's purpose comes from the profile (the analytics
        # service records it once per visit), so the question is not asked again.
        tracking.settle_purpose()
        return
    with st.container(border=True):
        st.markdown(f"**{t('analytics.purpose_question')}**")
        st.caption(t("analytics.purpose_hint"))
        st.pills(
            t("analytics.purpose_question"), options=[p.value for p in ANSWERS],
            format_func=tracking.purpose_label, key=WIDGET_KEY,
            on_change=signed_in_callback(_picked), label_visibility="collapsed",
        )
        st.button(t("analytics.purpose_skip"), key=SKIP_KEY, type="tertiary",
                  on_click=signed_in_callback(_answer), args=(Purpose.SKIPPED,),
                  icon=":material/close:")
