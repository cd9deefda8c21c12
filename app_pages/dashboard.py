"""Usage dashboards (analysts and admins): live KPI tiles and tabs, all from rollups. A chart
click filters the view; the period and filters live in the URL, so a link reproduces it."""

import streamlit as st

from services.analytics.dashboards import Preset
from services.domain.permissions import Action, can
from services.ui import insights_cache, lazy, session
from services.ui.dashboard import (
    DEFAULT_PRESET,
    PRESET_KEY,
    controls,
    empty_board,
    live_kpis,
    live_toggle,
    period_caption,
)
from services.ui.dashboard_filters import chips, read_url_once, state_filters, url_notice, write_url
from services.ui.dashboard_tabs import kept_widgets as tab_widgets
from services.ui.dashboard_tabs import render_tabs
from services.ui.fragments import fragment_body
from services.ui.i18n import t
from services.ui.insights import insights_panel
from services.ui.live_now import live_now
from services.ui.my_insights import follow_control
from services.ui.row_filters import clear_chips, focus_after_filter_change, remove_chip

services = session.services()
actor = session.actor()

refresh_seconds = services.settings.dashboard_refresh_seconds
# The board's own switches beside its title, as a header's actions: on their own lines they
# pushed the views (the tab bar and the trend) further below a laptop's first screen.
with st.container(horizontal=True, vertical_alignment="center"):
    st.title(t("analytics.title"), anchor=False)
    live = live_toggle(refresh_seconds)
    follow_control(services, actor)
live_now(services.analytics, actor, refresh_seconds, live)
authors = dict(services.analytics.author_options(actor))
read_url_once(services.analytics.today(), authors)
url_notice()


# A period, filter, tab or chart click reruns the board only: the "now" panel above does not
# depend on them and is not read and drawn again.
@st.fragment
@fragment_body
def board_view() -> None:
    lazy.keep(*tab_widgets())  # only the open tab is drawn
    period = controls(services.analytics, actor)
    if period is None:
        return
    filters = state_filters()
    preset = Preset(st.session_state.get(PRESET_KEY) or DEFAULT_PRESET)
    write_url(preset, period, filters)
    chips_row = st.container()  # filled once the board knows the filtered item's title
    st.caption(period_caption(period, services.analytics.today()))

    live_kpis(services.analytics, actor, preset, period, filters, refresh_seconds, live)
    board = services.analytics.dashboard(actor, period, filters)
    with chips_row:
        chips(filters, authors, board.item_title, remove_chip, clear_chips)
        focus_after_filter_change()  # to the chip a row just set, or past the one removed
    if board.is_empty and (filters.active or filters.segment is not None):
        st.info(t("dashfilter.empty_filtered"), icon=":material/filter_alt_off:")
    elif board.is_empty:
        empty_board(actor, period, services.settings.emulation)
    else:
        found = insights_cache.insights(services, actor, period)  # not again on every rerun
        insights_panel(found, period)
        # The companies table is for administrators and analysts (who alone may open this
        # page).
        may_see_companies = can(actor, Action.VIEW_DASHBOARDS)
        render_tabs(board, (lambda: services.analytics.companies(actor, period))
                    if may_see_companies else None, marks=found.trend_marks())


board_view()
