"""A page's file links are drawn for this browser's sign-in (``services/ui/file_links.py``):
what ties a draft's link to the sign-in that signing out ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from services.accounts.sign_in.base import SignedIn
from services.domain.models import ContentItem
from services.domain.permissions import Actor, Role
from services.ui import file_links

ALICE = Actor("alice", "Alice", frozenset({Role.AUTHOR}))


@dataclass
class Links:
    drawn: list[str | None] = field(default_factory=list)

    def link(self, item: Any, file_id: str, actor: Actor, *, sign_in: str | None) -> str:
        self.drawn.append(sign_in)
        return f"files/{file_id}"


@pytest.mark.parametrize("held", [SignedIn(ALICE, "the-sign-in-id"), None])
def test_the_card_picture_link_is_drawn_for_this_browsers_sign_in(
    monkeypatch: pytest.MonkeyPatch, held: SignedIn | None,
) -> None:
    links = Links()
    monkeypatch.setattr(file_links.session, "services",
                        lambda: SimpleNamespace(file_links=links))
    monkeypatch.setattr(file_links.auth, "signed_in", lambda: held)
    item: ContentItem = SimpleNamespace()  # type: ignore[assignment]

    assert file_links.thumbnail_address(item, ALICE, "direct") == "files/thumb"
    assert links.drawn == [held.session_id if held else None]
