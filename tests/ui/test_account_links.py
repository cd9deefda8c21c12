"""Pages mailed links open, and forgot password on the sign-in page (local sign-in), with and
without mail configured. Mail goes to a recording double in place of SES."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from services import bootstrap
from services.bootstrap import Services, build_services
from services.domain.analytics import Purpose
from services.domain.permissions import Role
from services.domain.signup import SignupDraft
from services.settings import load_settings
from tests.doubles.mailer import RecordingMailer
from tests.ui.conftest import errors, texts
from tests.ui.test_signup import _fill as fill_signup
from tests.ui.test_signup import _send as send_signup

VERIFY = "app_pages/verify.py"
RESET = "app_pages/reset.py"
LOGIN = "app_pages/login.py"
URL = "https://demo.example.com"
PASSWORD = "violet-harbor-tunnel-42"
NEW = "quiet-lantern-meadow-77"


@pytest.fixture
def mailer(monkeypatch: pytest.MonkeyPatch) -> RecordingMailer:
    """SES configured: every Services built in this test mails through one recorder."""
    recorder = RecordingMailer()
    monkeypatch.setenv("DEMO_FACTORY_SES_SENDER", "no-reply@example.com")
    monkeypatch.setenv("DEMO_FACTORY_PUBLIC_URL", URL)
    monkeypatch.setattr(bootstrap, "_mailer", lambda settings: recorder)
    return recorder


def mailed_token(mailer: RecordingMailer, path: str) -> str:
    match = re.search(rf"{re.escape(URL)}/{path}\?token=(\S+)", mailer.sent[-1].body)
    assert match
    return match.group(1)


def open_with_token(new_app: Callable[..., AppTest], page: str, token: str | None) -> AppTest:
    at = new_app()
    at.run()
    if token is not None:
        at.query_params["token"] = token
    at.switch_page(page).run()
    assert not at.exception
    return at


def sign_up(monkeypatch: pytest.MonkeyPatch) -> Services:
    monkeypatch.setenv("DEMO_FACTORY_SIGNUP", "open")
    services = build_services(load_settings())
    assert services.signup is not None and services.signup.verifies_email
    services.signup.sign_up(SignupDraft("이지원", "jiwon@example.com", "jiwon", "", Purpose.OTHER,
                                        Role.VIEWER, PASSWORD, PASSWORD, True, language="ko"),
                            "visit-1")
    return services


def test_the_verification_link_confirms_once_and_leaves_no_token_in_the_address(
    new_app: Callable[..., AppTest], mailer: RecordingMailer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = sign_up(monkeypatch)
    token = mailed_token(mailer, "verify")

    at = open_with_token(new_app, VERIFY, token)

    assert "이메일이 확인되었습니다. 이제 로그인할 수 있습니다" in texts(at)
    assert "token" not in at.query_params
    assert services.ports.users.get("jiwon").email_verified
    at.run()  # a rerun shows the same outcome, it does not use the link again
    assert "이제 로그인할 수 있습니다" in texts(at) and not errors(at)

    again = open_with_token(new_app, VERIFY, token)
    assert "이 링크는 쓸 수 없습니다" in " ".join(errors(again))


def test_the_verify_page_without_a_token_says_to_use_the_mail(
    new_app: Callable[..., AppTest],
) -> None:
    at = open_with_token(new_app, VERIFY, None)

    assert "메일로 받은 확인 링크로" in texts(at) and not errors(at)


def test_reloading_the_verify_page_after_confirming_points_to_sign_in(
    new_app: Callable[..., AppTest], mailer: RecordingMailer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_up(monkeypatch)
    open_with_token(new_app, VERIFY, mailed_token(mailer, "verify"))

    # A reload is a new session, and the token left the address when the link was opened.
    at = open_with_token(new_app, VERIFY, None)

    assert "이미 이메일을 확인하셨다면 로그인하세요" in texts(at) and not errors(at)
    assert any(link.proto.page.endswith("login") for link in at.main.get("page_link"))


def test_without_mail_forgot_password_explains_how_to_reach_an_administrator(
    new_app: Callable[..., AppTest],
) -> None:
    at = new_app()
    at.run()
    at.switch_page(LOGIN).run()
    assert "비밀번호를 잊으셨나요?" in texts(at)

    at.switch_page(RESET).run()

    assert "관리자에게 요청하세요" in texts(at)
    assert not at.text_input and not errors(at)


def test_forgot_password_mails_a_link_that_sets_a_new_password(
    new_app: Callable[..., AppTest], mailer: RecordingMailer,
    make_user: Callable[..., object], services: Services,
) -> None:
    make_user("kim", "viewer")
    at = open_with_token(new_app, RESET, None)
    at.text_input(key="reset_identifier").input("kim@example.com")
    at.button[0].click().run()

    assert "일치하는 계정이 있으면" in texts(at) and not errors(at)
    assert mailer.sent[-1].recipient == "kim@example.com"

    at = open_with_token(new_app, RESET, mailed_token(mailer, "reset"))
    at.text_input(key="reset_new").input(NEW)
    at.text_input(key="reset_again").input(NEW)
    at.button[0].click().run()

    assert not at.exception and not errors(at)
    assert "비밀번호가 설정되었고" in texts(at)
    assert services.accounts.authenticate("kim", NEW).username == "kim"


def test_a_used_reset_link_says_so_before_any_password_is_typed(
    new_app: Callable[..., AppTest], mailer: RecordingMailer,
    make_user: Callable[..., object], services: Services,
) -> None:
    make_user("kim", "viewer")
    assert services.password_reset is not None
    services.password_reset.request("kim", "visit-1")
    token = mailed_token(mailer, "reset")
    services.password_reset.reset(token, NEW, NEW)

    at = open_with_token(new_app, RESET, token)

    assert "이 링크는 쓸 수 없습니다" in " ".join(errors(at))
    assert not at.text_input  # no new-password form to fill in for nothing


def test_an_unknown_account_gets_the_same_answer(
    new_app: Callable[..., AppTest], mailer: RecordingMailer,
) -> None:
    at = open_with_token(new_app, RESET, None)
    at.text_input(key="reset_identifier").input("nobody@example.com")
    at.button[0].click().run()

    assert "일치하는 계정이 있으면" in texts(at) and not errors(at)
    assert mailer.sent == []


def test_the_sign_up_page_says_a_link_confirms_the_email_only_with_mail(
    new_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_with_token(new_app, "app_pages/signup.py", None)
    assert "이메일 주소는 확인되지 않은 상태로 남습니다" in texts(at)
    assert "링크를 메일로 보내 드립니다" not in texts(at)

    recorder = RecordingMailer()
    monkeypatch.setenv("DEMO_FACTORY_SES_SENDER", "no-reply@example.com")
    monkeypatch.setenv("DEMO_FACTORY_PUBLIC_URL", URL)
    monkeypatch.setattr(bootstrap, "_mailer", lambda settings: recorder)
    at = open_with_token(new_app, "app_pages/signup.py", None)
    assert "링크를 메일로 보내 드립니다" in texts(at)


def test_with_mail_the_sign_up_answer_says_to_open_the_mailed_link(
    new_app: Callable[..., AppTest], mailer: RecordingMailer,
) -> None:
    at = open_with_token(new_app, "app_pages/signup.py", None)
    assert "링크를 메일로 보내 드립니다(24시간 동안 유효)" in texts(at)

    send_signup(fill_signup(at))

    assert "메일의 링크를 24시간 안에 열어" in texts(at)
    assert not errors(at)
    assert mailer.sent[-1].recipient == "jiwon@example.com"
