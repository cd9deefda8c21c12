"""The dashboard's funnels tab through AppTest: the default funnels with their numbers, saving a
new funnel from the builder, opening somebody's funnel from a shared link, and a funnel whose
counts are still being completed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.testing.v1 import AppTest

from services.adapters.sqlite.funnels import SqliteFunnelStore
from services.analytics.funnels import FunnelService
from services.bootstrap import Services
from services.domain.analytics import Event, EventType
from services.domain.funnels import Step, StepKind
from services.domain.models import Category, ContentDraft, ContentItem, Status
from services.domain.users import User
from services.errors import ServiceUnavailable
from services.i18n import translate
from services.ui.funnel_item_picker import item_labels
from services.ui.routes import category_url_path
from tests.ui.conftest import errors, ko, texts
from tests.ui.live_panel import off_panel

DASHBOARD = "app_pages/dashboard.py"
TAB = "퍼널"


def seed(services: Services) -> None:
    """Half an hour ago: three visits view an item, two of them like it, one downloads it.
    (The test's own session adds page views: the numbers checked are of steps it never takes.)"""
    noon = datetime.now(UTC) - timedelta(minutes=30)  # in the past: the back-fill reads it
    events = []
    for n, steps in enumerate([("home", "content_view", "like", "download"),
                               ("home", "content_view", "like"), ("home", "content_view")]):
        for i, what in enumerate(steps):
            page = "home" if what == "home" else None
            events.append(Event(f"f{n}{i}", noon + timedelta(minutes=i), EventType.PAGE_VIEW
                                if page else EventType(what), f"visit-{n}", page=page,
                                content_id=None if page else "item-1"))
    services.ports.events.append(events)


def open_tab(new_app: Callable[..., AppTest], username: str, link: str | None = None) -> AppTest:
    at = new_app(username)
    at.run()
    at.switch_page(DASHBOARD)
    if link:
        at.query_params["funnel"] = link
    at.session_state["funnel_builder_open"] = True  # the builder is drawn only when open
    at.run()
    if not link:  # a link opens the funnels tab by itself
        at.session_state["analytics_tab"] = TAB
        at.run()
    assert not at.exception, at.exception
    assert not errors(at), errors(at)
    return at


def picker(at: AppTest) -> object:
    return next(s for s in at.selectbox if s.label == "퍼널")


def test_the_tab_shows_the_default_funnels_with_their_numbers(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    seed(services)
    at = open_tab(new_app, users["analyst"].username)

    options = picker(at).options  # type: ignore[attr-defined]
    assert options == ["홈 → 콘텐츠 → 다운로드 (기본)", "검색 → 콘텐츠 (검색 성공) (기본)",
                       "콘텐츠 → 좋아요 (기본)"]
    picker(at).set_value("view-like").run()  # type: ignore[attr-defined]
    frame = off_panel(at, "dataframe")[0].value
    assert frame["방문"].tolist() == [3, 2]
    assert frame["1단계 대비 전환율"].tolist() == [100.0, 66.7]
    assert frame["이전 단계 대비 이탈률"].tolist()[1] == 33.3
    assert "funnel" not in at.query_params  # a default funnel needs no link
    assert "chart_funnel" in [chart.key for chart in at.get("plotly_chart")]
    assert "CSV 내려받기" in [b.proto.label for b in at.get("download_button")]


def test_an_analyst_saves_a_funnel_and_its_link_opens_it_for_another(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    seed(services)
    at = open_tab(new_app, users["analyst"].username)
    at.number_input(key="funnel_steps_n").set_value(2).run()
    at.text_input[0].input("홈에서 다운로드")
    steps = [s for s in at.selectbox if s.label == "종류"]
    steps[0].set_value("event:content_view")
    steps[1].set_value("event:download")
    next(b for b in at.button if b.label == "퍼널 저장").click().run()
    assert not errors(at), errors(at)

    assert "퍼널을 저장하고" in texts(at)
    assert "부터 집계" in texts(at)  # from which day its counts are complete
    assert picker(at).value is not None  # type: ignore[attr-defined]
    link = str(at.query_params["funnel"])
    # back-filled from today's events
    print("DEBUG", texts(at)[:3000], at.get("dataframe"), off_panel(at, "dataframe"))
    assert off_panel(at, "dataframe")[0].value["방문"].tolist() == [3, 1]
    assert services.ports.audit.entries(action="funnel.create")[0].target == link

    other = open_tab(new_app, users["admin"].username, link=link)
    assert picker(other).value == link  # type: ignore[attr-defined]
    assert off_panel(other, "dataframe")[0].value["방문"].tolist() == [3, 1]
    # Picking a default funnel clears the address; the shared one stays in the picker.
    picker(other).set_value("home-download").run()  # type: ignore[attr-defined]
    assert "funnel" not in other.query_params
    assert "홈에서 다운로드 (공유됨)" in picker(other).options  # type: ignore[attr-defined]
    picker(other).set_value(link).run()  # type: ignore[attr-defined]
    assert str(other.query_params["funnel"]) == link


def test_only_a_step_about_an_item_offers_a_category_and_an_item(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    """A page step is one page and a search is about no item: a category or item typed there
    would be dropped unsaid, or make the step read 0 for good."""
    seed(services)
    at = open_tab(new_app, users["analyst"].username)
    at.text_input(key="funnel_name").input("페이지에서 조회")
    at.number_input(key="funnel_steps_n").set_value(3).run()
    kinds = [s for s in at.selectbox if s.label == "종류"]
    kinds[0].set_value("page:home")
    kinds[1].set_value("event:search")  # a search is about no item either
    kinds[2].set_value("event:content_view").run()

    assert [s.key for s in at.selectbox if s.key.startswith("funnel_item_")] \
        == ["funnel_item_2"]
    categories = [s for s in at.selectbox if s.label == "카테고리 (선택)"]
    assert len(categories) == 1
    categories[0].set_value(Category.FINANCE.value)
    next(b for b in at.button if b.label == "퍼널 저장").click().run()
    assert not errors(at), errors(at)
    assert services.funnels is not None
    saved = services.funnels.available(users["analyst"].as_actor())[-1]
    assert saved.steps == (Step(StepKind.PAGE, "home"), Step(StepKind.EVENT, "search"),
                           Step(StepKind.EVENT, "content_view", Category.FINANCE.value))


def test_a_stale_link_says_so_and_shows_the_defaults(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    seed(services)
    funnels = services.funnels
    assert funnels is not None
    gone = funnels.create(users["admin"].as_actor(), "Gone",
                          [Step(StepKind.EVENT, "search"), Step(StepKind.EVENT, "like")], 30)
    funnels.delete(users["admin"].as_actor(), gone.id)

    at = open_tab(new_app, users["analyst"].username, link=gone.id)

    assert "링크의 퍼널이 더 이상 없습니다" in texts(at)
    assert picker(at).value == "home-download"  # type: ignore[attr-defined]


def test_a_name_over_the_limit_is_refused_and_kept(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    seed(services)
    at = open_tab(new_app, users["analyst"].username)
    long_name = "가" * 81
    at.text_input[0].input(long_name)
    steps = [s for s in at.selectbox if s.label == "종류"]
    steps[0].set_value("event:search")
    steps[1].set_value("event:like")
    next(b for b in at.button if b.label == "퍼널 저장").click().run()

    assert any("80자 이내" in e for e in errors(at)), errors(at)
    assert at.text_input[0].value == long_name
    assert services.funnels is not None
    assert len(services.funnels.available(users["analyst"].as_actor())) == 3



def down(*_args: Any, **_kwargs: Any) -> None:
    raise ServiceUnavailable()


def unfinished_funnel(services: Services, owner: User,
                      monkeypatch: pytest.MonkeyPatch) -> str:
    """A funnel whose back-fill failed when it was saved (its counts come from ingest alone)."""
    funnels = services.funnels
    assert funnels is not None
    with monkeypatch.context() as patched:
        patched.setattr(SqliteFunnelStore, "backfill", down)
        funnel = funnels.create(owner.as_actor(), "아직 집계 중",
                                [Step(StepKind.EVENT, "content_view"),
                                 Step(StepKind.EVENT, "download")], 30)
    assert not funnel.backfilled
    return funnel.id


def test_a_funnel_still_being_counted_says_so_in_the_reader_s_language(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seed(services)
    link = unfinished_funnel(services, users["analyst"], monkeypatch)
    assert services.ports.funnels is not None
    now = datetime.now(UTC)  # another server is finishing its count
    assert services.ports.funnels.claim_backfill(link, now, now + timedelta(hours=1))

    # Opened by someone else: AppTest labels the picker's options outside the session, where
    # an owner's own funnel would read as shared.
    at = open_tab(new_app, users["admin"].username, link=link)

    assert picker(at).value == link  # type: ignore[attr-defined]
    assert translate("ko", "funnels.counting") in texts(at)
    assert "부터 집계" not in texts(at)  # complete from no day yet
    at.radio(key="df_lang_widget").set_value("en").run()
    assert not at.exception, at.exception
    assert translate("en", "funnels.counting") in texts(at)


def test_a_count_that_cannot_be_finished_now_says_so_and_is_finished_later(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seed(services)
    link = unfinished_funnel(services, users["analyst"], monkeypatch)
    at = new_app(users["admin"].username)
    at.run()
    at.switch_page(DASHBOARD)
    at.query_params["funnel"] = link

    with monkeypatch.context() as patched:
        patched.setattr(SqliteFunnelStore, "backfill", down)
        at.run()

    assert not at.exception, at.exception
    assert errors(at) == [translate("ko", "funnels.err_backfill")]
    assert "이 퍼널 삭제" in [b.label for b in at.button]  # the rest of the tab is there
    at.run()  # the database answers again
    assert not errors(at), errors(at)
    assert translate("ko", "funnels.counting") not in texts(at)
    assert "부터 집계" in texts(at)
    assert off_panel(at, "dataframe")[0].value["방문"].tolist() == [3, 1]


def fill_builder(at: AppTest, name: str) -> None:
    at.text_input(key="funnel_name").input(name)
    steps = [s for s in at.selectbox if s.label == "종류"]
    steps[0].set_value("page:home")
    steps[1].set_value("event:search")


def save_key(at: AppTest) -> str:
    return str(next(b for b in at.button if b.label == "퍼널 저장").key)


def own_funnels(services: Services, user: User) -> list[str]:
    assert services.funnels is not None
    return [f.name for f in services.funnels.available(user.as_actor()) if not f.is_default]


def test_a_saved_funnel_is_shown_and_the_builder_is_empty_for_the_next(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., Any]) -> None:
    seed(services)
    item = make_item(category=Category.FINANCE)
    at = open_tab(new_app, users["analyst"].username)
    at.number_input(key="funnel_steps_n").set_value(3).run()
    fill_builder(at, "관리자 퍼널")
    [s for s in at.selectbox if s.label == "종류"][1].set_value("event:content_view")
    [s for s in at.selectbox if s.label == "종류"][2].set_value("event:like").run()
    next(s for s in at.selectbox if s.label == ko("funnels.category")).set_value(
        Category.FINANCE).run()
    at.selectbox(key="funnel_item_1").set_value(item.id)
    at.number_input(key="funnel_window").set_value(45)
    next(b for b in at.button if b.label == "퍼널 저장").click().run()

    assert not errors(at), errors(at)
    assert at.session_state["funnel_pick"] == str(at.query_params["funnel"])  # shown
    assert at.text_input(key="funnel_name").value == ""
    assert at.number_input(key="funnel_steps_n").value == 2
    assert at.number_input(key="funnel_window").value == 30
    assert [s.value for s in at.selectbox if s.label == "종류"] == [None, None]
    # An event step offers its category and item again empty.
    [s for s in at.selectbox if s.label == "종류"][1].set_value("event:download").run()
    assert [s.value for s in at.selectbox if s.label == ko("funnels.category")] == [""]
    assert at.selectbox(key="funnel_item_1").value is None
    [s for s in at.selectbox if s.label == "종류"][1].set_value(None).run()
    next(b for b in at.button if b.label == "퍼널 저장").click().run()  # clicked again

    assert own_funnels(services, users["analyst"]) == ["관리자 퍼널"]
    # Under each of the two empty steps, then the summary by the button
    step = translate("ko", "funnels.err_step")
    assert errors(at) == [step, step, translate("ko", "forms.fix_fields")]


def test_a_double_clicked_save_saves_one_funnel_and_says_so_once(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seed(services)
    at = open_tab(new_app, users["analyst"].username)
    fill_builder(at, "관리자 퍼널")
    key = save_key(at)
    real = FunnelService.create

    def stopped_after_saving(*args: Any, **kwargs: Any) -> Any:
        saved = real(*args, **kwargs)  # the second click arrives: the run stops at its next call
        ctx = get_script_run_ctx()
        assert ctx is not None and ctx.script_requests is not None
        ctx.script_requests.request_stop()
        return saved

    with monkeypatch.context() as patched:
        patched.setattr(FunnelService, "create", stopped_after_saving)
        at.button(key=key).click().run()
    at.button(key=key).click().run()  # the second click, on the button the browser showed

    assert not at.exception, at.exception
    assert not errors(at), errors(at)
    assert own_funnels(services, users["analyst"]) == ["관리자 퍼널"]
    assert translate("ko", "funnels.saved") in texts(at)
    assert at.session_state["funnel_pick"] == str(at.query_params["funnel"])
    # Emptied too, though the run that saved stopped right after the service returned.
    assert at.text_input(key="funnel_name").value == ""
    assert [s.value for s in at.selectbox if s.label == "종류"] == [None, None]


def test_a_step_names_each_page_as_the_menu_does(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    seed(services)
    at = open_tab(new_app, users["analyst"].username)
    step = next(s for s in at.selectbox if s.label == "종류")

    menu = [ko("nav.home"), ko("nav.browse"), ko("reports.nav"), ko("inquiries.nav_contact"),
            category_label_ko(Category.FINANCE)]
    assert [f"페이지: {title}" for title in menu] == [
        o for o in step.options if o.removeprefix("페이지: ") in menu]
    assert "이벤트" in step.proto.placeholder and "페이지" in step.proto.placeholder

    step.set_value(f"page:{category_url_path(Category.FINANCE)}")
    at.text_input(key="funnel_name").input("금융 카테고리에서 검색")
    [s for s in at.selectbox if s.label == "종류"][1].set_value("event:search")
    next(b for b in at.button if b.label == "퍼널 저장").click().run()
    table = off_panel(at, "dataframe")[0].value
    assert table["단계"].tolist()[0] == f"1. 페이지: {category_label_ko(Category.FINANCE)}"


def category_label_ko(category: Category) -> str:
    return ko(f"content.category.{category.name.lower()}")


def test_a_saved_funnel_s_link_is_a_full_address_and_its_csv_carries_its_name(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    offered: list[dict[str, Any]] = []
    real = st.download_button

    def recorded(*args: Any, **kwargs: Any) -> Any:
        offered.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(st, "download_button", recorded)
    seed(services)
    at = new_app(users["analyst"].username)
    at.context["url"] = "https://demo.example.com/df/dashboard"  # the browser's address
    at.run()
    at.switch_page(DASHBOARD)
    at.session_state["funnel_builder_open"] = True
    at.run()
    at.session_state["analytics_tab"] = TAB
    at.run()
    fill_builder(at, "=관리자/퍼널 v2")
    offered.clear()
    next(b for b in at.button if b.label == "퍼널 저장").click().run()
    assert not errors(at), errors(at)
    funnel_id = str(at.query_params["funnel"])

    link = next(c.value for c in at.code)
    address, _, query = link.partition("?")
    assert address == "https://demo.example.com/df/dashboard"
    assert parse_qs(query)["funnel"] == [funnel_id]
    csv_file = offered[-1]
    assert csv_file["file_name"].startswith("funnel_관리자-퍼널-v2_")
    data = csv_file["data"]()  # written when the button is pressed
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][:2] == ["퍼널", "단계"]
    assert [row[:2] for row in rows[1:]] == [["'=관리자/퍼널 v2", "1. 페이지: 홈"],
                                             ["'=관리자/퍼널 v2", "2. 검색"]]


def test_an_item_step_offers_the_items_by_title_and_saves_the_chosen_one_s_id(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem]) -> None:
    """Nobody knows an item's id by heart: a step about an item offers the published items by
    title (the select box narrows them as one types), narrowed by the step's category."""
    seed(services)
    loan = make_item("대출 심사 데모", category=Category.FINANCE)
    make_item("고객 상담 챗봇", category=Category.GENERATIVE_AI)
    make_item("아직 초안", status=Status.DRAFT)
    at = open_tab(new_app, users["analyst"].username)
    at.text_input(key="funnel_name").input("대출 데모 다운로드")
    kinds = [s for s in at.selectbox if s.label == "종류"]
    kinds[0].set_value("event:content_view")
    kinds[1].set_value("event:download").run()

    items = at.selectbox(key="funnel_item_0")
    assert items.label == ko("funnels.item")
    assert sorted(items.options) == ["고객 상담 챗봇", "대출 심사 데모"]  # no draft
    assert items.value is None and items.proto.placeholder == ko("funnels.item_placeholder")
    next(s for s in at.selectbox if s.label == ko("funnels.category")).set_value(
        Category.FINANCE).run()
    assert at.selectbox(key="funnel_item_0").options == ["대출 심사 데모"]
    at.selectbox(key="funnel_item_0").set_value(loan.id)
    next(b for b in at.button if b.label == "퍼널 저장").click().run()

    assert not errors(at), errors(at)
    assert services.funnels is not None
    saved = services.funnels.available(users["analyst"].as_actor())[-1]
    assert saved.steps == (Step(StepKind.EVENT, "content_view", Category.FINANCE.value, loan.id),
                           Step(StepKind.EVENT, "download"))
    steps = off_panel(at, "dataframe")[0].value["단계"].tolist()
    assert steps[0] == f"1. {ko('analytics.event.content_view')} · 금융 · 대출 심사 데모"


def test_a_saved_step_names_its_item_by_title_and_a_deleted_one_as_deleted(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem]) -> None:
    seed(services)
    kept = make_item("<b>대출</b> **데모**")  # a title is the author's text: shown as it is
    gone = make_item("지워질 데모")
    viewed = datetime.now(UTC) - timedelta(minutes=30)  # one visit views it: a chart is drawn
    services.ports.events.append([Event("k0", viewed, EventType.CONTENT_VIEW, "visit-k",
                                        content_id=kept.id)])
    assert services.funnels is not None
    funnel = services.funnels.create(users["analyst"].as_actor(), "콘텐츠 퍼널", [
        Step(StepKind.EVENT, "content_view", content_id=kept.id),
        Step(StepKind.EVENT, "download", content_id=gone.id)], 30)
    services.content.delete(gone.id, users["author"].as_actor())

    at = open_tab(new_app, users["analyst"].username, link=funnel.id)

    steps = off_panel(at, "dataframe")[0].value["단계"].tolist()
    assert steps == [f"1. {ko('analytics.event.content_view')} · <b>대출</b> **데모**",
                     f"2. {ko('analytics.event.download')} · {ko('analytics.deleted_item')}"]
    chart = next(c for c in at.get("plotly_chart") if c.key == "chart_funnel")
    bars = json.loads(chart.proto.spec)["data"][0]["x"]  # plotly would draw <b> as markup
    assert bars[0] == "1. 콘텐츠 조회 · &lt;b&gt;대출&lt;/b&gt; **데모**"


def test_with_more_items_than_it_offers_the_picker_says_so(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("services.analytics.funnels.ITEM_CHOICES_MAX", 2)
    seed(services)
    for n in range(3):
        make_item(f"데모 {n}", category=Category.FINANCE)
    at = open_tab(new_app, users["analyst"].username)
    next(s for s in at.selectbox if s.label == "종류").set_value("event:like").run()

    items = at.selectbox(key="funnel_item_0")
    assert len(items.options) == 2
    # Said where one looks, under the picker (not only in its "?" help).
    captions = [c.value for c in at.caption]
    capped = ko("funnels.item_capped", shown=2, total=3)
    assert f"{capped} · {ko('funnels.item_capped_category')}" in captions
    next(s for s in at.selectbox if s.label == ko("funnels.category")).set_value(
        Category.FINANCE).run()
    assert capped in [c.value for c in at.caption]  # a category chosen: no advice to choose one
    assert ko("funnels.item_capped_category") not in " ".join(c.value for c in at.caption)


def home_then(at: AppTest, name: str, event: str, category: Category | None = None) -> None:
    """A funnel named ``name`` being built: home, then ``event`` (of ``category``, when
    given), whose item is still to pick (``funnel_item_1``)."""
    at.text_input(key="funnel_name").input(name)
    kinds = [s for s in at.selectbox if s.label == "종류"]
    kinds[0].set_value("page:home")
    kinds[1].set_value(f"event:{event}").run()
    if category is not None:
        at.selectbox(key="funnel_category_1_ko").set_value(category.value).run()


def save_after_its_item_is_deleted(at: AppTest, services: Services, author: User,
                                   item: ContentItem) -> None:
    """Home, then a view of ``item`` picked from the list; its author deletes it meanwhile;
    then "save"."""
    home_then(at, "없는 콘텐츠", "content_view")
    at.selectbox(key="funnel_item_1").set_value(item.id).run()
    services.content.delete(item.id, author.as_actor())
    next(b for b in at.button if b.label == "퍼널 저장").click().run()


def test_an_item_refused_as_deleted_is_gone_from_the_pickers_that_say_so(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem], monkeypatch: pytest.MonkeyPatch) -> None:
    """The list is cached for a minute: the refusal drops it, and the pickers shown with the
    refusal are drawn from the current list (before, they still offered the deleted item until
    the next click). What else was typed or chosen stays, and the funnel is sent once."""
    seed(services)
    gone = make_item("곧 지워질 데모", category=Category.FINANCE)
    kept = make_item("남는 데모", category=Category.FINANCE)
    sent: list[str] = []
    real = FunnelService.create

    def counted(self: FunnelService, *args: Any, **kwargs: Any) -> Any:
        sent.append(args[1])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(FunnelService, "create", counted)
    at = open_tab(new_app, users["analyst"].username)
    at.number_input(key="funnel_steps_n").set_value(3).run()
    at.number_input(key="funnel_window").set_value(45)
    [s for s in at.selectbox if s.label == "종류"][2].set_value("event:download").run()
    at.selectbox(key="funnel_category_2_ko").set_value(Category.FINANCE.value).run()
    at.selectbox(key="funnel_item_2").set_value(kept.id).run()
    save_after_its_item_is_deleted(at, services, users["author"], gone)

    assert not at.exception, at.exception
    assert sent == ["없는 콘텐츠"]  # once
    assert errors(at) == [ko("funnels.err_step_item", n=2), ko("forms.fix_fields")]
    assert at.selectbox(key="funnel_item_1").options == ["남는 데모"]  # to pick again
    assert at.selectbox(key="funnel_item_1").value is None
    assert at.selectbox(key="funnel_item_2").options == ["남는 데모"]
    assert at.selectbox(key="funnel_item_2").value == kept.id
    assert at.text_input(key="funnel_name").value == "없는 콘텐츠"
    assert at.number_input(key="funnel_window").value == 45
    assert [s.value for s in at.selectbox if s.label == "종류"] == [
        "page:home", "event:content_view", "event:download"]
    assert at.selectbox(key="funnel_category_2_ko").value == Category.FINANCE.value

    at.run()  # the next click: the refusal was said, and is not said again

    assert not errors(at), errors(at)
    assert sent == ["없는 콘텐츠"]
    assert at.selectbox(key="funnel_item_1").options == ["남는 데모"]


def test_the_item_picker_follows_the_catalogue_at_once_not_a_minute_later(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem]) -> None:
    """The list is cached for a minute per user: an item deleted, renamed or written meanwhile
    was offered (or missing) until the cache expired, and a deleted one was refused on save."""
    seed(services)
    gone = make_item("곧 지워질 데모", category=Category.FINANCE)
    renamed = make_item("이름이 바뀔 데모", category=Category.FINANCE)
    author = users["author"].as_actor()
    at = open_tab(new_app, users["analyst"].username)
    [s for s in at.selectbox if s.label == "종류"][1].set_value("event:content_view").run()
    assert {"곧 지워질 데모", "이름이 바뀔 데모"} <= set(at.selectbox(key="funnel_item_1").options)

    services.content.delete(gone.id, author)
    draft = ContentDraft(title="새 이름의 데모", summary=renamed.summary, body=renamed.body,
                         category=renamed.category, tags=renamed.tags, status=renamed.status)
    services.content.update(renamed.id, draft, renamed.version, author)
    make_item("방금 올린 데모", category=Category.FINANCE)
    at.run()

    assert not at.exception, at.exception
    offered = set(at.selectbox(key="funnel_item_1").options)
    assert {"새 이름의 데모", "방금 올린 데모"} <= offered
    assert not {"곧 지워질 데모", "이름이 바뀔 데모"} & offered


def test_an_item_unpublished_after_it_was_picked_stays_the_steps_item(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem]) -> None:
    """Gone from the list, the pick was dropped by Streamlit (a value its options lack) and the
    step saved as "any item" without a word."""
    seed(services)
    picked = make_item("비공개로 바뀔 데모", category=Category.FINANCE)
    at = open_tab(new_app, users["analyst"].username)
    home_then(at, "고른 콘텐츠", "content_view")
    at.selectbox(key="funnel_item_1").set_value(picked.id).run()
    draft = ContentDraft(title=picked.title, summary=picked.summary, body=picked.body,
                         category=picked.category, tags=picked.tags, status=Status.DRAFT)
    services.content.update(picked.id, draft, picked.version, users["author"].as_actor())
    at.run()

    shown = at.selectbox(key="funnel_item_1")
    assert shown.value == picked.id
    assert shown.options[shown.index] == ko("analytics.deleted_item")  # not offered any more
    next(b for b in at.button if b.label == "퍼널 저장").click().run()

    assert not at.exception and not errors(at), (at.exception, errors(at))
    saved = services.funnels.available(users["analyst"].as_actor())[-1]
    assert (saved.name, saved.steps[1].content_id) == ("고른 콘텐츠", picked.id)


def test_a_half_built_funnel_survives_a_language_switch(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem]) -> None:
    seed(services)
    loan = make_item("대출 심사 데모", category=Category.FINANCE)
    at = open_tab(new_app, users["analyst"].username)
    home_then(at, "대출 다운로드", "download", Category.FINANCE)
    at.selectbox(key="funnel_item_1").set_value(loan.id).run()

    at.radio(key="df_lang_widget").set_value("en").run()

    assert not at.exception, at.exception
    # Kept, shown in English: what the browser is sent. (AppTest formats selectbox values in
    # the test's own language: no further run here, as in the dashboard's filter test.)
    kinds = [s.proto for s in at.selectbox if s.label == translate("en", "funnels.kind")]
    assert [k.raw_value for k in kinds] == ["Page: Home", "Downloads"]
    category = at.selectbox(key="funnel_category_1_en")
    assert category.options[category.proto.default] == "Finance"
    assert at.selectbox(key="funnel_item_1").proto.raw_value == "대출 심사 데모"
    assert at.text_input(key="funnel_name").value == "대출 다운로드"


def test_items_of_one_title_are_told_apart_in_the_picker() -> None:
    """A select box tells its options apart by their labels: two items titled alike would be
    one option."""
    labels = item_labels([("01AAAAAAAAAAAAAAAAAAAAAAA1", "데모"),
                                     ("01AAAAAAAAAAAAAAAAAAAAAAB2", "데모"),
                                     ("01AAAAAAAAAAAAAAAAAAAAAAC3", "다른 데모")])
    assert labels["01AAAAAAAAAAAAAAAAAAAAAAC3"] == "다른 데모"
    assert len(set(labels.values())) == 3
    assert all(label.startswith("데모") for key, label in labels.items() if "C3" not in key)
