"""Sign-in: first administrator, password form, lockout, sign-out, roles from the directory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.permissions import Role
from services.domain.users import User
from services.errors import NotFound
from services.settings import load_settings
from services.ui import auth
from tests.ui.conftest import (
    PASSWORD,
    assert_page_ran,
    errors,
    follow_replacement,
    ko,
    sign_in_session,
    texts,
)

PROFILE = "app_pages/profile.py"

LOCKED_KO = "로그인 실패가 너무 많아 이 계정은 15분 동안 잠겼습니다"
BAD_KO = "사용자 이름 또는 비밀번호가 올바르지 않습니다."


def _submit_login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[_submit_index(at)].click().run()
    return at


def one_time_sign_in(new_app: Callable[..., AppTest], users: dict[str, User],
                     services: Services) -> tuple[AppTest, str]:
    """The author signs in with the one-time password of an administrator's reset: the page
    then asks for a new password (returned with the one-time password)."""
    one_time = services.accounts.reset_password(users["admin"].as_actor(),
                                               "author-user").one_time_password
    assert one_time
    at = new_app()
    at.run()
    at.switch_page("app_pages/login.py").run()
    return _submit_login(at, "author-user", one_time), one_time


def _submit_index(at: AppTest) -> int:
    labels = [b.label for b in at.button]
    return labels.index("로그인")


def test_first_admin_then_sign_in(new_app: Callable[..., AppTest], services: Services) -> None:
    at = new_app()
    at.run()
    assert "아직 관리자가 없습니다" in texts(at)
    at.switch_page("app_pages/first_admin.py").run()
    # No English "Press Enter to submit form" under the first form a new operator fills in.
    [form] = [f.proto.form for f in at.get("form") if f.proto.form.form_id == "first_admin_form"]
    assert form.enter_to_submit is False
    at.text_input(key="fa_username").input("boss")
    at.text_input(key="fa_name").input("대표 관리자")
    at.text_input(key="fa_email").input("boss@example.com")
    at.text_input(key="fa_password").input("a-long-password")
    at.text_input(key="fa_password2").input("a-long-password")
    at.button[0].click().run()
    assert not at.exception and not errors(at)
    assert "관리자 'boss'을(를) 만들었습니다" in texts(at)
    assert at.title[0].value == "로그인"
    assert at.text_input(key="login_username").value == "boss"  # prefilled
    assert not services.accounts.needs_first_admin()
    at.switch_page("app_pages/login.py")  # AppTest keeps requesting its own last page otherwise
    at.text_input(key="login_password").input("a-long-password")
    at.button[_submit_index(at)].click().run()
    assert not at.exception and not errors(at)
    follow_replacement(at)  # home, in place of the sign-in page's address
    assert "대표 관리자님, 환영합니다." in texts(at)
    assert at.session_state["authentication_status"] is True
    at.switch_page("app_pages/admin.py").run()  # opens for admins only
    assert_page_ran(at, ko("nav.admin"))
    at.switch_page("app_pages/first_admin.py").run()  # a link kept: says so, no form
    assert ko("auth.err_admin_exists") in texts(at)
    assert not [f for f in at.get("form") if f.proto.form.form_id == "first_admin_form"]


def test_the_second_of_two_first_admins_sent_at_once_is_told_one_exists(
        new_app: Callable[..., AppTest], services: Services) -> None:
    """The tab that lost the race landed on home without a word: its page was no longer in
    the app's navigation once an administrator existed, so its submission went nowhere."""
    at = new_app()
    at.run()
    at.switch_page("app_pages/first_admin.py").run()
    services.accounts.create_first_admin("winner", "", "", "another-long-password")
    at.text_input(key="fa_username").input("loser")
    at.text_input(key="fa_password").input("a-long-password")
    at.text_input(key="fa_password2").input("a-long-password")
    at.button[0].click().run()
    assert not at.exception
    assert ko("auth.err_admin_exists") in texts(at)
    with pytest.raises(NotFound):
        services.accounts.get("loser")


def test_first_admin_password_mismatch(new_app: Callable[..., AppTest],
                                       services: Services) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/first_admin.py").run()
    at.text_input(key="fa_username").input("boss")
    at.text_input(key="fa_password").input("a-long-password")
    at.text_input(key="fa_password2").input("another-password")
    at.button[0].click().run()
    assert errors(at) == ["두 비밀번호가 같지 않습니다.", ko("forms.fix_fields")]
    assert services.accounts.needs_first_admin()


def test_wrong_password_then_lockout(new_app: Callable[..., AppTest],
                                     users: dict[str, User]) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/login.py").run()
    for _ in range(5):
        _submit_login(at, "author-user", "wrong-password-1")
        assert errors(at) == [BAD_KO]
    # The sixth attempt is refused before the password is checked, even the right one.
    _submit_login(at, "author-user", PASSWORD)
    assert len(errors(at)) == 1 and LOCKED_KO in errors(at)[0]
    assert not at.session_state["authentication_status"]


def test_a_disabled_account_is_named_only_after_its_right_password(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    services.accounts.set_disabled(users["admin"].as_actor(), "author-user", True)
    at = new_app()
    at.run()
    at.switch_page("app_pages/login.py").run()
    _submit_login(at, "author-user", "wrong-password-1")
    assert errors(at) == [BAD_KO]
    _submit_login(at, "author-user", PASSWORD)
    assert errors(at) == ["비활성화된 계정입니다. 관리자에게 활성화를 요청하세요."]
    assert not at.session_state["authentication_status"]


def test_sign_in_sign_out(new_app: Callable[..., AppTest], users: dict[str, User]) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/login.py").run()
    _submit_login(at, "Author-User ", PASSWORD)  # names are case- and space-insensitive
    assert not errors(at)
    follow_replacement(at)
    assert at.session_state["username"] == "author-user"
    assert "Author-User" in texts(at) and "작성자" in texts(at)  # user box: name and role
    at.switch_page("app_pages/editor.py").run()
    at.button(key="df_logout").click().run()
    assert not at.session_state["authentication_status"]
    assert "로그인하지 않았습니다" in texts(at)
    at.switch_page("app_pages/editor.py").run()  # reachable, but only through sign-in
    follow_replacement(at)
    assert at.title[0].value == "로그인" and at.query_params["next"] == "editor"


def test_empty_fields_do_not_count_as_failures(new_app: Callable[..., AppTest],
                                               users: dict[str, User], services: Services
                                               ) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/login.py").run()
    _submit_login(at, "author-user", "")
    assert errors(at) == ["사용자 이름과 비밀번호를 입력하세요."]
    assert not services.accounts.is_locked("author-user")


def test_roles_come_from_the_directory(new_app: Callable[..., AppTest], users: dict[str, User],
                                       services: Services) -> None:
    at = new_app("viewer-user")
    at.run()
    services.accounts.set_roles(users["admin"].as_actor(), "viewer-user",
                                frozenset({Role.AUTHOR}))
    at.run()
    at.switch_page("app_pages/editor.py").run()  # opens now that the role changed
    assert_page_ran(at, ko("content.new_title"))


def test_disabled_user_is_signed_out(new_app: Callable[..., AppTest], users: dict[str, User],
                                     services: Services) -> None:
    at = new_app("author-user")
    at.run()
    services.accounts.set_disabled(users["admin"].as_actor(), "author-user", True)
    at.run()
    assert not at.session_state["authentication_status"]
    assert "로그인하지 않았습니다" in texts(at)


def _remembered(monkeypatch: pytest.MonkeyPatch, username: str, token: str | None = None) -> str:
    """A browser that sends a sign-in cookie (AppTest has no real cookies): by default the
    cookie of a new server-side session of ``username``, as a sign-in would write it."""
    from services.bootstrap import build_services
    from services.ui import auth

    settings = load_settings()
    mode = build_services(settings).sign_in
    valid = mode.cookie_value(sign_in_session(AppTest.from_string(""), username))
    sent = {settings.cookie_name: token or valid}
    monkeypatch.setattr(auth, "read_cookie", sent.get)
    return sent[settings.cookie_name]


def test_a_remembered_cookie_signs_in_with_directory_roles(
    new_app: Callable[..., AppTest], users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    _remembered(monkeypatch, "author-user")
    at = new_app()
    at.run()
    assert not at.exception
    assert at.session_state["username"] == "author-user"
    at.switch_page("app_pages/editor.py").run()  # the author's pages, roles from the directory
    assert_page_ran(at, ko("content.new_title"))
    at.button(key="df_logout").click().run()
    assert not at.session_state["authentication_status"]  # the old cookie is ignored now
    at.run()
    assert not at.session_state["authentication_status"]


def test_a_cookie_of_a_disabled_user_does_not_sign_in(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    services.accounts.set_disabled(users["admin"].as_actor(), "author-user", True)
    _remembered(monkeypatch, "author-user")
    at = new_app()
    at.run()
    assert not at.exception and not errors(at)
    assert not at.session_state["authentication_status"]
    assert "로그인하지 않았습니다" in texts(at)


def test_fresh_server_page_request_goes_through_app(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    """A deep link on a freshly started server must still get app.py's sign-in, navigation and
    sidebar (AppTest, like a fresh server, has had no st.navigation call yet)."""
    at = new_app("viewer-user")
    at.run()
    at.switch_page("app_pages/browse.py").run()
    assert not at.exception and not errors(at)
    assert at.title[0].value == "전체 콘텐츠"
    assert at.radio(key="df_lang_widget").value == "ko"  # app.py's sidebar was drawn


@pytest.mark.parametrize("forged", ["not-a-jwt", "wrong-key", "expired", "old-format"])
def test_a_forged_or_expired_cookie_does_not_sign_in(
    new_app: Callable[..., AppTest], users: dict[str, User], monkeypatch: pytest.MonkeyPatch,
    forged: str,
) -> None:
    import time

    import jwt

    from services.bootstrap import cookie_key

    settings = load_settings()
    key = cookie_key(settings)
    live = sign_in_session(AppTest.from_string(""), "admin-user").session_id
    tokens = {
        "not-a-jwt": "admin-user",
        "wrong-key": jwt.encode({"sid": live, "exp": time.time() + 3600},
                                "an attacker-chosen key, long enough for HS256", "HS256"),
        "expired": jwt.encode({"sid": live, "exp": time.time() - 1}, key, algorithm="HS256"),
        # streamlit-authenticator's format names a user, not a session: never honoured now.
        "old-format": jwt.encode({"username": "admin-user", "exp_date": time.time() + 3600},
                                 key, algorithm="HS256"),
    }
    _remembered(monkeypatch, "admin-user", tokens[forged])
    at = new_app()
    at.run()
    assert not at.exception and not errors(at)
    assert not at.session_state["authentication_status"]


def test_a_copied_cookie_signs_nobody_in_after_sign_out(
    new_app: Callable[..., AppTest], users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    _remembered(monkeypatch, "author-user")
    at = new_app()
    at.run()
    assert at.session_state["username"] == "author-user"
    at.button(key="df_logout").click().run()
    elsewhere = new_app()  # another browser holding a copy of the same cookie
    elsewhere.run()
    assert not elsewhere.exception and not errors(elsewhere)
    assert not elsewhere.session_state["authentication_status"]


def test_signing_out_everywhere_ends_the_other_sessions_on_their_next_run(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    laptop, phone = new_app("author-user"), new_app("author-user")
    laptop.run()
    phone.run()
    assert phone.session_state["authentication_status"] is True
    laptop.button(key="df_logout_everywhere").click().run()
    assert not laptop.exception and not laptop.session_state["authentication_status"]
    phone.run()
    assert not phone.exception and not errors(phone)
    assert not phone.session_state["authentication_status"]
    assert "로그인하지 않았습니다" in texts(phone)
    entry = services.ports.audit.entries(action="auth.sign_out_everywhere")[0]
    assert (entry.actor, entry.target) == ("author-user", "author-user")


def test_an_admin_signs_a_user_out_everywhere(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    from tests.ui.conftest import open_admin_page

    victim = new_app("viewer-user")
    victim.run()
    assert victim.session_state["authentication_status"] is True
    at = open_admin_page(new_app)
    at.selectbox(key="adm_roles_user").select("viewer-user").run()
    at.button(key="adm_sign_out_everywhere").click().run()
    assert not at.exception and not errors(at)
    assert at.session_state["authentication_status"] is True  # the admin stays signed in
    victim.run()
    assert not victim.session_state["authentication_status"]
    entry = services.ports.audit.entries(action="auth.sign_out_everywhere")[0]
    assert (entry.actor, entry.target) == ("admin-user", "viewer-user")


def test_signing_in_writes_the_cookie_with_a_script_not_a_component(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/login.py").run()
    at.text_input(key="login_username").input("author-user")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[[b.label for b in at.button].index("로그인")].click().run()
    assert at.session_state["authentication_status"] is True
    follow_replacement(at)  # the page the browser opens next writes it
    scripts = " ".join(str(h.proto.body) for h in at.get("html"))
    assert f"{load_settings().cookie_name}=ey" in scripts and "SameSite=Strict" in scripts


def test_a_one_time_password_leads_to_the_new_password_form_once(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    at, one_time = one_time_sign_in(new_app, users, services)
    assert not errors(at)
    assert not at.session_state["authentication_status"]  # no sign-in yet
    assert "새 비밀번호 정하기" in texts(at)
    at.text_input(key="cg_new_password").input("my-own-password-1")
    at.text_input(key="cg_new_password2").input("my-own-password-1")
    at.button[[b.label for b in at.button].index("비밀번호 저장 후 로그인")].click().run()
    assert not at.exception and not errors(at)
    assert at.session_state["authentication_status"] is True
    assert at.session_state["username"] == "author-user"

    again = new_app()
    again.run()
    again.switch_page("app_pages/login.py").run()
    _submit_login(again, "author-user", one_time)  # spent
    assert errors(again) == [BAD_KO]
    _submit_login(again, "author-user", "my-own-password-1")
    assert not errors(again) and again.session_state["authentication_status"] is True


def test_the_new_password_form_refuses_the_one_time_password(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    at, one_time = one_time_sign_in(new_app, users, services)
    at.text_input(key="cg_new_password").input(one_time)
    at.text_input(key="cg_new_password2").input(one_time)
    at.button[[b.label for b in at.button].index("비밀번호 저장 후 로그인")].click().run()
    assert errors(at) == ["새 비밀번호는 일회용 비밀번호와 달라야 합니다."]
    assert not at.session_state["authentication_status"]
    assert services.accounts.password_must_change("author-user")


def _changed_script() -> None:
    import streamlit as st

    from services.settings import load_settings
    from services.ui import auth, session

    services = session.load_services(load_settings())
    st.write(f"changed={auth.sign_in_changed(services)}")


@pytest.mark.parametrize(("what", "changed"), [("nothing", False), ("signed out", True),
                                               ("demoted", True), ("disabled", True)])
def test_a_part_of_a_page_rerunning_alone_sees_a_sign_in_end_or_change(
    users: dict[str, User], what: str, changed: bool,
) -> None:
    """What services.ui.fragments asks before a fragment's run (which skips app.py)."""
    from services.bootstrap import build_services

    at = AppTest.from_function(_changed_script, default_timeout=30)
    held = sign_in_session(at, "analyst-user")
    services = build_services(load_settings())
    admin = users["admin"].as_actor()
    held_actor = services.accounts.get("analyst-user").as_actor()
    at.session_state[auth.SIGNED_IN_KEY] = replace(held, actor=held_actor)
    if what == "signed out":
        services.accounts.sign_out_everywhere(admin, "analyst-user")
    elif what == "demoted":
        services.accounts.set_roles(admin, "analyst-user", frozenset({Role.VIEWER}))
    elif what == "disabled":
        services.accounts.set_disabled(admin, "analyst-user", True)
    at.run()
    assert not at.exception
    assert at.markdown[0].value == f"changed={changed}"


def test_a_double_click_on_change_password_says_it_was_changed(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
) -> None:
    """The second click sent the old password again, after the first had changed it: the page
    said the password had been changed elsewhere and this change was not made."""
    at = new_app("author-user")
    at.switch_page(PROFILE).run()
    new = "violet-harbor-tunnel-42"
    for _ in range(2):
        at.text_input(key="my_pw_current").input(PASSWORD)
        at.text_input(key="my_pw_new").input(new)
        at.text_input(key="my_pw_repeat").input(new)
        at.button[[b.label for b in at.button].index("비밀번호 변경")].click().run()
    assert not at.exception and not errors(at)
    assert "비밀번호를 바꿨습니다." in texts(at)
    assert at.session_state["authentication_status"]
    assert services.accounts.authenticate("author-user", new).username == "author-user"


def test_the_change_password_form_keeps_what_was_typed_until_it_succeeds(
    new_app: Callable[..., AppTest], users: dict[str, User],
) -> None:
    at = new_app("author-user")
    at.switch_page(PROFILE).run()
    new = "violet-harbor-tunnel-42"

    def send(current: str, repeat: str) -> None:
        at.text_input(key="my_pw_current").input(current)
        at.text_input(key="my_pw_new").input(new)
        at.text_input(key="my_pw_repeat").input(repeat)
        at.button[[b.label for b in at.button].index("비밀번호 변경")].click().run()

    send(PASSWORD, new + "x")
    assert errors(at) == ["두 비밀번호가 같지 않습니다.", ko("forms.fix_fields")]
    assert at.text_input(key="my_pw_new").value == new  # nothing to type again but the mistake
    assert at.text_input(key="my_pw_current").value == PASSWORD
    send(PASSWORD, new)
    assert not at.exception and not errors(at)
    assert "비밀번호를 바꿨습니다." in texts(at)
    assert [at.text_input(key=k).value for k in ("my_pw_current", "my_pw_new", "my_pw_repeat")] == [
        "", "", ""]
