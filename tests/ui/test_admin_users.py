"""The users admin page: search and paging, roles, disable, one-time password, the guards."""

from __future__ import annotations

import json
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.permissions import Role
from services.domain.users import User
from tests.ui.conftest import errors, open_admin_page, shown_in_browser, texts


def _listed(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["사용자 이름"])


def test_search_and_paging(new_app: Callable[..., AppTest], users: dict[str, User],
                           make_user: Callable[..., User]) -> None:
    for number in range(22):
        make_user(f"writer-{number:02d}", "author")
    at = open_admin_page(new_app)
    assert len(_listed(at)) == 20
    assert "1 / 2 페이지 · 사용자 26명" in texts(at)
    # What an administrator manages stands beside the name: on a phone the roles and the
    # state were past the right edge, behind the name and the email.
    assert list(at.dataframe[0].value.columns)[:3] == ["사용자 이름", "역할", "상태"]
    widths = json.loads(at.dataframe[0].proto.columns)
    shown = [name for name in widths if not widths[name].get("hidden")]
    assert all(widths[name].get("width") for name in shown), widths  # fitted

    at.button(key="adm_users_next").click().run()
    assert _listed(at) == [f"writer-{n}" for n in range(16, 22)]  # sorted by username
    assert "2 / 2 페이지" in texts(at)

    at.text_input(key="adm_search").input("WRITER-0").run()  # back to page 1, case-insensitive
    assert _listed(at) == [f"writer-{n:02d}" for n in range(10)]
    at.text_input(key="adm_search").input("viewer-user@EXAMPLE").run()  # emails too
    assert _listed(at) == ["viewer-user"]
    at.text_input(key="adm_search").input("writer-01").run()  # one page: the count alone
    assert _listed(at) == ["writer-01"]
    assert "사용자 1명" in texts(at) and "페이지" not in texts(at)
    assert not {"adm_users_prev", "adm_users_next"} & {str(b.key) for b in at.button}
    at.text_input(key="adm_search").input("nobody-like-this").run()
    assert not at.dataframe  # no empty grid: a sentence that says what to try
    assert [i.value for i in at.info] == [
        "검색어에 맞는 사용자가 없습니다. 사용자 이름, 이름, 이메일의 일부로 찾아 보세요."]


def test_disable_and_enable(new_app: Callable[..., AppTest], users: dict[str, User],
                            services: Services) -> None:
    at = open_admin_page(new_app)
    at.selectbox(key="adm_roles_user").select("author-user").run()
    at.button(key="adm_toggle_disabled").click().run()
    assert "'author-user'을(를) 비활성화할까요?" in texts(at)
    assert not services.accounts.get("author-user").disabled  # not before the second click
    at.button(key="adm_disable_yes").click().run()
    assert not errors(at)
    assert services.accounts.get("author-user").disabled
    assert "'author-user'을(를) 비활성화했습니다." in texts(at)
    at.button(key="adm_toggle_disabled").click().run()
    assert not services.accounts.get("author-user").disabled


def test_reset_shows_the_one_time_password_once(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    at = open_admin_page(new_app)
    at.selectbox(key="adm_roles_user").select("viewer-user").run()
    at.button(key="adm_reset").click().run()
    assert not [w for w in at.warning if "일회용 비밀번호" in w.value]  # asks first
    at.button(key="adm_reset_yes").click().run()

    shown = [w.value for w in at.warning if "일회용 비밀번호" in w.value]
    assert len(shown) == 1
    password = shown[0].rsplit("`", 2)[-2]
    assert services.accounts.authenticate("viewer-user", password).username == "viewer-user"
    at.run()
    assert not [w for w in at.warning if "일회용 비밀번호" in w.value]  # gone after one run
    assert services.ports.audit.entries(action="user.reset_password")[0].target == "viewer-user"


# Each refusal names what was refused (deleting oneself was told about removing and disabling).
OWN_ROLE = "자기 자신의 관리자 권한은 없앨 수 없습니다. 다른 관리자에게 맡기세요."
OWN_DISABLE = "자기 자신의 계정은 비활성화할 수 없습니다. 다른 관리자에게 맡기세요."
OWN_DELETE = "자기 자신의 계정은 여기서 삭제할 수 없습니다. 내 프로필의 '계정 삭제'를 쓰세요."


def test_an_admin_cannot_remove_themselves(new_app: Callable[..., AppTest],
                                           users: dict[str, User], services: Services) -> None:
    # Through the page the acting admin is always an active admin, so removing anybody else
    # leaves one: the guard a page can hit is "not yourself" (the last-admin case is covered
    # in tests/unit/accounts/test_account_admin.py with an actor from outside the directory).
    at = open_admin_page(new_app)
    at.selectbox(key="adm_roles_user").select("admin-user").run()
    at.button(key="adm_toggle_disabled").click().run()
    at.button(key="adm_disable_yes").click().run()
    assert errors(at) == [OWN_DISABLE]
    at.multiselect(key="adm_roles_admin-user").select("viewer").unselect("admin").run()
    at.button(key="adm_roles_save").click().run()
    assert errors(at) == [OWN_ROLE]
    at.button(key="adm_delete").click().run()
    at.button(key="adm_delete_yes").click().run()
    assert errors(at) == [OWN_DELETE]
    assert services.accounts.get("admin-user").roles == {Role.ADMIN}
    assert not services.accounts.get("admin-user").disabled


def test_delete_asks_first(new_app: Callable[..., AppTest], users: dict[str, User],
                           services: Services) -> None:
    at = open_admin_page(new_app)
    at.selectbox(key="adm_roles_user").select("analyst-user").run()
    at.button(key="adm_delete").click().run()
    assert "'analyst-user'을(를) 삭제할까요?" in texts(at)
    at.button(key="adm_delete_yes").click().run()
    assert not errors(at)
    assert "analyst-user" not in _listed(at)
    assert services.ports.audit.entries(action="user.delete")[0].target == "analyst-user"


def test_the_account_buttons_have_short_labels_that_fit(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    """The reset button read "비밀번호 재…" in a third of half the page; its label is the
    short admin term and the buttons wrap instead of being cut."""
    at = open_admin_page(new_app)
    at.selectbox(key="adm_roles_user").select("viewer-user").run()

    assert at.button(key="adm_reset").label == "비밀번호 초기화"
    assert at.button(key="adm_delete").label == "삭제"


def test_cancel_leaves_the_account_unchanged(new_app: Callable[..., AppTest],
                                             users: dict[str, User], services: Services) -> None:
    at = open_admin_page(new_app)
    at.selectbox(key="adm_roles_user").select("author-user").run()
    hash_before = services.ports.passwords.password_hash("author-user")
    for button, kind, asked in (("adm_toggle_disabled", "disable", "비활성화할까요?"),
                                ("adm_reset", "reset", "비밀번호를 초기화할까요?"),
                                ("adm_delete", "delete", "삭제할까요?")):
        at.button(key=button).click().run()
        assert asked in texts(at)
        at.button(key=f"adm_{kind}_no").click().run()
        assert asked not in texts(at)
    assert not errors(at)
    kept = services.accounts.get("author-user")
    assert not kept.disabled
    assert services.ports.passwords.password_hash("author-user") == hash_before
    assert not services.ports.audit.entries(action="user.reset_password")
    assert not services.ports.audit.entries(action="user.disable")


def test_the_user_picker_starts_on_another_user(new_app: Callable[..., AppTest],
                                                users: dict[str, User]) -> None:
    at = open_admin_page(new_app)
    picked = at.selectbox(key="adm_roles_user").value
    assert picked != "admin-user"
    assert picked == "analyst-user"  # the first other user, by name


def test_the_create_form_is_emptied_after_a_user_is_made(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    """The browser showed the new user's details and initial password after the create; a
    second click then said "already in use"."""
    at = open_admin_page(new_app)
    typed = {"adm_new_username": "new-user", "adm_new_name": "New User",
             "adm_new_email": "new@example.com", "adm_new_password": "Another-horse-9"}
    for key, value in typed.items():
        at.text_input(key=key).input(value)
    at.multiselect(key="adm_new_roles").select("author")
    at.button(key="FormSubmitter:adm_create_user-사용자 만들기").click().run()
    assert not errors(at)
    assert services.accounts.get("new-user").roles == {Role.VIEWER, Role.AUTHOR}
    for key, value in typed.items():
        assert shown_in_browser(at.text_input(key=key), value) == "", key
    assert shown_in_browser(at.multiselect(key="adm_new_roles"), ["viewer", "author"]) == [
        "viewer"]


def test_a_question_left_unanswered_is_gone_after_leaving_the_page(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    """"Delete 'analyst-user'?" stood, its primary button ready, after a visit to the audit
    log; and after picking somebody else and coming back."""
    at = open_admin_page(new_app)
    at.selectbox(key="adm_roles_user").select("analyst-user").run()
    at.button(key="adm_delete").click().run()
    assert "'analyst-user'을(를) 삭제할까요?" in texts(at)

    at.switch_page("app_pages/admin_audit.py").run()
    at.switch_page("app_pages/admin.py").run()
    at.selectbox(key="adm_roles_user").select("analyst-user").run()
    assert "삭제할까요?" not in texts(at)
    assert "adm_delete_yes" not in _keys(at)

    at.button(key="adm_reset").click().run()
    at.selectbox(key="adm_roles_user").select("author-user").run()
    at.selectbox(key="adm_roles_user").select("analyst-user").run()
    assert "초기화할까요?" not in texts(at)
    assert "adm_reset_yes" not in _keys(at)


def _keys(at: AppTest) -> set[str]:
    return {str(b.key) for b in at.button}


def test_a_double_click_on_create_says_the_user_was_made(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    """The second click of a double click sends the form as the browser still shows it: the
    user was made by the first, and the administrator read only "'dup2' is already taken"."""
    at = open_admin_page(new_app)
    typed = {"adm_new_username": "dup2", "adm_new_password": "Another-horse-9"}

    def send() -> None:
        for key, value in typed.items():
            at.text_input(key=key).input(value)
        at.button(key="FormSubmitter:adm_create_user-사용자 만들기").click().run()

    send()
    send()  # the same form again, as the browser sent it
    assert not errors(at)
    assert "'dup2'" in texts(at) and "이미" not in texts(at)
    assert services.accounts.get("dup2").username == "dup2"

    services.accounts.delete_user(users["admin"].as_actor(), "dup2")
    send()  # made again on purpose after a delete: made, not taken for the repeat
    assert not errors(at)
    assert services.accounts.get("dup2").username == "dup2"
