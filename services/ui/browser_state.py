"""What the browser sent with this run: a form's values after the server restarted under it.

After a restart (a deploy, or a reconnect that reaches another app server) the tab keeps showing
the page and what was typed in it, but the server holds a new session with empty state; the
next click sends the browser's widget values. Code that, on a session's first run, sets a
widget's value before the widget is drawn (a default, a stored item loaded into a form) sets it
over what the browser shows, and the typed text is gone. Such code asks ``browser_sent`` first
and leaves a value the browser sent alone.

Streamlit has no public way to ask before the widget is drawn: the run's widget states are read
by their ids, which end with the widget's key."""

from __future__ import annotations

from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.state.common import user_key_from_element_id


def _sent_keys() -> set[str]:
    """The keys of the widgets whose values came with this run from the browser."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return set()
    sent = ctx.session_state._state._new_widget_state.states
    return {key for widget_id in sent if (key := user_key_from_element_id(widget_id))}


def browser_sent(key: str) -> bool:
    """Whether this run came with the value of the widget ``key`` from the browser."""
    return key in _sent_keys()


def sent_suffix(prefix: str) -> str | None:
    """The rest of the key of a widget whose key starts with ``prefix`` and whose value came
    with this run (a button keyed by its form's submission token: the token it was drawn
    with), or None."""
    found = sorted(key[len(prefix):] for key in _sent_keys() if key.startswith(prefix))
    return found[0] if found else None
