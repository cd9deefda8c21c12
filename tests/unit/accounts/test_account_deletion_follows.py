"""Deleting an account removes its followed metrics, digest frequency and kept digests."""

from __future__ import annotations

from services.bootstrap import Services
from services.domain.follows import FollowScope, Frequency
from services.domain.permissions import Actor
from tests.unit.accounts.test_account_deletion import alice, root

__all__ = ["alice", "root"]  # fixtures, used by name


def test_deleting_my_account_forgets_what_i_followed(services: Services, alice: Actor) -> None:
    assert services.follows is not None and services.ports.follows is not None
    services.follows.follow(alice, "content_views", FollowScope.AUTHOR, "alice")
    services.follows.set_frequency(alice, Frequency.DAILY)
    assert services.ports.follows.due_users(Frequency.DAILY) == ["alice"]

    assert services.profile is not None
    services.profile.delete_account(alice, "alice", confirm="alice")

    assert services.ports.follows.follows("alice") == []
    assert services.ports.follows.due_users(Frequency.DAILY) == []
