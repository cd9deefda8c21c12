"""Sign-in through any OpenID Connect provider with Streamlit's ``st.login``
(``DEMO_FACTORY_AUTH=oidc``; the provider is configured in ``.streamlit/secrets.toml [auth]``).

Streamlit runs the authorization-code flow (Authlib: state, nonce, the provider's keys),
verifies the ID token and keeps its claims in its own signed, HttpOnly cookie, so this mode
keeps no cookie of ours: the UI hands it those claims on every run. Roles come from the groups
claim through the same group names as Cognito sign-in; no group = viewer. The provider owns
the password.

Streamlit's cookie lasts 30 days and keeps the claims of the sign-in; it never asks the
provider again. So that a user removed from a group (or from the provider) loses those rights
in time, a sign-in counts only while its ID token is unexpired (``exp``) and was issued
(``iat``, when the provider last verified the user) less than ``recheck_seconds`` ago. When
either is due, ``recheck`` ends it and the UI goes on signed out and says it expired: the
user signs in again at the provider, which issues a new ID token with the current groups (with
a live session at the provider this is one click, no password; ``st.logout`` would end that
session too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from services.accounts.sign_in.base import Ended, Mode, Restored, SignedIn
from services.domain.identity import actor_of, identity_from_claims
from services.domain.models import utcnow
from services.domain.permissions import Role
from services.errors import PermissionDenied


class OidcSignIn:
    mode: Mode = "oidc"
    cookie_name: str | None = None
    cookie_max_age = 0

    def __init__(self, group_names: Mapping[Role, str], groups_claim: str, *,
                 recheck_seconds: int = 300, clock: Callable[[], datetime] = utcnow) -> None:
        self._groups = dict(group_names)
        self._groups_claim = groups_claim
        self._recheck = timedelta(seconds=recheck_seconds)
        self._clock = clock

    def from_claims(self, claims: Mapping[str, Any] | None) -> SignedIn | None:
        """The sign-in of the provider's verified ID-token claims (``st.user``), if any."""
        if not claims:
            return None
        identity = identity_from_claims(claims, self._groups_claim)
        return SignedIn(actor=actor_of(identity, self._groups), session_id=identity.username,
                        expires_at=identity.expires_at, checked_at=_issued_at(claims))

    def sign_in(self, login: str, password: str) -> SignedIn:
        raise PermissionDenied("auth.err_oidc_only")

    def restore(self, cookie_value: str | None) -> Restored:
        return Restored(None)

    def recheck(self, session: SignedIn) -> SignedIn | None:
        """The sign-in while its ID token is unexpired and was issued within
        ``recheck_seconds``; None when the user must sign in again at the provider. A token
        without ``iat`` (which OIDC requires) counts as due."""
        now = self._clock()
        if session.expires_at is None or now >= session.expires_at:
            return None
        if session.checked_at is None or now - session.checked_at >= self._recheck:
            return None
        return session

    def why_ended(self, session: SignedIn) -> Ended:
        """Only time ends an OIDC sign-in here (the UI sends the user back to the provider
        rather than telling why)."""
        return Ended.EXPIRED

    def sign_out(self, session: SignedIn) -> None:
        """The UI ends Streamlit's session with the provider (``st.logout``)."""

    def cookie_value(self, session: SignedIn) -> str:
        return ""

    def change_password(self, session: SignedIn, current: str, new: str) -> None:
        raise PermissionDenied("auth.err_oidc_only")


def _issued_at(claims: Mapping[str, Any]) -> datetime | None:
    issued = claims.get("iat")
    if isinstance(issued, bool) or not isinstance(issued, int | float):
        return None
    return datetime.fromtimestamp(float(issued), UTC)
