"""Who owns an imported item: a user whose email is verified, or whom the operator's mapping
file names; never whoever has the old author's display name (anyone can give themselves a
name, and in Cognito mode an unverified email too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.adapters.legacy_folder import FolderSource
from services.bootstrap import Services, build_local_ports, build_services
from services.domain.analytics import Purpose
from services.domain.models import SearchQuery
from services.domain.permissions import Actor, Role
from services.domain.signup import SignupDraft
from services.domain.users import User
from services.errors import ValidationError
from services.imports.legacy.authors import parse_author_map
from services.imports.legacy.summary import LegacySummary
from services.settings import Settings
from tests.contract.cognito_backend import mocked_cognito
from tests.doubles.legacy_fixture import NOW, export_to_folder, legacy_data

ADMIN = Actor("root", "Root", frozenset({Role.ADMIN}))
# Authors in the fixture: "Alice@Example.com" (two items), "Bob Kim", "carol@old.example".
PASSWORD = "violet-harbor-tunnel-42"
DEMO, Q_ITEM, GUIDE = "생성형 AI 데모", "Q Developer 코드 리뷰", "Gen AI guide"


@pytest.fixture
def source(tmp_path: Path) -> FolderSource:
    return FolderSource(export_to_folder(legacy_data(), tmp_path / "export"))


@pytest.fixture
def local(tmp_path: Path) -> Services:
    settings = Settings(data_dir=tmp_path / "data", sample_content=False, max_upload_mb=5)
    return build_services(settings, build_local_ports(settings))


def owners(services: Services) -> dict[str, tuple[str, str]]:
    found = services.ports.content.search(SearchQuery(status=None, page_size=50))
    return {item.title: (item.author_id, item.author_name) for item in found.items}


def run(services: Services, source: FolderSource, **options: Any) -> LegacySummary:
    return services.legacy_import.run(source, ADMIN, **options)


def test_a_user_named_like_an_old_author_is_not_made_the_owner(
    local: Services, source: FolderSource
) -> None:
    local.ports.users.create(User("bob", "Bob Kim", "", frozenset({Role.AUTHOR}), NOW))
    local.ports.users.create(User("bob kim", "B", "", frozenset({Role.AUTHOR}), NOW))
    summary = run(local, source)

    assert owners(local)[Q_ITEM] == ("legacy:bob kim", "Bob Kim")
    assert summary.authors_unlinked["Bob Kim"] == 1
    # The operator is told, so that a real match can go into the mapping file.
    assert summary.authors_name_only == {"Bob Kim": 1}
    assert any("never linked by name" in line for line in summary.lines())


def test_an_email_set_by_an_administrator_links(local: Services, source: FolderSource) -> None:
    local.ports.users.create(User("alice", "앨리스", "alice@example.com",
                                  frozenset({Role.AUTHOR}), NOW))
    summary = run(local, source)

    assert owners(local)[DEMO] == ("alice", "앨리스")
    assert summary.authors_links == {("Alice@Example.com", "alice", "verified email"): 1,
                                     ("alice@example.com", "alice", "verified email"): 1}
    assert any("alice@example.com  alice  verified email" in line.casefold()
               for line in summary.lines())


def test_an_email_typed_on_the_profile_links_nothing(
    local: Services, source: FolderSource
) -> None:
    """Mallory's account was made by an administrator (her email verified); she then sets
    Alice's old address on her profile. The change is not verified, so the import gives her
    none of Alice's items or likes."""
    local.ports.users.create(User("mallory", "Mallory", "mallory@example.com",
                                  frozenset({Role.AUTHOR}), NOW))
    mallory = Actor("mallory", "Mallory", frozenset({Role.AUTHOR}))
    assert local.profile is not None
    local.profile.update_profile(mallory, "mallory", name="Mallory",
                                 email="alice@example.com", company="")

    summary = run(local, source)

    assert owners(local)[DEMO][0] == "legacy:alice@example.com"
    assert not local.ports.content.has_liked(found_id(local, DEMO), "mallory")
    assert summary.authors_unverified == {"Alice@Example.com": 1, "alice@example.com": 1}


def test_an_email_typed_at_a_sign_up_without_mail_links_nothing(
    local: Services, source: FolderSource
) -> None:
    """Without mail nothing checks the address a sign-up typed, not even an administrator's
    approval: the import leaves it unlinked (the mapping file can still name the user)."""
    assert local.signup is not None
    local.signup.sign_up(SignupDraft("Mallory", "alice@example.com", "mallory", "", Purpose.OTHER,
                                     Role.VIEWER, PASSWORD, PASSWORD, True), "visit-1")
    local.ports.users.create(User("root", "Root", "", frozenset({Role.ADMIN}), NOW))
    local.signup.approve(ADMIN, "mallory")

    run(local, source)

    assert owners(local)[DEMO][0] == "legacy:alice@example.com"


def test_the_mapping_file_links_and_wins(local: Services, source: FolderSource) -> None:
    for username, email in (("alice", "alice@example.com"), ("bob", ""), ("carol", "")):
        local.ports.users.create(User(username, username.title(), email,
                                      frozenset({Role.AUTHOR}), NOW))
    mapping = parse_author_map("legacy_author,username\n"
                               "Bob Kim,bob\n"
                               "CAROL@old.example,carol\n"
                               "alice@example.com,bob\n")
    summary = run(local, source, authors=mapping)

    found = owners(local)
    assert found[Q_ITEM] == ("bob", "Bob")
    assert found[GUIDE] == ("carol", "Carol")
    assert found[DEMO] == ("bob", "Bob")  # the mapping wins over alice's verified email
    assert local.ports.content.has_liked(found_id(local, GUIDE), "carol")  # likers too
    assert summary.authors_links[("Bob Kim", "bob", "mapping")] == 1
    assert summary.authors_linked == 4 and not summary.authors_unlinked


def found_id(services: Services, title: str) -> str:
    items = services.ports.content.search(SearchQuery(status=None, page_size=50)).items
    return next(item.id for item in items if item.title == title)


def test_a_mapping_to_an_unknown_user_imports_nothing(
    local: Services, source: FolderSource
) -> None:
    with pytest.raises(ValidationError) as raised:
        run(local, source, authors=parse_author_map("Bob Kim,bobby\n"))
    assert raised.value.params["names"] == "bobby"
    assert local.ports.content.count() == 0


@pytest.mark.parametrize("text, problem", [
    ("Bob Kim\n", "line 1"),
    ("Bob Kim,bob,extra\n", "line 1"),
    ("a@b.example,x\nA@B.example,y\n", "line 2"),
    (",bob\n", "line 1"),
])
def test_a_malformed_mapping_file_is_refused_with_its_line(text: str, problem: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_author_map(text)
    assert raised.value.params["line"] == int(problem.split()[1])


def test_the_mapping_file_allows_a_header_comments_and_blank_lines() -> None:
    text = "\ufefflegacy_author,username\n# old team\n\n\"Kim, Bob\",bob\n A@B.example , ann \n"
    assert parse_author_map(text) == {"kim, bob": "bob", "a@b.example": "ann"}


@pytest.fixture
def cognito() -> Iterator[Any]:
    with mocked_cognito(sample_content=False) as mocked:
        yield mocked


def test_in_cognito_mode_only_a_verified_email_links(
    cognito: Any, tmp_path: Path
) -> None:
    """Mallory sets her own email and name to Alice's and Bob's through the public app client:
    Cognito marks such an email unverified, and the import gives her nothing."""
    services = build_services(cognito.settings)
    directory = services.ports.users
    directory.create(User("carol", "Carol", "carol@old.example", frozenset({Role.AUTHOR}), NOW))
    directory.create(User("mallory", "Mallory", "", frozenset({Role.AUTHOR}), NOW))
    cognito.client.admin_update_user_attributes(
        UserPoolId=cognito.pool_id, Username="mallory",
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"},
                        {"Name": "email_verified", "Value": "false"},
                        {"Name": "name", "Value": "Bob Kim"}])
    assert directory.get("mallory").email_verified is False
    assert directory.get("carol").email_verified is True

    source = FolderSource(export_to_folder(legacy_data(), tmp_path / "export"))
    summary = run(services, source)

    found = owners(services)
    assert found[DEMO][0] == "legacy:alice@example.com"
    assert found[Q_ITEM][0] == "legacy:bob kim"
    assert found[GUIDE] == ("carol", "Carol")
    assert not services.ports.content.has_liked(found_id(services, DEMO), "mallory")
    assert summary.authors_unverified == {"Alice@Example.com": 1, "alice@example.com": 1}


def test_views_of_a_deleted_item_count_for_a_legacy_author_not_a_user(
    local: Services, source: FolderSource
) -> None:
    """The old author of an item that is gone is only a text in the view event: it must not
    become a user name (Cognito user names are often emails) in the analytics."""
    from datetime import timedelta

    from services.domain.analytics import Dim, EventType

    run(local, source)
    day = (NOW - timedelta(days=2)).astimezone(local.settings.tz).date()
    authors = {row.key.value for row in local.ports.events.rollups(day - timedelta(days=1),
                                                                   day + timedelta(days=1))
               if row.key.type == EventType.CONTENT_VIEW and row.key.dim == Dim.AUTHOR}
    assert "legacy:dave@old.example" in authors
    assert "dave@old.example" not in authors
