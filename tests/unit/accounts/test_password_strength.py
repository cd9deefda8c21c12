"""The password rule of self-chosen sign-up passwords: the length rule plus a strength
estimate (zxcvbn) that also knows the person's own details."""

from __future__ import annotations

import pytest

from services.accounts.service import validate_password
from services.errors import ValidationError


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop12", "1111111111"])
def test_a_guessable_password_is_refused(password: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_password(password, "lee", strength_inputs=("Lee",))
    assert err.value.key == "auth.err_password_weak"


def test_a_password_made_of_the_persons_own_details_is_refused() -> None:
    validate_password("acmecorp2025!", "jiwon", strength_inputs=("Lee Jiwon",))  # strong...
    with pytest.raises(ValidationError) as err:  # ...unless the company is Acmecorp
        validate_password("acmecorp2025!", "jiwon", strength_inputs=(
            "Lee Jiwon", "jiwon@acmecorp.com", "Acmecorp"))
    assert err.value.key == "auth.err_password_weak"


def test_a_strong_password_passes() -> None:
    validate_password("violet-harbor-tunnel-42", "lee", strength_inputs=("Lee",))


def test_the_length_rule_still_comes_first() -> None:
    with pytest.raises(ValidationError) as err:
        validate_password("x7#Qz", "lee", strength_inputs=())
    assert err.value.key == "auth.err_password_short"


def test_paths_that_ask_no_estimate_keep_the_length_rule_only() -> None:
    validate_password("password1234", "lee")  # an administrator's one-time password path
