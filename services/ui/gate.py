"""Pages a visitor may not open: every page is registered for everyone (a deep link never
meets Streamlit's "Page not found"), and this gate decides what an opened page shows.

An anonymous visitor goes to sign-in with ``?next=<url path>`` and comes back afterwards; a
signed-in user without the permission reads which role opens the page. Services still enforce
every permission: the gate only keeps the navigation honest.

An OpenID Connect provider's sign-in (``st.login``) leaves the app, and Streamlit brings the
browser back to home in a new session: the sign-in page keeps ``next`` and the page's
parameters in a short-lived cookie before the visitor leaves (``remember_return``), and the
first run signed in goes on to that page (``return_after_sign_in``), checked as ``next`` is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn
from urllib.parse import parse_qsl, urlencode

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from services.accounts.profile import may_request_author
from services.domain.permissions import ROLE_PERMISSIONS, Action, Actor, Role, can
from services.i18n import labels
from services.ui import routes, session
from services.ui.cookies import read_cookie, write_cookie
from services.ui.i18n import language, role_label, t

NEXT_PARAM = "next"
ID_PARAM = "id"
# What an identity provider's redirect adds to the sign-in page's address (OAuth 2.0 / OIDC):
# never carried on to the page.
_SIGN_IN_ANSWER = frozenset({"code", "state", "error", "error_description", "session_state",
                             "iss", "scope", "authuser", "prompt"})
# The sign-in page's query (``next`` and the page's parameters) while the visitor signs in at a
# provider: an address of the app's own, worthless to a thief; gone with the browser, or sooner.
RETURN_COOKIE = "df_return"
_RETURN_COOKIE_AGE_S = 600
_RETURNED_KEY = "_df_returned"  # this session went on to the cookie's page (its request keeps it)

# The permission each gated page needs (services check it again on every call).
REQUIRED: dict[str, Action] = {
    routes.EDITOR: Action.CREATE_CONTENT,
    routes.MY_CONTENT: Action.CREATE_CONTENT,
    routes.DASHBOARD: Action.VIEW_DASHBOARDS,
    routes.REPORTS: Action.GENERATE_REPORTS,
    routes.ADMIN: Action.MANAGE_USERS,
    routes.ADMIN_INQUIRIES: Action.MANAGE_USERS,
    routes.ADMIN_BEDROCK: Action.CHECK_SETTINGS,
    routes.ADMIN_DOCTOR: Action.CHECK_SETTINGS,
    routes.ADMIN_AUDIT: Action.VIEW_AUDIT,
}
# Pages any one of several permissions opens: the service decides on the item or author
# itself (an author sees their own, dashboard viewers everyone's).
REQUIRED_ANY: dict[str, tuple[Action, ...]] = {
    routes.ITEM_STATS: (Action.VIEW_OWN_STATS, Action.VIEW_DASHBOARDS),
    routes.AUTHOR_STATS: (Action.VIEW_OWN_STATS, Action.VIEW_DASHBOARDS),
}
_FILE_PAGES = (routes.HOME, routes.BROWSE, routes.CONTENT, routes.CONTACT, routes.PROFILE,
               *REQUIRED, *REQUIRED_ANY)


def url_path(route: str) -> str:
    """The address Streamlit gives a file page (its file name without ``.py``, unless
    ``routes.URL_PATHS`` names another)."""
    return routes.URL_PATHS.get(route, Path(route).stem)


_REQUIRED_BY_PATH: dict[str, tuple[Action, ...]] = {
    **{url_path(route): (action,) for route, action in REQUIRED.items()},
    **{url_path(route): actions for route, actions in REQUIRED_ANY.items()},
}
# Where ``next`` may lead: only the app's own pages, never an address from outside.
_TARGETS: dict[str, str] = {url_path(route): route for route in _FILE_PAGES}


def may_open(actor: Actor, route: str) -> bool:
    actions = _REQUIRED_BY_PATH.get(url_path(route))
    return not actions or any(can(actor, action) for action in actions)


def granting_roles(*actions: Action) -> list[Role]:
    return [role for role in Role if set(actions) & ROLE_PERMISSIONS[role]]


def is_sign_in(page: StreamlitPage) -> bool:
    return page.url_path == url_path(routes.LOGIN)


def leave_sign_in(actor: Actor, page: StreamlitPage) -> None:
    """A signed-in user has nothing to do on the sign-in page: on to ``next`` or home. Called
    before anything is drawn, so that a flash message waits for the page it is meant for."""
    if actor.is_authenticated and is_sign_in(page):
        go_next()


def allowed(actor: Actor, page: StreamlitPage) -> bool:
    """True when ``page`` may run; otherwise shows (or switches to) what replaces it."""
    path = page.url_path
    actions = _REQUIRED_BY_PATH.get(path)
    if not actions or any(can(actor, action) for action in actions):
        return True
    if not actor.is_authenticated:
        send_to_sign_in(path, carried())
    st.title(page.title, anchor=False)  # which page this is, as the menu would name it
    needs_role(*actions)
    return False


def needs_role(*actions: Action) -> None:
    """The "you need the role" text, naming every role that holds one of ``actions``."""
    roles = t("nav.role_or").join(role_label(r) for r in granting_roles(*actions))
    st.warning(t("nav.needs_role", roles=roles), icon=":material/lock:")
    if Action.CREATE_CONTENT in actions and may_request_role():
        request_link()
    actor = session.actor()
    if Action.VIEW_DASHBOARDS in actions and can(actor, Action.VIEW_OWN_STATS):
        # An author who opened the dashboard, or another author's page: their own numbers.
        st.page_link(routes.AUTHOR_STATS, label=t("itempage.open_mine"),
                     icon=":material/person_search:", query_params={"id": str(actor.user_id)})
    st.page_link(routes.HOME, label=t("nav.back_home"), icon=":material/home:")


def may_request_role() -> bool:
    """Whether this session's user can ask for the author role: signed in, not an author yet,
    and with a profile page to ask on (an OIDC provider keeps its users' details: no page)."""
    return may_request_author(session.actor()) and session.services().profile is not None


def request_link() -> None:
    """To the profile page's author-role request, named as its own button is."""
    st.page_link(routes.PROFILE, label=t("profile.request_send"), icon=":material/how_to_reg:")


def sign_in_link(next_path: str, page_params: str | Mapping[str, str] | None = None,
                 ) -> dict[str, str]:
    """The query parameters that bring a visitor back to ``next_path`` after signing in, with
    the page's own (an item's ``id``, or all of a shared dashboard view's filters)."""
    if isinstance(page_params, str):
        page_params = {ID_PARAM: page_params}
    return {**(page_params or {}), NEXT_PARAM: next_path}


def send_to_sign_in(next_path: str, page_params: str | Mapping[str, str] | None = None,
                    ) -> NoReturn:
    """To sign-in, in place of this page's address, and back to ``next_path`` afterwards."""
    replace_page(routes.LOGIN, sign_in_link(next_path, page_params))


def carried() -> dict[str, str]:
    """The address's parameters a page is opened with, as sign-in carries them there and back
    (not ``next`` itself, nor a sign-in provider's answer). The page checks every value, as it
    does for any link."""
    return {name: st.query_params[name] for name in st.query_params
            if name != NEXT_PARAM and name not in _SIGN_IN_ANSWER}


def next_target() -> str | None:
    """The page named by ``?next=`` when it is one of ours; None for anything else."""
    wanted = st.query_params.get(NEXT_PARAM, "")
    if wanted in _TARGETS:
        return _TARGETS[wanted]
    return None


def sign_in_reason() -> None:
    """On the sign-in page a page sent the visitor to (``?next=``): which page waits behind
    it. Nothing else said why a link to the dashboard had opened a sign-in form. Only a page
    of ours is named, by its menu title, never the address's own text."""
    wanted = st.query_params.get(NEXT_PARAM, "")
    if next_target() is not None and wanted != url_path(routes.HOME):
        st.info(t("auth.sign_in_for_page", page=labels.page_name(language(), wanted)),
                icon=":material/lock:")


def go_next() -> None:
    """After a sign-in: to the page the visitor came from (keeping its parameters: an item's
    ``?id=``, a dashboard view's period and filters), or home."""
    target = next_target()
    replace_page(routes.HOME if target is None else target, carried() if target else {})


def remember_return() -> None:
    """On the sign-in page, before the visitor leaves for a provider: where to come back to
    (``next`` and the page's parameters), or nothing, so that an earlier detour left unfinished
    does not send a sign-in from the menu to its page."""
    target = next_target()
    if target is None:
        write_cookie(RETURN_COOKIE, "", 0)
        return
    write_cookie(RETURN_COOKIE, urlencode(sign_in_link(url_path(target), carried())),
                 _RETURN_COOKIE_AGE_S)


def return_after_sign_in(actor: Actor) -> None:
    """Back from a provider's sign-in, in a new session: on to the page the sign-in page
    remembered, once (the cookie goes). ``next`` must name one of the app's pages, as in the
    address; the page checks its parameters as it does for any link."""
    if not actor.is_authenticated or st.session_state.get(_RETURNED_KEY):
        return
    remembered = read_cookie(RETURN_COOKIE)
    if not remembered:
        return
    st.session_state[_RETURNED_KEY] = True
    write_cookie(RETURN_COOKIE, "", 0)
    params = dict(parse_qsl(remembered))
    target = _TARGETS.get(params.pop(NEXT_PARAM, ""))
    if target is not None:
        replace_page(target, {name: value for name, value in params.items()
                              if name not in _SIGN_IN_ANSWER})


def replace_address(route: str, params: Mapping[str, str]) -> str:
    """The page's address relative to the one open (a base URL path or a prefix-stripping proxy
    keeps working, as with the cards' links); home is the folder itself."""
    query = urlencode(params)
    path = "./" if route == routes.HOME else url_path(route)
    return path + (f"?{query}" if query else "")


def replace_script(address: str) -> str:
    """JavaScript opening ``address`` in place of the open one. The address is one of the app's
    own pages with URL-encoded parameters; JSON-encoded, and ``<`` escaped so that nothing can
    close the script early."""
    target = json.dumps(address).replace("<", "\\u003c")
    return ("<script>window.history.replaceState(null, \"\", " + target + ");"
            "window.dispatchEvent(new PopStateEvent(\"popstate\"));</script>")


def replace_page(route: str, params: Mapping[str, str]) -> NoReturn:
    """Open ``route`` in place of this address, so that sign-in's detour leaves nothing in the
    browser's history. ``st.switch_page`` pushes each step (the query, the sign-in page, its
    cleared query, the page after it): Back from the page reached through sign-in then landed
    on the sign-in page, which sends a signed-in user forward again, and Back could never leave.
    The browser replaces the address and lets Streamlit's own back/forward handler open it."""
    st.sidebar.html(replace_script(replace_address(route, params)),
                    unsafe_allow_javascript=True)
    st.stop()
