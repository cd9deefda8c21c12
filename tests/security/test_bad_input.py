"""Bad input on every path where typed text enters a service: each hostile input ends in a
clear project error (a translated message in both languages) with nothing stored, or in
stored text that stays inert where the app shows it (``inert.assert_inert``). Never a raw
exception. Paths and inputs are two tables; the test is their product."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.accounts.credentials_file import read_credentials
from services.bootstrap import legacy_source
from services.contact.service import notification
from services.domain.analytics import EventType
from services.domain.inquiries import InquiryDraft, InquiryType
from services.domain.models import ContentDraft, SearchQuery
from services.domain.permissions import Actor, Role
from services.errors import DemoFactoryError
from services.imports.legacy.mapping import content_id_for
from services.ops.audit_view import to_csv
from tests.security.bad_world import (
    ADMIN,
    ANALYST,
    AUTHOR,
    HOSTILE,
    SHORT,
    Ctx,
    build,
    content_stored,
    unique,
)
from tests.security.inert import (
    Shown,
    Stored,
    assert_clear_error,
    assert_clear_key,
    assert_csv_inert,
    assert_inert,
)
from tests.security.world import ACTORS, PASSWORD, REQUEST, draft, snapshot

# ---- the input paths: each puts ``text`` in one field and returns what was stored --------

def _field(name: str, text: str) -> dict[str, Any]:
    return {name: (text,) if name == "tags" else text}


def with_field(base: ContentDraft, name: str, text: str) -> ContentDraft:
    """``base`` with ``text`` typed into one field (for tags: as the one tag)."""
    return replace(base, **_field(name, text))


def content_create(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        base = draft("A title")
        typed = with_field(base, field, text)
        item = ctx.services.content.create(typed, [], AUTHOR)
        return list(content_stored(ctx, item.id).values())
    return run


def content_update(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        current = ctx.ports.content.get(ctx.edited_id)
        base = draft("Before the edit")
        typed = with_field(base, field, text)
        ctx.services.content.update(current.id, typed, current.version, AUTHOR)
        return list(content_stored(ctx, current.id).values())
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
        ), **_field(field, text))
        inquiry = ctx.services.inquiries.submit(Actor.anonymous(), typed, unique("visit"))
        stored = ctx.ports.inquiries.get(inquiry.id)
        subject, _ = notification(stored, "en", ctx.services.settings.tz)
        assert "\n" not in subject and "\r" not in subject  # a mail header stays one line
        return [Stored(getattr(stored, name), shown) for name, shown in INQUIRY_SHOWN.items()]
    return run


def _user(ctx: Ctx, username: str) -> list[Stored]:
    user = ctx.ports.users.get(username)
    return [Stored(user.username, SHORT), Stored(user.name, SHORT), Stored(user.email, SHORT)]


def _account_fields(field: str, text: str) -> dict[str, str]:
    fields = {"username": unique("user"), "name": "Some One", "email": "one@example.com",
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
        fresh = build(ctx.folder / unique("first"))
        try:
            f = _account_fields(field, text)
            user = fresh.accounts.create_first_admin(f["username"], f["name"], f["email"],
                                                     f["password"])
            assert fresh.accounts.authenticate(user.username, f["password"])
            return _user(Ctx(fresh, ctx.folder, ""), user.username)
        finally:
            fresh.tracker.close()
    return run


def _sign_in_refusal(text: str) -> str:
    """The key a sign-in with ``text`` is refused with: text that is no text at all (a lone
    surrogate) as such, anything else as a wrong name or password."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "errors.bad_text"
    return "auth.err_bad_credentials"


def sign_in(field: str) -> Callable[[Ctx, str], list[Stored]]:
    """No hostile name or password signs in: each is refused as a wrong password (no message
    that would tell an account exists), and what the refusal shows stays inert."""
    def run(ctx: Ctx, text: str) -> list[Stored]:
        username, password = (text, PASSWORD) if field == "username" else ("root", text)
        with pytest.raises(DemoFactoryError) as refused:
            ctx.services.accounts.authenticate(username, password)
        assert refused.value.key == _sign_in_refusal(text), refused.value
        assert_clear_error(refused.value)
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
    session = unique("search")
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
    session = unique("import")
    now = datetime.now(UTC)
    line = json.dumps({"ts": now.isoformat(), "type": "search", "session_id": session,
                       "properties": {"query": text, "results": 0}})
    summary = ctx.services.event_import.import_events(ADMIN, lambda: [line, text], "bad.jsonl")
    for error in summary.errors:
        assert_clear_key(error.key, dict(error.params))
    return _search_terms(ctx, session, now - timedelta(minutes=5))


def legacy_import(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        folder = ctx.folder / unique("legacy")
        folder.mkdir()
        legacy_id = f"content-{1719912345678 + int(unique(''))}"
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
        stored = content_stored(ctx, content_id_for(legacy_id))
        return [*stored.values(), Stored(ctx.ports.content.get(content_id_for(legacy_id))
                                         .author_name, SHORT)]
    return run


def credentials_import(field: str) -> Callable[[Ctx, str], list[Stored]]:
    def run(ctx: Ctx, text: str) -> list[Stored]:
        username = text if field == "username" else unique("cred")
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
# (The sign-in paths expect their refusal themselves.)
RECORDS_REFUSALS = {"change_password.new",
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


def test_a_huge_sign_in_name_leaves_no_huge_record(ctx: Ctx) -> None:
    """Anybody may try to sign in: a name no account can have is refused like a wrong password,
    without writing it into the throttle or the audit log."""
    with pytest.raises(DemoFactoryError) as refused:
        ctx.services.accounts.authenticate("n" * 1_000_000, PASSWORD)
    assert refused.value.key == "auth.err_bad_credentials"
    recent = ctx.ports.audit.entries(limit=5)
    assert all(len(e.actor) <= 256 and len(e.target) <= 256 for e in recent)
