"""Bad input on every path where typed text enters a service: each hostile input ends in a
clear project error (a translated message in both languages) with nothing stored, or in
stored text that stays inert where the app shows it (``inert.assert_inert``). Never a raw
exception. Paths and inputs are two tables; the test is their product."""

from __future__ import annotations

import dataclasses
import itertools
import json
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from services.accounts.credentials_file import read_credentials
from services.accounts.passwords import LocalPasswords
from services.bootstrap import (
    Ports,
    Services,
    build_local_ports,
    build_services,
    legacy_source,
)
from services.contact.service import notification
from services.domain.analytics import EventType
from services.domain.inquiries import InquiryDraft, InquiryType
from services.domain.models import SearchQuery
from services.domain.permissions import Actor, Role
from services.errors import DemoFactoryError
from services.imports.legacy.mapping import content_id_for
from services.ops.audit_view import to_csv
from services.settings import Settings
from tests.security.inert import (
    Shown,
    Stored,
    assert_clear_error,
    assert_clear_key,
    assert_csv_inert,
    assert_inert,
)
from tests.security.world import ACTORS, PASSWORD, REQUEST, World, draft, snapshot

# ---- the hostile inputs ------------------------------------------------------------------

CODE_IN_LIST = ("- a list\n\n      ```\n      [live](https://evil.example/x)\n\n"
                "      ![pixel](https://evil.example/p.png)\n      ```\n")
HOSTILE: dict[str, str] = {
    "lone_surrogate": "abc\ud800def",
    "nul": "a\x00b",
    "controls": "bell\x07esc\x1b[31mred\x7fdel\x08",
    "megabyte": "x" * 1_000_000,
    "js_link": "[click](javascript:alert(1))",
    "script": "<script>alert(1)</script>",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "foreign_image": "![x](https://evil.example/img.png)",
    "code_in_list": CODE_IN_LIST,
    "bare_url": "see https://evil.example/login or www.evil.example now",
    "email": "write to victim@evil.example",
    "formula_cmd": "=cmd|' /C calc'!A0",
    "formula_minus": "-2+3",
    "formula_at": "@SUM(1)",
    "formula_tab": "\t=1+1",
    "formula_cr": "\r=1+1",
    "rtl_override": "invoice\u202egnp.exe",
    "zero_width": "a\u200bb\u200dc\ufeffd\u2060e",
    "nfd": unicodedata.normalize("NFD", "한국어 café résumé"),
    "newlines": "one\ntwo\r\nthree\u2028four\u2029five",
    "long_word": "W" * 5000,
    "emoji_cjk": "데모 😀👩‍💻 漢字 テスト",
}

# ---- the world the paths act in ----------------------------------------------------------

ADMIN, AUTHOR, ANALYST = ACTORS["admin"], ACTORS["author"], ACTORS["analyst"]
_counter = itertools.count()


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_counter):05d}"


def _build(folder: Path) -> Services:
    settings = Settings(
        data_dir=folder / "data", sample_content=False, max_upload_mb=1,
        # Many refused sign-ins and contact messages in one module: no lockout, no rate limit
        # (both have tests of their own); here the text is on trial.
        login_max_failures=1_000_000, inquiry_limit=100, inquiry_instance_limit=10_000,
        inquiry_global_limit=100_000,
    )
    ports = build_local_ports(settings)
    passwords = LocalPasswords(ports.users, rounds=4)  # type: ignore[arg-type]
    return build_services(settings, dataclasses.replace(ports, passwords=passwords))


@dataclass
class Ctx:
    services: Services
    folder: Path
    edited_id: str  # the item the update path edits

    @property
    def ports(self) -> Ports:
        return self.services.ports


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ctx]:
    folder = tmp_path_factory.mktemp("bad_input")
    services = _build(folder)
    World(services, ADMIN, "own", folder).account  # noqa: B018 (root, with PASSWORD)
    edited = services.content.create(draft("Before the edit"), [], AUTHOR)
    yield Ctx(services, folder, edited.id)
    services.tracker.close()


# ---- the input paths: each puts ``text`` in one field and returns what was stored --------

SHORT = (Shown.SHORT, Shown.LABEL, Shown.CSV)


def _content(ctx: Ctx, item_id: str) -> dict[str, Stored]:
    item = ctx.ports.content.get(item_id)
    return {"title": Stored(item.title, SHORT), "summary": Stored(item.summary, SHORT),
            "body": Stored(item.body, (Shown.BODY,)),
            **{f"tag{i}": Stored(tag, (Shown.TAG, Shown.LABEL, Shown.CSV))
               for i, tag in enumerate(item.tags)}}


def content_create(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        base = draft("A title")
        typed = replace(base, tags=(text,)) if field == "tags" else replace(base, **{field: text})
        item = ctx.services.content.create(typed, [], AUTHOR)
        return list(_content(ctx, item.id).values())
    return run


def content_update(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        current = ctx.ports.content.get(ctx.edited_id)
        base = draft("Before the edit")
        typed = replace(base, tags=(text,)) if field == "tags" else replace(base, **{field: text})
        ctx.services.content.update(current.id, typed, current.version, AUTHOR)
        return list(_content(ctx, current.id).values())
    return run


def content_search(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        query = SearchQuery(text=text) if field == "text" else SearchQuery(tags=(text,))
        ctx.services.content.browse(query, ACTORS["viewer"])
        return []
    return run


INQUIRY_SHOWN = {"name": SHORT, "email": SHORT, "company": SHORT, "subject": SHORT,
                 "message": (Shown.PLAIN, Shown.CSV)}


def contact(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        typed = replace(InquiryDraft(
            name="Kim", email="kim@example.com", company="", subject="A demo",
            type=InquiryType.DEMO_REQUEST, message="Please show us.", consent=True,
        ), **{field: text})
        inquiry = ctx.services.inquiries.submit(Actor.anonymous(), typed, _unique("visit"))
        stored = ctx.ports.inquiries.get(inquiry.id)
        subject, _ = notification(stored, "en")
        assert "\n" not in subject and "\r" not in subject  # a mail header stays one line
        return [Stored(getattr(stored, name), shown) for name, shown in INQUIRY_SHOWN.items()]
    return run


def _user(ctx: Ctx, username: str) -> list[Stored]:
    user = ctx.ports.users.get(username)
    return [Stored(user.username, SHORT), Stored(user.name, SHORT), Stored(user.email, SHORT)]


def _account_fields(field: str, text: str) -> dict[str, str]:
    fields = {"username": _unique("user"), "name": "Some One", "email": "one@example.com",
              "password": "a long enough password"}
    fields[field] = text
    return fields


def account_create(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        f = _account_fields(field, text)
        user = ctx.services.accounts.create_user(ADMIN, f["username"], f["name"], f["email"],
                                                 f["password"], frozenset({Role.VIEWER}))
        # The password works exactly as it was typed.
        assert ctx.services.accounts.authenticate(user.username, f["password"])
        return _user(ctx, user.username)
    return run


def first_admin(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        fresh = _build(ctx.folder / _unique("first"))
        try:
            f = _account_fields(field, text)
            user = fresh.accounts.create_first_admin(f["username"], f["name"], f["email"],
                                                     f["password"])
            assert fresh.accounts.authenticate(user.username, f["password"])
            return _user(Ctx(fresh, ctx.folder, ""), user.username)
        finally:
            fresh.tracker.close()
    return run


def sign_in(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        username, password = (text, PASSWORD) if field == "username" else ("root", text)
        try:
            ctx.services.accounts.authenticate(username, password)
        finally:
            # A refused sign-in is audited: the audit export stays inert.
            assert_csv_inert(to_csv(ctx.ports.audit.entries(limit=3), ctx.services.settings.tz))
        return []
    return run


def change_password(ctx: Ctx, text: str) -> list[Stored]:
    root = Actor("root", "Root", frozenset({Role.ADMIN}))
    ctx.services.accounts.change_password(root, PASSWORD, text)
    try:
        assert ctx.services.accounts.authenticate("root", text)
    finally:
        ctx.ports.passwords.set_password("root", PASSWORD)
    return []


def report_model(ctx: Ctx, text: str) -> list[Stored]:
    report = ctx.services.reports.generate(ANALYST, replace(REQUEST, model=text))
    return [Stored(report.model_id, SHORT)]


def analytics_search(ctx: Ctx, text: str) -> list[Stored]:
    session = _unique("search")
    start = datetime.now(UTC) - timedelta(minutes=5)
    ctx.services.analytics.search(session, ACTORS["viewer"], text, 0)
    assert ctx.services.tracker.flush()
    return _search_terms(ctx, session, start)


def _search_terms(ctx: Ctx, session: str, start: datetime) -> list[Stored]:
    until = datetime.now(UTC) + timedelta(minutes=5)
    events = [e for e in ctx.ports.events.raw_events(start, until)
              if e.session_id == session and e.type == EventType.SEARCH]
    return [Stored(str(e.properties.get("query", "")), SHORT) for e in events]


def event_import(ctx: Ctx, text: str) -> list[Stored]:
    session = _unique("import")
    now = datetime.now(UTC)
    line = json.dumps({"ts": now.isoformat(), "type": "search", "session_id": session,
                       "properties": {"query": text, "results": 0}})
    summary = ctx.services.event_import.import_events(ADMIN, lambda: [line, text], "bad.jsonl")
    for error in summary.errors:
        assert_clear_key(error.key, dict(error.params))
    return _search_terms(ctx, session, now - timedelta(minutes=5))


def legacy_import(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        folder = ctx.folder / _unique("legacy")
        folder.mkdir()
        legacy_id = f"content-{1719912345678 + next(_counter)}"
        record = {"id": legacy_id, "title": "Old item", "description": "Old summary",
                  "content": "Old body", "category": "Finance", "tags": ["old"],
                  "author": "someone", field: [text] if field == "tags" else text}
        (folder / "contents.json").write_text(json.dumps([record]), encoding="utf-8")
        source = legacy_source(ctx.services.settings, folder=folder)
        summary = ctx.services.legacy_import.run(source, ADMIN, with_events=False)
        for _, reason in summary.items_failed:
            assert_clear_key(reason, {})
        if summary.items_imported == 0:
            return []
        stored = _content(ctx, content_id_for(legacy_id))
        return [*stored.values(), Stored(ctx.ports.content.get(content_id_for(legacy_id))
                                         .author_name, SHORT)]
    return run


def credentials_import(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        username = text if field == "username" else _unique("cred")
        fields: dict[str, object] = {"email": "c@example.com", "first_name": "Cred",
                                     "last_name": "User", "password": "a long enough password",
                                     "roles": ["viewer"]}
        if field != "username":
            fields[field] = [text] if field == "roles" else text
        credentials = read_credentials({"credentials": {"usernames": {username: fields}}})
        for problem in credentials.problems:
            assert_clear_key(problem.key, problem.params)
        stored: list[Stored] = []
        for entry in credentials.entries:
            user = ctx.services.accounts.import_user(ADMIN, entry.username, entry.name,
                                                     entry.email, entry.roles, entry.password)
            stored += _user(ctx, user.username)
        return stored
    return run


# ---- the table of paths --------------------------------------------------------------------

PATHS: dict[str, Callable[[Ctx, str], list[Stored]]] = {
    **{f"content_create.{f}": content_create(f) for f in ("title", "summary", "body", "tags")},
    **{f"content_update.{f}": content_update(f) for f in ("title", "summary", "body", "tags")},
    **{f"content_search.{f}": content_search(f) for f in ("text", "tags")},
    **{f"contact.{f}": contact(f) for f in INQUIRY_SHOWN},
    **{f"account_create.{f}": account_create(f)
       for f in ("username", "name", "email", "password")},
    **{f"first_admin.{f}": first_admin(f) for f in ("username", "name", "email", "password")},
    **{f"sign_in.{f}": sign_in(f) for f in ("username", "password")},
    "change_password.new": change_password,
    "report_request.model": report_model,
    "analytics.search": analytics_search,
    "event_import.line": event_import,
    **{f"legacy_import.{f}": legacy_import(f)
       for f in ("title", "description", "content", "tags", "author")},
    **{f"credentials_import.{f}": credentials_import(f)
       for f in ("username", "first_name", "email", "password", "roles")},
}
# Paths whose refusal is itself recorded (a failed sign-in is audited and counted).
RECORDS_REFUSALS = {"sign_in.username", "sign_in.password", "change_password.new",
                    "event_import.line", "legacy_import.title", "legacy_import.description",
                    "legacy_import.content", "legacy_import.tags", "legacy_import.author"}


@pytest.mark.parametrize("hostile", list(HOSTILE), ids=list(HOSTILE))
@pytest.mark.parametrize("path", list(PATHS), ids=list(PATHS))
def test_bad_input_is_refused_clearly_or_stored_inert(ctx: Ctx, path: str,
                                                      hostile: str) -> None:
    before = snapshot(ctx.services)
    try:
        stored = PATHS[path](ctx, HOSTILE[hostile])
    except DemoFactoryError as exc:
        assert_clear_error(exc)
        if path not in RECORDS_REFUSALS:
            assert snapshot(ctx.services) == before, "a refused input changed the stores"
        return
    assert_inert(stored)


# ---- generated text: whatever a keyboard, a paste or a script sends --------------------------

FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@FUZZ
@example(title=HOSTILE["nfd"], body=HOSTILE["nfd"], tag="café")
@given(title=st.text(min_size=1, max_size=80), body=st.text(max_size=300),
       tag=st.text(max_size=20))
def test_generated_content_is_refused_clearly_or_stored_in_nfc(ctx: Ctx, title: str, body: str,
                                                               tag: str) -> None:
    typed = replace(draft("x"), title=title, body=body, tags=(tag,))
    try:
        item = ctx.services.content.create(typed, [], AUTHOR)
    except DemoFactoryError as exc:
        assert_clear_error(exc)
        return
    stored = ctx.ports.content.get(item.id)
    assert stored.title == _nfc(title).strip() and stored.body == _nfc(body)
    assert all(t == _nfc(t) for t in stored.tags)
    assert_inert(_content(ctx, item.id).values())


@FUZZ
@given(text=st.text(max_size=200))
def test_generated_search_is_refused_clearly_or_runs(ctx: Ctx, text: str) -> None:
    try:
        ctx.services.content.browse(SearchQuery(text=text, tags=(text,)), ACTORS["viewer"])
    except DemoFactoryError as exc:
        assert_clear_error(exc)


@FUZZ
@example(name=HOSTILE["nfd"], subject=HOSTILE["nfd"], message=HOSTILE["nfd"])
@given(name=st.text(max_size=60), subject=st.text(max_size=60), message=st.text(max_size=300))
def test_generated_contact_is_refused_clearly_or_stored_in_nfc(ctx: Ctx, name: str, subject: str,
                                                               message: str) -> None:
    typed = InquiryDraft(name=name, email="kim@example.com", company="", subject=subject,
                         type=InquiryType.OTHER, message=message, consent=True)
    try:
        inquiry = ctx.services.inquiries.submit(Actor.anonymous(), typed, _unique("fuzz"))
    except DemoFactoryError as exc:
        assert_clear_error(exc)
        return
    stored = ctx.ports.inquiries.get(inquiry.id)
    for value in (stored.name, stored.subject, stored.message):
        assert value == _nfc(value)
    assert (stored.name, stored.subject) == (_nfc(name).strip(), _nfc(subject).strip())


def test_a_huge_sign_in_name_leaves_no_huge_record(ctx: Ctx) -> None:
    """Anybody may try to sign in: a name no account can have is refused like a wrong password,
    without writing it into the throttle or the audit log."""
    with pytest.raises(DemoFactoryError) as refused:
        ctx.services.accounts.authenticate("n" * 1_000_000, PASSWORD)
    assert refused.value.key == "auth.err_bad_credentials"
    recent = ctx.ports.audit.entries(limit=5)
    assert all(len(e.actor) <= 256 and len(e.target) <= 256 for e in recent)
