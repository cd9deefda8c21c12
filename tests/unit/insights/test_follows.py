"""Followed metrics and digests over the real local adapters: who may follow what, what
"My insights" shows, and digests sent once per user and window (checked again at send time)."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest

from services.bootstrap import Services
from services.domain.analytics import Event, EventType
from services.domain.follows import Follow, FollowScope, Frequency, window_of
from services.domain.models import Category, ContentDraft, ContentItem, Status
from services.domain.permissions import Actor, Role
from services.domain.users import User
from services.errors import PermissionDenied, ValidationError
from services.i18n import translate
from services.insights.digests import DigestSender, period_text, scope_label, value_label
from services.insights.follows import FollowService, MyInsights, period_for
from tests.conftest import make_actor
from tests.doubles.mailer import RecordingMailer

_ids = itertools.count(1)
ANALYST = make_actor("ana", Role.ANALYST)
ALICE = make_actor("alice", Role.AUTHOR)
BOB = make_actor("bob", Role.AUTHOR)


def follows(services: Services) -> FollowService:
    assert services.follows is not None
    return services.follows


def views(services: Services, item: ContentItem, days_ago: int, count: int) -> list[Event]:
    day = services.analytics.today() - timedelta(days=days_ago)
    ts = datetime.combine(day, time(1, 0), tzinfo=services.settings.tz)
    return [Event(id=f"f{next(_ids):06d}", ts=ts, type=EventType.CONTENT_VIEW,
                  session_id=f"s{days_ago}", content_id=item.id, category=str(item.category),
                  author_id=item.author_id) for _ in range(count)]


def publish(services: Services, actor: Actor, title: str, category: Category) -> ContentItem:
    draft = ContentDraft(title=title, summary="s", body="b", category=category, tags=(),
                         status=Status.PUBLISHED)
    return services.content.create(draft, (), actor)


@pytest.fixture
def world(services: Services) -> dict[str, ContentItem]:
    for actor in (ANALYST, ALICE, BOB):
        assert actor.user_id is not None
        services.ports.users.create(User(actor.user_id, actor.name, f"{actor.user_id}@ex.com",
                                         actor.roles, datetime.now(UTC)))
    items = {"alice": publish(services, ALICE, "<b>Alice</b> demo", Category.GENERATIVE_AI),
             "bob": publish(services, BOB, "Bob demo", Category.FINANCE)}
    # Last 7 days against the 7 before: Alice's item 4 -> 10, Bob's 6 -> 5.
    services.ports.events.append(views(services, items["alice"], 9, 4)
                                 + views(services, items["alice"], 2, 10)
                                 + views(services, items["bob"], 10, 6)
                                 + views(services, items["bob"], 3, 5))
    return items


def sender(services: Services, mailer: RecordingMailer | None) -> DigestSender:
    assert services.ports.follows is not None
    return DigestSender(services.ports.follows, services.ports.events, services.ports.content,
                        services.ports.users, services.settings.tz, mailer=mailer,
                        sender="digest@ex.com")


def test_an_analyst_follows_a_platform_wide_metric_with_its_change_and_drivers(
        services: Services, world: dict[str, ContentItem]) -> None:
    follows(services).follow(ANALYST, "content_views")
    [shown] = follows(services).my_insights(ANALYST).metrics
    assert (shown.before, shown.after, shown.platform_wide) == (10, 15, True)
    assert shown.drivers[0].value in {world["alice"].id, Category.GENERATIVE_AI.value}
    assert shown.drivers[0].change == 6


def test_an_author_follows_their_own_item_and_sees_it_in_scope(
        services: Services, world: dict[str, ContentItem]) -> None:
    follows(services).follow(ALICE, "content_views", FollowScope.ITEM, world["alice"].id)
    follows(services).follow(ALICE, "content_views", FollowScope.AUTHOR, "alice")
    shown = follows(services).my_insights(ALICE).metrics
    assert [(m.follow.scope, m.before, m.after) for m in shown] == [
        (FollowScope.AUTHOR, 4, 10), (FollowScope.ITEM, 4, 10)]
    assert [c.value for c in shown[0].drivers] == [world["alice"].id]  # the author's items
    assert not any(m.platform_wide or m.anomalies for m in shown)


@pytest.mark.parametrize(("scope", "value"), [
    (FollowScope.ITEM, "bob-item"), (FollowScope.AUTHOR, "bob"), (FollowScope.ALL, ""),
    (FollowScope.CATEGORY, Category.GENERATIVE_AI.value)])
def test_an_author_cannot_follow_what_is_not_theirs(
        services: Services, world: dict[str, ContentItem], scope: FollowScope,
        value: str) -> None:
    value = world["bob"].id if value == "bob-item" else value
    with pytest.raises(PermissionDenied):
        follows(services).follow(ALICE, "content_views", scope, value)
    assert follows(services).follows(ALICE) == []


def test_viewers_and_visitors_follow_nothing(services: Services,
                                             world: dict[str, ContentItem]) -> None:
    for actor in (make_actor("vera", Role.VIEWER), Actor.anonymous()):
        with pytest.raises(PermissionDenied):
            follows(services).follow(actor, "content_views", FollowScope.AUTHOR, "vera")
        with pytest.raises(PermissionDenied):
            follows(services).my_insights(actor)


def test_a_rate_cannot_be_filtered_and_unfollow_removes(
        services: Services, world: dict[str, ContentItem]) -> None:
    with pytest.raises(ValidationError):
        follows(services).follow(ANALYST, "likes_per_view", FollowScope.ITEM, world["bob"].id)
    first = follows(services).follow(ANALYST, "likes_per_view")
    again = follows(services).follow(ANALYST, "likes_per_view")  # still one, and it says so
    follow = first.follow
    assert (first.added, again.added, again.follow) == (True, False, follow)
    assert follows(services).follows(ANALYST) == [follow]
    follows(services).unfollow(ANALYST, follow.key)
    assert follows(services).follows(ANALYST) == []


def test_a_digest_is_sent_once_per_user_and_window(
        services: Services, world: dict[str, ContentItem]) -> None:
    follows(services).follow(ANALYST, "content_views")
    follows(services).set_frequency(ANALYST, Frequency.WEEKLY)
    mailer = RecordingMailer()
    first = sender(services, mailer).run()
    again = sender(services, mailer).run()
    assert [o.status for o in first] == ["sent"] and [o.status for o in again] == ["already"]
    [mail] = mailer.to("ana@ex.com")
    assert "+50.0%" in mail.body and "10 → 15" in mail.body
    [kept] = follows(services).digests(ANALYST)
    assert kept.sent and kept.window == window_of(Frequency.WEEKLY, services.analytics.today())


def test_two_concurrent_runs_send_one_digest(services: Services,
                                             world: dict[str, ContentItem]) -> None:
    follows(services).follow(ALICE, "content_views", FollowScope.AUTHOR, "alice")
    follows(services).set_frequency(ALICE, Frequency.DAILY)
    mailer = RecordingMailer()
    runs = [threading.Thread(target=sender(services, mailer).run) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert len(mailer.to("alice@ex.com")) == 1
    assert len(follows(services).digests(ALICE)) == 1


def test_without_a_mailer_the_digest_is_kept_in_the_app(
        services: Services, world: dict[str, ContentItem]) -> None:
    follows(services).follow(ALICE, "content_views", FollowScope.ITEM, world["alice"].id)
    follows(services).set_frequency(ALICE, Frequency.WEEKLY)
    assert [o.status for o in sender(services, None).run()] == ["kept"]
    [kept] = follows(services).digests(ALICE)
    assert not kept.sent and "<b>Alice</b> demo" in kept.body  # plain text, as typed


def test_the_mail_escapes_what_people_typed(services: Services,
                                            world: dict[str, ContentItem]) -> None:
    follows(services).follow(ALICE, "content_views", FollowScope.ITEM, world["alice"].id)
    follows(services).set_frequency(ALICE, Frequency.WEEKLY)
    mailer = RecordingMailer()
    sender(services, mailer).run()
    [mail] = mailer.sent
    assert mail.html is not None and "<b>Alice" not in mail.html
    assert "&lt;b&gt;Alice&lt;/b&gt; demo" in mail.html


def test_a_dry_run_sends_and_stores_nothing(services: Services,
                                            world: dict[str, ContentItem]) -> None:
    follows(services).follow(ANALYST, "content_views")
    follows(services).set_frequency(ANALYST, Frequency.DAILY)
    mailer = RecordingMailer()
    [outcome] = sender(services, mailer).run(dry_run=True)
    assert outcome.status == "dry_run" and "콘텐츠 조회" in outcome.body  # Korean by default
    assert mailer.sent == [] and follows(services).digests(ANALYST) == []
    assert [o.status for o in sender(services, mailer).run()] == ["sent"]  # still due


def test_a_follower_who_lost_the_role_gets_nothing(services: Services,
                                                   world: dict[str, ContentItem]) -> None:
    follows(services).follow(ANALYST, "content_views")
    follows(services).set_frequency(ANALYST, Frequency.DAILY)
    services.ports.users.set_roles("ana", frozenset({Role.VIEWER}))
    mailer = RecordingMailer()
    assert [o.status for o in sender(services, mailer).run()] == ["empty"]
    assert mailer.sent == [] and follows(services).digests(ANALYST) == []


def test_an_unusual_day_is_judged_on_the_followed_scope_itself(
        services: Services, world: dict[str, ContentItem]) -> None:
    # Five quiet weeks of yesterday's weekday (10 views of Alice's item), then 60 yesterday;
    # Bob's item is steady yesterday (the world's earlier views are not the point here).
    quiet = [e for weeks in range(1, 6) for e in views(services, world["alice"], 1 + 7 * weeks, 10)]
    steady = [e for weeks in range(0, 6) for e in views(services, world["bob"], 1 + 7 * weeks, 10)]
    services.ports.events.append(quiet + steady + views(services, world["alice"], 1, 60))
    follows(services).follow(ALICE, "content_views", FollowScope.ITEM, world["alice"].id)
    follows(services).follow(BOB, "content_views", FollowScope.ITEM, world["bob"].id)
    yesterday = services.analytics.today() - timedelta(days=1)
    assert yesterday in follows(services).my_insights(ALICE).metrics[0].anomalies
    assert yesterday not in follows(services).my_insights(BOB).metrics[0].anomalies


@pytest.mark.parametrize(("lang", "shown"), [("ko", "금융"), ("en", "Finance")])
def test_a_followed_category_and_its_drivers_are_named_in_the_readers_language(
    lang: str, shown: str,
) -> None:
    """The follow's line and a driver read "금융", never the key "content.category.Finance";
    a purpose driver reads as the purpose, not its id."""
    mine = MyInsights(metrics=())
    follow = Follow("ana", "content_views", FollowScope.CATEGORY, Category.FINANCE.value)

    assert shown in scope_label(lang, follow, mine)
    assert "content.category" not in scope_label(lang, follow, mine)
    assert value_label(lang, "category", "Finance", mine) == shown
    assert value_label(lang, "purpose", "customer-demo", mine) != "customer-demo"
    assert value_label(lang, "category", "Imported Thing", mine) == "Imported Thing"


def test_a_digest_is_kept_not_mailed_while_the_address_is_unverified(
        services: Services, world: dict[str, ContentItem]) -> None:
    """A digest quotes titles and names other people typed; an address nobody has shown to be
    theirs (a profile change not confirmed yet) gets none of it. The app keeps the digest."""
    services.ports.users.delete("ana")
    services.ports.users.create(User("ana", "Ana", "victim@ex.com", ANALYST.roles,
                                     datetime.now(UTC), email_verified=False))
    follows(services).follow(ANALYST, "content_views")
    follows(services).set_frequency(ANALYST, Frequency.WEEKLY)
    mailer = RecordingMailer()

    assert [o.status for o in sender(services, mailer).run()] == ["kept"]
    assert mailer.sent == [] and len(follows(services).digests(ANALYST)) == 1


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_deleted_item_or_author_driver_is_named_as_the_dashboard_names_it(lang: str) -> None:
    mine = MyInsights(metrics=(), names={"content": {"a": "Bedrock"}, "author": {"al": "Al"}})
    deleted = translate(lang, "analytics.deleted_item")
    assert value_label(lang, "content", "01M94PGC2TYSKE5SSESFHBMPRG", mine) == deleted
    assert value_label(lang, "author", "zed", mine) == deleted
    assert value_label(lang, "content", "a", mine) == "Bedrock"


@pytest.mark.parametrize(("lang", "frequency", "wanted"), [
    ("ko", Frequency.WEEKLY, "11-29 ~ 12-05 (지난 7일, 오늘 제외)"),
    ("ko", Frequency.NONE, "11-29 ~ 12-05 (지난 7일, 오늘 제외)"),
    ("ko", Frequency.DAILY, "12-05 (어제)"),
    ("en", Frequency.WEEKLY, "11-29 – 12-05 (last 7 days, not today)"),
    ("en", Frequency.DAILY, "12-05 (yesterday)"),
])
def test_the_followed_period_is_named_with_its_days(lang: str, frequency: Frequency,
                                                    wanted: str) -> None:
    """"My insights" and the digests cover complete days only: they say which, so that their
    numbers are not read as disagreeing with the dashboard's 7 days (today included)."""
    today = date(2026, 12, 6)
    assert period_text(lang, period_for(frequency, today), today) == wanted


def test_my_insights_and_the_digest_name_their_period(
        services: Services, world: dict[str, ContentItem]) -> None:
    follows(services).follow(ANALYST, "content_views")
    follows(services).set_frequency(ANALYST, Frequency.WEEKLY)
    today = services.analytics.today()
    wanted = period_text("ko", period_for(Frequency.WEEKLY, today), today)
    mine = follows(services).my_insights(ANALYST)
    assert (mine.period, mine.today) == (period_for(Frequency.WEEKLY, today), today)
    [outcome] = sender(services, None).run(dry_run=True)
    assert wanted in outcome.body.splitlines()[0]
