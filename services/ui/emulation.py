"""The banner of the AWS emulation mode (``DEMO_FACTORY_EMULATION=true``, scripts/emulate.py)."""

from __future__ import annotations

import streamlit as st

from services.settings import Settings
from services.ui.i18n import t


def emulation_banner(settings: Settings) -> None:
    """On every page while emulating: nobody should mistake it for the real service."""
    if settings.emulation:
        st.warning(t("deploy.emulation_banner"), icon=":material/science:")
