"""The visit-purpose question: asked on the home page as a small card, once per browser
session; "not now" or an answer puts it away; no other page asks, and the sidebar never does."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.analytics import Dim, EventType
from services.domain.models import ContentItem, utcnow
from services.domain.permissions import Role
from services.domain.users import User
from tests.ui.conftest import texts

QUESTION = "어떤 목적으로 방문하셨나요?"


def _sidebar_text(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption")
                    for e in at.sidebar.get(kind))


def _main_text(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption")
                    for e in at.main.get(kind))


def _purposes(at: AppTest) -> dict[str, int]:
    services: Services = at.session_state["_df_services"]
    services.tracker.flush()
    today = services.analytics.today()
    rows = services.ports.events.rollups(today, today, types=[EventType.VISITOR_PURPOSE],
                                         dims=[Dim.PURPOSE])
    return {row.key.value: row.count for row in rows}


def test_the_home_page_asks_in_the_page_not_in_the_sidebar(
    new_app: Callable[..., AppTest]
) -> None:
    at = new_app()
    at.run()  # home

    assert QUESTION in _main_text(at)
    assert QUESTION not in _sidebar_text(at)
    assert at.button(key="df_purpose_skip").label == "나중에"


def test_other_pages_do_not_ask(
    new_app: Callable[..., AppTest], make_item: Callable[..., ContentItem]
) -> None:
    item = make_item()
    at = new_app()
    at.run()
    at.switch_page("app_pages/browse.py").run()
    assert QUESTION not in texts(at)
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert QUESTION not in texts(at)
    at.switch_page("app_pages/contact.py").run()
    assert QUESTION not in texts(at)


def test_not_now_puts_it_away_for_the_session_and_counts_a_skip(
    new_app: Callable[..., AppTest]
) -> None:
    at = new_app()
    at.run()
    at.button(key="df_purpose_skip").click().run()
    assert QUESTION not in texts(at)
    at.switch_page("app_pages/browse.py").run()
    at.switch_page("app_pages/home.py").run()  # back home: not asked again
    assert QUESTION not in texts(at)
    assert _purposes(at) == {"skipped": 1}


def test_an_answer_is_recorded_once_and_not_asked_again(
    new_app: Callable[..., AppTest]
) -> None:
    at = new_app()
    at.run()
    at.button_group(key="df_purpose").set_value("education-training").run()
    assert QUESTION not in texts(at)
    at.run()
    at.switch_page("app_pages/home.py").run()
    assert QUESTION not in texts(at)
    assert _purposes(at) == {"education-training": 1}


def test_a_question_left_unanswered_waits_on_the_home_page(
    new_app: Callable[..., AppTest]
) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/browse.py").run()
    at.switch_page("app_pages/home.py").run()
    assert QUESTION in _main_text(at)
    assert _purposes(at) == {}


def _signed_up(services: Services, username: str, purpose: str) -> None:
    assert services.ports.signup is not None
    services.ports.signup.create(User(
        username=username, name="이지원", email=f"{username}@example.com",
        roles=frozenset({Role.VIEWER}), created_at=utcnow(), company="Acme",
        purpose=purpose, signed_up_at=utcnow()))


def test_a_user_who_gave_a_purpose_at_sign_up_is_not_asked(
    new_app: Callable[..., AppTest], services: Services
) -> None:
    _signed_up(services, "jiwon", "technical-evaluation")
    at = new_app("jiwon")
    at.run()
    assert not at.exception
    assert QUESTION not in texts(at)
    at.switch_page("app_pages/browse.py").run()
    at.switch_page("app_pages/home.py").run()
    assert QUESTION not in texts(at)

    # The visit's purpose comes from the profile, once, apart from the answers.
    at_services: Services = at.session_state["_df_services"]
    at_services.tracker.flush()
    today = at_services.analytics.today()
    rows = at_services.ports.events.rollups(today, today, dims=[Dim.SIGNUP_PURPOSE])
    assert {row.key.value: row.count for row in rows} == {"technical-evaluation": 1}
    assert _purposes(at) == {}


def test_a_signed_in_user_without_a_signed_up_purpose_is_still_asked(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = new_app(users["viewer"].username)
    at.run()
    assert QUESTION in _main_text(at)


def test_an_answer_after_the_sign_in_ended_elsewhere_is_not_recorded_as_the_old_user(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    """The answer's callback runs before app.py checks the sign-in (as a like's does): an
    answer given after an administrator disabled the account was recorded with its id."""
    at = new_app(users["viewer"].username)
    at.run()
    services.accounts.set_disabled(users["admin"].as_actor(), users["viewer"].username, True)
    at.button_group(key="df_purpose").set_value("education-training").run()
    assert not at.exception
    assert not at.session_state["authentication_status"]
    assert _purposes(at) == {}
