"""The dashboard's controls and live KPI tiles (its tables: ``data_table``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import streamlit as st

from services.analytics.dashboards import Kpi, KpiKind, Period, Preset
from services.analytics.periods import DASHBOARD_PRESET, PRESET_DAYS, earliest_day
from services.analytics.service import AnalyticsService
from services.analytics.tables import Filters
from services.domain.models import Category
from services.domain.permissions import Action, Actor, can
from services.i18n.times import clock_time
from services.ui import lazy
from services.ui.browser_state import browser_sent
from services.ui.fragments import fragment_body
from services.ui.i18n import category_label, kpi_text, language, period_text, relabel, t
from services.ui.tiles import Scope, Tile, render_tiles, unchanged
from services.ui.widgets import empty_state

PRESET_KEY = "dash_preset"
RANGE_KEY = "dash_range"
SHOWN_KEY = "dash_shown"  # the last period drawn: where a switch to a custom range starts
CATEGORY_KEY = "dash_category"
AUTHOR_KEY = "dash_author"
FILTERS_OPEN_KEY = "dash_filters_open"  # the filters' panel
FILTERS_BOX_KEY = "dash_filters_box"
LIVE_OPEN_KEY = "live_open"  # the live "now" panel (services/ui/live_now.py)
INSIGHTS_OPEN_KEY = "insights_open"  # the insights panel (services/ui/insights.py)
LIVE_KEY = "dash_live"
LONGER_KEY = "dash_longer"
KPI_FRAGMENT = "dash_kpis"  # the live tiles' fragment (what the browser reruns on its own)
ALL = ""
DEFAULT_PRESET = DASHBOARD_PRESET
LONGEST_PRESET = max(PRESET_DAYS, key=PRESET_DAYS.__getitem__)
SEED_COMMAND = "python -m scripts.seed_demo --events 100000 --days 90"
EMULATION_SEED_COMMAND = "python -m scripts.emulate --events 2000"
TILES_PER_ROW = 4

# The filters' panel sits beside the period's buttons, below the period's label (Streamlit's
# labels are 1.5rem high). Aligned to the row's top, not its bottom: bottom-aligned, opening
# the panel pushed the period control down to the panel's end. Stacked on a phone, it follows
# the period control directly.
CONTROL_RULES = f"""
.st-key-{FILTERS_BOX_KEY} {{ margin-top: 1.5rem; }}
@media (max-width: 640px) {{ .st-key-{FILTERS_BOX_KEY} {{ margin-top: 0; }} }}
"""


def preset_label(preset: Preset | str) -> str:
    return t(f"analytics.preset.{Preset(preset).name.lower()}")


@dataclass(frozen=True)
class PeriodKeys:
    """The session keys of one page's period control: the preset, the custom range, and the
    last period drawn (where a switch to a custom range starts)."""

    preset: str
    range: str
    shown: str


BOARD_KEYS = PeriodKeys(PRESET_KEY, RANGE_KEY, SHOWN_KEY)


def _custom_start(today: date, keys: PeriodKeys) -> tuple[date, date]:
    """A new custom range starts as the period that was on screen (the last 7 days if none
    was): switching to it keeps the numbers in view until another range is picked."""
    shown = st.session_state.get(keys.shown)
    if isinstance(shown, tuple) and len(shown) == 2 and all(isinstance(d, date) for d in shown):
        start, end = (min(max(day, earliest_day(today)), today) for day in shown)
        return start, end
    return today - timedelta(days=6), today


def _custom_period(analytics: AnalyticsService, today: date, keys: PeriodKeys) -> Period | None:
    chosen = st.date_input(
        t("analytics.custom_range"), value=_custom_start(today, keys),
        min_value=earliest_day(today), max_value=today, key=keys.range, format="YYYY-MM-DD",
    )
    days = list(chosen) if isinstance(chosen, tuple | list) else [chosen]
    if len(days) != 2 or days[0] is None or days[1] is None:
        st.caption(t("analytics.custom_pick_end"))
        return None
    return analytics.period(Preset.CUSTOM, days[0], days[1])


def period_control(analytics: AnalyticsService, keys: PeriodKeys,
                   default: Preset) -> tuple[Preset, Period | None]:
    """The period picker (a preset, or a custom range) of the dashboard and the item and author
    pages: the preset chosen and its period, None while a custom range is half picked."""
    # No ``default``: links and chart clicks set the preset through the session state.
    st.session_state.setdefault(keys.preset, default)
    preset = Preset(st.segmented_control(
        t("analytics.period"), options=list(Preset), format_func=preset_label,
        key=relabel(keys.preset), required=True,
    ) or default)
    if preset is Preset.CUSTOM:
        period = _custom_period(analytics, analytics.today(), keys)
    else:
        period = analytics.period(preset)
    if period is not None:
        st.session_state[keys.shown] = (period.start, period.end)
    return preset, period


def widget_key(key: str) -> str:
    """A selectbox keeps showing its old labels after a language switch, so each language
    gets its own widget; the choice itself lives in the plain session key ``key``."""
    return f"{key}_{language()}"


def _copy_choice(widget: str, key: str, default: str | None) -> None:
    chosen = st.session_state.get(widget)
    st.session_state[key] = default if chosen is None else chosen


def choice(label: str, options: list[str], format_func: Callable[[str], str], key: str,
           default: str | None = ALL, placeholder: str | None = None) -> str | None:
    """A select box over the plain session key ``key`` (which chart clicks, filter chips and
    links set too): the widget is set from it on every run and copies a choice back, so the
    choice survives a language switch (a new widget) and a run that does not draw it.
    ``default`` None: nothing chosen until the user picks (``placeholder`` shown)."""
    widget = widget_key(key)
    # A new server session under a tab that shows this select box (the server restarted): the
    # choice is what the browser shows, not the default set over it.
    shown = key not in st.session_state and browser_sent(widget)
    found = st.session_state.get(key, default)
    stored = found if isinstance(found, str) and found in options else default
    st.session_state[key] = stored
    # Without a default the widget keeps index None, so emptying it again means None rather
    # than falling back to the choice; its value then always comes through its state.
    empty_default = default is None
    if (not shown and (widget in st.session_state or empty_default)
            and st.session_state.get(widget) != stored):
        st.session_state[widget] = stored  # set elsewhere since the last run, or a new widget
    sent = st.selectbox(
        label, options, index=None if empty_default else options.index(str(stored)),
        format_func=format_func, key=relabel(widget), on_change=_copy_choice,
        args=(widget, key, default), placeholder=placeholder or t("common.choose"))
    if shown and sent in options:
        st.session_state[key] = stored = sent
    return stored


def controls(analytics: AnalyticsService, actor: Actor) -> Period | None:
    """The period picker, and the category and author filters in a panel drawn only while open
    (two select widgets were about a tenth of the page's drawing; the filter chips say what is
    chosen, and chart clicks set the same choices); None while a custom range is half
    picked."""
    period_col, filter_col = st.columns([3, 2], vertical_alignment="top")
    with period_col:
        _, period = period_control(analytics, BOARD_KEYS, DEFAULT_PRESET)
    with filter_col, st.container(key=FILTERS_BOX_KEY):  # level with the buttons: CONTROL_RULES
        lazy.expander(t("dashfilter.panel"), FILTERS_OPEN_KEY,
                      partial(_filter_choices, analytics, actor), icon=":material/filter_list:",
                      kept=True)  # open, it stays open for the session
    return period


def _filter_choices(analytics: AnalyticsService, actor: Actor) -> None:
    category_col, author_col = st.columns(2)
    with category_col:
        choice(
            t("content.category_label"), [ALL, *(c.value for c in Category)],
            lambda c: t("content.all_categories") if c == ALL else category_label(c),
            CATEGORY_KEY,
        )
    authors = dict(analytics.author_options(actor))
    with author_col:
        choice(
            t("content.author"), [ALL, *authors],
            lambda a: t("content.all_authors") if a == ALL else authors.get(a, a), AUTHOR_KEY,
        )


def period_caption(period: Period, today: date) -> str:
    previous = period.previous()
    text = t("analytics.period_caption", period=period_text(period.start, period.end),
             days=period.days, previous=period_text(previous.start, previous.end))
    if period.running(today):
        text += " · " + t("analytics.period_running")
    return text


# ---- KPI tiles -------------------------------------------------------------------------------


def _format(kind: KpiKind, value: float | str | None) -> str:
    return kpi_text(kind, value)


def _delta(kpi: Kpi) -> str | None:
    if kpi.kind is KpiKind.LABEL:
        return f"{kpi.share:.1%}" if kpi.share is not None else None  # as every rate
    if kpi.change is None:
        if kpi.is_new:
            return t("analytics.delta_new")
        # After a negative count (net likes) a percent would point the wrong way.
        return f"{kpi.difference:+,.0f}" if kpi.difference is not None else None
    unit = "%p" if kpi.kind is KpiKind.RATE else "%"
    return f"{kpi.change:+.1f}{unit}"


def tile(kpi: Kpi) -> Tile:
    """What one KPI tile shows (value, change, help with the previous value)."""
    help_text = (t(f"analytics.kpi_help.{kpi.key}") + "\n\n"
                 + (t("dashfilter.unsplit_help") if kpi.unsplit else
                    t("analytics.previous_value", value=_format(kpi.kind, kpi.previous))))
    delta = _delta(kpi)
    neutral = kpi.kind is KpiKind.LABEL
    return Tile(
        t(f"analytics.kpi.{kpi.key}"), _format(kpi.kind, kpi.value), delta, help_text,
        description=(t("analytics.share_of_views") if neutral else t("analytics.vs_previous"))
        if delta else None,
        inverse=kpi.key == "purpose_skip_rate", neutral=neutral,
        flat=unchanged(kpi.change if kpi.change is not None else kpi.difference),
        scope=Scope.PLATFORM if kpi.platform_wide else Scope.FILTERED,
    )


def kpi_panel(analytics: AnalyticsService, actor: Actor, period: Period,
              filters: Filters) -> None:
    """The live fragment's body: read the KPIs, draw the tiles and the time of this read."""
    render_tiles([tile(kpi) for kpi in analytics.kpis(actor, period, filters)],
                 TILES_PER_ROW, notes_key="dash_tile_notes")
    now = clock_time(datetime.now(analytics.timezone))
    st.caption(t("analytics.updated_at", time=now) + " · " + t("analytics.tiles_legend"))


def live_toggle(every_seconds: int) -> bool:
    """Whether the live parts (the "now" panel, the KPI tiles) refresh on their own. Drawn
    outside the board's fragment: switching it reruns the page, which re-creates both."""
    return st.toggle(t("analytics.live", seconds=every_seconds), value=True, key=LIVE_KEY)


def live_kpis(analytics: AnalyticsService, actor: Actor, preset: Preset, period: Period,
              filters: Filters, every_seconds: int, live: bool) -> None:
    """KPI tiles that refresh on their own every ``every_seconds`` while ``live``, without
    rerunning the rest of the page; after local midnight a preset's period has moved on, and
    the whole page is drawn again for the new one."""

    @st.fragment(run_every=every_seconds if live else None, key=KPI_FRAGMENT)
    @fragment_body
    def tiles() -> None:
        if preset is not Preset.CUSTOM and analytics.period(preset) != period:
            # Else the tiles go on reading the day the page was drawn on: a dashboard left
            # open on "today" would show none of the new day's visitors.
            st.rerun(scope="app")
        kpi_panel(analytics, actor, period, filters)

    tiles()


# ---- an empty period -------------------------------------------------------------------------


def _widen() -> None:
    # A callback: the period control is already drawn when the button is, and a widget's
    # state may only change before it is drawn.
    st.session_state[PRESET_KEY] = LONGEST_PRESET


def empty_board(actor: Actor, period: Period, emulation: bool = False) -> None:
    """What a period without events says to do: a longer period, or wait for visits. Only an
    administrator, who may add and remove sample data, is shown the command that adds it (on
    a live install an analyst has no use for it). In the AWS emulation that command, run beside
    it, would seed local mode's store: the emulation adds sample usage when it starts."""
    admin = can(actor, Action.MANAGE_SAMPLES)
    hint = ("analytics.empty_hint_emulation" if emulation else "analytics.empty_hint_admin") \
        if admin else "analytics.empty_hint"
    empty_state(t("analytics.empty_title"), t(hint))
    longest = PRESET_DAYS[LONGEST_PRESET]
    if period.days < longest:
        st.button(t("analytics.empty_longer", days=longest), key=LONGER_KEY, on_click=_widen,
                  icon=":material/date_range:")
    if admin:
        st.code(EMULATION_SEED_COMMAND if emulation else SEED_COMMAND, language="bash")
