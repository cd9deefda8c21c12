"""A form's outcome brought to where the person looks: the page's flash message after a rerun,
or the first field a form refused. Streamlit keeps the page's scroll position over a rerun, so
on a phone the person stayed at the button they pressed: a success message drawn at the top of
the page (480 px above the view after a sign-up) or a refused field a screen higher was never
seen, and the person could think the input lost and send again. A script drawn with the
outcome scrolls it into view and gives it the focus, so a screen reader reads it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

# The keys of the containers the scripts look for. One of each per run: one flash message is
# shown (``widgets.show_flash``), one form is sent, one notice of an ended sign-in is said.
FLASH = "df_flash"
FIRST_REFUSAL = "df_first_refusal"
ENDED = "df_sign_in_ended"  # the notice of a sign-in ended elsewhere (services/ui/auth.py)
INSERTED = "df_inserted"  # the editor's "in the text" that took the place of the pressed button
_MOVES = "_df_view_moves"  # scripts drawn in this session, numbering each

# Waits up to 10 s for the container to be drawn. A message takes the focus itself (made
# focusable by tabindex=-1); a refusal gives it to its field: the first box a person types in
# (or, for an uploader, its button) of the widget drawn right before the note. Never an
# uploader's own file input: hidden and 0 px high, it would hold the focus where no ring shows.
_IN_VIEW_JS = """(() => {
  const where = %s, toField = %s, started = Date.now();
  const TYPED = 'input:not([type="hidden"]):not([type="file"]), textarea';
  const FOCUSABLE = TYPED + ', button, [tabindex="0"]';
  const shown = (each) => each.getClientRects().length > 0;
  const fieldBefore = (note) => {
    const before = [...document.querySelectorAll(
        '[data-testid="stMain"] :is(' + FOCUSABLE + ')')].filter((each) => shown(each)
      && (each.compareDocumentPosition(note) & Node.DOCUMENT_POSITION_FOLLOWING));
    const last = before.pop();
    const widget = last && last.closest('[data-testid="stElementContainer"]');
    if (!widget) return last;
    const inside = (selector) => [...widget.querySelectorAll(selector)].find(shown);
    return inside(TYPED) || inside("button") || last;
  };
  const timer = setInterval(() => {
    const box = document.querySelector(".st-key-" + where);
    if (!box) {
      if (Date.now() - started > 10000) clearInterval(timer);
      return;
    }
    clearInterval(timer);
    const note = box.querySelector('[data-testid="stAlert"]') || box;
    let target = (toField && fieldBefore(note)) || note;
    if (target === note) note.setAttribute("tabindex", "-1");
    (toField ? target : note).scrollIntoView({block: "center"});
    target.focus({preventScroll: true});
  }, 50);
})();"""


def in_view_script(where: str, to_field: bool, move: int) -> str:
    """The script for the container keyed ``where``. ``move`` (the script's number) makes each
    body new: Streamlit does not run a script again that the run before drew the same in the
    same place. A fixed script: ``where`` is one of the app's own keys, JSON-encoded."""
    body = _IN_VIEW_JS % (json.dumps(where), json.dumps(to_field))
    return f"<script>/* view move {int(move)} */\n{body}\n</script>"


def message_in_view(where: str, show: Callable[[], object]) -> None:
    """A message (``show`` draws it) in the container ``where``, brought into view and
    focused: the page's flash, the notice of an ended sign-in."""
    with st.container(key=where):
        show()
    bring_into_view(where)


def bring_into_view(where: str, to_field: bool = False) -> None:
    """Draw the script for ``where`` (one of the keys above), drawn in this run. Its element
    is hidden by the stylesheet (``styles.SCRIPT_RULES``)."""
    move = int(st.session_state.get(_MOVES, 0)) + 1
    st.session_state[_MOVES] = move
    st.html(in_view_script(where, to_field, move), unsafe_allow_javascript=True)
