"""``t()`` for pages: translations in the language chosen in this browser session."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import streamlit as st

from services.domain.models import Category, Sort, Status
from services.domain.permissions import Role
from services.i18n import DEFAULT_LANGUAGE, LANGUAGES, date_range, translate
from services.i18n.labels import category_name
from services.ui.cookies import read_cookie, write_cookie

LANG_KEY = "df_lang"
LANG_COOKIE = "df_lang"
LANG_QUERY = "lang"
_LANG_COOKIE_AGE_S = 365 * 24 * 3600
_SAVED_KEY = "_df_lang_saved"  # the language the browser's cookie holds (as far as we know)
_QUERY_SEEN_KEY = "_df_lang_query"  # the ?lang= value already applied in this session
_CHOSEN_KEY = "_df_lang_chosen"  # a link or the sidebar chose the language in this session
_LANG_WIDGET_KEY = "df_lang_widget"
_RELABEL_KEY = "_df_relabel"
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}
_CATEGORY_VALUES = frozenset(c.value for c in Category)


def _known(lang: object) -> str | None:
    return lang if isinstance(lang, str) and lang in LANGUAGES else None


def init_language(default: str = DEFAULT_LANGUAGE) -> None:
    """The session's language: a ``?lang=`` link wins (once per value, so that a later switch in
    the sidebar sticks), then the choice so far, then the browser's preference cookie (a reload
    or a new tab is a new session), then the configured default."""
    if LANG_KEY not in st.session_state:
        lang = _known(read_cookie(LANG_COOKIE)) or _known(default) or DEFAULT_LANGUAGE
        # Without a cookie the default counts as saved: nothing is pinned until someone chooses.
        st.session_state[LANG_KEY] = st.session_state[_SAVED_KEY] = lang
    asked = st.query_params.get(LANG_QUERY)
    if asked != st.session_state.get(_QUERY_SEEN_KEY):
        st.session_state[_QUERY_SEEN_KEY] = asked
        if _known(asked):
            st.session_state[LANG_KEY] = asked
            st.session_state[_CHOSEN_KEY] = True


def browser_language() -> str | None:
    """The language this browser last showed (its preference cookie), if it has one."""
    return _known(read_cookie(LANG_COOKIE))


def chosen_here() -> bool:
    """Whether this session's language was asked for in it (a ``?lang=`` link or the sidebar),
    rather than taken from the cookie or the default: such a choice holds at sign-in."""
    return bool(st.session_state.get(_CHOSEN_KEY))


def _remember_language() -> None:
    """Write the preference cookie when the session's language differs from what the browser
    holds; the default is not pinned until someone chooses."""
    lang = language()
    if st.session_state.get(_SAVED_KEY, lang) != lang:
        write_cookie(LANG_COOKIE, lang, _LANG_COOKIE_AGE_S)
        st.session_state[_SAVED_KEY] = lang


def page_language_script(lang: str) -> str:
    """JavaScript setting ``<html lang>`` to ``lang``, one of the app's language codes
    (anything else is the default's: nothing else reaches the page)."""
    code = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    return f"<script>document.documentElement.lang = {json.dumps(code)};</script>"


def mark_page_language() -> None:
    """Streamlit's page says ``<html lang="en">`` whatever it shows, so a screen reader reads
    Korean with an English voice (WCAG 3.1.1). Set on every run, after a switch too; in the
    sidebar, where the invisible element takes no room in the page."""
    st.sidebar.html(page_language_script(language()), unsafe_allow_javascript=True)


def language() -> str:
    lang = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **params: Any) -> str:
    """The message for ``key`` in the session's language, placeholders filled from ``params``."""
    return translate(language(), key, **params)


def _copy_language() -> None:
    chosen = st.session_state.get(_LANG_WIDGET_KEY)
    if chosen in LANGUAGES:
        st.session_state[LANG_KEY] = chosen
        st.session_state[_CHOSEN_KEY] = True
        _relabel_widgets()


def _relabel_widgets() -> None:
    """Have the browser redraw the chosen value of every widget with translated option labels.

    A select box shows its chosen option's label as the browser last got it, so after a
    language switch "최신순" would stay until the user picks again. Assigning such a widget its
    own value marks it as set by the app, and the next run sends the value with its new label.
    """
    for key in st.session_state.get(_RELABEL_KEY, set()):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def relabel(key: str) -> str:
    """``key``, registered as the key of a widget whose option labels are translated (select
    boxes, radios, pills and the like; never buttons or uploaders, whose value is not ours)."""
    st.session_state.setdefault(_RELABEL_KEY, set()).add(key)
    return key


def language_selector() -> None:
    """The sidebar language switch. The choice lives in a plain session key so that it
    survives page switches (widget state is dropped for widgets a run does not draw)."""
    _remember_language()
    st.session_state[_LANG_WIDGET_KEY] = language()
    st.sidebar.radio(
        t("common.language"), options=list(LANGUAGES), format_func=LANGUAGE_NAMES.__getitem__,
        key=_LANG_WIDGET_KEY, on_change=_copy_language, horizontal=True,
    )


def category_label(category: Category | str) -> str:
    return category_name(language(), Category(category)) or str(category)


def kpi_text(kind: str, value: object) -> str:
    """A KPI value as the dashboard tiles show it: counts with thousands separators, rates
    (0..1) as percentages, the top category by its name; "—" for none."""
    if value is None or value == "":
        return "—"
    if kind == "label":
        return category_label(str(value)) if str(value) in _CATEGORY_VALUES else str(value)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    return f"{float(value):.1%}" if kind == "rate" else count_text(int(value))


def period_text(start: date, end: date) -> str:
    """A range of days in the session's language, written as reports, PDFs and mails write it
    (``services.i18n.date_range``)."""
    return date_range(language(), start, end)


def count_text(count: int) -> str:
    """A count as every page shows it, with thousands separators (12345 -> "12,345")."""
    return f"{count:,}"


def status_label(status: Status | str) -> str:
    return t(f"content.status.{Status(status).value}")


def sort_label(sort: Sort | str) -> str:
    return t(f"content.sort.{Sort(sort).value}")


def role_label(role: Role | str, lang: str | None = None) -> str:
    return translate(lang or language(), f"auth.role.{Role(role).value}")


def audit_outcome_label(outcome: str, lang: str | None = None) -> str:
    """What came of an audited action as admins read it (``audit.outcome.<key>``); an
    outcome without a label is shown as it is."""
    key = f"audit.outcome.{outcome}"
    label = translate(lang or language(), key)
    return outcome if label == key else label


def audit_action_label(action: str, lang: str | None = None) -> str:
    """An audit action as admins read it (``audit.action.<key>``); a key without a label (an
    older or newer version's) is shown as it is rather than hidden."""
    key = f"audit.action.{action}"
    label = translate(lang or language(), key)
    return action if label == key else label
