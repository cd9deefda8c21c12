"""``t()`` for pages: translations in the language chosen in this browser session."""

from __future__ import annotations

from typing import Any

import streamlit as st

from services.domain.models import Category, Sort, Status
from services.domain.permissions import Role
from services.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate

LANG_KEY = "df_lang"
_LANG_WIDGET_KEY = "df_lang_widget"
_RELABEL_KEY = "_df_relabel"
_LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}


def init_language(default: str = DEFAULT_LANGUAGE) -> None:
    """Set the session's language once (from settings) unless the user already chose one."""
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = default if default in LANGUAGES else DEFAULT_LANGUAGE


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
    st.session_state[_LANG_WIDGET_KEY] = language()
    st.sidebar.radio(
        t("common.language"), options=list(LANGUAGES), format_func=_LANGUAGE_NAMES.__getitem__,
        key=_LANG_WIDGET_KEY, on_change=_copy_language, horizontal=True,
    )


def category_label(category: Category | str) -> str:
    return t(f"content.category.{Category(category).name.lower()}")


def status_label(status: Status | str) -> str:
    return t(f"content.status.{Status(status).value}")


def sort_label(sort: Sort | str) -> str:
    return t(f"content.sort.{Sort(sort).value}")


def role_label(role: Role | str) -> str:
    return t(f"auth.role.{Role(role).value}")


def audit_action_label(action: str, lang: str | None = None) -> str:
    """An audit action as admins read it (``audit.action.<key>``); a key without a label (an
    older or newer version's) is shown as it is rather than hidden."""
    key = f"audit.action.{action}"
    label = translate(lang or language(), key)
    return action if label == key else label
