"""The sign-up form's own rules: every problem of what was typed is named at once, in form
order, so nobody sends the form a second time to learn about the next one."""

from __future__ import annotations

from services.domain.permissions import Role
from services.domain.signup import SignupDraft, signup_problems, stripped


def test_an_empty_form_names_every_missing_field_the_password_too() -> None:
    empty = SignupDraft("", "", "", "", None, Role.VIEWER, "", "", consent=False)

    assert signup_problems(stripped(empty)) == [
        ("name", "signup.err_name_missing"),
        ("email", "signup.err_email_missing"),
        ("username", "signup.err_username_missing"),
        ("purpose", "signup.err_purpose"),
        ("password", "signup.err_password_missing"),
        ("consent", "signup.err_consent"),
    ]


def test_spaces_are_a_password() -> None:
    """Passwords are used exactly as typed: the password rule, not this one, judges them."""
    spaces = SignupDraft("이지원", "jiwon@example.com", "jiwon", "", None, Role.VIEWER, "   ",
                         "   ", consent=True)

    assert ("password", "signup.err_password_missing") not in signup_problems(stripped(spaces))
