"""A form's outcome is drawn where the person looks. On a phone the page stays scrolled to the
button that was pressed: a success message drawn at the top of the page, or a refused field a
screen higher, went unseen. Each comes with a script that brings it into view and gives it the
focus (so a screen reader reads it); a refused save shows one error box by its button, and the
sign-up's trap for bots is no stop for a keyboard or a screen reader."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.models import Category
from services.domain.users import User
from services.ui import focus
from services.ui.i18n import t
from tests.ui.conftest import as_shown
from tests.ui.test_auth import one_time_sign_in
from tests.ui.test_contact import _contact, _fill, _send
from tests.ui.test_content_flows import _save, open_editor
from tests.ui.test_field_errors import error_after, walk


def scripts(at: AppTest) -> list[str]:
    return [str(h.proto.body) for h in at.get("html")]


def in_view_scripts(at: AppTest, where: str) -> list[str]:
    """The scripts drawn in this run that bring ``where`` into view and focus it."""
    return [body for body in scripts(at)
            if "scrollIntoView" in body and ".focus(" in body and where in body]


def test_the_contact_form_s_thanks_is_brought_into_view_and_focused(
        new_app: Callable[..., AppTest]) -> None:
    at = _contact(new_app)
    _fill(at)
    _send(at)
    assert any("Q-" in s.value for s in at.success)
    assert in_view_scripts(at, focus.FLASH)
    at.run()  # nothing new to say: no script moves the view
    assert not in_view_scripts(at, focus.FLASH)


def test_every_flash_message_comes_with_its_script(
        new_app: Callable[..., AppTest], users: dict[str, User]) -> None:
    at = open_editor(new_app, "author-user")
    at.text_input(key="ed_title").input("휴대폰에서 쓴 글")
    at.selectbox(key="ed_category").select(Category.GENERATIVE_AI)
    _save(at)
    assert [s.value for s in at.success] == [t("content.saved", title="휴대폰에서 쓴 글")]
    assert in_view_scripts(at, focus.FLASH)


def test_a_refused_save_shows_one_box_by_its_button_and_brings_the_field_into_view(
        new_app: Callable[..., AppTest], users: dict[str, User]) -> None:
    at = open_editor(new_app, "author-user")
    at.text_input(key="ed_title").input("카테고리 없는 글")
    _save(at)
    assert error_after(at, "ed_category") == t("content.err_category")
    assert [as_shown(e.value) for e in at.error] == [t("content.err_category"),
                                                    t("forms.fix_fields")]
    assert [node.label for node in walk(at.main) if node.type == "status"] == []
    assert in_view_scripts(at, focus.FIRST_REFUSAL)


def test_a_form_refused_before_sending_brings_its_first_field_into_view(
        new_app: Callable[..., AppTest]) -> None:
    at = _contact(new_app)
    _fill(at, consent=False)
    _send(at)
    assert error_after(at, "ct_consent") == t("inquiries.err_consent")
    assert in_view_scripts(at, focus.FIRST_REFUSAL)


def test_the_forced_new_password_says_a_mismatch_under_the_repeat(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    at, _ = one_time_sign_in(new_app, users, services)
    at.text_input(key="cg_new_password").input("my-own-password-1")
    at.text_input(key="cg_new_password2").input("my-own-password-2")
    at.button[[b.label for b in at.button].index("비밀번호 저장 후 로그인")].click().run()
    assert not at.exception
    assert error_after(at, "cg_new_password2") == t("auth.err_password_mismatch")
    drawn = [node.type for node in walk(at.main) if node.type in ("text_input", "button", "error")]
    repeat = drawn.index("text_input") + 1  # the new password, then its repeat
    assert drawn[repeat + 1] == "error", "the mismatch is not right under the repeat"
    assert at.text_input(key="cg_new_password2").value == "my-own-password-2"


def test_the_sign_up_trap_is_out_of_the_tab_order_and_hidden_from_screen_readers(
        new_app: Callable[..., AppTest]) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/signup.py").run()
    trap = [body for body in scripts(at) if "st-key-su_trap" in body and "<script" in body]
    assert trap, "no script takes the trap out of reach"
    assert 'setAttribute("aria-hidden", "true")' in trap[0]
    assert 'setAttribute("tabindex", "-1")' in trap[0]
    assert at.text_input(key="su_website").value == ""  # still there for a bot to fill
