"""Deleting an account keeps the returning-users numbers but nothing about the user: their
first day and active days go with the account."""

from __future__ import annotations

from datetime import timedelta

from services.analytics.dashboards import Period
from services.analytics.tracker import make_event
from services.bootstrap import Services
from services.domain.analytics import EventType
from services.domain.cohorts import CohortRow, DayUsers
from services.domain.permissions import Actor
from tests.unit.accounts.test_account_deletion import alice, root

__all__ = ["alice", "root"]  # fixtures, used by name


def _retention(services: Services, root: Actor) -> tuple[list[CohortRow], list[DayUsers]]:
    assert services.cohorts is not None
    today = services.analytics.today()
    found = services.cohorts.retention(root, Period(today - timedelta(days=1), today))
    return list(found.cohorts), list(found.days)


def test_deleting_my_account_keeps_the_returning_users_numbers(
    services: Services, root: Actor, alice: Actor,
) -> None:
    services.ports.events.append([
        make_event(EventType.PAGE_VIEW, "s1", user_id="alice", page="home"),
        make_event(EventType.PAGE_VIEW, "s2", user_id="root", page="home"),
    ])
    before = _retention(services, root)
    assert before[0] and before[0][0].size == 2

    assert services.profile is not None
    services.profile.delete_account(alice, "alice", confirm="alice")

    assert _retention(services, root) == before
    # Nothing said "alice" was seen today: a new account of that name is a new user.
    services.ports.events.append([make_event(EventType.PAGE_VIEW, "s3", user_id="alice",
                                             page="home")])
    assert _retention(services, root)[0][0].size == 3
