"""The dashboard's funnels tab: pick a funnel (default, own, or opened by a ``?funnel=`` link),
see its steps for the period and the previous one, define a new one, delete one's own."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from services.analytics.dashboards import Dashboard
from services.analytics.funnels import FunnelReport, FunnelService, ItemChoices
from services.domain.analytics import EventType
from services.domain.funnels import (
    DEFAULT_FUNNELS,
    MAX_STEPS,
    MIN_STEPS,
    WINDOW_MAX,
    Funnel,
    Step,
    StepKind,
    narrowable,
)
from services.domain.models import Category, new_id
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.ui import charts, confirm, form_reset, insights_cache, lazy, routes, session
from services.ui.browser_state import browser_sent, sent_suffix
from services.ui.chart_view import show_chart
from services.ui.dashboard import choice, widget_key
from services.ui.dashboard_filters import item_text
from services.ui.data_table import Col, table
from services.ui.field_errors import FieldSlots, required_note
from services.ui.filter_notes import filter_note
from services.ui.funnel_item_picker import (
    REFUSED_ITEM,
    item_field,
    item_key,
    kept_refusal,
    redraw_without_deleted,
)
from services.ui.gate import url_path
from services.ui.i18n import category_label, relabel, t
from services.ui.page_names import page_label
from services.ui.url_params import current, shareable_address, write_params
from services.ui.widgets import act, md_escape, show_error

QUERY = "funnel"  # ?funnel=<id> opens that funnel
PICK_KEY = "funnel_pick"
PENDING_KEY = "funnel_pick_next"
LINKED_KEY = "funnel_link_opened"
TAB_LINK_KEY = "funnel_link_tab"
TABS_KEY = "analytics_tab"  # the dashboard's stateful tabs (services/ui/dashboard_tabs.py)
STEPS_KEY = "funnel_steps_n"
CONFIRM_KEY = "funnel_confirm_delete"
BUILDER_OPEN_KEY = "funnel_builder_open"
NAME_KEY = "funnel_name"
WINDOW_KEY = "funnel_window"
WINDOW_DEFAULT = 30
FORM_KEY = "funnel_form"  # _Form: the builder's submission token and its last save
SAVE_KEY = "funnel_save"  # + the submission token
# A page step names a page by the address its page views record (app.py); its name is the
# menu's (``page_names.page_label``), never a second set of words.
PAGES = (*(url_path(route) for route in (routes.HOME, routes.BROWSE, routes.CONTENT,
                                         routes.MY_CONTENT, routes.DASHBOARD, routes.REPORTS,
                                         routes.CONTACT)),
         *(routes.category_url_path(c) for c in Category))
EVENTS = (EventType.SEARCH, EventType.CONTENT_VIEW, EventType.DOWNLOAD, EventType.LIKE)
_ANY = ""
_LABELLED = {e.value for e in (*EVENTS, EventType.PAGE_VIEW)}  # analytics.event.* has these


def funnel_name(funnel: Funnel) -> str:
    return t(funnel.name) if funnel.is_default else funnel.name


def step_label(step: Step, titles: Mapping[str, str] | None = None) -> str:
    """What a step is, in words: "Page: Home", "Downloads · Finance · <item title>" (from
    ``titles``, the titles of the items that still exist; else the deleted-item words)."""
    if step.kind is StepKind.PAGE:
        return t("funnels.kind_page") + ": " + page_label(step.value)
    parts = [t(f"analytics.event.{step.value}") if step.value in _LABELLED else step.value]
    if step.category:
        parts.append(category_label(step.category) if step.category in set(Category)
                     else step.category)
    if step.content_id:
        parts.append(item_text((titles or {}).get(step.content_id)))
    return " · ".join(parts)


def register(sections: list[Callable[[Dashboard], None]], names: list[str]) -> None:
    """The dashboard's registration of this tab (last), before the tabs are drawn."""
    sections.append(funnels_tab)
    names.append("funnels")
    follow_link()


def follow_link() -> None:
    """A ``?funnel=`` link opens the funnels tab (once per link; called before the tabs are
    drawn, the only time their state may be set)."""
    shared = st.query_params.get(QUERY)
    if shared and st.session_state.get(TAB_LINK_KEY) != shared:
        st.session_state[TAB_LINK_KEY] = shared
        st.session_state[TABS_KEY] = t("analytics.tab.funnels")


def funnels_tab(board: Dashboard) -> None:
    service = session.services().funnels
    actor = session.actor()
    st.caption(t("funnels.intro"))
    filter_note(board.filters)  # a funnel's counts are kept per step, not per item or segment
    if service is None:
        return
    _after_save()
    linked = st.query_params.get(QUERY)
    # A funnel opened from a link stays in the picker for the session (the address then
    # names whichever funnel is picked).
    shared = linked or st.session_state.get(LINKED_KEY)
    options = service.available(actor, shared_id=shared)
    if linked and all(f.id != linked for f in options):
        st.warning(t("funnels.stale_link"), icon=":material/link_off:")
    funnel = _pick(options, linked, shared)
    try:
        report = service.report(actor, funnel.id, board.period)
    except DemoFactoryError as exc:  # e.g. its count could not be finished: the rest stays
        show_error(exc)
    else:
        _show(report)
    _delete(service, actor, funnel)
    lazy.expander(t("funnels.builder"), BUILDER_OPEN_KEY, lambda: _builder(service, actor),
                  icon=":material/add:")


def _pick(options: list[Funnel], linked: str | None, shared: str | None) -> Funnel:
    """The picker. Its widget state is set only before it is drawn: a funnel just saved (or
    deleted) is handed over in ``PENDING_KEY`` for the next run."""
    by_id = {f.id: f for f in options}
    ids = list(by_id)
    key = widget_key(PICK_KEY)
    wanted = st.session_state.pop(PENDING_KEY, None)
    if linked in by_id and st.session_state.get(LINKED_KEY) != linked:
        st.session_state[LINKED_KEY] = linked  # a link opens its funnel once
        wanted = wanted or linked
    wanted = wanted or st.session_state.get(key) or st.session_state.get(PICK_KEY)
    if wanted is not None or not browser_sent(key):  # else the browser's pick, after a restart
        st.session_state[key] = wanted if wanted in by_id else ids[0]
    # Labelled here, not in the format function: who "shared" is depends on the session.
    labels = {i: _option(funnel, shared) for i, funnel in by_id.items()}
    chosen = str(st.selectbox(
        t("funnels.pick"), ids, format_func=labels.__getitem__,
        key=relabel(key), placeholder=t("funnels.pick_placeholder"),
    ))
    chosen = chosen if chosen in by_id else ids[0]  # the browser's, of a funnel deleted since
    st.session_state[PICK_KEY] = chosen
    # The address names a funnel of one's own: a link shares it.
    write_params((QUERY,), {} if by_id[chosen].is_default else {QUERY: chosen})
    return by_id[chosen]


def _option(funnel: Funnel, shared: str | None) -> str:
    if funnel.is_default:
        return f"{funnel_name(funnel)} ({t('funnels.default_badge')})"
    if funnel.id == shared and funnel.owner != session.actor().user_id:
        return f"{funnel_name(funnel)} ({t('funnels.shared_badge')})"
    return funnel_name(funnel)


def _show(report: FunnelReport) -> None:
    funnel = report.funnel
    notes = [t("funnels.window", minutes=funnel.window_minutes)]
    if funnel.backfilled:  # an unfinished one is complete from no day: funnel_view says so
        notes.append(t("funnels.counted_from", date=funnel.counted_from.isoformat())
                     if funnel.counted_from else t("funnels.counted_always"))
    st.caption(" · ".join(notes))
    if not funnel.is_default:
        st.caption(t("funnels.share"))
        st.code(shareable_address({**current(), QUERY: funnel.id}), language=None)
    labels = [f"{i + 1}. {step_label(step, report.titles)}"
              for i, step in enumerate(funnel.steps)]
    funnel_view(report, labels, "chart_funnel", "funnel", t("funnels.empty"))


def funnel_view(report: FunnelReport, labels: list[str], chart_key: str, name: str,
                empty: str) -> None:
    """A funnel's chart (or ``empty`` when no visit entered it) and its table with a CSV
    (``name`` names the CSV file and its button); numbers whose back-fill is not finished are
    said to be so first."""
    if not report.funnel.backfilled:
        st.warning(t("funnels.counting"), icon=":material/hourglass_top:")
    if report.entered:
        show_chart(funnel_chart(report, labels), chart_key)
    else:  # named as its chart would name it: an item page's two empty funnels were two
        st.markdown(f"**{md_escape(funnel_name(report.funnel))}**")  # alike, nameless notes
        st.info(empty, icon=":material/info:")
    frame = pd.DataFrame({
        "step": labels,
        "visits": [row.visits for row in report.rows],
        "conversion": [row.conversion for row in report.rows],
        "drop_off": [row.drop_off for row in report.rows],
        "previous": [row.previous_visits for row in report.rows],
    })
    table(frame, [Col("step", t("funnels.col.step"), "wide"),
                  Col("visits", t("funnels.col.visits"), "int"),
                  Col("conversion", t("funnels.col.conversion"), "percent"),
                  Col("drop_off", t("funnels.col.drop_off"), "percent"),
                  Col("previous", t("funnels.col.previous"), "int")],
          name, report.period, of=(t("funnels.col.funnel"), funnel_name(report.funnel)))


def funnel_chart(report: FunnelReport, labels: list[str]) -> go.Figure:
    """Bars per step, each labelled with its visits and its share of step 1; the previous
    period beside, in grey. Labels are literal text (an item's title is its author's text)."""
    shown = [charts.plain(charts.shorten(label)) for label in labels]
    rates = [t("funnels.conversion_label", rate=f"{row.conversion or 0:.1%}")
             for row in report.rows]
    visits = [row.visits for row in report.rows]
    previous = [row.previous_visits for row in report.rows]
    fig = go.Figure([
        go.Bar(x=shown, y=visits, name=t("funnels.col.visits"), marker_color=charts.PRIMARY,
               text=[f"{v:,}<br>{r}" for v, r in zip(visits, rates, strict=True)],
               # Level: plotly turned a label that did not fit sideways (a phone's bars).
               textposition="auto", textangle=0,
               hovertemplate="%{x}: %{y:,}<extra></extra>"),
        go.Bar(x=shown, y=previous, name=t("funnels.col.previous"), marker_color=charts.PREVIOUS,
               hovertemplate="%{x}: %{y:,}<extra></extra>"),
    ])
    fig.update_yaxes(title={"text": t("funnels.chart_axis")},
                     **charts.count_axis([*visits, *previous]))
    title = charts.plain(t("funnels.chart_title", name=funnel_name(report.funnel)))
    return charts.layout(fig, title={"text": title}, barmode="group",
                         legend={"orientation": "h", "y": -0.2})


def _delete(service: FunnelService, actor: Actor, funnel: Funnel) -> None:
    if not service.may_delete(actor, funnel):
        return
    # Asked as every deletion asks, with a cancel: a second click of the same button, which
    # this was, offered no way back but leaving the tab.
    if st.button(t("funnels.delete"), key="funnel_delete", icon=":material/delete:"):
        confirm.ask(CONFIRM_KEY, about=funnel.id)
    if confirm.pending(CONFIRM_KEY, about=funnel.id) is None:
        return
    st.warning(t("funnels.delete_confirm", name=md_escape(funnel.name)),
               icon=":material/warning:")
    if confirm.answers(CONFIRM_KEY, t("funnels.delete_yes"), "funnel_delete"):
        st.session_state[PENDING_KEY] = DEFAULT_FUNNELS[0].id
        if QUERY in st.query_params:
            del st.query_params[QUERY]
        act(lambda: service.delete(actor, funnel.id), t("funnels.deleted"))


@dataclass
class _Form:
    """The builder's submission token and the funnel its last save made, as the report
    builder's (``services/ui/reports.py``).

    The token is in the save button's key, so a click belongs to the builder it was drawn
    with: a second click of a double click, sent before the page redrew, names a button no
    longer drawn and saves nothing. Streamlit stops a run only inside its own calls, so this
    object is fetched before the service is called and filled in by plain assignment right
    after it returns; the next run shows the funnel saved and empties the builder
    (``_after_save``), whichever run that is.
    """

    token: str = field(default_factory=new_id)
    saved: Funnel | None = None


def _form() -> _Form:
    """This session's builder; on a new server session under a tab whose save button was
    clicked (the server restarted), the builder that button was drawn with."""
    form = st.session_state.get(FORM_KEY)
    if not isinstance(form, _Form):
        form = st.session_state[FORM_KEY] = _Form(
            token=sent_suffix(f"{SAVE_KEY}_") or new_id())
    return form


def _after_save() -> None:
    """A funnel just saved: picked, in the address, said so; the builder emptied for the next
    one (before its widgets are drawn, the only time their values may be set)."""
    form = _form()
    funnel = form.saved
    if funnel is None:
        return
    st.session_state[PENDING_KEY] = funnel.id
    st.query_params[QUERY] = funnel.id
    # Not form_reset's mark: noting it after the save could be stopped (see _Form).
    form_reset.empty_fields(_empty_builder())
    form.saved = None  # only now: a run stopped before this is done again by the next
    st.success(t("funnels.saved") if funnel.backfilled else t("funnels.saved_counting"),
               icon=":material/check_circle:")


def _empty_builder() -> dict[str, object]:
    """The builder's fields as a new builder shows them (a step's kind and category by their
    plain keys: ``choice`` sets the widgets of any language from them)."""
    steps = {key: value for i in range(MAX_STEPS)
             for key, value in ((_kind_key(i), None), (_category_key(i), _ANY),
                                (item_key(i), None))}
    return {NAME_KEY: "", STEPS_KEY: MIN_STEPS, WINDOW_KEY: WINDOW_DEFAULT, **steps}


def _builder(service: FunnelService, actor: Actor) -> None:
    """No form: each field reaches the server as it changes, so a half-defined funnel survives
    a trip to another tab or a closed builder (``draft_keys``; a form's fields stay in the
    browser until it is sent, and were lost)."""
    form = _form()
    slots = FieldSlots()  # each refusal is shown under the field it names
    required_note()
    count = int(st.number_input(t("funnels.step_count"), MIN_STEPS, MAX_STEPS, MIN_STEPS,
                                key=STEPS_KEY))
    slots.under("steps")
    targets = [f"page:{p}" for p in PAGES] + [f"event:{e.value}" for e in EVENTS]
    # No max_chars (a paste is never cut): the service refuses a long name with its limit.
    name = st.text_input(t("funnels.name"), placeholder=t("funnels.name_placeholder"),
                         key=NAME_KEY)
    slots.under("name")
    window = st.number_input(t("funnels.window_minutes"), 1, WINDOW_MAX, WINDOW_DEFAULT,
                             key=WINDOW_KEY)
    slots.under("window")
    # Read once per category in a TTL, not on each of the builder's reruns.
    choices = partial(insights_cache.item_choices, session.services(), actor)
    steps = [_step_fields(i, targets, slots, choices) for i in range(count)]
    refused = kept_refusal()  # said once, on the run after the save that was refused
    if not st.button(t("funnels.save"), key=f"{SAVE_KEY}_{form.token}",
                     icon=":material/save:"):
        if refused is not None:
            slots.show_error(refused)
        return
    chosen = [s for s in steps if s is not None]
    if len(chosen) < count:
        slots.show((f"step_{i}", t("funnels.err_step"))
                   for i, step in enumerate(steps) if step is None)
        return
    try:
        funnel = service.create(actor, name, chosen, int(window))
    except DemoFactoryError as exc:
        if exc.key == REFUSED_ITEM:  # this run's pickers still offer it: drawn again
            redraw_without_deleted(exc, session.services(), actor)
        slots.show_error(exc)  # what was typed stays in the fields
        return
    # No stop point in between: the funnel and the new token are noted together.
    form.saved, form.token = funnel, new_id()
    st.rerun()


def draft_keys() -> list[str]:
    """The builder's widgets and whether it is open (kept by the dashboard while they are not
    drawn). A step's kind and category live in plain keys (``choice``), kept anyway and in
    every language."""
    items = [item_key(i) for i in range(MAX_STEPS)]
    return [BUILDER_OPEN_KEY, STEPS_KEY, NAME_KEY, WINDOW_KEY, *items]


def _kind_key(i: int) -> str:
    return f"funnel_step_{i}"


def _category_key(i: int) -> str:
    return f"funnel_category_{i}"


def _step_fields(i: int, targets: list[str], slots: FieldSlots,
                 choices: Callable[[Category | None], ItemChoices]) -> Step | None:
    """One step's selects: what (a page or an event), then, for an event about an item,
    optionally a category or an item that narrows it (``domain.funnels.narrowable``)."""
    st.markdown(f"**{t('funnels.step', n=i + 1)}**")
    what_col, category_col, item_col = st.columns([3, 2, 2])
    with what_col:
        target = choice(t("funnels.kind"), targets, _target_label, _kind_key(i), default=None,
                        placeholder=t("funnels.kind_placeholder"))
    slots.under(f"step_{i}", what_col)
    if not target:
        return None
    kind, value = StepKind(target.split(":", 1)[0]), target.split(":", 1)[1]
    if not narrowable(kind, value):
        return Step(kind, value)
    with category_col:
        category = choice(
            t("funnels.category"), [_ANY, *(c.value for c in Category)],
            lambda c: t("funnels.category_any") if c == _ANY else category_label(c),
            _category_key(i), default=_ANY)
    item = item_field(i, item_col, slots, choices(Category(category) if category else None),
                      bool(category))
    return Step(kind, value, category or None, item)


def _target_label(target: str) -> str:
    kind, value = target.split(":", 1)
    return step_label(Step(StepKind(kind), value))
