"""Form errors sit under their fields and required fields are marked: a screen reader reading
down the form meets each field's problem right after the field, and the note above the form
says which fields must be filled (every field but those marked "(선택)")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node

from services.accounts.rules import PASSWORD_MIN
from services.analytics.funnels import NAME_MAX
from services.bootstrap import Services
from services.domain.models import Category, ContentItem
from services.domain.users import User
from services.ui import funnels as funnels_ui
from services.ui.i18n import t
from tests.ui.conftest import as_shown, open_admin_page
from tests.ui.test_contact import _contact, _send
from tests.ui.test_content_flows import _save, open_editor
from tests.ui.test_funnels import open_tab, save_after_its_item_is_deleted, seed
from tests.ui.test_reports import open_reports

WIDGETS = ("text_input", "text_area", "selectbox", "checkbox", "radio", "file_uploader")


def walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Block):
        for child in node.children.values():
            yield from walk(child)


def in_order(at: AppTest) -> list[tuple[str, Any]]:
    """The page's widgets (by key) and errors (by text), top to bottom."""
    found: list[tuple[str, Any]] = []
    for node in walk(at.main):
        if node.type in WIDGETS:
            found.append(("widget", getattr(node, "key", None)))
        elif node.type == "error":
            found.append(("error", node.value))
    return found


def error_after(at: AppTest, key: str) -> str | None:
    """The error drawn right after the widget ``key``, before any other widget."""
    order = in_order(at)
    at_widget = next(i for i, (kind, name) in enumerate(order)
                     if kind == "widget" and name is not None and key in name)
    following = order[at_widget + 1] if at_widget + 1 < len(order) else None
    return following[1] if following and following[0] == "error" else None


def test_the_editor_shows_an_empty_title_under_the_title_and_keeps_the_rest(
        new_app: Callable[..., AppTest], users: dict[str, User]) -> None:
    at = open_editor(new_app, "author-user")
    assert t("forms.required_note") in [c.value for c in at.caption]
    at.text_input(key="ed_tags").input("rag")
    _save(at)
    assert error_after(at, "ed_title") == "제목을 입력하세요."
    # One summary line by the save button, the last error on the page.
    assert in_order(at)[-1] == ("error", t("forms.fix_fields"))
    assert at.text_input(key="ed_tags").value == "rag"


def test_the_editor_shows_a_missing_category_under_the_category(
        new_app: Callable[..., AppTest], users: dict[str, User]) -> None:
    at = open_editor(new_app, "author-user")
    at.text_input(key="ed_title").input("카테고리 없는 글")
    _save(at)
    assert error_after(at, "ed_category") == "카테고리를 선택하세요."
    assert at.text_input(key="ed_title").value == "카테고리 없는 글"


def test_the_editor_marks_its_optional_fields(
        new_app: Callable[..., AppTest], users: dict[str, User]) -> None:
    at = open_editor(new_app, "author-user")
    optional = t("forms.optional")
    assert optional in at.text_area(key="ed_summary").label
    assert optional in at.text_input(key="ed_tags").label
    assert optional not in at.text_input(key="ed_title").label


def test_the_editor_shows_a_file_the_save_refuses_under_the_uploader(
        new_app: Callable[..., AppTest], users: dict[str, User]) -> None:
    at = open_editor(new_app, "author-user")
    at.text_input(key="ed_title").input("파일 있는 글")
    at.selectbox(key="ed_category").select(Category.GENERATIVE_AI)
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    at.file_uploader(key="ed_files_0").set_value(("logo.png", svg, "image/png"))
    _save(at)
    # Under the uploader, where the file was chosen, naming it; the summary by the button.
    refusal = t("content.err_file_type", name="logo.png")
    assert [as_shown(e.value) for e in at.error] == [refusal, t("forms.fix_fields")]
    assert as_shown(error_after(at, "ed_files_0") or "") == refusal
    assert at.text_input(key="ed_title").value == "파일 있는 글"
    assert len(at.file_uploader(key="ed_files_0").value) == 1


def test_the_contact_form_shows_each_problem_under_its_field(
        new_app: Callable[..., AppTest]) -> None:
    at = _contact(new_app)
    assert t("forms.required_note") in [c.value for c in at.caption]
    at.text_input(key="ct_company").input("ACME")
    _send(at)
    assert error_after(at, "ct_name") == "이름을 입력하세요."
    assert error_after(at, "ct_email") == "이메일을 입력하세요."
    assert error_after(at, "ct_subject") == "제목을 입력하세요."
    assert error_after(at, "ct_consent") == t("inquiries.err_consent")
    assert in_order(at)[-1] == ("error", t("forms.fix_fields"))
    assert at.text_input(key="ct_company").value == "ACME"


def test_the_sign_up_form_shows_each_problem_under_its_field(
        new_app: Callable[..., AppTest]) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/signup.py").run()
    assert t("forms.required_note") in [c.value for c in at.caption]
    at.text_input(key="su_company").input("Acme")
    at.button[[b.label for b in at.button].index("계정 신청")].click().run()
    assert error_after(at, "su_name") == t("signup.err_name_missing")
    assert error_after(at, "su_purpose") == t("signup.err_purpose")
    assert error_after(at, "su_password") == t("signup.err_password_missing")
    assert error_after(at, "su_consent") == t("signup.err_consent")
    assert in_order(at)[-1] == ("error", t("forms.fix_fields"))
    assert at.text_input(key="su_company").value == "Acme"


def test_the_first_admin_form_shows_a_refused_password_under_it(
        new_app: Callable[..., AppTest], services: Services) -> None:
    at = new_app()
    at.run()
    at.switch_page("app_pages/first_admin.py").run()
    assert t("forms.required_note") in [c.value for c in at.caption]
    assert t("forms.optional") in at.text_input(key="fa_email").label
    at.text_input(key="fa_username").input("boss")
    at.text_input(key="fa_password").input("short")
    at.text_input(key="fa_password2").input("short")
    at.button[0].click().run()
    assert error_after(at, "fa_password") == t("auth.err_password_short", min=PASSWORD_MIN)
    assert in_order(at)[-1] == ("error", t("forms.fix_fields"))
    at.text_input(key="fa_password2").input("another-long-password")
    at.button[0].click().run()
    assert error_after(at, "fa_password2") == t("auth.err_password_mismatch")
    assert at.text_input(key="fa_username").value == "boss"


def test_the_create_user_form_shows_a_bad_user_name_under_it(
        new_app: Callable[..., AppTest], users: dict[str, User]) -> None:
    at = open_admin_page(new_app)
    assert t("forms.optional") in at.text_input(key="adm_new_email").label
    at.text_input(key="adm_new_username").input("Not A Name!")
    at.text_input(key="adm_new_password").input("Another-horse-9")
    at.button(key="FormSubmitter:adm_create_user-사용자 만들기").click().run()
    assert error_after(at, "adm_new_username") == t("auth.err_username")
    # The summary by the create button, after the form's last field (other forms follow)
    order = in_order(at)
    assert order[order.index(("widget", "adm_new_password")) + 1] == (
        "error", t("forms.fix_fields"))
    assert at.text_input(key="adm_new_username").value == "Not A Name!"


def test_the_profile_shows_an_emptied_name_under_it(
        new_app: Callable[..., AppTest], users: dict[str, User]) -> None:
    at = new_app("viewer-user")
    at.run()
    at.switch_page("app_pages/profile.py").run()
    assert t("forms.optional") in at.text_input(key="my_profile_company").label
    at.text_input(key="my_profile_name").input("")
    at.button[[b.label for b in at.button].index("저장")].click().run()
    assert error_after(at, "my_profile_name") is not None
    assert at.text_input(key="my_profile_name").value == ""


def test_the_funnel_builder_shows_a_long_name_and_a_missing_step_under_them(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    seed(services)
    at = open_tab(new_app, users["analyst"].username)
    assert t("forms.required_note") in [c.value for c in at.caption]
    at.text_input(key="funnel_name").input("가" * 81)
    kinds = [s for s in at.selectbox if s.label == "종류"]
    kinds[0].set_value("event:search")
    save = next(b for b in at.button if b.label == "퍼널 저장")
    save.click().run()
    assert error_after(at, "funnel_step_1") == t("funnels.err_step")
    [s for s in at.selectbox if s.label == "종류"][1].set_value("event:like")
    next(b for b in at.button if b.label == "퍼널 저장").click().run()
    assert error_after(at, "funnel_name") == t("funnels.err_name", max=NAME_MAX)
    assert at.text_input(key="funnel_name").value == "가" * 81


def test_the_funnel_builder_shows_a_step_the_service_refuses_under_that_step(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The builder offers an event the service no longer counts (as after an upgrade that
    retires one): the refusal is said under the step that chose it, with its number."""
    seed(services)
    monkeypatch.setattr(funnels_ui, "EVENTS", (*funnels_ui.EVENTS,
                                                     SimpleNamespace(value="teleport")))
    at = open_tab(new_app, users["analyst"].username)
    at.text_input(key="funnel_name").input("순간이동")
    kinds = [s for s in at.selectbox if s.label == "종류"]
    kinds[0].set_value("event:search")
    kinds[1].set_value("event:teleport")
    next(b for b in at.button if b.label == "퍼널 저장").click().run()
    assert not at.exception
    refusal = error_after(at, "funnel_step_1")
    assert refusal is not None and "2" in refusal
    assert error_after(at, "funnel_step_0") is None
    assert in_order(at)[-1] == ("error", t("forms.fix_fields"))
    assert at.text_input(key="funnel_name").value == "순간이동"


def test_the_funnel_builder_refuses_an_item_deleted_since_it_was_offered_under_the_item(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services,
        make_item: Callable[..., ContentItem]) -> None:
    seed(services)
    item = make_item("곧 지워질 데모")
    at = open_tab(new_app, users["analyst"].username)
    save_after_its_item_is_deleted(at, services, users["author"], item)

    assert not at.exception
    # Under the item picked, in words: its id was never shown, so it is not said either.
    refusal = error_after(at, "funnel_item_1")
    assert refusal == t("funnels.err_step_item", n=2)
    assert item.id not in refusal and error_after(at, "funnel_step_1") is None
    assert in_order(at)[-1] == ("error", t("forms.fix_fields"))
    assert at.selectbox(key="funnel_item_1").value is None  # no longer listed: pick again
    assert services.funnels is not None
    assert len(services.funnels.available(users["analyst"].as_actor())) == 3


def test_the_report_builder_follows_the_same_convention(
        new_app: Callable[..., AppTest], users: dict[str, User]) -> None:
    """Every choice has a default; the item a content report is about may be left at "every
    item", so it is the one marked optional, and the note that explains the mark stands only
    above a builder that shows it (above four filled choices it said nothing)."""
    at = open_reports(new_app, users["analyst"].username)
    assert t("forms.required_note") not in [c.value for c in at.caption]
    assert not any(t("forms.optional") in box.label for box in at.selectbox)
    at.selectbox(key="rep_type_ko").set_value("content").run()
    assert t("forms.required_note") in [c.value for c in at.caption]
    assert t("forms.optional") in at.selectbox(key="rep_subject_content_ko").label
    assert t("forms.optional") not in at.selectbox(key="rep_type_ko").label
