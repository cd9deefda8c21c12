"""The sign-up page per mode, the link from the sign-in page, and an administrator approving
a pending sign-up on the users page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.analytics import Purpose
from services.domain.permissions import Role
from services.domain.signup import SignupDraft
from services.domain.users import AccountStatus, User
from services.errors import NotFound
from tests.ui.conftest import errors, ko, open_admin_page, shown_in_browser, texts

SIGNUP = "app_pages/signup.py"
LOGIN = "app_pages/login.py"
PASSWORD = "violet-harbor-tunnel-42"
RECEIVED = "입력하신 정보가 유효하면 신청이 접수되었습니다"


def _signup_page(new_app: Callable[..., AppTest]) -> AppTest:
    at = new_app()
    at.run()
    at.switch_page(SIGNUP).run()
    assert not at.exception and not errors(at)
    return at


def _fill(at: AppTest, *, again: str = PASSWORD, role: Role = Role.AUTHOR) -> AppTest:
    at.text_input(key="su_name").input("이지원")
    at.text_input(key="su_email").input("jiwon@example.com")
    at.text_input(key="su_username").input("jiwon")
    at.text_input(key="su_company").input("Acme")
    at.selectbox(key="su_purpose").select(Purpose.CUSTOMER_DEMO)
    at.radio(key="su_role").set_value(role)
    at.text_input(key="su_password").input(PASSWORD)
    at.text_input(key="su_password_again").input(again)
    at.checkbox(key="su_consent").check()
    return at


def _send(at: AppTest) -> AppTest:
    at.button[[b.label for b in at.button].index("계정 신청")].click().run()
    return at


def test_approval_mode_signs_up_a_waiting_account(
    new_app: Callable[..., AppTest], services: Services
) -> None:
    at = _send(_fill(_signup_page(new_app)))

    assert not at.exception and not errors(at)
    assert RECEIVED in texts(at)
    jiwon = services.accounts.get("jiwon")
    assert (jiwon.status, jiwon.pending_role, jiwon.company) == (
        AccountStatus.PENDING, Role.AUTHOR, "Acme")
    # The form is emptied, in the browser too (a dropped key left the purpose chosen there).
    assert shown_in_browser(at.text_input(key="su_password"), PASSWORD) == ""
    assert shown_in_browser(at.selectbox(key="su_purpose"), Purpose.CUSTOMER_DEMO) is None


def test_open_mode_makes_a_viewer_who_signs_in(
    new_app: Callable[..., AppTest], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_FACTORY_SIGNUP", "open")

    at = _send(_fill(_signup_page(new_app), role=Role.VIEWER))

    assert RECEIVED in texts(at)
    at.switch_page(LOGIN).run()
    at.text_input(key="login_username").input("jiwon")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[[b.label for b in at.button].index("로그인")].click().run()
    assert not errors(at)
    assert services.accounts.get("jiwon").status == AccountStatus.ACTIVE


def test_a_mistake_is_said_and_nothing_is_made(
    new_app: Callable[..., AppTest], services: Services
) -> None:
    at = _send(_fill(_signup_page(new_app), again="violet-harbor-tunnel-43"))

    assert "두 비밀번호가 다릅니다." in errors(at)
    assert RECEIVED not in texts(at)
    with pytest.raises(NotFound):
        services.accounts.get("jiwon")


def test_an_empty_form_says_every_missing_field_at_once(
    new_app: Callable[..., AppTest],
) -> None:
    at = _send(_signup_page(new_app))

    assert "비밀번호를 정하세요." in errors(at)
    # name, email, user name, purpose, password, consent; then the summary by the button
    assert len(errors(at)) == 7
    assert RECEIVED not in texts(at)


def test_a_filled_honeypot_gets_the_same_answer_and_makes_nothing(
    new_app: Callable[..., AppTest], services: Services
) -> None:
    at = _fill(_signup_page(new_app))
    at.text_input(key="su_website").input("http://spam.example")
    _send(at)

    assert RECEIVED in texts(at)
    with pytest.raises(NotFound):
        services.accounts.get("jiwon")


def test_the_sign_in_page_links_to_sign_up_unless_it_is_off(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = new_app()
    at.run()
    at.switch_page(LOGIN).run()
    assert "계정이 없으신가요? 계정 만들기" in texts(at)

    monkeypatch.setenv("DEMO_FACTORY_SIGNUP", "off")
    at = new_app()
    at.run()
    at.switch_page(LOGIN).run()
    assert "계정 만들기" not in texts(at)
    at.switch_page(SIGNUP).run()
    assert "이 사이트는 가입을 받지 않습니다." in texts(at)
    assert not at.get("text_input") or not [w for w in at.text_input if w.key == "su_name"]


def test_an_administrator_approves_a_pending_sign_up(
    new_app: Callable[..., AppTest], services: Services, users: dict[str, User]
) -> None:
    assert services.signup is not None
    services.signup.sign_up(SignupDraft("이지원", "jiwon@example.com", "jiwon", "Acme",
                                        Purpose.RESEARCH, Role.AUTHOR, PASSWORD, PASSWORD,
                                        True), "visit-1")
    at = open_admin_page(new_app)
    assert "대기 중인 가입 및 권한 신청" in texts(at)
    assert list(at.dataframe[0].value["사용자 이름"]) == ["jiwon"]

    at.button(key="adm_signup_approve").click().run()
    assert services.accounts.get("jiwon").status == AccountStatus.PENDING  # asks first
    at.button(key="adm_signup_approve_yes").click().run()

    assert not errors(at)
    jiwon = services.accounts.get("jiwon")
    assert (jiwon.status, jiwon.roles) == (AccountStatus.ACTIVE, frozenset({Role.AUTHOR}))
    assert "대기 중인 신청이 없습니다." in texts(at)


def test_the_users_table_says_that_a_sign_up_waits(
    new_app: Callable[..., AppTest], services: Services, users: dict[str, User]
) -> None:
    assert services.signup is not None
    services.signup.sign_up(SignupDraft("이지원", "jiwon@example.com", "jiwon", "", Purpose.OTHER,
                                        Role.VIEWER, PASSWORD, PASSWORD, True), "visit-1")
    at = open_admin_page(new_app)

    table = at.dataframe[1].value  # the pending list comes first
    states = dict(zip(table["사용자 이름"], table["상태"], strict=True))
    assert states["jiwon"] == "승인 대기" and states["viewer-user"] == "사용 중"


def test_a_sign_up_handled_in_another_tab_meanwhile_is_said(
    new_app: Callable[..., AppTest], services: Services, users: dict[str, User]
) -> None:
    """Two administrators approving at once: one approval, and the other tab's "yes" landed
    on "No request is waiting" without a word of what happened to the one it was about."""
    assert services.signup is not None
    services.signup.sign_up(SignupDraft("이지원", "jiwon@example.com", "jiwon", "Acme",
                                        Purpose.RESEARCH, Role.AUTHOR, PASSWORD, PASSWORD,
                                        True), "visit-1")
    at = open_admin_page(new_app)
    at.button(key="adm_signup_approve").click().run()
    services.signup.approve(users["admin"].as_actor(), "jiwon")  # the other tab
    at.button(key="adm_signup_approve_yes").click().run()
    assert not at.exception and not errors(at)
    assert ko("signup.handled_meanwhile", username="jiwon") in texts(at)
    at.run()  # said once
    assert ko("signup.handled_meanwhile", username="jiwon") not in texts(at)
