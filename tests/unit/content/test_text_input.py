"""Text typed by users, checked at the service boundary: lone surrogates are a clear
validation error (never a raw UnicodeEncodeError), text is stored in NFC so that a search
finds it whichever system typed it, and tags are one line of plain text."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import replace

import pytest

from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.bootstrap import Services
from services.domain.inquiries import InquiryDraft, InquiryType
from services.domain.models import ContentDraft, SearchQuery, Status
from services.domain.permissions import Actor, Role
from services.errors import ValidationError
from services.i18n import translate
from tests.conftest import make_actor

LONE = "\ud800"
AUTHOR = make_actor("author", Role.AUTHOR)
PASSWORD = "correct-horse-battery-staple"


def draft(**changes: object) -> ContentDraft:
    base = ContentDraft(title="생성형AI 데모", summary="요약", body="본문",
                        category="Generative AI",
                        tags=("Bedrock",), status=Status.PUBLISHED)
    return replace(base, **changes)  # type: ignore[arg-type]


def accounts(services: Services) -> AccountService:
    return AccountService(services.ports.users,
                          LocalPasswords(services.ports.users, rounds=4),  # type: ignore[arg-type]
                          services.ports.throttle, services.ports.audit)


def _paths(services: Services) -> dict[str, Callable[[], object]]:
    item = services.content.create(draft(), (), AUTHOR)
    users = accounts(services)
    root = users.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()
    inquiry = InquiryDraft(name="홍길동", email="a@example.com", company="", subject="문의",
                           message="내용", type=InquiryType.OTHER, consent=True)
    return {
        "content.create title": lambda: services.content.create(draft(title=LONE), (), AUTHOR),
        "content.create body": lambda: services.content.create(draft(body=LONE), (), AUTHOR),
        "content.create tag": lambda: services.content.create(draft(tags=(LONE,)), (), AUTHOR),
        "content.update summary": lambda: services.content.update(
            item.id, draft(summary=LONE), item.version, AUTHOR),
        "content.search text": lambda: services.content.browse(SearchQuery(text=LONE),
                                                               Actor.anonymous()),
        "content.search tag": lambda: services.content.browse(SearchQuery(tags=(LONE,)),
                                                              Actor.anonymous()),
        "contact.submit": lambda: services.inquiries.submit(
            Actor.anonymous(), replace(inquiry, name=LONE), "visit"),
        "accounts.create_user name": lambda: users.create_user(
            root, "bob", "Bob" + LONE, "bob@example.com", PASSWORD, frozenset({Role.VIEWER})),
        "accounts.authenticate": lambda: users.authenticate("root" + LONE, PASSWORD),
        "accounts.set_roles": lambda: users.set_roles(root, "x" + LONE,
                                                      frozenset({Role.VIEWER})),
    }


@pytest.mark.parametrize("path", [
    "content.create title", "content.create body", "content.create tag",
    "content.update summary", "content.search text", "content.search tag", "contact.submit",
    "accounts.create_user name", "accounts.authenticate", "accounts.set_roles"])
def test_lone_surrogates_are_a_clear_validation_error(services: Services, path: str) -> None:
    with pytest.raises(ValidationError) as err:
        _paths(services)[path]()
    assert err.value.key == "errors.bad_text"


def test_the_message_exists_in_both_languages() -> None:
    for lang in ("ko", "en"):
        assert translate(lang, "errors.bad_text") != "errors.bad_text"


def test_a_title_typed_in_nfd_is_found_by_an_nfc_search(services: Services) -> None:
    title = "한국어 데모 café"
    nfd = unicodedata.normalize("NFD", title)
    assert nfd != title
    tag = unicodedata.normalize("NFD", "한국어")
    saved = services.content.create(draft(title=nfd, summary=nfd, body=nfd, tags=(tag,)), (),
                                    AUTHOR)
    assert saved.title == title and saved.summary == title and saved.body == title
    assert saved.tags == ("한국어",)
    for typed in (title, nfd):
        found = services.content.browse(SearchQuery(text=typed[:6]), Actor.anonymous()).items
        assert [i.id for i in found] == [saved.id]
    for form in ("NFC", "NFD"):
        typed_tag = unicodedata.normalize(form, "한국어")
        tagged = services.content.browse(SearchQuery(tags=(typed_tag,)), Actor.anonymous())
        assert [i.id for i in tagged.items] == [saved.id]


@pytest.mark.parametrize("tag", ["a\n\n![x](https://evil/i.png)", "line\nbreak", "<b>", "[x]",
                                 "(x)", "wow!", "tab\there", "nul\x00", "sep\u2028x"])
def test_tags_with_markup_or_line_breaks_are_refused(services: Services, tag: str) -> None:
    with pytest.raises(ValidationError) as err:
        services.content.create(draft(tags=(tag,)), (), AUTHOR)
    assert err.value.key == "content.err_tag_chars"
    assert "content.err_tag_chars" not in translate("en", "content.err_tag_chars")


def test_ordinary_tags_still_pass(services: Services) -> None:
    saved = services.content.create(draft(tags=("#생성형 AI", "C++", "Node.js", "RAG-2")), (),
                                    AUTHOR)
    assert saved.tags == ("생성형 AI", "C++", "Node.js", "RAG-2")


def test_search_terms_reach_analytics_in_nfc_and_never_poison_the_store(
        services: Services) -> None:
    from services.domain.analytics import EventType

    nfd = unicodedata.normalize("NFD", "생성형 AI")
    services.analytics.search("visit", Actor.anonymous(), nfd, 3)
    services.analytics.search("visit", Actor.anonymous(), "broken" + LONE, 0)
    services.tracker.flush()
    from datetime import UTC, datetime

    events = services.ports.events.raw_events(datetime(2000, 1, 1, tzinfo=UTC),
                                              datetime(2100, 1, 1, tzinfo=UTC))
    stored = [e.properties["query"] for e in events if e.type == EventType.SEARCH]
    assert stored == ["생성형 AI", "broken\ufffd"]


RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: turns the text after it around


def _turned_paths(services: Services) -> dict[str, Callable[[], object]]:
    users = accounts(services)
    root = users.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()
    inquiry = InquiryDraft(name="홍길동", email="a@example.com", company="", subject="문의",
                           message="내용", type=InquiryType.OTHER, consent=True)
    return {
        "content title": lambda: services.content.create(draft(title=f"제목 {RLO}abc"), (),
                                                         AUTHOR),
        "content summary": lambda: services.content.create(draft(summary=f"요약{RLO}"), (),
                                                           AUTHOR),
        "contact name": lambda: services.inquiries.submit(
            Actor.anonymous(), replace(inquiry, name=f"x{RLO}"), "visit"),
        "contact subject": lambda: services.inquiries.submit(
            Actor.anonymous(), replace(inquiry, subject=f"{RLO}문의"), "visit"),
        "account name": lambda: users.create_user(
            root, "bob", "Bob\u2066", "bob@example.com", PASSWORD, frozenset({Role.VIEWER})),
    }


@pytest.mark.parametrize("path", ["content title", "content summary", "contact name",
                                  "contact subject", "account name"])
def test_characters_that_turn_the_line_around_are_refused_in_one_line_fields(
        services: Services, path: str) -> None:
    """A contact form's name with U+202E turned the rest of the administrator's inquiry line
    around: the sender's e-mail read "moc.elpmaxe@x", the inquiry number backwards."""
    with pytest.raises(ValidationError) as err:
        _turned_paths(services)[path]()
    assert err.value.key.endswith("err_direction")
    assert err.value.params.get("field") in {"title", "summary", "name", "subject"}
    assert translate("ko", err.value.key) != err.value.key
    assert translate("en", err.value.key) != err.value.key


def test_a_body_and_a_message_may_hold_them_and_marks_pass_everywhere(
        services: Services) -> None:
    """Long text is drawn in a block of its own; left-to-right and right-to-left marks turn
    nothing around."""
    services.content.create(draft(title="שלום\u200f 데모", body=f"본문 {RLO}abc"), (), AUTHOR)
