"""Funnel use cases on the real local wiring: who may define, open and delete a funnel, what a
funnel shows for the period and the previous one, and that events reach it through the tracker's
way in (``SinkedEventStore``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.analytics.dashboards import Period
from services.analytics.funnels import FunnelService
from services.bootstrap import Services
from services.domain.analytics import Event, EventType
from services.domain.funnels import DEFAULT_FUNNELS, Step, StepKind
from services.domain.models import Category, ContentItem, Status
from services.domain.permissions import Actor, Role
from services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from services.i18n import translate
from tests.doubles.concurrency import meanwhile_after_read

ANA = Actor("ana", "Ana", frozenset({Role.ANALYST}))
OLGA = Actor("olga", "Olga", frozenset({Role.ANALYST}))
ROOT = Actor("root", "Root", frozenset({Role.ADMIN}))
VIEWER = Actor("vera", "Vera", frozenset({Role.VIEWER}))
STEPS = [Step(StepKind.PAGE, "browse"), Step(StepKind.EVENT, "download")]


def funnels(services: Services) -> FunnelService:
    assert services.funnels is not None
    return services.funnels


def visit(session: str, at: datetime, *steps: tuple[str, int]) -> list[Event]:
    made = []
    for i, (what, minutes) in enumerate(steps):
        page = what if what in ("home", "browse") else None
        made.append(Event(f"{session}-{i}", at + timedelta(minutes=minutes),
                          EventType.PAGE_VIEW if page else EventType(what), session, page=page,
                          content_id=None if page else "c1"))
    return made


def test_an_analyst_defines_a_funnel_counted_from_the_events_already_kept(
        services: Services) -> None:
    now = datetime.now(UTC)
    services.ports.events.append(
        visit("a", now - timedelta(hours=1), ("browse", 0), ("download", 5))
        + visit("b", now - timedelta(hours=1), ("browse", 0), ("download", 50)))

    funnel = funnels(services).create(ANA, "  Browse  to download ", STEPS, 30)
    today = services.analytics.today()
    report = funnels(services).report(ANA, funnel.id, Period(today - timedelta(days=1), today))

    assert funnel.name == "Browse to download"
    assert [row.visits for row in report.rows] == [2, 1]
    assert report.rows[1].conversion == 0.5 and report.rows[1].drop_off == 0.5
    assert funnel.counted_from == (now - timedelta(
        days=services.settings.event_retention_days)).astimezone(services.settings.tz).date()
    # Later events reach it through the one way in, as the tracker's batches do.
    services.ports.events.append(visit("c", now, ("browse", 0), ("download", 1)))
    again = funnels(services).report(ANA, funnel.id, Period(today - timedelta(days=1), today))
    assert [row.visits for row in again.rows] == [3, 2]
    entries = services.ports.audit.entries(action="funnel.create")
    assert [(e.actor, e.target) for e in entries] == [("ana", funnel.id)]


def test_the_previous_period_is_shown_beside(services: Services) -> None:
    today = services.analytics.today()
    noon = datetime.combine(today, datetime.min.time(), services.settings.tz) + timedelta(hours=12)
    services.ports.events.append(
        visit("old", noon - timedelta(days=7), ("home", 0), ("content_view", 1))
        + visit("new", noon, ("home", 0)))

    report = funnels(services).report(ANA, "home-download",
                                      Period(today - timedelta(days=6), today))

    assert [r.visits for r in report.rows] == [1, 0, 0]
    assert [r.previous_visits for r in report.rows] == [1, 1, 0]


def test_defaults_and_own_funnels_are_listed_others_only_by_link(services: Services) -> None:
    mine = funnels(services).create(ANA, "Mine", STEPS, 30)
    theirs = funnels(services).create(OLGA, "Theirs", STEPS, 30)

    listed = [f.id for f in funnels(services).available(ANA)]
    shared = [f.id for f in funnels(services).available(ANA, shared_id=theirs.id)]

    assert listed == [*(f.id for f in DEFAULT_FUNNELS), mine.id]
    assert shared == [*listed, theirs.id]
    assert funnels(services).available(ANA, shared_id="gone") == funnels(services).available(ANA)
    assert funnels(services).get(ANA, theirs.id) == theirs


def test_only_the_owner_or_an_admin_deletes_and_defaults_stay(services: Services) -> None:
    theirs = funnels(services).create(OLGA, "Theirs", STEPS, 30)
    other = funnels(services).create(OLGA, "Other", STEPS, 30)

    with pytest.raises(PermissionDenied):
        funnels(services).delete(ANA, theirs.id)
    with pytest.raises(PermissionDenied):
        funnels(services).delete(ROOT, "home-download")
    funnels(services).delete(OLGA, theirs.id)
    funnels(services).delete(ROOT, other.id)

    with pytest.raises(NotFound):
        funnels(services).get(ANA, theirs.id)
    assert [e.outcome for e in services.ports.audit.entries(action="funnel.delete")] \
        == ["ok", "ok", "denied", "denied"]


def test_people_without_dashboards_cannot_see_or_define_funnels(services: Services) -> None:
    with pytest.raises(PermissionDenied):
        funnels(services).available(VIEWER)
    with pytest.raises(PermissionDenied):
        funnels(services).create(VIEWER, "Mine", STEPS, 30)
    with pytest.raises(PermissionDenied):
        funnels(services).report(Actor.anonymous(), "home-download", Period(
            services.analytics.today(), services.analytics.today()))


@pytest.mark.parametrize(("name", "steps", "window", "key"), [
    ("", STEPS, 30, "funnels.err_name"),
    ("x" * 81, STEPS, 30, "funnels.err_name"),
    ("가입 \u202e퍼널", STEPS, 30, "funnels.err_direction"),  # shown in other people's lists
    ("ok", STEPS[:1], 30, "funnels.err_steps"),
    ("ok", STEPS * 4, 30, "funnels.err_steps"),
    ("ok", STEPS, 0, "funnels.err_window"),
    ("ok", [STEPS[0], Step(StepKind.EVENT, " ")], 30, "funnels.err_step"),
    ("ok", [STEPS[0], Step(StepKind.EVENT, "teleport")], 30, "funnels.err_step_event"),
    ("ok", [STEPS[0], Step(StepKind.EVENT, "content_view", content_id="no-such-item")], 30,
     "funnels.err_step_item"),
    ("ok", [Step(StepKind.PAGE, "home", category="finance"), STEPS[1]], 30,
     "funnels.err_step_narrow"),
    ("ok", [Step(StepKind.PAGE, "home", content_id="no-such-item"), STEPS[1]], 30,
     "funnels.err_step_narrow"),
    ("ok", [Step(StepKind.EVENT, "search", category="finance"), STEPS[1]], 30,
     "funnels.err_step_narrow"),
    ("ok", [STEPS[0], Step(StepKind.EVENT, "download", category="fintech")], 30,
     "funnels.err_step_category"),
])
def test_a_funnel_that_cannot_be_counted_is_refused(
        services: Services, name: str, steps: list[Step], window: int, key: str) -> None:
    with pytest.raises(ValidationError) as refused:
        funnels(services).create(ANA, name, steps, window)

    assert refused.value.key == key
    assert [f.id for f in funnels(services).available(ANA)] == [f.id for f in DEFAULT_FUNNELS]


def test_a_refused_step_names_which_step_it_is(services: Services) -> None:
    steps = [STEPS[0], STEPS[1], Step(StepKind.EVENT, "teleport")]
    with pytest.raises(ValidationError) as refused:
        funnels(services).create(ANA, "ok", steps, 30)

    # The builder's slot of the third step, and the step's number in the words.
    assert refused.value.params["field"] == "step_2"
    assert "3" in translate("ko", refused.value.key, **refused.value.params)
    assert "3" in translate("en", refused.value.key, **refused.value.params)


def test_a_step_naming_no_item_is_refused_under_it_and_an_existing_item_is_kept(
        services: Services) -> None:
    """An item gone since it was offered would make a funnel that reads 0 from that step on,
    for good. The refusal names the builder's item field and says so in words, without the
    id (the builder shows titles only)."""
    services.ports.content.add(ContentItem(
        id="c-real", title="Real", summary="", body="", category=Category.FINANCE, tags=(),
        author_id="writer", author_name="Writer", status=Status.PUBLISHED,
        created_at=datetime.now(UTC), updated_at=datetime.now(UTC)))
    typo = [STEPS[0], Step(StepKind.EVENT, "content_view", content_id="c-rea1")]

    with pytest.raises(ValidationError) as refused:
        funnels(services).create(ANA, "ok", typo, 30)

    assert refused.value.params["field"] == "item_1"
    for language in ("ko", "en"):
        said = translate(language, refused.value.key, **refused.value.params)
        assert "2" in said and "c-rea1" not in said
    kept = funnels(services).create(
        ANA, "ok", [STEPS[0], Step(StepKind.EVENT, "content_view", content_id=" c-real ")], 30)
    assert kept.steps[1].content_id == "c-real"


def test_a_second_funnel_of_an_owner_s_name_is_refused_in_the_reader_s_words(
        services: Services) -> None:
    first = funnels(services).create(ANA, "관리자 퍼널", STEPS, 30)

    with pytest.raises(ConflictError) as refused:
        funnels(services).create(ANA, "  관리자   퍼널 ", list(reversed(STEPS)), 30)

    assert refused.value.key == "funnels.err_duplicate_name"
    assert "관리자 퍼널" in translate("ko", refused.value.key, **refused.value.params)
    assert "관리자 퍼널" in translate("en", refused.value.key, **refused.value.params)
    assert [f.id for f in funnels(services).available(ANA)][3:] == [first.id]
    assert len(services.ports.audit.entries(action="funnel.create")) == 1
    funnels(services).create(OLGA, "관리자 퍼널", STEPS, 30)  # Olga's names are her own


def test_a_save_from_another_tab_between_the_check_and_the_write_still_leaves_one(
        services: Services) -> None:
    store = services.ports.funnels
    other_tab = lambda: funnels(services).create(ANA, "관리자 퍼널", STEPS, 30)  # noqa: E731

    with meanwhile_after_read(store, "list", other_tab), pytest.raises(ConflictError):
        funnels(services).create(ANA, "관리자 퍼널", STEPS, 30)

    assert [f.name for f in funnels(services).available(ANA)][3:] == ["관리자 퍼널"]


def add_item(services: Services, item_id: str, title: str, category: Category = Category.FINANCE,
             status: Status = Status.PUBLISHED, views: int = 0, age_days: int = 0) -> None:
    now = datetime.now(UTC) - timedelta(days=age_days)
    services.ports.content.add(ContentItem(
        id=item_id, title=title, summary="", body="", category=category, tags=(),
        author_id="writer", author_name="Writer", status=status, created_at=now,
        updated_at=now, views=views))


def test_a_step_s_item_is_picked_by_title_from_the_published_items_most_viewed_first(
        services: Services) -> None:
    add_item(services, "c-loan", "대출 데모", views=3)
    add_item(services, "c-chat", "챗봇 데모", Category.GENERATIVE_AI, views=9)
    add_item(services, "c-draft", "초안", status=Status.DRAFT)

    every = funnels(services).item_choices(ANA)
    finance = funnels(services).item_choices(ANA, Category.FINANCE)

    assert every.items == (("c-chat", "챗봇 데모"), ("c-loan", "대출 데모"))
    assert not every.capped
    assert finance.items == (("c-loan", "대출 데모"),)
    with pytest.raises(PermissionDenied):
        funnels(services).item_choices(VIEWER)


def test_thousands_of_items_offer_the_most_viewed_and_say_how_many_there_are(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("services.analytics.funnels.ITEM_CHOICES_MAX", 2)
    monkeypatch.setattr("services.analytics.funnels.ITEM_CHOICES_NEWEST", 0)
    for n in range(4):
        add_item(services, f"c-{n}", f"데모 {n}", views=n)

    choices = funnels(services).item_choices(ANA)

    assert [item_id for item_id, _ in choices.items] == ["c-3", "c-2"]
    assert choices.capped and choices.total == 4


def test_a_capped_list_keeps_the_newest_items_however_few_their_views(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new item has no views yet, and it is the one a funnel is most likely built for: the
    list keeps the newest beside the most viewed, each once."""
    monkeypatch.setattr("services.analytics.funnels.ITEM_CHOICES_MAX", 3)
    monkeypatch.setattr("services.analytics.funnels.ITEM_CHOICES_NEWEST", 1)
    for n in range(4):
        add_item(services, f"c-old-{n}", f"인기 데모 {n}", views=10 + n, age_days=30)
    add_item(services, "c-new", "갓 올린 데모")

    choices = funnels(services).item_choices(ANA)

    assert [item_id for item_id, _ in choices.items] == ["c-old-3", "c-old-2", "c-new"]
    assert choices.capped and choices.total == 5
    add_item(services, "c-hot", "새 인기 데모", views=99, age_days=1)  # newest and most viewed
    monkeypatch.setattr("services.analytics.funnels.ITEM_CHOICES_NEWEST", 2)
    again = [item_id for item_id, _ in funnels(services).item_choices(ANA).items]
    assert again == ["c-old-3", "c-new", "c-hot"]  # each once, still 3


def test_a_report_names_its_steps_items_by_title_and_a_deleted_one_by_none(
        services: Services) -> None:
    add_item(services, "c-loan", "대출 데모")
    add_item(services, "c-gone", "사라질 데모")
    funnel = funnels(services).create(ANA, "ok", [
        Step(StepKind.EVENT, "content_view", content_id="c-loan"),
        Step(StepKind.EVENT, "download", content_id="c-gone")], 30)
    services.ports.content.delete("c-gone", 1)
    today = services.analytics.today()

    report = funnels(services).report(ANA, funnel.id, Period(today, today))

    assert report.titles == {"c-loan": "대출 데모"}


def test_a_report_does_not_name_an_item_made_private_since(services: Services) -> None:
    add_item(services, "c-loan", "대출 데모")
    funnel = funnels(services).create(ANA, "ok", [
        Step(StepKind.PAGE, "home"), Step(StepKind.EVENT, "content_view", content_id="c-loan")],
        30)
    hidden = replace(services.ports.content.get("c-loan"), status=Status.DRAFT,
                     title="비공개 제목")
    services.ports.content.update(hidden, hidden.version)
    today = services.analytics.today()

    assert funnels(services).report(ANA, funnel.id, Period(today, today)).titles == {}
