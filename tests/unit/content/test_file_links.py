"""The pages' links to files in S3 (moto): a link outlives the store's short-lived URL, each
use is authorised again as the item and its viewer are now, and the server's route answers it
with a redirect that is never cached."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pymupdf
import pytest
import requests
from PIL import Image
from starlette.applications import Starlette
from starlette.testclient import TestClient

from services.accounts.sessions import session_hash
from services.accounts.sign_in.base import SignedIn, derived_key, sign_cookie
from services.bootstrap import Services, build_services
from services.content.file_links import THUMBNAIL, FileLinks
from services.domain.models import ContentDraft, ContentItem, Status, Upload, utcnow
from services.domain.permissions import Actor, Role
from services.errors import NotFound
from services.ui import file_route
from tests.contract.aws_backends import aws_settings, mocked_aws

COOKIE_KEY = "file-link-test-cookie-key-long-enough-0123456789abcdef"
PASSWORD = "Correct-horse-battery-9"


def _pdf() -> bytes:
    """A real one-page PDF (an upload must open with a page)."""
    with pymupdf.open() as doc:
        doc.new_page()
        return bytes(doc.tobytes())


PDF = _pdf()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 360), "orange").save(out, format="PNG")
    return out.getvalue()


@dataclass
class World:
    services: Services
    links: FileLinks
    admin: Actor
    author: Actor
    alice: SignedIn  # the author's sign-in in one browser


@pytest.fixture
def world() -> Iterator[World]:
    with mocked_aws():
        services = build_services(aws_settings(cookie_key=COOKIE_KEY))
        admin = services.accounts.create_first_admin("root", "Root", "root@example.com",
                                                     PASSWORD).as_actor()
        author = services.accounts.create_user(admin, "alice", "Alice", "alice@example.com",
                                               PASSWORD, frozenset({Role.AUTHOR}),
                                               temporary=False).as_actor()
        assert services.file_links is not None
        yield World(services, services.file_links, admin, author, _signed_in(services))


def _signed_in(services: Services, login: str = "alice") -> SignedIn:
    step = services.sign_in.sign_in(login, PASSWORD)
    assert isinstance(step, SignedIn), step
    return step


def _item(world: World, status: Status = Status.PUBLISHED) -> ContentItem:
    draft = ContentDraft(title="파일이 있는 글", summary="", body="", category="Generative AI",
                         tags=(), status=status)
    return world.services.content.create(
        draft, [Upload("guide.pdf", PDF), Upload("shot.png", _png())], world.author)


def _token(link: str) -> str:
    assert link.startswith("files/"), link
    return link.removeprefix("files/")


def _draft_token(world: World, item: ContentItem, sign_in: SignedIn | None = None) -> str:
    """The link to the item's first file as a page of ``sign_in`` (alice's) draws it."""
    held = sign_in or world.alice
    return _token(world.links.link(item, item.assets[0].id, held.actor,
                                   sign_in=held.session_id))


def test_a_link_is_the_apps_and_each_use_gets_a_new_url_of_the_file(world: World) -> None:
    item = _item(world)
    pdf = next(a for a in item.assets if a.filename == "guide.pdf")

    link = world.links.link(item, pdf.id, Actor.anonymous(), sign_in=None)

    assert "amazonaws" not in link and "X-Amz" not in link  # nothing in it expires in minutes
    url = world.links.resolve(_token(link))
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == [str(world.services.settings.presigned_url_seconds)]
    assert requests.get(url, timeout=10).content == PDF


def test_the_card_picture_has_a_link_of_its_own(world: World) -> None:
    item = _item(world)

    link = world.links.link(item, THUMBNAIL, Actor.anonymous(), sign_in=None)
    url = world.links.resolve(_token(link))

    assert requests.get(url, timeout=10).content[8:12] == b"WEBP"


def test_unpublishing_or_deleting_the_item_ends_its_links(world: World) -> None:
    item = _item(world)
    token = _token(world.links.link(item, item.assets[0].id, Actor.anonymous(), sign_in=None))
    content = world.services.content
    draft = ContentDraft(title=item.title, summary="", body="", category="Generative AI",
                         tags=(), status=Status.DRAFT)

    content.update(item.id, draft, item.version, world.author)
    with pytest.raises(NotFound):
        world.links.resolve(token)

    content.delete(item.id, world.author, seen_version=item.version + 1)
    with pytest.raises(NotFound):
        world.links.resolve(token)


def test_a_drafts_link_is_its_viewers_and_ends_with_their_right_to_read_it(
    world: World,
) -> None:
    item = _item(world, Status.DRAFT)
    token = _draft_token(world, item)
    assert requests.get(world.links.resolve(token), timeout=10).content == PDF

    world.services.accounts.set_disabled(world.admin, "alice", True)

    with pytest.raises(NotFound):
        world.links.resolve(token)


def test_a_link_that_was_changed_expired_or_signed_for_something_else_opens_nothing(
    world: World,
) -> None:
    item = _item(world, Status.DRAFT)
    token = _draft_token(world, item)
    head, payload, signature = token.split(".")
    # Another viewer's name, signed by someone without the key.
    forged = sign_cookie("another-key-of-the-same-length-0123456789abcdef",
                         {"i": item.id, "f": item.assets[0].id, "v": "root",
                          "exp": int(utcnow().timestamp()) + 60})
    # The cookie key itself (not the key derived for file links) signs nothing here.
    other_purpose = sign_cookie(COOKIE_KEY, {"i": item.id, "f": item.assets[0].id,
                                             "exp": int(utcnow().timestamp()) + 60})
    earlier = FileLinks(world.services.content, lambda: COOKIE_KEY, hours=1,
                        find_actor=lambda _: world.author,
                        clock=lambda: utcnow() - timedelta(hours=2))
    expired = _token(earlier.link(item, item.assets[0].id, world.author, sign_in=None))

    for bad in (f"{head}.{payload}x.{signature}", forged, other_purpose, expired, "x"):
        with pytest.raises(NotFound):
            world.links.resolve(bad)


def test_a_file_no_longer_in_the_item_is_not_found(world: World) -> None:
    item = _item(world)
    token = _token(world.links.link(item, "gone-asset", Actor.anonymous(), sign_in=None))

    with pytest.raises(NotFound):
        world.links.resolve(token)


def test_the_route_redirects_uncached_and_says_nothing_of_a_bad_link(
    world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(file_route.session, "process_services", lambda: world.services)
    item = _item(world)
    link = world.links.link(item, item.assets[0].id, Actor.anonymous(), sign_in=None)
    client = TestClient(Starlette(routes=file_route.file_routes("/base")))

    found = client.get(f"/base/{link}", follow_redirects=False)
    refused = client.get("/base/files/not-a-token", follow_redirects=False)

    assert found.status_code == 302
    assert "X-Amz-Signature" in found.headers["location"]
    assert found.headers["cache-control"] == "no-store"
    assert (refused.status_code, refused.text) == (404, "Not found")


# ---- a draft's link is its viewer's sign-in's, not a bearer token ---------------------------


@pytest.mark.parametrize("ending", ["sign_out_everywhere", "change_password", "reset"])
def test_a_drafts_link_ends_when_its_viewers_sign_ins_end(world: World, ending: str) -> None:
    """A copied address of a draft's file opens nothing once the viewer signs out everywhere,
    changes the password or has it reset, as the viewer's own cookies do."""
    item = _item(world, Status.DRAFT)
    token = _draft_token(world, item)
    assert requests.get(world.links.resolve(token), timeout=10).content == PDF
    accounts = world.services.accounts

    if ending == "sign_out_everywhere":
        accounts.sign_out_everywhere(world.author, "alice")
    elif ending == "change_password":
        accounts.change_password(world.author, PASSWORD, "Another-horse-battery-7")
    else:
        accounts.reset_password(world.admin, "alice")

    with pytest.raises(NotFound):
        world.links.resolve(token)
    if ending == "sign_out_everywhere":  # signed in again, a page drawn now opens the file
        fresh = _draft_token(world, item, _signed_in(world.services))
        assert requests.get(world.links.resolve(fresh), timeout=10).content == PDF


def test_another_users_sign_out_everywhere_leaves_a_drafts_link_be(world: World) -> None:
    item = _item(world, Status.DRAFT)
    token = _draft_token(world, item)

    world.services.accounts.sign_out_everywhere(world.admin, "root")

    assert requests.get(world.links.resolve(token), timeout=10).content == PDF


def test_a_published_items_link_is_not_tied_to_a_sign_in(world: World) -> None:
    item = _item(world)
    token = _token(world.links.link(item, item.assets[0].id, world.author, sign_in=None))

    world.services.accounts.sign_out_everywhere(world.author, "alice")

    assert requests.get(world.links.resolve(token), timeout=10).content == PDF


def test_a_drafts_link_that_names_no_sign_in_opens_nothing(world: World) -> None:
    """A draft's link of the earlier form (the viewer alone) is not honoured any more."""
    item = _item(world, Status.DRAFT)
    key = derived_key(COOKIE_KEY, "demo-factory/file-links")
    bare = sign_cookie(key, {"i": item.id, "f": item.assets[0].id, "v": "alice",
                             "exp": int(utcnow().timestamp()) + 3600})

    with pytest.raises(NotFound):
        world.links.resolve(bare)


def test_a_plain_sign_out_ends_the_drafts_links_of_that_sign_in_only(world: World) -> None:
    """Signing out in one browser ends the draft links its pages drew (a copied address opens
    nothing), and neither that browser's cookie nor the links of the user's other browsers."""
    item = _item(world, Status.DRAFT)
    other = _signed_in(world.services)  # alice in a second browser
    here, there = _draft_token(world, item), _draft_token(world, item, other)
    cookie = world.services.sign_in.cookie_value(world.alice)

    world.services.sign_in.sign_out(world.alice)

    with pytest.raises(NotFound):
        world.links.resolve(here)
    assert requests.get(world.links.resolve(there), timeout=10).content == PDF
    replayed = world.services.sign_in.restore(cookie)  # a copy of the signed-out cookie
    assert replayed.session is None and replayed.forget_cookie


def test_a_drafts_link_names_its_sign_in_by_the_stores_key_not_its_id(world: World) -> None:
    """What the link carries cannot be made into a sign-in cookie: the id's hash (what the
    sessions table keys the record by), never the id."""
    item = _item(world, Status.DRAFT)
    token = _draft_token(world, item)

    payload = world.links.claim(token)

    assert payload is not None and payload.sign_in == session_hash(world.alice.session_id)
    assert world.alice.session_id not in token


def test_a_drafts_link_with_another_users_sign_in_opens_nothing(world: World) -> None:
    """A link naming alice as viewer but root's sign-in (made by someone with the key) is
    not alice's: the sign-in must be the viewer's."""
    item = _item(world, Status.DRAFT)
    root = _signed_in(world.services, "root")
    key = derived_key(COOKIE_KEY, "demo-factory/file-links")
    mixed = sign_cookie(key, {"i": item.id, "f": item.assets[0].id, "v": "alice",
                              "s": session_hash(root.session_id),
                              "exp": int(utcnow().timestamp()) + 3600})

    with pytest.raises(NotFound):
        world.links.resolve(mixed)
