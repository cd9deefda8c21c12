"""AccountTokenStore contract (SQLite, DynamoDB): single use, expiry, purpose, under threads;
finding a token uses nothing up."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from services.domain.tokens import AccountToken, TokenPurpose

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def token(key: str = "a" * 64, purpose: TokenPurpose = TokenPurpose.RESET,
          minutes: int = 30) -> AccountToken:
    return AccountToken(key, purpose, "kim", T0, T0 + timedelta(minutes=minutes))


def test_a_token_is_used_once(token_store: Any) -> None:
    token_store.put(token())

    assert token_store.use("a" * 64, TokenPurpose.RESET, T0 + timedelta(minutes=1)) == token()
    assert token_store.use("a" * 64, TokenPurpose.RESET, T0 + timedelta(minutes=2)) is None


def test_an_expired_token_does_nothing(token_store: Any) -> None:
    token_store.put(token(minutes=30))

    assert token_store.use("a" * 64, TokenPurpose.RESET, T0 + timedelta(minutes=30)) is None


def test_a_token_works_only_for_its_purpose(token_store: Any) -> None:
    token_store.put(token(purpose=TokenPurpose.VERIFY))

    assert token_store.use("a" * 64, TokenPurpose.RESET, T0) is None
    assert token_store.use("a" * 64, TokenPurpose.VERIFY, T0) is not None


def test_an_unknown_key_does_nothing(token_store: Any) -> None:
    assert token_store.use("b" * 64, TokenPurpose.VERIFY, T0) is None


def test_of_concurrent_uses_exactly_one_gets_the_token(token_store: Any) -> None:
    token_store.put(token())

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(
            lambda _: token_store.use("a" * 64, TokenPurpose.RESET, T0), range(16)))

    assert sum(r is not None for r in results) == 1


def test_a_token_keeps_the_session_epoch_it_was_made_in(token_store: Any) -> None:
    made = AccountToken("b" * 64, TokenPurpose.RESET, "kim", T0, T0 + timedelta(minutes=30),
                        epoch=7)
    token_store.put(made)

    assert token_store.use("b" * 64, TokenPurpose.RESET, T0 + timedelta(minutes=1)) == made


def test_a_verification_token_keeps_the_address_it_was_mailed_to(token_store: Any) -> None:
    """A link verifies the address it went to, not whatever the account holds when opened."""
    made = AccountToken("c" * 64, TokenPurpose.VERIFY, "kim", T0, T0 + timedelta(hours=24),
                        email="kim@example.com")
    token_store.put(made)

    assert token_store.use("c" * 64, TokenPurpose.VERIFY, T0 + timedelta(minutes=1)) == made


def test_finding_a_token_does_not_use_it(token_store: Any) -> None:
    token_store.put(token())

    assert token_store.find("a" * 64, TokenPurpose.RESET, T0 + timedelta(minutes=1)) == token()
    assert token_store.use("a" * 64, TokenPurpose.RESET, T0 + timedelta(minutes=2)) == token()


def test_a_used_expired_unknown_or_other_token_is_not_found(token_store: Any) -> None:
    token_store.put(token())
    token_store.put(token("c" * 64, purpose=TokenPurpose.VERIFY))
    token_store.put(token("d" * 64))
    token_store.use("d" * 64, TokenPurpose.RESET, T0)

    assert token_store.find("a" * 64, TokenPurpose.RESET, T0 + timedelta(minutes=30)) is None
    assert token_store.find("b" * 64, TokenPurpose.RESET, T0) is None
    assert token_store.find("c" * 64, TokenPurpose.RESET, T0) is None
    assert token_store.find("d" * 64, TokenPurpose.RESET, T0) is None
