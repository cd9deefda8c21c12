"""The profile page: details saved, the preferred language kept for the next visit, and an
author request that an administrator approves, after which the author's menu appears."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.navigation.page import StreamlitPage
from streamlit.testing.v1 import AppTest

from services import bootstrap
from services.bootstrap import Services
from services.domain.models import Status
from services.domain.permissions import Role
from services.domain.users import User
from services.errors import NotFound
from services.ui import nav
from services.ui.widgets import md_escape
from tests.doubles.mailer import RecordingMailer
from tests.ui.conftest import PASSWORD, errors, follow_replacement, open_admin_page, texts

PROFILE = "app_pages/profile.py"


def _profile(new_app: Callable[..., AppTest], username: str) -> AppTest:
    at = new_app(username)
    at.run()
    at.switch_page(PROFILE).run()
    assert not at.exception and not errors(at), (at.exception, errors(at))
    return at


@pytest.fixture(autouse=True)
def menus(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """What the sidebar menu listed on each run: url path -> title of the visible pages
    (AppTest keeps the registered pages, not whether the menu lists them)."""
    seen: list[dict[str, str]] = []
    real = nav.pages_for

    def recording(*args: Any, **kwargs: Any) -> dict[str, list[StreamlitPage]]:
        sections = real(*args, **kwargs)
        seen.append({p.url_path: str(p.title) for pages in sections.values() for p in pages
                     if p.visibility == "visible"})
        return sections

    monkeypatch.setattr(nav, "pages_for", recording)
    return seen


def test_the_profile_saves_name_email_and_company(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    at = _profile(new_app, "viewer-user")
    at.text_input(key="my_profile_name").input("Vera Kim")
    at.text_input(key="my_profile_email").input("vera.kim@example.com")
    at.text_input(key="my_profile_company").input("Acme")
    at.button[[b.label for b in at.button].index("저장")].click().run()

    assert not errors(at)
    saved = services.accounts.get("viewer-user")
    assert (saved.name, saved.email, saved.company) == ("Vera Kim", "vera.kim@example.com",
                                                        "Acme")
    assert "내 정보를 저장했습니다." in texts(at)


def test_a_new_email_is_said_to_be_unverified_and_why_without_mail(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    at = _profile(new_app, "viewer-user")
    at.text_input(key="my_profile_email").input("vera.kim@example.com")
    at.button[[b.label for b in at.button].index("저장")].click().run()

    assert not errors(at)
    assert not services.accounts.get("viewer-user").email_verified
    shown = texts(at)
    assert "새 이메일 주소는 아직 확인되지 않았습니다" in shown
    assert "vera.kim@example.com은(는) 아직 확인되지 않았습니다" in shown
    assert "메일을 보내지 않으므로" in shown and "확인 링크 다시 보내기" not in shown


def test_with_mail_a_new_email_is_sent_a_link_and_another_on_request(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailer = RecordingMailer()
    monkeypatch.setenv("DEMO_FACTORY_SES_SENDER", "no-reply@example.com")
    monkeypatch.setenv("DEMO_FACTORY_PUBLIC_URL", "https://demo.example.com")
    monkeypatch.setattr(bootstrap, "_mailer", lambda settings: mailer)
    at = _profile(new_app, "viewer-user")
    at.text_input(key="my_profile_email").input("vera.kim@example.com")
    at.button[[b.label for b in at.button].index("저장")].click().run()

    assert not errors(at)
    assert "vera.kim@example.com(으)로 확인 링크를 보냈습니다" in texts(at)
    assert [m.recipient for m in mailer.sent] == ["vera.kim@example.com"]
    at.button(key="my_email_link_send").click().run()
    assert not errors(at)
    assert len(mailer.to("vera.kim@example.com")) == 2


def test_another_account_s_email_is_refused_and_what_was_typed_stays(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    taken = services.accounts.get("author-user").email.upper()
    at = _profile(new_app, "viewer-user")
    at.text_input(key="my_profile_email").input(taken)
    at.button[[b.label for b in at.button].index("저장")].click().run()

    assert any("다른 계정에서 이미 쓰고 있습니다" in e for e in errors(at)), errors(at)
    assert at.text_input(key="my_profile_email").value == taken
    assert services.accounts.get("viewer-user").email == users["viewer"].email


def test_the_profile_is_listed_for_a_signed_in_user_only(
    new_app: Callable[..., AppTest], users: dict[str, User], menus: list[dict[str, str]]
) -> None:
    new_app("viewer-user").run()
    assert menus[-1].get("profile") == "내 프로필"
    anonymous = new_app()
    anonymous.run()
    assert "profile" not in menus[-1]

    anonymous.switch_page(PROFILE).run()
    assert not anonymous.title  # nothing of the profile: the browser is sent to sign-in
    follow_replacement(anonymous)
    assert anonymous.title[0].value == "로그인"
    assert anonymous.query_params["next"] == "profile"


def test_the_preferred_language_is_kept_for_the_next_visit(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    at = _profile(new_app, "viewer-user")
    at.radio(key="my_profile_language").set_value("en")
    at.button(key="my_profile_language_save").click().run()
    assert at.title[0].value == "My profile"  # this visit at once

    later = new_app("viewer-user")  # a new browser: no cookie, the default is Korean
    later.run()
    assert services.accounts.get("viewer-user").language == "en"
    later.switch_page(PROFILE).run()
    assert later.title[0].value == "My profile"


def test_an_author_request_approved_brings_the_authors_menu(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    menus: list[dict[str, str]],
) -> None:
    viewer = _profile(new_app, "viewer-user")
    assert "editor" not in menus[-1]
    viewer.text_area(key="my_role_reason").input("고객에게 리테일 데모를 소개합니다")
    viewer.button[[b.label for b in viewer.button].index("작성자 권한 신청")].click().run()
    assert not errors(viewer)
    assert "관리자의 결정을 기다리고" in texts(viewer)

    admin = open_admin_page(new_app)
    assert menus[-1]["admin"] == "관리 (1)"  # the count of what waits, in the menu
    assert admin.dataframe[0].value["신청 이유"].tolist() == ["고객에게 리테일 데모를 소개합니다"]
    admin.selectbox(key="adm_signup_user").select("viewer-user").run()
    admin.button(key="adm_signup_approve").click().run()
    admin.button(key="adm_signup_approve_yes").click().run()
    assert not errors(admin)
    assert Role.AUTHOR in services.accounts.get("viewer-user").roles

    viewer.run()  # the next run of the same session: roles come from the directory
    assert "editor" in menus[-1]
    assert "작성자 권한 신청이 승인되었습니다." in texts(viewer)


def test_delete_my_account_signs_out_and_keeps_content_under_former_author(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., Any],
) -> None:
    item = make_item("리테일 데모", author="author")
    at = _profile(new_app, "author-user")
    at.text_input(key="my_delete_confirm").input("author-user")
    at.button[[b.label for b in at.button].index("계정 삭제")].click().run()

    assert not errors(at)
    assert "계정을 삭제했습니다." in texts(at)
    assert not at.session_state["authentication_status"]
    with pytest.raises(NotFound):
        services.accounts.get("author-user")
    at.switch_page("app_pages/login.py").run()
    at.text_input(key="login_username").input("author-user")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[[b.label for b in at.button].index("로그인")].click().run()
    assert errors(at)  # the sign-in is gone
    at.query_params["id"] = item.id
    at.switch_page("app_pages/content.py").run()
    assert "이전 작성자" in texts(at)


def test_deleting_the_account_does_not_look_like_saving(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    """As every delete button of the app: secondary with the delete icon, not primary as a
    save is (typing the name is the confirmation)."""
    at = _profile(new_app, "author-user")
    buttons = {b.label: b.proto for b in at.button}
    delete = buttons["계정 삭제"]
    assert delete.type == "secondary" and delete.icon == ":material/delete:"


def test_a_user_name_with_an_at_sign_is_shown_plain_and_can_be_copied_to_confirm(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_user: Callable[..., User],
) -> None:
    make_user("kim@example.com", "author")
    at = _profile(new_app, "kim@example.com")
    label = at.text_input(key="my_delete_confirm").label
    assert md_escape("kim@example.com") in label  # not an e-mail link
    # What a reader copies from the label: the text as shown, its invisible joiner included.
    shown = label[label.index("(") + 1:label.index(")")].replace("\\", "")
    assert shown != "kim@example.com"
    at.text_input(key="my_delete_confirm").input(shown)
    at.button[[b.label for b in at.button].index("계정 삭제")].click().run()
    assert not errors(at)
    with pytest.raises(NotFound):
        services.accounts.get("kim@example.com")


def test_the_items_i_liked_are_linked(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., Any],
) -> None:
    item = make_item("좋아요한 데모", author="author")
    services.content.set_like(item.id, users["viewer"].as_actor(), True)

    at = _profile(new_app, "viewer-user")

    assert "좋아요한 데모" in texts(at)


def test_my_own_unpublished_item_stays_listed_and_others_hidden_are_counted(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., Any],
) -> None:
    own = make_item("내가 내린 데모", author="author", status=Status.DRAFT)
    services.ports.content.add_like(own.id, "author-user")  # liked, then unpublished
    hidden = make_item("남의 초안", author="admin", status=Status.DRAFT)
    services.ports.content.add_like(hidden.id, "author-user")

    at = _profile(new_app, "author-user")
    shown = texts(at)

    assert "아직 좋아요한 항목이 없습니다." not in shown
    assert "내가 내린 데모 · 초안" in [link.label for link in at.get("page_link")]
    assert "남의 초안" not in shown
    assert "좋아요한 항목 중 1개는 지금 볼 수 없습니다(비공개 또는 삭제)." in shown


def test_no_liked_items_says_how_to_like_one_and_links_all_content(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = _profile(new_app, "viewer-user")
    shown = texts(at)
    assert "아직 좋아요한 항목이 없습니다." in shown
    assert "항목 페이지에서 ♡ 좋아요를 누르면 여기에 모입니다." in shown
    assert "전체 콘텐츠" in [link.label for link in at.get("page_link")]


def test_an_administrator_deleting_an_author_gives_the_content_to_another_author(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., Any],
) -> None:
    item = make_item("넘겨줄 데모", author="author")
    at = open_admin_page(new_app)
    at.selectbox(key="adm_roles_user").select("author-user").run()
    at.button(key="adm_delete").click().run()
    assert at.selectbox(key="adm_delete_heir").value is None  # "former author" by default
    at.selectbox(key="adm_delete_heir").select("admin-user").run()
    at.button(key="adm_delete_yes").click().run()

    assert not errors(at)
    moved = services.content.get(item.id, users["admin"].as_actor())
    assert (moved.author_id, moved.author_name) == ("admin-user", "Admin-User")


def test_former_authors_content_is_filtered_under_that_name(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    make_item: Callable[..., Any],
) -> None:
    make_item("남겨진 데모", author="author")
    services.accounts.delete_user(users["admin"].as_actor(), "author-user")

    at = new_app()
    at.session_state["browse_all_filters"] = True  # drawn only while their panel is open
    at.run()
    at.switch_page("app_pages/browse.py").run()

    # Option labels as shown: the author filter names the deleted author's content.
    assert any("이전 작성자" in box.options for box in at.selectbox)


def test_a_reason_over_the_limit_stays_in_the_box_with_a_clear_error(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
) -> None:
    viewer = _profile(new_app, "viewer-user")
    long_reason = "리테일 데모 " * 100  # 800 characters, over the 500 allowed
    viewer.text_area(key="my_role_reason").input(long_reason)
    viewer.button[[b.label for b in viewer.button].index("작성자 권한 신청")].click().run()

    assert "최대 500자입니다." in errors(viewer)
    assert viewer.text_area(key="my_role_reason").value == long_reason  # nothing lost
    assert services.accounts.get("viewer-user").pending_role is None


def test_the_password_is_changed_on_the_profile_not_on_every_page(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    """Every page's sidebar held a second change-password form (three hidden password boxes in
    a popover); the profile, linked from the sidebar's name, is the one place."""
    at = new_app("author-user")
    at.run()
    assert not at.exception
    assert [w.key for w in at.text_input if "pw" in str(w.key)] == []
    assert any(link.proto.page.endswith("profile") for link in at.sidebar.get("page_link"))
    at.switch_page(PROFILE).run()
    assert [w.key for w in at.text_input if "pw" in str(w.key)] == [
        "my_pw_current", "my_pw_new", "my_pw_repeat"]
