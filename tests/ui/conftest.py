"""AppTest fixtures: a fresh data dir per test, services to arrange data, signed-in sessions.

The app builds its services with ``st.cache_resource``; the cache is cleared around every test
so each test's app reads its own tmp data dir. Users are created here with cheap bcrypt rounds.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pymupdf
import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.accounts.sessions import LocalSessions
from services.accounts.sign_in.base import SignedIn
from services.bootstrap import Services, build_local_ports, build_services
from services.domain.models import Category, ContentDraft, ContentItem, Status, Upload
from services.domain.permissions import Actor, Role
from services.domain.users import User
from services.i18n import LANGUAGES, catalog, translate
from services.settings import ENV_PREFIX, load_settings
from services.ui import auth, gate, routes
from services.ui.page_names import TITLE_KEYS

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
ROLE_NAMES = ("viewer", "author", "analyst", "admin")


@pytest.fixture(autouse=True)
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    import os

    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("DEMO_FACTORY_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DEMO_FACTORY_SAMPLE_CONTENT", "false")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield data_dir
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def services(app_env: Path) -> Services:
    """Services on the test's data dir (the app builds its own on the same files)."""
    return build_services(load_settings())


@pytest.fixture
def accounts(services: Services) -> AccountService:
    cheap = LocalPasswords(services.ports.users, rounds=4)  # type: ignore[arg-type]
    return AccountService(services.ports.users, cheap, services.ports.throttle,
                          services.ports.audit)


@pytest.fixture
def make_user(accounts: AccountService) -> Callable[..., User]:
    def make(username: str, *roles: str) -> User:
        role_set = frozenset(Role(r) for r in roles or ("viewer",))
        if Role.ADMIN in role_set and accounts.needs_first_admin():
            user = accounts.create_first_admin(username, username.title(), "", PASSWORD)
            return user
        admin = _any_admin(accounts, make)
        # A user name that is an address is the user's email; no address is made of it.
        email = username if "@" in username else f"{username}@example.com"
        return accounts.create_user(
            admin.as_actor(), username, username.title(), email, PASSWORD,
            role_set, temporary=False,  # established users, not invited ones
        )

    return make


def _any_admin(accounts: AccountService, make: Callable[..., User]) -> User:
    for user in accounts._dir.list():  # test set-up reads the directory
        if Role.ADMIN in user.roles:
            return user
    return make("root-admin", "admin")


@pytest.fixture
def users(make_user: Callable[..., User]) -> dict[str, User]:
    """One user per role; the admin is created first."""
    made = {"admin": make_user("admin-user", "admin")}
    for role in ("viewer", "author", "analyst"):
        made[role] = make_user(f"{role}-user", role)
    return made


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (31, 111, 235)).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes(pages: int = 4) -> bytes:
    doc = pymupdf.open()
    for number in range(pages):
        doc.new_page().insert_text((72, 72), f"Page {number + 1}")
    data: bytes = doc.tobytes()
    doc.close()
    return data


@pytest.fixture
def make_item(services: Services, users: dict[str, User]) -> Callable[..., ContentItem]:
    def make(
        title: str = "Bedrock 생성형AI 데모",
        *,
        author: str = "author",
        status: Status = Status.PUBLISHED,
        category: Category = Category.GENERATIVE_AI,
        uploads: tuple[Upload, ...] = (),
        sample: bool = False,
        body: str = "# 소개\n\n**Amazon Bedrock**으로 만든 챗봇입니다.",
    ) -> ContentItem:
        draft = ContentDraft(
            title=title, summary=f"{title} 요약", body=body, category=category,
            tags=("Bedrock", "RAG"), status=status,
        )
        return services.content.create(
            draft, uploads, users[author].as_actor(), sample=sample
        )

    return make


@pytest.fixture
def new_app() -> Callable[..., AppTest]:
    def make(username: str | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        if username is not None:
            sign_in_session(at, username)
        return at

    return make


def sign_in_session(at: AppTest, username: str) -> SignedIn:
    """What a successful local sign-in leaves in session state (services/ui/auth.py): a
    server-side session of ``username``. The app re-checks it on every run (the session must
    stand, roles come from the directory)."""
    settings = load_settings()
    sessions = LocalSessions(build_local_ports(settings).sessions,  # type: ignore[arg-type]
                             days=settings.cookie_expiry_days)
    held = SignedIn(actor=Actor(user_id=username), session_id=sessions.start(username))
    at.session_state[auth.SIGNED_IN_KEY] = held
    return held


def open_page(at: AppTest, page: str) -> AppTest:
    """Switch to a page by its file (``app_pages/x.py``) or, for pages registered from a
    function (the category pages), by its URL path (``category_finance``).

    AppTest's ``switch_page`` only knows file pages; a function page is opened the way a real
    session opens it: by the hash of its URL path. Raises ValueError for a page that the
    navigation did not register (the role may not see it), like ``switch_page``.
    """
    if page.endswith(".py"):
        return at.switch_page(page)
    registered = {info.get("url_pathname") for info in at._registered_pages.values()}
    if page not in registered:
        raise ValueError(f"page {page!r} is not registered for this session")
    at._page_hash = calc_hash(page)
    return at


_REPLACED = re.compile(r'history\.replaceState\(null, "", ("(?:[^"\\]|\\.)*")\)')
_FILE_PAGE_BY_PATH = {gate.url_path(route): route for route in vars(routes).values()
                      if isinstance(route, str) and route.endswith(".py")}


def replaced_address(at: AppTest) -> str | None:
    """The address the last run told the browser to open in place of its own
    (``gate.replace_page``), if it did."""
    for element in at.get("html"):
        found = _REPLACED.search(str(element.proto.body))
        if found:
            return str(json.loads(found.group(1)))
    return None


def follow_replacement(at: AppTest) -> AppTest:
    """What the browser does with that address: open its page with its query (and run it)."""
    address = replaced_address(at)
    assert address is not None, "the run did not replace its address"
    path, _, query = address.partition("?")
    at.query_params.clear()
    at.query_params.update(parse_qsl(query))
    return at.switch_page(routes.HOME if path == "./" else _FILE_PAGE_BY_PATH[path]).run()


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def ko(key: str, **params: Any) -> str:
    """The Korean text of a message key, as a session in the default language shows it."""
    return translate("ko", key, **params)


def _needs_role_pattern(lang: str) -> re.Pattern[str]:
    """The gate's "you need the role" message in ``lang`` with any roles filled in."""
    before, after = catalog(lang)["nav.needs_role"].split("{roles}")
    return re.compile(re.escape(before) + ".+" + re.escape(after))


_NEEDS_ROLE = [_needs_role_pattern(lang) for lang in LANGUAGES]


def role_refusals(at: AppTest) -> list[str]:
    """The gate's role messages shown by the last run (services/ui/gate.py ``needs_role``)."""
    return [str(w.value) for w in at.warning
            if any(p.search(str(w.value)) for p in _NEEDS_ROLE)]


def assert_page_ran(at: AppTest, title: str) -> None:
    """The opened page ran for this session: its ``title`` is drawn, no role message or error
    took its place (a refused page shows a warning, not an error; an anonymous visitor is sent
    to sign-in, whose title is another)."""
    assert not at.exception, at.exception
    assert not errors(at), errors(at)
    assert not role_refusals(at), role_refusals(at)
    shown = [as_shown(str(heading.value)) for heading in at.title]
    assert title in shown, (title, shown)


def texts(at: AppTest) -> str:
    """All visible text of the last run, for substring checks (raw, then as shown)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "title", "subheader", "header", "success", "info",
                 "warning", "error"):
        parts.extend(str(e.value) for e in at.get(kind))
    parts.extend(str(e.proto.body) for e in at.get("html"))
    parts.extend(str(getattr(e.proto, "label", "")) for e in at.get("page_link"))
    parts.extend(str(b.label) for b in at.button)
    # Each text also as the reader sees it: user text goes out markdown-escaped.
    return "\n".join(parts + [as_shown(part) for part in parts])


def open_admin_page(new_app: Callable[..., AppTest]) -> AppTest:
    """The admin page as the ``admin-user`` fixture user sees it."""
    at = new_app("admin-user")
    at.run()
    at.switch_page("app_pages/admin.py").run()
    assert_page_ran(at, ko("nav.admin"))
    return at


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


_CARD_TITLE = re.compile(
    r'<h[23] class="df-(?:card|hit)-title"[^>]*><strong>(.*?)</strong></h[23]>', re.S)
_TAG = re.compile(r"<[^>]+>")


def card_titles(at: AppTest) -> list[str]:
    """The titles of the content cards shown, in order, as a reader sees them (each card's
    HTML block holds its title, marked or not)."""
    blocks = [str(getattr(e.proto, "body", "")) for e in at.get("html")]
    return [html.unescape(_TAG.sub("", title)) for block in blocks
            for title in _CARD_TITLE.findall(block)]


def as_shown(markdown: str) -> str:
    """The text a markdown string shows (escapes resolved, invisible word joiners gone)."""
    return _ESCAPE.sub(r"\1", markdown).replace("\u2060", "")


def assert_refused(at: AppTest, page: str) -> None:
    """``page`` is reachable but does not run for this session: an anonymous visitor lands on
    sign-in with ``?next=``, a signed-in user reads which role opens it (services/ui/gate.py)."""
    at.query_params.clear()
    open_page(at, page).run()
    assert not at.exception and not errors(at), (page, at.exception, errors(at))
    if at.session_state["authentication_status"]:
        assert role_refusals(at), page
        # Only the page's name as the menu gives it, above the refusal: nothing of the page.
        assert [title.value for title in at.title] == [ko(TITLE_KEYS[page])], page
    else:
        assert not at.title, page  # nothing of the page: the browser is sent to sign-in
        follow_replacement(at)
        assert at.title[0].value == ko("auth.login_title") and at.query_params["next"], page


def shown_in_browser(widget: Any, typed: object) -> object:
    """What a browser shows in ``widget`` after the last run: the value the run set, or else
    what was ``typed`` there. AppTest reads the server's value; a browser keeps its own unless
    the run sends one (deleting a widget's key sends none, and the old text stays on screen)."""
    return widget.value if widget.proto.set_value else typed


@dataclass(frozen=True)
class ShownTile:
    """One number tile as a reader sees it (services/ui/tiles.py)."""

    label: str
    value: str
    delta: str | None
    tone: str | None  # "good", "bad" or "quiet"
    arrow: str | None  # "up", "down" or None
    scope: str | None  # the icon's name


class _TileParser(HTMLParser):
    """Reads the tiles' HTML blocks into ``ShownTile``s: each text by the class around it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, Any]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs).get("class") or ""
        if "df-tile" in names.split():
            self.found.append({"label": "", "value": "", "delta": None, "tone": None,
                               "arrow": None, "scope": None})
        tile = self.found[-1] if self.found else None
        if tile is not None and "df-tile-icon" in names:
            tile["scope"] = dict(attrs).get("aria-label")
        if tile is not None and "df-tile-arrow" in names:
            tile["arrow"] = names.split()[-1].removeprefix("df-icon-")
        if tile is not None and "df-tile-change" in names:
            tile["tone"] = names.split()[-1].removeprefix("df-")
            tile["delta"] = ""
        if tag not in ("wbr", "br", "img"):  # void: no end tag follows
            self._open.append(names)

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if not self.found:
            return
        tile, inside = self.found[-1], " ".join(self._open)
        if "df-tile-change" in inside:
            tile["delta"] += data
        elif "df-tile-value" in inside:
            tile["value"] += data
        elif "df-tile-label" in inside:
            tile["label"] += data


def shown_tiles(at: AppTest) -> list[ShownTile]:
    """Every number tile the last run drew, in order."""
    parser = _TileParser()
    for element in at.get("html"):
        body = str(getattr(element.proto, "body", ""))
        if "df-tile" in body:
            parser.feed(body)
    return [ShownTile(found["label"], found["value"], found["delta"], found["tone"],
                      found["arrow"], found["scope"])
            for found in parser.found]


def tile_value(at: AppTest, label: str) -> str:
    """The value of the tile named ``label``."""
    found = [shown.value for shown in shown_tiles(at) if shown.label == label]
    assert found, (label, [shown.label for shown in shown_tiles(at)])
    return found[0]


def tile_notes(at: AppTest, key: str) -> dict[str, str]:
    """Open the tile notes keyed ``key`` (what opening them sends) and read them: each tile's
    label -> its note, as shown."""
    at.session_state[key] = True
    at.run()
    box = next(e for e in at.expander if e.label == ko("tiles.notes"))
    text = as_shown(box.markdown[0].value)
    notes: dict[str, str] = {}
    for part in text.split("\n\n"):
        label, _, note = part.partition("  \n")
        notes[label.strip("*")] = note
    return notes


class _StaticTableParser(HTMLParser):
    """The rows of ``services/ui/static_table``'s HTML tables, as a reader sees their text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None and self.tables:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def static_tables(at: AppTest) -> list[Any]:
    """Every short HTML table the last run drew, as a frame of the texts shown (headings as
    its columns)."""
    import pandas as pd

    parser = _StaticTableParser()
    for element in at.get("html"):
        body = str(getattr(element.proto, "body", ""))
        if "df-static-table" in body:
            parser.feed(body)
    return [pd.DataFrame(rows[1:], columns=rows[0]) for rows in parser.tables if rows]
