"""Cognito sign-in as a use case: sign in, first-password challenge, forgot and change password,
sessions that survive a browser refresh, sign-out.

How a session survives a refresh without a readable token in the browser:
- On sign-in the service keeps the **refresh token on the server** (SessionStore: DynamoDB in
  aws mode), **encrypted** with Fernet under a key derived from the cookie key, keyed by the
  SHA-256 of a random 256-bit session id. Only that random id goes to the browser, inside the
  signed cookie (``services/ui/cognito_session.py``). A copied cookie is worth nothing after
  sign-out, and a copied table row is worth nothing without the key.
- ID and access tokens live in server memory (Streamlit's session state) only; the ID token is
  verified (JWKS, RS256, issuer, audience, token_use, expiry) before it names anybody.
- After a refresh (a new Streamlit session) the cookie's id leads to the stored refresh token,
  REFRESH_TOKEN_AUTH returns new tokens, which are verified again. Every
  ``recheck_seconds`` the same refresh runs for a live session, so a role change (groups) or
  a disabled user takes effect within that time.
- Sign-out revokes the refresh token at Cognito and deletes the server-side record.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.accounts.service import AccountService, validate_password
from services.domain.identity import (
    Challenge,
    SessionRecord,
    Tokens,
    VerifiedIdentity,
    actor_of,
)
from services.domain.models import utcnow
from services.domain.permissions import Actor, Role
from services.errors import DemoFactoryError, NotFound, PermissionDenied, ValidationError
from services.ops.audit import record_audit
from services.ports import AuditLog, IdentityProvider, SessionStore, TokenVerifier
from services.settings import Settings

log = logging.getLogger(__name__)
SESSION_ID_BYTES = 32


def group_names(settings: Settings) -> dict[Role, str]:
    return {
        Role.VIEWER: settings.cognito_group_viewer,
        Role.AUTHOR: settings.cognito_group_author,
        Role.ANALYST: settings.cognito_group_analyst,
        Role.ADMIN: settings.cognito_group_admin,
    }


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def token_cipher(secret: str) -> Fernet:
    """Fernet under a key derived (HKDF-SHA256) from the cookie key, for this purpose only."""
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None,
        info=b"demo-factory/cognito-refresh-token",
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


@dataclass(frozen=True)
class LiveSession:
    """A signed-in Cognito session in server memory (never sent to the browser except the
    random ``session_id``, in the signed cookie)."""

    session_id: str
    actor: Actor
    access_token: str
    expires_at: datetime  # of the ID and access tokens
    checked_at: datetime


class CognitoSignIn:
    def __init__(
        self,
        identity: IdentityProvider,
        tokens: TokenVerifier,
        sessions: SessionStore,
        accounts: AccountService,
        group_names: dict[Role, str],
        *,
        session_key: str,
        audit: AuditLog | None = None,
        session_days: float = 7,
        recheck_seconds: int = 300,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._identity = identity
        self._tokens = tokens
        self._sessions = sessions
        self._accounts = accounts
        self._groups = group_names
        self._cipher = token_cipher(session_key)
        self._audit = audit
        self._session_length = timedelta(days=session_days)
        self._recheck = timedelta(seconds=recheck_seconds)
        self._clock = clock

    # ---- sign-in -------------------------------------------------------------------------

    def sign_in(self, login: str, password: str) -> LiveSession | Challenge:
        """A live session, or the challenge to answer first. Rate-limited per account name
        exactly like local sign-in (failures counted, audited, locked names refused)."""
        if not login.strip() or not password:
            raise ValidationError("auth.err_missing_fields")
        username = self._identity.username_for_login(login).strip()
        key = username.lower()
        self._accounts.check_not_locked(key)
        try:
            step = self._identity.sign_in(username, password)
        except PermissionDenied:
            self._accounts.record_login_failure(key)
            raise
        if isinstance(step, Challenge):
            return step
        return self._start(step, key)

    def complete_new_password(self, challenge: Challenge, new_password: str) -> LiveSession:
        validate_password(new_password, challenge.username)
        step = self._identity.answer_new_password(challenge, new_password)
        if isinstance(step, Challenge):
            raise ValidationError("cognito.err_challenge", name=step.name)
        return self._start(step, challenge.username.lower())

    def _start(self, tokens: Tokens, throttle_key: str) -> LiveSession:
        if not tokens.refresh_token:
            raise PermissionDenied("cognito.err_token")
        identity = self._verified(tokens)
        session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
        now = self._clock()
        record = SessionRecord(
            username=identity.username,
            encrypted_refresh_token=self._cipher.encrypt(tokens.refresh_token.encode()).decode(),
            created_at=now,
            expires_at=now + self._session_length,
        )
        self._sessions.put(session_hash(session_id), record)
        self._accounts.record_login(throttle_key)
        return self._live(session_id, identity, tokens)

    # ---- the session across runs and refreshes ------------------------------------------

    def current(self, live: LiveSession) -> LiveSession | None:
        """Every run: the live session while its tokens are valid and it was checked with
        the pool recently; otherwise refreshed (None if that fails: signed out)."""
        now = self._clock()
        if now < live.expires_at and now - live.checked_at < self._recheck:
            return live
        return self.resume(live.session_id)

    def resume(self, session_id: str) -> LiveSession | None:
        """After a browser refresh: the cookie's session id -> stored refresh token -> new,
        verified tokens. None (and the record is gone) when the session cannot continue."""
        key = session_hash(session_id)
        try:
            record = self._sessions.get(key)
        except NotFound:
            return None
        try:
            if record.expires_at <= self._clock():
                raise PermissionDenied("cognito.err_session_expired")
            refresh = self._cipher.decrypt(record.encrypted_refresh_token.encode()).decode()
            tokens = self._identity.refresh(record.username, refresh)
            identity = self._verified(tokens)
        except (InvalidToken, PermissionDenied) as exc:
            log.info("session of %s ended: %s", record.username, exc)
            self._sessions.delete(key)
            return None
        return self._live(session_id, identity, tokens)

    def sign_out(self, session_id: str, access_token: str | None = None) -> None:
        """Revoke at Cognito (best effort) and delete the server-side record."""
        key = session_hash(session_id)
        username = "?"
        refresh = None
        try:
            record = self._sessions.get(key)
            username = record.username
            refresh = self._cipher.decrypt(record.encrypted_refresh_token.encode()).decode()
        except (NotFound, InvalidToken):
            pass
        try:
            self._identity.sign_out(access_token, refresh)
        except DemoFactoryError as exc:  # the local session ends regardless
            log.warning("Cognito sign-out failed: %s", exc)
        self._sessions.delete(key)
        self._record(username, "auth.logout", username)

    # ---- passwords -----------------------------------------------------------------------

    def forgot_password(self, login: str) -> None:
        """Ask the pool to send a reset code. Says nothing about whether the user exists."""
        if not login.strip():
            raise ValidationError("auth.err_missing_fields")
        username = self._identity.username_for_login(login)
        with suppress(PermissionDenied):  # unknown user: the same answer as for a known one
            self._identity.forgot_password(username)
        self._record(username, "auth.forgot_password", username)

    def confirm_forgot_password(self, login: str, code: str, new_password: str) -> None:
        username = self._identity.username_for_login(login)
        if not code.strip():
            raise ValidationError("cognito.err_code")
        validate_password(new_password, username)
        self._identity.confirm_forgot_password(username, code.strip(), new_password)
        self._record(username, "auth.reset_password_confirmed", username)

    def change_password(self, live: LiveSession, current: str, new: str) -> None:
        user_id = str(live.actor.user_id)
        validate_password(new, user_id)
        self._identity.change_password(live.access_token, current, new)
        self._record(user_id, "user.change_password", user_id)

    # ---- helpers -------------------------------------------------------------------------

    def _verified(self, tokens: Tokens) -> VerifiedIdentity:
        claims = self._tokens.verify(tokens.id_token, "id")
        access = self._tokens.verify(tokens.access_token, "access")
        username = str(claims.get("cognito:username") or "")
        if not username or access.get("sub") != claims.get("sub"):
            raise PermissionDenied("cognito.err_token")
        return VerifiedIdentity(
            username=username,
            name=str(claims.get("name") or username),
            email=str(claims.get("email") or ""),
            groups=frozenset(str(g) for g in claims.get("cognito:groups") or ()),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )

    def _live(self, session_id: str, identity: VerifiedIdentity, tokens: Tokens) -> LiveSession:
        return LiveSession(
            session_id=session_id,
            actor=actor_of(identity, self._groups),
            access_token=tokens.access_token,
            expires_at=identity.expires_at,
            checked_at=self._clock(),
        )

    def _record(self, actor: str, action: str, target: str, outcome: str = "ok") -> None:
        if self._audit is not None:
            record_audit(self._audit, self._clock(), actor, action, target, outcome)

