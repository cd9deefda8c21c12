"""Contact us: anonymous visitors submit, errors are clear, admins see and handle inquiries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.inquiries import Inquiry, InquiryStatus, InquiryType, reference
from services.domain.users import User
from tests.ui.conftest import assert_refused, errors, ko, texts

CONTACT = "app_pages/contact.py"
INQUIRIES = "app_pages/admin_inquiries.py"


def _fill(at: AppTest, *, consent: bool = True, email: str = "kim@example.com") -> None:
    at.text_input(key="ct_name").input("김민준")
    at.text_input(key="ct_email").input(email)
    at.text_input(key="ct_company").input("ACME")
    at.selectbox(key="ct_type").select_index(2)
    at.text_input(key="ct_subject").input("RAG 데모 문의")
    at.text_area(key="ct_message").input("Bedrock 지식 기반 데모를 보고 싶습니다.")
    if consent:
        at.checkbox(key="ct_consent").check()


def _send(at: AppTest) -> AppTest:
    at.button[[b.label for b in at.button].index("문의 보내기")].click().run()
    return at


def _contact(new_app: Callable[..., AppTest], username: str | None = None) -> AppTest:
    at = new_app(username)
    at.run()
    at.switch_page(CONTACT).run()
    assert not at.exception and not errors(at)
    return at


def test_an_anonymous_visitor_sends_an_inquiry(
    new_app: Callable[..., AppTest], services: Services
) -> None:
    at = _contact(new_app)
    _fill(at)
    _send(at)

    assert not at.exception and not errors(at)
    assert "문의를 보냈습니다. 감사합니다!" in texts(at)
    stored = services.ports.inquiries.list(InquiryStatus.OPEN)
    assert [(i.subject, i.type.value, i.submitted_by) for i in stored] == [
        ("RAG 데모 문의", "technical", None)
    ]
    assert at.text_input(key="ct_subject").value == ""  # the form is cleared


def test_a_second_send_of_the_same_form_files_nothing_new(
    new_app: Callable[..., AppTest], services: Services
) -> None:
    at = _contact(new_app)
    _fill(at)
    _send(at)
    stored = services.ports.inquiries.list(InquiryStatus.OPEN)
    assert len(stored) == 1
    number = reference(stored[0].id)
    assert number in texts(at)  # the inquiry number is shown
    for key in ("ct_name", "ct_email", "ct_company", "ct_subject"):
        assert at.text_input(key=key).value == ""
    assert at.text_area(key="ct_message").value == ""
    assert at.checkbox(key="ct_consent").value is False

    _fill(at)  # the browser resends what it had: the same data, a second click
    _send(at)

    assert not errors(at)
    assert len(services.ports.inquiries.list(InquiryStatus.OPEN)) == 1
    assert number in texts(at)
    assert at.text_input(key="ct_subject").value == ""


@pytest.mark.parametrize("who", [None, "viewer"])
def test_a_click_on_the_emptied_form_after_a_send_says_nothing(
    who: str | None, new_app: Callable[..., AppTest], services: Services,
    users: dict[str, User]
) -> None:
    # A double click: the second click lands on the form the first one has just emptied
    # (for a signed-in user, emptied but for their name and email).
    at = _contact(new_app, users[who].username if who else None)
    _fill(at)
    _send(at)
    number = reference(services.ports.inquiries.list(InquiryStatus.OPEN)[0].id)
    _send(at)

    assert not errors(at)  # no "please enter your name" under the thank-you
    assert number in texts(at)
    assert len(services.ports.inquiries.list(InquiryStatus.OPEN)) == 1


def test_a_failed_send_keeps_what_was_typed(
    new_app: Callable[..., AppTest], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_FACTORY_INQUIRY_LIMIT", "1")  # the second send is refused
    at = _contact(new_app)
    _fill(at)
    _send(at)
    _fill(at)
    at.text_input(key="ct_subject").input("RAG 데모 문의")
    at.text_area(key="ct_message").input("Bedrock 지식 기반 데모를 보고 싶습니다.")
    at.text_input(key="ct_company").input("ACME 2")  # another inquiry, not a resubmit
    _send(at)

    assert errors(at) == ["짧은 시간에 문의를 너무 많이 보냈습니다. 60분 뒤에 다시 시도하세요."]
    assert at.text_input(key="ct_company").value == "ACME 2"
    assert at.text_area(key="ct_message").value == "Bedrock 지식 기반 데모를 보고 싶습니다."
    assert at.text_input(key="ct_subject").value == "RAG 데모 문의"


def test_a_message_over_the_limit_stays_in_the_box_with_a_clear_error(
    new_app: Callable[..., AppTest], services: Services
) -> None:
    at = _contact(new_app)
    _fill(at)
    pasted = "긴 문의 " * 1000 + "끝"  # 5,001 characters: more than the 5,000 allowed
    at.text_area(key="ct_message").input(pasted)
    _send(at)

    assert at.text_area(key="ct_message").value == pasted  # nothing of the paste is lost
    assert "5,001 / 5,000자" in [c.value for c in at.caption]  # the length of what was sent
    too_long = f"내용 입력이 너무 깁니다: {len(pasted):,}자 (최대 5,000자). 줄여 주세요."
    assert errors(at) == [too_long, ko("forms.fix_fields")]
    assert services.ports.inquiries.list(InquiryStatus.OPEN) == []


def test_an_empty_form_states_the_limit_not_a_count_that_stands_still(
    new_app: Callable[..., AppTest],
) -> None:
    """A form sends its fields only with the button: a "0 / 5,000" counter would not move
    while the person types."""
    captions = [c.value for c in _contact(new_app).caption]
    assert "최대 5,000자" in captions
    assert not any(c.startswith("0 / ") for c in captions)


def test_validation_errors_are_listed_and_nothing_is_stored(
    new_app: Callable[..., AppTest], services: Services
) -> None:
    at = _contact(new_app)
    _fill(at, consent=False, email="not-an-email")
    at.text_input(key="ct_subject").input("   ")
    _send(at)

    # In the form's order, each under its field, then the summary line by the button.
    assert errors(at) == [
        "이메일 주소 형식이 올바르지 않습니다.",
        "제목을 입력하세요.",
        "개인정보 수집·이용에 동의해야 보낼 수 있습니다.",
        ko("forms.fix_fields"),
    ]
    assert services.ports.inquiries.list(InquiryStatus.OPEN) == []


def test_submissions_are_rate_limited_per_session(
    new_app: Callable[..., AppTest], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_FACTORY_INQUIRY_LIMIT", "2")
    at = _contact(new_app)
    for number in range(2):
        _fill(at)
        at.text_input(key="ct_subject").input(f"RAG 데모 문의 {number}")  # a new inquiry each
        _send(at)
        assert not errors(at)
    _fill(at)
    _send(at)
    assert errors(at) == ["짧은 시간에 문의를 너무 많이 보냈습니다. 60분 뒤에 다시 시도하세요."]
    assert len(services.ports.inquiries.list(InquiryStatus.OPEN)) == 2


def test_a_signed_in_user_gets_name_and_email_filled_in(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    at = _contact(new_app, "author-user")
    assert at.text_input(key="ct_email").value == "author-user@example.com"
    _fill(at)
    _send(at)
    assert services.ports.inquiries.list(InquiryStatus.OPEN)[0].submitted_by == "author-user"


def test_admin_sees_and_handles_inquiries(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    visitor = _contact(new_app)
    _fill(visitor)
    _send(visitor)
    inquiry = services.ports.inquiries.list(InquiryStatus.OPEN)[0]

    at = new_app("admin-user")
    at.run()
    at.switch_page(INQUIRIES).run()
    assert not at.exception and not errors(at)
    assert "RAG 데모 문의" in texts(at)
    assert at.text[0].value == "Bedrock 지식 기반 데모를 보고 싶습니다."
    at.button(key=f"inq_toggle_{inquiry.id}").click().run()

    assert "문의를 처리 완료로 표시했습니다." in texts(at)
    handled = services.ports.inquiries.get(inquiry.id)
    assert handled.status == InquiryStatus.HANDLED and handled.handled_by == "admin-user"
    assert services.ports.audit.entries(action="inquiry.handled")[0].actor == "admin-user"


@pytest.mark.parametrize("role", ["viewer", "author", "analyst", None])
def test_only_admins_get_the_inquiries_page(
    role: str | None, new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = new_app(users[role].username if role else None)
    at.run()
    at.switch_page(CONTACT).run()  # everyone may contact us
    assert not errors(at)
    assert_refused(at, INQUIRIES)


def test_inquiry_times_are_shown_in_the_apps_time_zone(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    """Made at 00:30 UTC, the inquiry reads 09:30 in Seoul (the default zone), like the
    audit log, not the UTC wall clock."""
    services.ports.inquiries.add(Inquiry(
        id="inq-tz", created_at=datetime(2026, 3, 2, 0, 30, tzinfo=UTC), name="Lee",
        email="lee@example.com", company="", type=InquiryType.OTHER, subject="시간대 확인",
        message="hello",
    ))
    at = new_app("admin-user")
    at.run()
    at.switch_page(INQUIRIES).run()

    shown = texts(at)
    assert "2026-03-02 09:30 KST" in shown  # naming the zone
    assert "00:30" not in shown
