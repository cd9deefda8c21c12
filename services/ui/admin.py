"""The admin page's sample-content section (users: ``services/ui/admin_users.py``)."""

from __future__ import annotations

import streamlit as st

from services.bootstrap import Services
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.ui.i18n import t
from services.ui.widgets import flash, show_error

_CONFIRM_SAMPLES = "confirm_remove_samples"


def samples_section(services: Services, actor: Actor) -> None:
    st.subheader(t("admin.samples_title"))
    if not services.content.sample_count():
        st.caption(t("admin.samples_none"))
        return
    st.write(t("admin.samples_text"))
    if st.button(t("admin.samples_remove"), key="adm_samples_remove", icon=":material/delete:"):
        st.session_state[_CONFIRM_SAMPLES] = True
    if not st.session_state.get(_CONFIRM_SAMPLES):
        return
    st.warning(t("admin.samples_confirm"), icon=":material/warning:")
    yes_col, no_col = st.columns(2)
    if yes_col.button(t("admin.samples_confirm_yes"), key="adm_samples_yes", type="primary"):
        st.session_state.pop(_CONFIRM_SAMPLES, None)
        try:
            removed = services.content.remove_samples(actor)
        except DemoFactoryError as exc:
            show_error(exc)
            return
        flash(t("admin.samples_removed", count=removed))
        st.rerun()
    if no_col.button(t("common.cancel"), key="adm_samples_no"):
        st.session_state.pop(_CONFIRM_SAMPLES, None)
        st.rerun()
