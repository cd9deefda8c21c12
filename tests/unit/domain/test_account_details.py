"""The one rule of a person's name, email and company, and the forms that share it."""

from __future__ import annotations

import pytest

from services.domain import inquiries, signup
from services.domain.account_details import (
    LIMITS,
    Problem,
    detail_problems,
    is_email,
    message_key,
    normalized,
)
from services.errors import ValidationError


@pytest.mark.parametrize("text", ["kim@example.com", "a.b+c@mail.example.co.kr", "이@예.한국"])
def test_an_email(text: str) -> None:
    assert is_email(text)


@pytest.mark.parametrize("text", ["not an email at all", "kim@example", "a b@example.com",
                                  "@example.com", "kim@@example.com", "kim@example.com "])
def test_no_email(text: str) -> None:
    assert not is_email(text)


def test_problems_come_missing_then_too_long_then_the_email() -> None:
    typed = {"name": "", "email": "x" * 255, "company": "c" * 201}

    assert detail_problems(typed, required=("name", "email")) == [
        ("name", Problem.MISSING), ("email", Problem.TOO_LONG), ("company", Problem.TOO_LONG),
        ("email", Problem.NOT_EMAIL)]


def test_nothing_is_required_unless_named() -> None:
    assert detail_problems({"name": "", "email": ""}) == []
    assert detail_problems({"name": "", "email": ""}, required=("email",)) == [
        ("email", Problem.MISSING)]


def test_normalized_is_nfc_without_surrounding_spaces() -> None:
    assert normalized("  \u1100\u1161 ") == "\uac00"
    with pytest.raises(ValidationError):
        normalized("\ud800")


def test_the_forms_share_the_limits_and_say_problems_in_their_catalog() -> None:
    for field in LIMITS:
        assert signup.LIMITS[field] == inquiries.LIMITS[field] == LIMITS[field]
    assert message_key("signup", "email", Problem.NOT_EMAIL) == "signup.err_email"
    assert message_key("inquiries", "name", Problem.MISSING) == "inquiries.err_name_missing"
    assert message_key("signup", "company", Problem.TOO_LONG) == "signup.err_too_long"
