"""OIDC sign-in (st.login) re-checks: a sign-in whose ID token expired, or that the provider
verified longer than the re-check interval ago, ends (the UI then asks for a fresh sign-in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.accounts.sign_in.base import group_names
from services.accounts.sign_in.oidc import OidcSignIn
from services.domain.permissions import Role
from services.settings import Settings

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
RECHECK = 300


def mode() -> OidcSignIn:
    return OidcSignIn(group_names(Settings(sample_content=False)), "cognito:groups",
                      recheck_seconds=RECHECK, clock=lambda: NOW)


def claims(issued: timedelta, expires: timedelta, **more: Any) -> dict[str, Any]:
    """ID token claims issued ``issued`` before NOW, expiring ``expires`` after NOW."""
    return {"sub": "s-1", "email": "boss@example.com", "email_verified": True,
            "cognito:groups": ["admin"], "iat": int((NOW - issued).timestamp()),
            "exp": int((NOW + expires).timestamp()), **more}


def test_a_fresh_sign_in_stands_with_its_roles() -> None:
    oidc = mode()
    session = oidc.from_claims(claims(timedelta(seconds=RECHECK - 10), timedelta(minutes=50)))
    assert session is not None and session.checked_at == NOW - timedelta(seconds=RECHECK - 10)
    rechecked = oidc.recheck(session)
    assert rechecked is not None and rechecked.actor.roles == {Role.ADMIN}


def test_a_sign_in_whose_id_token_expired_ends() -> None:
    oidc = mode()
    session = oidc.from_claims(claims(timedelta(seconds=30), timedelta(seconds=-1)))
    assert session is not None and oidc.recheck(session) is None


@pytest.mark.parametrize("age", [RECHECK, RECHECK + 1, 30 * 86400])
def test_a_sign_in_verified_too_long_ago_ends_even_with_a_live_token(age: int) -> None:
    """An admin removed at the provider would otherwise keep the rights for the 30 days of
    Streamlit's cookie."""
    oidc = mode()
    session = oidc.from_claims(claims(timedelta(seconds=age), timedelta(days=30)))
    assert session is not None and oidc.recheck(session) is None


@pytest.mark.parametrize("drop", ["iat", "exp"])
def test_claims_without_issue_or_expiry_time_are_due(drop: str) -> None:
    oidc = mode()
    incomplete = claims(timedelta(seconds=10), timedelta(minutes=50))
    del incomplete[drop]
    session = oidc.from_claims(incomplete)
    if drop == "exp":  # no expiry: the issue time still limits the sign-in
        assert session is not None and oidc.recheck(session) is not None
        later = OidcSignIn(group_names(Settings(sample_content=False)), "cognito:groups",
                           recheck_seconds=RECHECK,
                           clock=lambda: NOW + timedelta(seconds=RECHECK))
        assert later.recheck(session) is None
    else:
        assert session is not None and oidc.recheck(session) is None
