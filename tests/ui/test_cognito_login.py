"""Cognito sign-in through the real pages, with the app built on moto in-process
(DEMO_FACTORY_BACKEND=aws, DEMO_FACTORY_AUTH=cognito)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from services.accounts.rules import PASSWORD_MIN
from services.accounts.sign_in.base import SignedIn
from services.adapters.aws.cognito.auth import CognitoIdentityProvider
from services.bootstrap import Services, build_services
from services.domain.models import utcnow
from services.domain.permissions import Actor, Role
from services.ui import auth
from tests.contract.cognito_backend import MockedCognito, mocked_cognito
from tests.ui.conftest import ROOT, assert_page_ran, errors, follow_replacement, ko, texts
from tests.ui.test_field_errors import error_after

PASSWORD = "Temporary-pass-1"
NEW_PASSWORD = "Chosen-password-2"


@pytest.fixture
def cognito(app_env: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[MockedCognito]:
    with mocked_cognito() as mocked:
        for field, value in mocked.settings.model_dump().items():
            if value is None or field in ("data_dir", "sample_content"):
                continue
            text = value.get_secret_value() if hasattr(value, "get_secret_value") else value
            if isinstance(text, dict | list):  # structured settings are JSON (model_prices)
                text = json.dumps(text)
            elif isinstance(text, tuple):  # lists of names are comma-separated
                text = ",".join(text)
            monkeypatch.setenv(f"DEMO_FACTORY_{field.upper()}", str(text))
        yield mocked


@pytest.fixture
def cservices(cognito: MockedCognito) -> Services:
    return build_services(cognito.settings)


@pytest.fixture
def root(cservices: Services) -> Actor:
    admin = cservices.accounts.create_first_admin("root", "루트", "root@example.com", PASSWORD)
    cservices.accounts.create_user(admin.as_actor(), "alice", "앨리스", "alice@example.com",
                                   PASSWORD, frozenset({Role.AUTHOR}))
    return admin.as_actor()


def _login_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/login.py").run()
    assert not at.exception and not errors(at)
    return at


def _submit(at: AppTest, login: str, password: str) -> AppTest:
    at.text_input(key="cg_login").input(login)
    at.text_input(key="cg_password").input(password)
    at.button[[b.label for b in at.button].index("로그인")].click().run()
    return at


def _live(at: AppTest) -> SignedIn:
    live = at.session_state[auth.SIGNED_IN_KEY]
    assert isinstance(live, SignedIn)
    return live


def test_first_sign_in_sets_a_new_password(cognito: MockedCognito, root: Actor) -> None:
    at = _login_page()
    _submit(at, "alice@example.com", PASSWORD)  # email works as the login
    assert not errors(at)
    assert "처음 로그인하셨습니다" in texts(at)

    at.text_input(key="cg_new_password").input(NEW_PASSWORD)
    at.text_input(key="cg_new_password2").input(NEW_PASSWORD)
    at.button[[b.label for b in at.button].index("비밀번호 저장 후 로그인")].click().run()
    follow_replacement(at)

    assert not at.exception and not errors(at)
    assert "앨리스님, 환영합니다." in texts(at)
    assert at.session_state["username"] == "alice"
    at.switch_page("app_pages/editor.py").run()  # author pages, role from cognito:groups
    assert_page_ran(at, ko("content.new_title"))


def test_wrong_password_is_one_clear_error(cognito: MockedCognito, root: Actor,
                                          cservices: Services) -> None:
    """One error, the same for a disabled account with its right password (the pool refuses it
    before checking the password), whose words name that cause too."""
    at = _submit(_login_page(), "root", "not-the-password")
    assert errors(at) == [ko("cognito.err_bad_credentials")]
    assert errors(at)[0].startswith("사용자 이름 또는 비밀번호가 올바르지 않습니다.")
    assert "비활성화" in errors(at)[0]
    assert not at.session_state["authentication_status"]

    cservices.accounts.set_disabled(root, "alice", True)
    assert errors(_submit(_login_page(), "alice", PASSWORD)) == [ko("cognito.err_bad_credentials")]


def test_the_session_survives_a_refresh_and_ends_at_sign_out(
    cognito: MockedCognito, root: Actor, cservices: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _submit(_login_page(), "root", PASSWORD)
    assert not errors(at)
    cookie = cservices.sign_in.cookie_value(_live(at))
    # A new browser session sending the cookie (AppTest has no real cookies).
    monkeypatch.setattr(auth, "read_cookie", lambda name: cookie)
    refreshed = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    refreshed.run()
    assert refreshed.session_state["username"] == "root"
    refreshed.switch_page("app_pages/admin.py").run()  # the admin page, roles from groups
    assert_page_ran(refreshed, ko("nav.admin"))

    refreshed.button(key="df_logout").click().run()
    assert not refreshed.session_state["authentication_status"]
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    again.run()  # the same cookie now leads nowhere
    assert not again.session_state["authentication_status"]
    assert "로그인하지 않았습니다" in texts(again)


def _code_step(at: AppTest, login: str = "root") -> AppTest:
    at.text_input(key="cg_forgot_login").input(login)
    at.button(key="cg_forgot_send").click().run()
    assert "확인 코드를 보냈습니다" in texts(at)
    return at


def _save_new_password(at: AppTest, code: str, new: str, repeat: str) -> AppTest:
    at.text_input(key="cg_forgot_code").input(code)  # moto accepts plain codes
    at.text_input(key="cg_forgot_new").input(new)
    at.text_input(key="cg_forgot_repeat").input(repeat)
    at.button(key="cg_forgot_confirm").click().run()
    return at


def test_forgot_password_with_a_code(cognito: MockedCognito, root: Actor,
                                     cservices: Services) -> None:
    at = _save_new_password(_code_step(_login_page()), "123456", NEW_PASSWORD, NEW_PASSWORD)
    assert not errors(at)
    assert "새 비밀번호로 로그인하세요" in texts(at)
    assert cservices.cognito is not None
    assert isinstance(cservices.cognito.sign_in("root", NEW_PASSWORD), SignedIn)


def test_forgot_password_reads_its_fields_as_one_form(cognito: MockedCognito,
                                                      root: Actor) -> None:
    """Read when the button is pressed, as every password form: a browser that has not yet
    passed a box's value on (the box's eye button has the focus) sends it with the form."""
    at = _code_step(_login_page())
    for key in ("cg_forgot_login", "cg_forgot_code", "cg_forgot_new", "cg_forgot_repeat"):
        assert at.text_input(key=key).proto.form_id, key


def test_forgot_password_refusals_sit_under_their_fields_and_keep_what_was_typed(
    cognito: MockedCognito, root: Actor, cservices: Services
) -> None:
    at = _save_new_password(_code_step(_login_page()), "123456", NEW_PASSWORD, "Other-pass-3")
    assert error_after(at, "cg_forgot_repeat") == ko("auth.err_password_mismatch")
    assert at.text_input(key="cg_forgot_new").value == NEW_PASSWORD
    assert at.text_input(key="cg_forgot_code").value == "123456"

    _save_new_password(at, "123456", "short", "short")
    assert error_after(at, "cg_forgot_new") == ko("auth.err_password_short", min=PASSWORD_MIN)
    assert at.text_input(key="cg_forgot_new").value == "short"

    _save_new_password(at, " ", NEW_PASSWORD, NEW_PASSWORD)
    assert error_after(at, "cg_forgot_code") == ko("cognito.err_code")
    # The pool's own refusal of a code (moto checks the codes it made: this one it did not).
    _save_new_password(at, "moto-confirmation-code:000000", NEW_PASSWORD, NEW_PASSWORD)
    assert error_after(at, "cg_forgot_code") == ko("cognito.err_code")
    assert at.text_input(key="cg_forgot_code").value == "moto-confirmation-code:000000"
    assert cservices.cognito is not None  # nothing was changed meanwhile
    assert isinstance(cservices.cognito.sign_in("root", PASSWORD), SignedIn)


def test_change_password_on_the_profile(cognito: MockedCognito, root: Actor,
                                        cservices: Services) -> None:
    at = _submit(_login_page(), "root", PASSWORD)
    at.switch_page("app_pages/profile.py").run()
    at.text_input(key="my_pw_current").input(PASSWORD)
    at.text_input(key="my_pw_new").input(NEW_PASSWORD)
    at.text_input(key="my_pw_repeat").input(NEW_PASSWORD)
    at.button[[b.label for b in at.button].index("비밀번호 변경")].click().run()
    assert not errors(at)
    assert "비밀번호를 바꿨습니다." in texts(at)
    assert cservices.cognito is not None
    assert isinstance(cservices.cognito.sign_in("root", NEW_PASSWORD), SignedIn)


def test_after_a_password_change_this_browser_goes_on_and_the_others_end(
    cognito: MockedCognito, root: Actor, cservices: Services
) -> None:
    """The change ends every sign-in of the user at the pool (a copied cookie's too); this
    browser is signed in again at once, on tokens the pool still honours."""
    assert cservices.cognito is not None
    elsewhere = cservices.cognito.sign_in("root", PASSWORD)
    assert isinstance(elsewhere, SignedIn)
    at = _submit(_login_page(), "root", PASSWORD)
    at.switch_page("app_pages/profile.py").run()
    before = _live(at)
    at.text_input(key="my_pw_current").input(PASSWORD)
    at.text_input(key="my_pw_new").input(NEW_PASSWORD)
    at.text_input(key="my_pw_repeat").input(NEW_PASSWORD)
    at.button[[b.label for b in at.button].index("비밀번호 변경")].click().run()

    assert not errors(at)
    after = _live(at)
    assert after.actor.user_id == "root" and after.access_token != before.access_token
    assert after.access_token is not None
    cognito.client.get_user(AccessToken=after.access_token)  # the pool honours the new one
    assert cservices.cognito.resume(elsewhere.session_id) is None


def test_the_admin_page_manages_cognito_users(
    cognito: MockedCognito, root: Actor, cservices: Services,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _submit(_login_page(), "root", PASSWORD)
    at.switch_page("app_pages/admin.py").run()
    assert not errors(at)
    assert "alice" in list(at.dataframe[0].value["사용자 이름"])
    at.selectbox(key="adm_roles_user").select("alice").run()
    at.multiselect(key="adm_roles_alice").select("analyst").run()
    at.button(key="adm_roles_save").click().run()
    assert not errors(at)
    assert cservices.accounts.get("alice").roles == {Role.AUTHOR, Role.ANALYST}
    at.button(key="adm_toggle_disabled").click().run()
    at.button(key="adm_disable_yes").click().run()
    assert cservices.accounts.get("alice").disabled
    groups = cognito.client.admin_list_groups_for_user(UserPoolId=cognito.pool_id,
                                                      Username="alice")["Groups"]
    assert sorted(g["GroupName"] for g in groups) == ["analyst", "author"]



def test_resetting_a_user_who_never_signed_in_sends_the_invitation_again(
    cognito: MockedCognito, root: Actor, cservices: Services
) -> None:
    """alice was given a temporary password and never signed in: the pool resets no such
    password, and the admin is not told that a user name or password is wrong."""
    at = _submit(_login_page(), "root", PASSWORD)
    at.switch_page("app_pages/admin.py").run()
    at.selectbox(key="adm_roles_user").select("alice").run()
    at.button(key="adm_reset").click().run()
    at.button(key="adm_reset_yes").click().run()

    assert not errors(at), errors(at)
    assert "'alice'은(는) 아직 로그인한 적이 없어 초기화할 비밀번호가 없습니다." in texts(at)
    status = cognito.client.admin_get_user(UserPoolId=cognito.pool_id, Username="alice")
    assert status["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_the_cookie_script_sets_and_deletes_one_strict_cookie() -> None:
    from services.ui.cookies import cookie_script

    written = cookie_script("df_sid", "a.b-c_d", 3600)
    assert '"df_sid=a.b-c_d; path=/; max-age=3600; SameSite=Strict"' in written
    assert "'https:' ? '; Secure'" in written
    deleted = cookie_script("df_sid", "", 0)
    assert "df_sid=; path=/; max-age=0;" in deleted
    # The value is a JSON string literal: a quote in it cannot end the script's string.
    assert '\\"' in cookie_script("n", 'x"; alert(1)', 1)
    # No max-age: a browser-session cookie, gone when the browser closes.
    assert "max-age" not in cookie_script("visit", "v", None)


def test_the_profile_edits_company_language_and_the_pools_name(
    cognito: MockedCognito, root: Actor, cservices: Services
) -> None:
    at = _submit(_login_page(), "root", PASSWORD)
    at.switch_page("app_pages/profile.py").run()
    assert not at.exception and not errors(at)
    at.text_input(key="my_profile_name").input("Root Kim")
    at.text_input(key="my_profile_company").input("Acme")
    at.button[[b.label for b in at.button].index("저장")].click().run()
    assert not errors(at)
    assert "내 정보를 저장했습니다." in texts(at)
    at.radio(key="my_profile_language").set_value("en")
    at.button(key="my_profile_language_save").click().run()
    assert not errors(at)
    assert at.title[0].value == "My profile"

    raw = cognito.client.admin_get_user(UserPoolId=cognito.pool_id, Username="root")
    assert {a["Name"]: a["Value"] for a in raw["UserAttributes"]}["name"] == "Root Kim"
    assert cservices.profile is not None
    saved = cservices.profile.profile(root, "root")
    assert (saved.name, saved.company, saved.language) == ("Root Kim", "Acme", "en")


def test_a_new_email_shows_unverified_until_the_code_confirms_it(
    cognito: MockedCognito, root: Actor, cservices: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[str, str]] = []

    def verify(self: CognitoIdentityProvider, access_token: str, code: str) -> None:
        # moto has no VerifyUserAttribute: the pool's answer to the right code, by hand.
        sent.append((access_token, code))
        cognito.client.admin_update_user_attributes(
            UserPoolId=cognito.pool_id, Username="root",
            UserAttributes=[{"Name": "email_verified", "Value": "true"}])

    monkeypatch.setattr(CognitoIdentityProvider, "verify_email", verify)
    at = _submit(_login_page(), "root", PASSWORD)
    at.switch_page("app_pages/profile.py").run()
    at.text_input(key="my_profile_email").input("new-root@example.com")
    at.button[[b.label for b in at.button].index("저장")].click().run()
    assert not errors(at)
    assert "new-root@example.com 주소는 아직 확인되지 않았습니다" in texts(at)
    assert cservices.profile is not None
    assert cservices.profile.profile(root, "root").pending_email == "new-root@example.com"

    at.text_input(key="my_email_code").input("123456")
    at.button(key="my_email_confirm").click().run()

    assert not errors(at)
    assert sent == [(_live(at).access_token, "123456")]
    assert "이메일 주소를 확인했습니다." in texts(at)
    assert "아직 확인되지 않았습니다" not in texts(at)
    saved = cservices.profile.profile(root, "root")
    assert (saved.email, saved.pending_email) == ("new-root@example.com", "")


def test_delete_my_account_ends_the_sign_in_and_the_pool_user(
    cognito: MockedCognito, root: Actor, cservices: Services
) -> None:
    at = _submit(_login_page(), "alice", PASSWORD)
    at.text_input(key="cg_new_password").input(NEW_PASSWORD)
    at.text_input(key="cg_new_password2").input(NEW_PASSWORD)
    at.button[[b.label for b in at.button].index("비밀번호 저장 후 로그인")].click().run()
    at.switch_page("app_pages/profile.py").run()
    at.text_input(key="my_delete_confirm").input("alice")
    at.button[[b.label for b in at.button].index("계정 삭제")].click().run()

    assert not at.exception and not errors(at)
    assert not at.session_state["authentication_status"]
    names = [u["Username"] for u in cognito.client.list_users(UserPoolId=cognito.pool_id)["Users"]]
    assert names == ["root"]


@pytest.mark.parametrize("emulated", [True, False])
def test_in_the_emulation_the_forgot_password_form_says_where_the_code_is(
    cognito: MockedCognito, root: Actor, monkeypatch: pytest.MonkeyPatch, emulated: bool
) -> None:
    """No mail leaves the emulation: the code is printed on its console, not in a mailbox, and
    the message that the code was sent does not send the reader to one."""
    monkeypatch.setenv("DEMO_FACTORY_EMULATION", str(emulated).lower())
    at = _login_page()
    at.text_input(key="cg_forgot_login").input("root")
    at.button(key="cg_forgot_send").click().run()

    assert "확인 코드를 보냈습니다" in texts(at)
    assert ("메일은 보내지 않습니다" in texts(at)) is emulated
    assert ("password reset code" in texts(at)) is emulated
    assert ("메일함을 확인하세요" in texts(at)) is not emulated


def test_a_reload_after_a_sign_in_ended_elsewhere_says_why(
    cognito: MockedCognito, root: Actor, cservices: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """"Sign out everywhere" from another device: this browser's reload lands signed out and
    is told why (the cookie's session was ended, not forged or expired)."""
    at = _submit(_login_page(), "root", PASSWORD)
    cookie = cservices.sign_in.cookie_value(_live(at))
    cservices.accounts.sign_out_everywhere(root, "root")
    monkeypatch.setattr(auth, "read_cookie", lambda name: cookie)
    reloaded = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    reloaded.run()
    assert not reloaded.session_state["authentication_status"]
    assert ko("auth.sign_in_ended") in texts(reloaded)


@pytest.mark.parametrize("how", ["past its lifetime", "signed out everywhere"])
def test_an_open_tab_says_whether_its_sign_in_expired_or_was_ended(
    cognito: MockedCognito, root: Actor, cservices: Services, monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    at = _submit(_login_page(), "root", PASSWORD)
    app: Services = at.session_state["_df_services"]
    later = utcnow() + timedelta(days=app.settings.session_days, minutes=1)
    if how == "signed out everywhere":  # from another device; the tab's next check is due
        cservices.accounts.sign_out_everywhere(root, "root")
        later = utcnow() + timedelta(seconds=app.settings.cognito_recheck_seconds + 1)
    monkeypatch.setattr(app.sign_in, "_clock", lambda: later)
    at.run()
    assert not at.session_state["authentication_status"]
    expired = how == "past its lifetime"
    assert (ko("auth.sign_in_expired") in texts(at)) is expired
    assert (ko("auth.sign_in_ended") in texts(at)) is not expired
