"""Digests on the aws backend (moto): followed metrics read from DynamoDB rollups, the digest
mailed through SES once per user and window, and kept in the events table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from services.adapters.aws.common import make_client
from services.bootstrap import Services, build_services
from services.domain.analytics import Event, EventType
from services.domain.follows import Frequency
from services.domain.permissions import Actor, Role
from services.domain.users import User
from tests.contract.aws_backends import REGION, mocked_aws

SENDER = "digest@example.com"
ANA = Actor("ana", "Ana", frozenset({Role.ANALYST}), "ana@example.com")


@pytest.fixture
def services() -> Iterator[Services]:
    with mocked_aws() as aws:
        make_client("ses", aws.settings).verify_email_identity(EmailAddress=SENDER)
        settings = aws.settings.model_copy(update={"ses_sender": SENDER})
        yield build_services(settings)


def sent() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def views(services: Services, days_ago: int, count: int) -> list[Event]:
    day = services.analytics.today() - timedelta(days=days_ago)
    ts = datetime.combine(day, time(1, 0), tzinfo=services.settings.tz)
    return [Event(id=f"v{days_ago}-{n}", ts=ts, type=EventType.CONTENT_VIEW, session_id="s",
                  content_id="item-1", category="finance", author_id="alice")
            for n in range(count)]


def test_a_weekly_digest_is_mailed_once_and_kept(services: Services) -> None:
    services.ports.users.create(User("ana", "Ana", "ana@example.com", ANA.roles,
                                     datetime.now(UTC)))
    services.ports.events.append(views(services, 9, 4) + views(services, 2, 6))
    assert services.follows is not None and services.digests is not None
    services.follows.follow(ANA, "content_views")
    services.follows.set_frequency(ANA, Frequency.WEEKLY)

    assert [o.status for o in services.digests.run(dry_run=True)] == ["dry_run"]
    assert sent() == [] and services.follows.digests(ANA) == []
    assert [o.status for o in services.digests.run()] == ["sent"]
    assert [o.status for o in services.digests.run()] == ["already"]

    [message] = sent()
    assert message.destinations["ToAddresses"] == ["ana@example.com"]
    assert "4 → 6 (+50.0%)" in message.body
    [kept] = services.follows.digests(ANA)
    assert kept.sent and "4 → 6" in kept.body
