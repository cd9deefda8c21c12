"""Actions on one content item: counting the view, like/unlike, edit and delete (confirmed)."""

from __future__ import annotations

import streamlit as st

from services.content.service import ContentService
from services.domain.models import ContentItem
from services.domain.permissions import Action, Actor, can
from services.errors import DemoFactoryError
from services.ui import confirm, gate, routes, tracking
from services.ui.fragments import signed_in_callback
from services.ui.i18n import count_text, t
from services.ui.widgets import flash, md_escape, show_error

_CONFIRM_DELETE = "confirm_delete_item"  # about an item id: the version its question showed
_LIKE_ERROR = "_df_like_error"  # a failed like, from its callback to the button's place
# The like button's key changes with its state (below), so after a click Streamlit draws a new
# button, and the browser put focus on the page's body: a keyboard user started again at the
# top. After a click on it, this puts focus on the page's one like/unlike button once the
# clicked one is gone, unless focus was moved elsewhere meanwhile. It listens for the clicks
# rather than running on the run a click starts: Streamlit does not run an ``st.html`` script
# again when the same one is drawn in the same place, so a second click in a row (unlike right
# after like) went without it. A fixed script, installed once per page; nothing in it comes
# from the item.
LIKE_FOCUS_SCRIPT = """<script>
if (!window.__dfLikeFocus) {
  window.__dfLikeFocus = true;
  const LIKE = ':is([class*="st-key-unlike_"], [class*="st-key-like_"]) button';
  document.addEventListener("click", (event) => {
    const clicked = event.target.closest && event.target.closest(LIKE);
    if (!clicked) return;
    const started = Date.now();
    const timer = setInterval(() => {
      const button = document.querySelector(LIKE);
      const active = document.activeElement;
      if (Date.now() - started > 10000
          || (active && active !== document.body && active !== clicked)) {
        clearInterval(timer);
      } else if (button && !clicked.isConnected && active === document.body) {
        clearInterval(timer);
        button.focus();
      }
    }, 50);
  });
}
</script>"""
# In the address of the like button's sign-in detour, carried back to the item as its id is (a
# provider's round trip included): only words come of it, never a like.
HINT_PARAM, LIKE_HINT = "hint", "like"
_HINT_SHOWN = "_df_like_hint_shown"  # the item whose hint this session showed


def count_view_once(content: ContentService, item: ContentItem, actor: Actor) -> int:
    """Views (and the content_view event) count once per visit and item, reloads included;
    returns the count to show."""
    record = tracking.content_view_recorder(item, actor)
    views = content.record_view(item.id, actor, tracking.session_id())
    if views is None:
        return item.views
    record()
    return views


def like_button(content: ContentService, item: ContentItem, actor: Actor) -> None:
    """A like/unlike toggle with the count. An anonymous visitor's button leads to sign-in and
    back to this item (they like it themselves then); others who cannot like see the count."""
    if not actor.is_authenticated:
        if st.button(t("content.like", likes=count_text(item.likes)), key=f"like_{item.id}",
                     icon=":material/favorite_border:", help=t("content.like_sign_in")):
            gate.send_to_sign_in(gate.url_path(routes.CONTENT),
                                 {gate.ID_PARAM: item.id, HINT_PARAM: LIKE_HINT})
        return
    if not can(actor, Action.LIKE):
        st.caption(t("content.likes_count", likes=count_text(item.likes)), width="content")
        return
    liked = content.has_liked(item.id, actor)
    label = (t("content.unlike", likes=count_text(item.likes)) if liked
             else t("content.like", likes=count_text(item.likes)))
    icon = ":material/favorite:" if liked else ":material/favorite_border:"
    # The key names what the button does, so each click carries the state it asked for: the
    # second click of a double click, sent from the page drawn before the first one's rerun, is
    # the "like" button's and likes again (a no-op, set_like is idempotent), never unlikes.
    st.button(label, key=f"unlike_{item.id}" if liked else f"like_{item.id}", icon=icon,
              type="primary" if liked else "secondary", on_click=_set_like,
              args=(content, item, actor, not liked))
    # In the sidebar, where the invisible element takes no room in the page.
    st.sidebar.html(LIKE_FOCUS_SCRIPT, unsafe_allow_javascript=True)


def action_notes(content: ContentService, item: ContentItem, actor: Actor) -> None:
    """Under the row of the item's actions (whose controls stand on one line): a failed like,
    the hint after the like's sign-in detour, and the question before a delete."""
    failed = st.session_state.pop(_LIKE_ERROR, None)
    if failed is not None:
        show_error(failed)
    like_hint(item, actor)
    shown = confirm.pending(_CONFIRM_DELETE, about=item.id)
    if shown is not None and can(actor, Action.DELETE_CONTENT, item.author_id):
        _confirm_delete(content, item, actor, shown)


def like_hint(item: ContentItem, actor: Actor) -> None:
    """Back on the item after its like button's sign-in detour (``hint=like`` in the address):
    what to do now, once per session (the button's tooltip says it, but a phone shows no
    tooltip; they like it themselves)."""
    if not actor.is_authenticated or st.query_params.get(HINT_PARAM) != LIKE_HINT:
        return
    if st.session_state.get(_HINT_SHOWN) == item.id:
        return
    st.session_state[_HINT_SHOWN] = item.id
    if can(actor, Action.LIKE):
        st.caption(t("content.like_after_sign_in"))


def sign_in_reason() -> bool:
    """On the sign-in page the like button led to (``hint=like``): why the visitor is there,
    which otherwise only the button's tooltip said (a phone shows none). The words are the
    app's; nothing of the address is shown. Whether it said so."""
    if st.query_params.get(HINT_PARAM) != LIKE_HINT:
        return False
    st.info(t("content.like_sign_in_reason"), icon=":material/favorite_border:")
    return True


@signed_in_callback
def _set_like(content: ContentService, item: ContentItem, actor: Actor, wanted: bool) -> None:
    """on_click: the state the clicked button asked for; an event only when it changed."""
    record = tracking.like_recorder(item, actor, wanted)
    try:
        changed = content.set_like(item.id, actor, wanted)
    except DemoFactoryError as exc:
        st.session_state[_LIKE_ERROR] = exc  # shown under the button, not atop the page
        return
    if changed:
        record()


def owner_actions(item: ContentItem, actor: Actor) -> None:
    """Edit and delete for the owner and for admins; delete asks first (``action_notes``)."""
    if can(actor, Action.EDIT_CONTENT, item.author_id):
        st.page_link(routes.EDITOR, label=t("content.edit"), icon=":material/edit:",
                     query_params={"id": item.id})
    if can(actor, Action.DELETE_CONTENT, item.author_id) and st.button(
        t("content.delete"), key=f"delete_{item.id}", icon=":material/delete:"
    ):
        # What the person is asked to delete: this version of this item.
        confirm.ask(_CONFIRM_DELETE, item.version, about=item.id)


def _confirm_delete(
    content: ContentService, item: ContentItem, actor: Actor, shown: int
) -> None:
    st.warning(t("content.delete_confirm", title=md_escape(item.title)), icon=":material/warning:")
    if confirm.answers(_CONFIRM_DELETE, t("content.delete_yes"), f"delete_{item.id}"):
        try:
            content.delete(item.id, actor, seen_version=shown)
        except DemoFactoryError as exc:
            show_error(exc)
            return
        flash(t("content.deleted", title=md_escape(item.title)))
        st.switch_page(routes.MY_CONTENT if can(actor, Action.CREATE_CONTENT) else routes.BROWSE)
