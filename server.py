"""The server: Streamlit's own, running app.py, with each page's address answered at once.

``streamlit run server.py`` finds ``app`` and serves it (Streamlit's ``st.App``); why the page
addresses get their own routes is in ``services/ui/page_server.py``. AppTest and the page
scripts use ``app.py`` directly.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from services.ui.page_server import page_routes

app = st.App(Path(__file__).resolve().parent / "app.py", routes=page_routes())
