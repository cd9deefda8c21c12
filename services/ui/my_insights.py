"""Followed metrics: "My insights" on the home page and the dashboard's follow control.

What a followed metric says is the digest's own text (``services.insights.digests``), computed
live, so the page shows what a digest sent now would say. Every line goes through ``md_escape``:
item titles and author names stay inert text.

The follow and unfollow buttons act in their ``on_click`` callbacks, never on the button's
value read later in the run. Streamlit applies a click's widget states and runs the callbacks
together, under the session state's lock; a button's value is read only when the new run
reaches it, and a previous run that finished at the same moment resets every button to
"not clicked" in between (its clean-up is not stopped by the new run). A click on a page that
had just finished drawing was lost that way: the run came, the button read False.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

import streamlit as st

from services.bootstrap import Services
from services.domain.follows import Follow, FollowScope, Frequency
from services.domain.models import Category, SearchQuery
from services.domain.permissions import Action, Actor, can
from services.errors import DemoFactoryError
from services.insights.digests import metric_lines, period_text
from services.insights.followed import ALL_METRICS, SCOPED_METRICS
from services.insights.follows import FollowService
from services.ui import lazy
from services.ui.fragments import signed_in_callback
from services.ui.i18n import category_label, language, relabel, t
from services.ui.widgets import md_escape, show_error

PANEL_KEY = "my_insights"
ITEMS_OFFERED = 100
SCOPE_KEY, METRIC_KEY = "follow_scope", "follow_metric"
CATEGORY_KEY, ITEM_KEY = "follow_category", "follow_item"
DASHBOARD_METRIC_KEY = "dashboard_follow_metric"
DASHBOARD_FOLLOW_OPEN_KEY = "dashboard_follow_open"  # the dashboard's follow popover
_FOLLOW_OUTCOME = "_df_follow_outcome"  # what a follow callback did, shown where it was asked
_FOLLOWED, _ALREADY = "followed", "already"


def _labels(keys: Iterable[str], prefix: str) -> Callable[[str], str]:
    """Option labels made while the page runs (in its language), not when a widget's value is
    formatted later: a translated ``format_func`` must not depend on when it is called."""
    labels = {key: t(f"{prefix}{key}") for key in keys}
    return lambda key: labels.get(key, key)


def my_insights(services: Services, actor: Actor) -> None:
    """The home page's panel for signed-in analysts and authors (nothing for anyone else)."""
    follows = services.follows
    if follows is None or not follows.may_use(actor):
        return
    with st.container(key=PANEL_KEY, border=True):
        st.header(t("follows.title"), anchor=False)
        mine = follows.my_insights(actor)
        lang = language()
        if mine.metrics and mine.period is not None:
            st.caption(t("follows.panel_period",
                         period=period_text(lang, mine.period, mine.today)))
        if not mine.metrics:
            hint = ("follows.empty_hint" if can(actor, Action.VIEW_DASHBOARDS)
                    else "follows.empty_author_hint")
            st.markdown(f"**{t('follows.empty')}**")
            st.caption(t(hint))
        for index, metric in enumerate(mine.metrics):
            with st.container(border=True):
                # The digest's own lines (a mail's plain text): the metric in bold, then its
                # drivers and unusual days, all as plain text.
                head, *rest = metric_lines(lang, metric, mine)
                st.markdown(f"**{md_escape(head.removeprefix('- '))}**")
                for line in rest:
                    st.caption(md_escape(line.strip()))
                if not metric.drivers:
                    st.caption(t("follows.no_drivers"))
                if not metric.anomalies:
                    st.caption(t("follows.anomalies_none"))
                st.button(t("follows.unfollow"), key=f"unfollow_{index}",
                          on_click=signed_in_callback(follows.unfollow),
                          args=(actor, metric.follow.key))
        _frequency(follows, actor)
        _add_form(services, follows, actor)
        _digests(follows, actor)


def _frequency(follows: FollowService, actor: Actor) -> None:
    current = follows.frequency(actor)
    options = list(Frequency)
    chosen = st.radio(t("follows.frequency"), options, index=options.index(current),
                      format_func=_labels(options, "follows.freq."), horizontal=True,
                      key=relabel("digest_frequency"))
    if chosen is not None and chosen != current:
        follows.set_frequency(actor, chosen)
        st.toast(t("follows.frequency_saved"))


def _scopes(actor: Actor) -> list[FollowScope]:
    if can(actor, Action.VIEW_DASHBOARDS):
        return [FollowScope.ALL, FollowScope.CATEGORY, FollowScope.ITEM]
    return [FollowScope.AUTHOR, FollowScope.ITEM]


def _add_form(services: Services, follows: FollowService, actor: Actor) -> None:
    with st.expander(t("follows.add_title")):
        scope = st.selectbox(t("follows.follow_scope"), _scopes(actor), key=relabel(SCOPE_KEY),
                             format_func=_labels(_scopes(actor), "follows.scope."))
        scope = scope or FollowScope.ALL
        metrics = ALL_METRICS if scope is FollowScope.ALL else SCOPED_METRICS
        st.selectbox(t("follows.follow_metric"), metrics, key=relabel(METRIC_KEY),
                     format_func=_labels(metrics, "insights.metric."))
        _value_pick(services, actor, scope)
        st.button(t("follows.follow"), key="follow_add", on_click=_follow_chosen,
                  args=(follows, actor))
        _show_outcome()


def _value_pick(services: Services, actor: Actor, scope: FollowScope) -> None:
    if scope is FollowScope.CATEGORY:
        st.selectbox(t("follows.follow_value"), list(Category), key=relabel(CATEGORY_KEY),
                     format_func={c: category_label(c) for c in Category}.__getitem__)
    elif scope is FollowScope.ITEM:
        mine_only = not can(actor, Action.VIEW_DASHBOARDS)
        query = SearchQuery(author_id=actor.user_id if mine_only else None,
                            page_size=ITEMS_OFFERED)
        items = {item.id: item.title for item in services.content.browse(query, actor).items}
        st.selectbox(t("follows.follow_value"), list(items), key=relabel(ITEM_KEY),
                     format_func=lambda i: items.get(i, i))


def _chosen_value(scope: FollowScope, actor: Actor) -> str:
    """What the form's value box holds for ``scope`` (the callback reads the boxes' state:
    the values sent with the click, not those of the run that drew the button)."""
    if scope is FollowScope.CATEGORY:
        return str(st.session_state.get(CATEGORY_KEY) or "")
    if scope is FollowScope.ITEM:
        return str(st.session_state.get(ITEM_KEY) or "")
    return actor.user_id or "" if scope is FollowScope.AUTHOR else ""


@signed_in_callback
def _follow_chosen(follows: FollowService, actor: Actor) -> None:
    """on_click of "Follow": the metric, scope and value chosen in the form."""
    scope = FollowScope(st.session_state.get(SCOPE_KEY) or FollowScope.ALL)
    metric = st.session_state.get(METRIC_KEY)
    if metric:
        _follow(follows, actor, str(metric), scope, _chosen_value(scope, actor))


def _follow(follows: FollowService, actor: Actor, metric: str,
            scope: FollowScope = FollowScope.ALL, value: str = "") -> None:
    """Follow, the outcome kept for the run to show (a callback draws nothing itself)."""
    try:
        followed = follows.follow(actor, metric, scope, value)
    except DemoFactoryError as exc:
        st.session_state[_FOLLOW_OUTCOME] = exc
        return
    st.session_state[_FOLLOW_OUTCOME] = _FOLLOWED if followed.added else _ALREADY


def _show_outcome(success: str | None = None) -> None:
    """A follow's error where it was asked; ``success`` (if any) after a follow; a follow that
    was there already (another tab, a repeated click) says so instead of adding a second."""
    outcome = st.session_state.pop(_FOLLOW_OUTCOME, None)
    if isinstance(outcome, DemoFactoryError):
        show_error(outcome)
    elif outcome == _ALREADY:
        st.info(t("follows.already"), icon=":material/info:")
    elif outcome == _FOLLOWED and success:
        st.success(success)


def _digests(follows: FollowService, actor: Actor) -> None:
    kept = follows.digests(actor)
    if not kept:
        return
    st.markdown(f"**{t('follows.digests_title')}**")
    for digest in kept:
        how = t("follows.digest_sent" if digest.sent else "follows.digest_kept")
        with st.expander(f"{digest.subject} · {how}"):
            st.text(digest.body)


def follow_control(services: Services, actor: Actor) -> None:
    """The dashboard's small control: follow a KPI platform-wide (on the title's line); a
    KPI already followed says so and offers to unfollow instead."""
    follows = services.follows
    if follows is None or not follows.may_use(actor) or not can(actor, Action.VIEW_DASHBOARDS):
        return
    # Drawn only while open: closed, its select box and the read of the user's follows were
    # part of every dashboard run and of what the browser draws first.
    lazy.popover(t("follows.follow"), DASHBOARD_FOLLOW_OPEN_KEY,
                 partial(_dashboard_follow_form, follows, actor),
                 help=t("follows.dashboard_follow_help"))


def _dashboard_follow_form(follows: FollowService, actor: Actor) -> None:
    assert actor.user_id is not None
    metric = st.selectbox(t("follows.follow_metric"), ALL_METRICS,
                          format_func=_labels(ALL_METRICS, "insights.metric."),
                          key=relabel(DASHBOARD_METRIC_KEY))
    followed = {f.key for f in follows.follows(actor)}
    key = Follow(actor.user_id, str(metric)).key if metric else ""
    if key in followed:
        st.markdown(f"**{t('follows.following')}**")
        st.button(t("follows.unfollow"), key="dashboard_unfollow",
                  on_click=signed_in_callback(follows.unfollow), args=(actor, key))
    else:
        st.button(t("follows.dashboard_follow"), key="dashboard_follow",
                  on_click=_follow_dashboard_metric, args=(follows, actor))
    _show_outcome(t("follows.followed", metric=t(f"insights.metric.{metric}"),
                    scope=t("follows.platform_wide")))


@signed_in_callback
def _follow_dashboard_metric(follows: FollowService, actor: Actor) -> None:
    """on_click of the dashboard's follow button: the chosen KPI, platform-wide."""
    metric = st.session_state.get(DASHBOARD_METRIC_KEY)
    if metric:
        _follow(follows, actor, str(metric))
