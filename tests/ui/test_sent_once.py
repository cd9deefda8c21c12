"""Nothing sent twice: a double-clicked Save or like acts once.

A double click sends the second click before the page has redrawn. Streamlit then either stops
the first run at its next own call (``st.*``, session state included) or runs the second
click after it, against the widgets the browser still showed. These tests play both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.content.service import ContentService
from services.domain.analytics import Dim, EventType
from services.domain.models import Category, ContentDraft, ContentItem, Status
from services.domain.permissions import Actor
from services.domain.users import User
from services.ui import tracking
from tests.ui.conftest import errors, png_bytes
from tests.ui.test_content_flows import open_editor


def _stop_after_first(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[Any]:
    """``owner.name`` as if the second click arrived while its first call ran: Streamlit stops
    that run at the next yield point after the call returned. Returns every call's result."""
    real = getattr(owner, name)
    results: list[Any] = []

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        results.append(result)
        if len(results) == 1:
            ctx = get_script_run_ctx()
            assert ctx is not None and ctx.script_requests is not None
            ctx.script_requests.request_stop()
        return result

    monkeypatch.setattr(owner, name, interrupted)
    return results


def _recorded(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[Any]:
    """Every result of ``owner.name`` from now on."""
    real = getattr(owner, name)
    results: list[Any] = []

    def recording(*args: Any, **kwargs: Any) -> Any:
        results.append(real(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(owner, name, recording)
    return results




def test_a_double_clicked_save_creates_one_item(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_editor(new_app, "author-user")
    at.text_input(key="ed_title").input("두 번 누른 저장")
    at.selectbox(key="ed_category").select(Category.GENERATIVE_AI)
    at.text_area(key="ed_body").input("본문")
    at.file_uploader[0].set_value(("diagram.png", png_bytes(), "image/png"))
    created = _stop_after_first(monkeypatch, ContentService, "create")
    at.button(key="ed_save").click().run()  # the first click: stopped right after create()
    assert len(created) == 1

    at.button(key="ed_save").click().run()  # the second click, on the same form
    assert not at.exception and not errors(at)
    mine = services.content.my_content(users["author"].as_actor()).items
    assert [(i.title, len(i.assets)) for i in mine] == [("두 번 누른 저장", 1)]
    assert len(created) == 1  # the second click did not reach the service
    assert at.query_params["id"] == created[0].id  # the editor now edits the saved item


def test_text_changed_after_a_stopped_create_updates_that_item(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_editor(new_app, "author-user")
    at.text_input(key="ed_title").input("처음 제목")
    at.selectbox(key="ed_category").select(Category.GENERATIVE_AI)
    at.text_area(key="ed_body").input("본문")
    created = _stop_after_first(monkeypatch, ContentService, "create")
    at.button(key="ed_save").click().run()  # stopped by a keystroke's rerun, not a click

    at.text_input(key="ed_title").input("고친 제목").run()
    at.button(key="ed_save").click().run()
    assert not at.exception and not errors(at)
    mine = services.content.my_content(users["author"].as_actor()).items
    assert [(i.id, i.title, i.version) for i in mine] == [(created[0].id, "고친 제목", 2)]


def test_a_double_clicked_save_of_an_edit_reports_no_conflict(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem], monkeypatch: pytest.MonkeyPatch,
) -> None:
    item = make_item("원래 제목")
    at = open_editor(new_app, "author-user", item.id)
    at.text_input(key="ed_title").input("고친 제목")
    at.file_uploader[0].set_value(("diagram.png", png_bytes(), "image/png"))
    updated = _stop_after_first(monkeypatch, ContentService, "update")
    at.button(key="ed_save").click().run()  # the first click: stopped right after update()

    at.button(key="ed_save").click().run()  # the second click: the user's own save, no conflict
    assert not at.exception and not errors(at)
    stored = services.content.get(item.id, Actor.anonymous())
    assert (stored.title, stored.version, len(stored.assets)) == ("고친 제목", 2, 1)
    assert len(updated) == 1
    # Saving the same form again after someone else saved is their conflict, not a repeat.
    services.content.update(
        item.id, ContentDraft(title="다른 사람의 제목", summary="", body="x",
                              category=Category.FINANCE, status=Status.PUBLISHED),
        stored.version, users["admin"].as_actor(),
    )
    at.button(key="ed_save").click().run()
    assert len(errors(at)) == 1 and "다른 사용자가 먼저 저장했습니다" in errors(at)[0]


def _like_events(at: AppTest) -> tuple[int, int]:
    """(likes, unlikes) recorded today by the app's own tracker."""
    app: Services = at.session_state["_df_services"]
    app.tracker.flush()
    today = app.analytics.today()

    def count(type_: EventType) -> int:
        rows = app.ports.events.rollups(today, today, types=[type_], dims=[Dim.ALL])
        return sum(row.count for row in rows)

    return count(EventType.LIKE), count(EventType.UNLIKE)


def _click_stale(at: AppTest, stale: WidgetState) -> AppTest:
    """Send a click of a button as the page drawn before showed it, whatever is drawn now."""
    states = at._tree.get_widget_states()
    for state in states.widgets:
        if state.id == stale.id:
            state.CopyFrom(stale)
            break
    else:
        states.widgets.append(stale)
    at._run(states)
    return at


def test_a_like_stopped_right_after_it_was_written_still_records_its_event(
    new_app: Callable[..., AppTest], services: Services,
    make_item: Callable[..., ContentItem], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another click stops the run just after the like is stored: the dashboards' like event
    must come with it (the like counter and the events agree)."""
    item = make_item()
    at = new_app("viewer-user")
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    at.button(key=f"like_{item.id}").click()
    _stop_after_first(monkeypatch, ContentService, "set_like")
    at.run()

    assert services.content.get(item.id, Actor.anonymous()).likes == 1
    assert _like_events(at) == (1, 0)


def test_a_view_stopped_right_after_its_counter_moved_still_records_its_event(
    new_app: Callable[..., AppTest], services: Services,
    make_item: Callable[..., ContentItem], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A click stops the run just after the item's view counter moved: the content_view event
    comes with it, so cards and dashboards agree."""
    item = make_item()
    at = new_app("viewer-user")
    at.run()
    at.query_params["id"] = item.id
    _stop_after_first(monkeypatch, ContentService, "record_view")
    at.switch_page("app_pages/content.py").run()

    app: Services = at.session_state["_df_services"]
    app.tracker.flush()
    today = app.analytics.today()
    rows = app.ports.events.rollups(today, today, types=[EventType.CONTENT_VIEW],
                                    dims=[Dim.ALL])
    assert services.content.get(item.id, Actor.anonymous()).views == 1
    assert sum(row.count for row in rows) == 1


@pytest.mark.parametrize("first_run", ["finished", "stopped"])
def test_a_double_clicked_like_likes_once(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., ContentItem], monkeypatch: pytest.MonkeyPatch, first_run: str,
) -> None:
    item = make_item()
    at = new_app("viewer-user")
    at.run()
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    like = at.button(key=f"like_{item.id}")
    assert like.label == "좋아요 (0)"
    stale = like.click()._widget_state  # the like button as the browser shows it, clicked
    if first_run == "stopped":  # the second click arrives while the first run still goes
        _stop_after_first(monkeypatch, tracking, "like_recorder")
    changes = _recorded(monkeypatch, ContentService, "set_like")
    at.run()  # the first click

    _click_stale(at, stale)  # the second, sent from the page drawn before the first
    assert not at.exception and not errors(at)
    assert services.content.get(item.id, Actor.anonymous()).likes == 1
    assert services.content.has_liked(item.id, users["viewer"].as_actor())
    assert _like_events(at) == (1, 0)
    assert changes == [True, False]  # the second click liked again: nothing changed
    assert [b.label for b in at.button if "좋아요" in b.label] == ["좋아요 취소 (1)"]
