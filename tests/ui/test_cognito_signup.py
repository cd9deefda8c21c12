"""The sign-up page in Cognito mode, through the real pages with the app built on moto: the
form, the "enter the code we emailed you" step with a new code on request, and what follows
(an administrator's approval, then sign-in; or, in open mode, sign-in at once)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from services.accounts.sign_in.base import SignedIn
from services.adapters.aws.cognito.signup import CognitoSelfSignUp
from services.bootstrap import build_services
from services.domain.analytics import Purpose
from services.domain.permissions import Role
from services.errors import ValidationError
from services.ui import auth
from tests.contract.cognito_backend import MockedCognito, mocked_cognito
from tests.ui.conftest import ROOT, errors, texts

PASSWORD = "violet-harbor-tunnel-42"
ADMIN_PASSWORD = "Temporary-pass-1"
CODE_SENT = "확인 코드를 보냈습니다"


def _pool(monkeypatch: pytest.MonkeyPatch, mode: str) -> Iterator[MockedCognito]:
    with mocked_cognito(signup=mode) as mocked:
        for field, value in mocked.settings.model_dump().items():
            if value is None or field in ("data_dir", "sample_content"):
                continue
            text = value.get_secret_value() if hasattr(value, "get_secret_value") else value
            if isinstance(text, dict | list):
                text = json.dumps(text)
            elif isinstance(text, tuple):
                text = ",".join(text)
            monkeypatch.setenv(f"DEMO_FACTORY_{field.upper()}", str(text))
        yield mocked


@pytest.fixture
def approval(app_env: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[MockedCognito]:
    yield from _pool(monkeypatch, "approval")


@pytest.fixture
def open_mode(app_env: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[MockedCognito]:
    yield from _pool(monkeypatch, "open")


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def _page(at: AppTest, page: str) -> AppTest:
    at.run()
    at.switch_page(page).run()
    assert not at.exception and not errors(at)
    return at


def _click(at: AppTest, label: str) -> AppTest:
    at.button[[b.label for b in at.button].index(label)].click().run()
    assert not at.exception
    return at


def _sign_up(at: AppTest, username: str = "jiwon", role: Role = Role.VIEWER) -> AppTest:
    at.text_input(key="su_name").input("이지원")
    at.text_input(key="su_email").input(f"{username}@example.com")
    at.text_input(key="su_username").input(username)
    at.selectbox(key="su_purpose").select(Purpose.CUSTOMER_DEMO)
    at.radio(key="su_role").set_value(role)
    at.text_input(key="su_password").input(PASSWORD)
    at.text_input(key="su_password_again").input(PASSWORD)
    at.checkbox(key="su_consent").check()
    return _click(at, "계정 신청")


def _enter_code(at: AppTest, code: str = "123456") -> AppTest:
    at.text_input(key="su_code").input(code)
    return _click(at, "확인")


def _signs_in(username: str) -> bool:
    at = _page(_app(), "app_pages/login.py")
    at.text_input(key="cg_login").input(username)
    at.text_input(key="cg_password").input(PASSWORD)
    _click(at, "로그인")
    return (auth.SIGNED_IN_KEY in at.session_state
            and isinstance(at.session_state[auth.SIGNED_IN_KEY], SignedIn))


def test_approval_mode_code_then_the_administrator_then_sign_in(approval: MockedCognito) -> None:
    at = _page(_app(), "app_pages/signup.py")
    assert "확인 코드를 보내 드립니다" in texts(at)  # the intro says a code comes by email

    _sign_up(at, role=Role.AUTHOR)
    assert CODE_SENT in texts(at) and not errors(at)

    _enter_code(at)
    assert "관리자가 신청을 검토하며" in texts(at) and not errors(at)
    assert not _signs_in("jiwon")

    services = build_services(approval.settings)
    root = services.accounts.create_first_admin("root", "Root", "root@example.com",
                                                ADMIN_PASSWORD).as_actor()
    assert services.signup is not None
    services.signup.approve(root, "jiwon")

    assert _signs_in("jiwon")


def test_open_mode_a_confirmed_viewer_signs_in_at_once(open_mode: MockedCognito) -> None:
    at = _sign_up(_page(_app(), "app_pages/signup.py"))

    _enter_code(at)

    assert "이제 로그인할 수 있습니다" in texts(at) and not errors(at)
    assert _signs_in("jiwon")


def test_a_wrong_code_says_so_and_the_step_stays(approval: MockedCognito,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong(self: CognitoSelfSignUp, username: str, code: str) -> None:
        raise ValidationError("cognito.err_code")

    at = _sign_up(_page(_app(), "app_pages/signup.py"))
    monkeypatch.setattr(CognitoSelfSignUp, "confirm", wrong)

    _enter_code(at, "000000")

    assert "확인 코드가 올바르지 않거나 만료되었습니다" in "\n".join(errors(at))
    assert at.text_input(key="su_code") is not None


def test_a_new_code_on_request(approval: MockedCognito, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    monkeypatch.setattr(CognitoSelfSignUp, "resend",
                        lambda self, username: sent.append(username))
    at = _sign_up(_page(_app(), "app_pages/signup.py"))

    _click(at, "코드 다시 받기")

    assert sent == ["jiwon"]
    assert "새 코드를 보냈습니다" in texts(at) and not errors(at)


def test_a_name_in_use_gets_the_same_code_step(approval: MockedCognito) -> None:
    services = build_services(approval.settings)
    services.accounts.create_first_admin("root", "Root", "root@example.com", ADMIN_PASSWORD)

    at = _sign_up(_page(_app(), "app_pages/signup.py"), username="root")

    assert CODE_SENT in texts(at) and not errors(at)


def test_start_over_brings_the_form_back(approval: MockedCognito) -> None:
    at = _sign_up(_page(_app(), "app_pages/signup.py"))

    _click(at, "처음부터 다시")

    assert CODE_SENT not in texts(at)
    assert at.text_input(key="su_username").value == ""


def test_an_unconfirmed_account_is_told_where_to_enter_its_code(open_mode: MockedCognito) -> None:
    _sign_up(_page(_app(), "app_pages/signup.py"))  # then the visitor leaves without the code

    login = _page(_app(), "app_pages/login.py")
    login.text_input(key="cg_login").input("jiwon")
    login.text_input(key="cg_password").input(PASSWORD)
    _click(login, "로그인")
    assert "'계정 만들기' 페이지에서 가입 이메일의 코드를 입력" in "\n".join(errors(login))

    later = _page(_app(), "app_pages/signup.py")
    later.text_input(key="su_code_username").input("jiwon")
    _click(later, "코드 입력")
    assert CODE_SENT in texts(later)
    _enter_code(later)

    assert "이제 로그인할 수 있습니다" in texts(later) and not errors(later)
    assert _signs_in("jiwon")
