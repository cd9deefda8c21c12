"""Usage dashboards (analysts and admins): live KPI tiles and tabs, all from rollups."""

import streamlit as st

from services.domain.permissions import Action, can
from services.ui import session
from services.ui.dashboard import controls, live_kpis, period_caption
from services.ui.dashboard_tabs import render_tabs
from services.ui.i18n import t
from services.ui.insights import insights_panel
from services.ui.live_now import live_now
from services.ui.my_insights import follow_control
from services.ui.widgets import empty_state

services = session.services()
actor = session.actor()

st.title(t("analytics.title"))
live_now(services.analytics, actor, services.settings.dashboard_refresh_seconds)
chosen = controls(services.analytics, actor)
if chosen is None:
    st.stop()
period, filters = chosen
st.caption(period_caption(period, services.analytics.today()))

live_kpis(services.analytics, actor, period, filters, services.settings.dashboard_refresh_seconds)
board = services.analytics.dashboard(actor, period, filters)
if board.is_empty:
    empty_state(t("analytics.empty_title"), t("analytics.empty_hint"))
    st.code("python -m scripts.seed_demo --events 100000 --days 90", language="bash")
else:
    found = services.insights.insights(actor, period)
    insights_panel(found, period)
    follow_control(services, actor)
    # The companies table is for administrators and analysts (who alone may open this page).
    may_see_companies = can(actor, Action.VIEW_DASHBOARDS)
    render_tabs(board, (lambda: services.analytics.companies(actor, period))
                if may_see_companies else None, marks=found.trend_marks())
