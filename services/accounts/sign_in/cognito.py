"""Cognito sign-in as a use case: sign in, first-password challenge, forgot and change password,
sessions that survive a browser refresh, sign-out.

How a session survives a refresh without a readable token in the browser:
- On sign-in the service keeps the **refresh token on the server** (SessionStore: DynamoDB in
  aws mode), **encrypted** with Fernet under a key derived from the cookie key, keyed by the
  SHA-256 of a random 256-bit session id. Only that random id goes to the browser, inside the
  signed cookie (``cookie_value``; the UI writes it). A copied cookie is worth nothing after
  sign-out, and a copied table row is worth nothing without the key.
- ID and access tokens live in server memory (Streamlit's session state) only; the ID token is
  verified (JWKS, RS256, issuer, audience, token_use, expiry) before it names anybody.
- After a refresh (a new Streamlit session) the cookie's id leads to the stored refresh token,
  REFRESH_TOKEN_AUTH returns new tokens, which are verified again. Every
  ``recheck_seconds`` the same refresh runs for a live session, so a role change (groups) or
  a disabled user takes effect within that time.
- Sign-out revokes the refresh token at Cognito and deletes the server-side record.
- A password change or reset, disabling the account and "sign out everywhere" end all of the
  user's sign-ins (``ends``: ``accounts.pool_sessions``); ``resume`` refuses a session that
  started before (its epoch). After the user's own change this browser goes on, signed in again.
- ``gate`` runs at each sign-in before the session is kept: for self-service sign-ups the app's
  record, not the pool alone, says who may sign in (``record_gate``). A refused sign-in's
  tokens are revoked at once.
- ``on_sign_in`` (the app's record of the account following the pool) runs at each sign-in; if
  it fails the sign-in still stands (the record's name and roles are only a copy; reads show
  the pool's values).
"""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken

from services.accounts.pool_sessions import PoolSessions
from services.accounts.rules import login_name, validate_password
from services.accounts.service import AccountService
from services.accounts.sessions import SESSION_ID_BYTES, session_hash
from services.accounts.sign_in.base import (
    Ended,
    Mode,
    Restored,
    SignedIn,
    derived_key,
    ended_by,
    read_signed_cookie,
    sign_cookie,
)
from services.accounts.sign_in.cognito_gate import pool_refusal
from services.domain.identity import (
    Challenge,
    SessionRecord,
    Tokens,
    VerifiedIdentity,
    actor_of,
)
from services.domain.models import utcnow
from services.domain.permissions import Role
from services.errors import (
    DemoFactoryError,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
    ValidationError,
)
from services.ops.audit import record_audit
from services.ports import (
    AuditLog,
    IdentityProvider,
    SessionStore,
    TokenVerifier,
)

log = logging.getLogger(__name__)
__all__ = ["SESSION_ID_BYTES", "CognitoSignIn", "session_hash", "token_cipher"]
# The pool's refusals of a forgot-password confirmation, by the form field each is about.
_RESET_FIELDS = {"cognito.err_code": "code", "cognito.err_password_policy": "password"}
_EXPIRED_KEPT = 4096  # sessions whose expiry at the pool a tab may still be told of


def token_cipher(secret: str) -> Fernet:
    """Fernet under a key derived (HKDF-SHA256) from the cookie key, for this purpose only."""
    key = derived_key(secret, "demo-factory/cognito-refresh-token")
    return Fernet(base64.urlsafe_b64encode(key))


class CognitoSignIn:
    mode: Mode = "cognito"

    def __init__(
        self,
        identity: IdentityProvider,
        tokens: TokenVerifier,
        sessions: SessionStore,
        accounts: AccountService,
        group_names: dict[Role, str],
        *,
        session_key: str,
        cookie_name: str = "demo_factory_auth_sid",
        audit: AuditLog | None = None,
        session_days: float = 7,
        recheck_seconds: int = 300,
        clock: Callable[[], datetime] = utcnow,
        on_sign_in: Callable[[str], None] | None = None,
        gate: Callable[[str], None] | None = None,
        ends: PoolSessions | None = None,
    ) -> None:
        self._identity = identity
        self._tokens = tokens
        self._sessions = sessions
        self._accounts = accounts
        self._groups = group_names
        self._cipher = token_cipher(session_key)
        self._cookie_key = session_key
        self.cookie_name: str | None = cookie_name
        self.cookie_max_age = int(session_days * 86400)
        self._audit = audit
        self._session_length = timedelta(days=session_days)
        self._recheck = timedelta(seconds=recheck_seconds)
        self._clock = clock
        self._on_sign_in = on_sign_in
        self._gate = gate
        self._ends = ends
        self._expired_at_pool: dict[str, None] = {}  # session ids, oldest first (bounded)

    # ---- sign-in -------------------------------------------------------------------------

    def sign_in(self, login: str, password: str) -> SignedIn | Challenge:
        """A live session, or the challenge to answer first. Rate-limited per account name
        exactly like local sign-in (failures counted, audited, locked names refused)."""
        if not login.strip() or not password:
            raise ValidationError("auth.err_missing_fields")
        username = self._identity.username_for_login(login).strip()
        key = login_name(username)
        self._accounts.reserve_login_attempt(key)  # counted before the pool is asked
        try:
            step = self._identity.sign_in(username, password)
        except PermissionDenied as exc:
            self._accounts.login_failed(key)
            raise pool_refusal(exc) from exc
        if isinstance(step, Challenge):
            return step
        try:
            return self._start(step, key)
        except PermissionDenied as exc:
            raise pool_refusal(exc) from exc

    def complete_new_password(self, challenge: Challenge, new_password: str) -> SignedIn:
        validate_password(new_password, challenge.username)
        step = self._identity.answer_new_password(challenge, new_password)
        if isinstance(step, Challenge):
            raise ValidationError("cognito.err_challenge", name=step.name)
        return self._start(step, login_name(challenge.username))

    def _start(self, tokens: Tokens, throttle_key: str) -> SignedIn:
        if not tokens.refresh_token:
            raise PermissionDenied("cognito.err_token")
        identity = self._verified(tokens)
        if self._gate is not None:
            try:
                self._gate(identity.username)
            except PermissionDenied:
                self._revoke(tokens)
                self._accounts.login_failed(throttle_key)
                raise
            except DemoFactoryError:
                self._revoke(tokens)
                raise
        session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
        now = self._clock()
        # The epoch read after the pool's answer: tokens it gave before an end of all sign-ins
        # that lands meanwhile are the pool's to refuse (its global sign-out ends them).
        record = SessionRecord(
            username=identity.username,
            encrypted_refresh_token=self._encrypt(tokens.refresh_token),
            created_at=now,
            expires_at=now + self._session_length,
            epoch=self._ends.epoch(identity.username) if self._ends is not None else 0,
        )
        self._sessions.put(session_hash(session_id), record)
        self._accounts.record_login(throttle_key)
        if self._on_sign_in is not None:
            try:
                self._on_sign_in(identity.username)
            except DemoFactoryError:
                log.warning("could not refresh the record of %s from the pool",
                            identity.username, exc_info=True)
        return self._live(session_id, identity, tokens, record.expires_at)

    # ---- the session across runs and refreshes ------------------------------------------

    def recheck(self, session: SignedIn) -> SignedIn | None:
        """Every run: the live session while its tokens are valid and it was checked with
        the pool recently; otherwise refreshed (None if that fails: signed out). If Cognito
        does not answer, a session whose tokens are still valid stays."""
        now = self._clock()
        expires = session.expires_at or now
        if now < expires and session.checked_at and now - session.checked_at < self._recheck:
            return session
        try:
            return self.resume(session.session_id)
        except ServiceUnavailable:
            return session if now < expires else None

    def why_ended(self, session: SignedIn) -> Ended:
        """By the time the session was to last, or the pool's word that its refresh token
        expired (a client whose tokens run out before ``DEMO_FACTORY_SESSION_DAYS``, which
        the config doctor's ``cognito.client.lifetime`` reports); any other refusal before
        then (revoked, a disabled user) counts as ended."""
        if session.session_id in self._expired_at_pool:
            return Ended.EXPIRED
        return ended_by(session.ends_at, self._clock())

    def restore(self, cookie_value: str | None) -> Restored:
        """After a browser refresh: the signed cookie's session id, resumed."""
        if not cookie_value:
            return Restored(None)
        claims = read_signed_cookie(self._cookie_key, cookie_value, ("exp", "sid")) or {}
        session_id = claims.get("sid")
        if not isinstance(session_id, str):
            return Restored(None, forget_cookie=True)
        try:
            session = self.resume(session_id)
        except DemoFactoryError as exc:  # Cognito did not answer: try again on the next run
            log.warning("could not resume a Cognito session: %s", exc)
            return Restored(None)
        return Restored(session, forget_cookie=session is None, ended=session is None)

    def cookie_value(self, session: SignedIn) -> str:
        expires = int(self._clock().timestamp() + self.cookie_max_age)
        return sign_cookie(self._cookie_key, {"sid": session.session_id, "exp": expires})

    def resume(self, session_id: str) -> SignedIn | None:
        """After a browser refresh: the cookie's session id -> stored refresh token -> new,
        verified tokens. None (and the record is gone) when the session cannot continue."""
        key = session_hash(session_id)
        try:
            record = self._sessions.get(key)
        except NotFound:
            return None
        if self._ended(record):
            self._end(key, record)
            return None
        try:
            if record.expires_at <= self._clock():
                raise PermissionDenied("cognito.err_session_expired")
            tokens = self._identity.refresh(record.username, self._decrypt(record))
            identity = self._verified(tokens)
        except (InvalidToken, PermissionDenied) as exc:
            log.info("session of %s ended: %s", record.username, exc)
            if getattr(exc, "key", "") == "cognito.err_session_expired":
                self._expired_at_pool[session_id] = None
                while len(self._expired_at_pool) > _EXPIRED_KEPT:
                    del self._expired_at_pool[next(iter(self._expired_at_pool))]
            self._sessions.delete(key)
            return None
        return self._live(session_id, identity, tokens, record.expires_at)

    def sign_out(self, session: SignedIn) -> None:
        """Revoke at Cognito (best effort) and delete the server-side record."""
        key = session_hash(session.session_id)
        username = "?"
        refresh = None
        try:
            record = self._sessions.get(key)
            username = record.username
            refresh = self._decrypt(record)
        except (NotFound, InvalidToken):
            pass
        try:
            self._identity.sign_out(session.access_token, refresh)
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
            raise ValidationError("cognito.err_code", field="code")
        validate_password(new_password, username)
        try:
            self._identity.confirm_forgot_password(username, code.strip(), new_password)
        except ValidationError as exc:  # the pool's refusal, named by the field it is about
            if exc.key == "cognito.err_code":  # as a refused reset link is, in local mode
                self._record(username, "auth.reset_password_confirmed", username, "invalid")
            field = _RESET_FIELDS.get(exc.key)
            if field is None:
                raise
            raise ValidationError(exc.key, **{**exc.params, "field": field}) from exc
        self._record(username, "auth.reset_password_confirmed", username)
        if self._ends is not None:  # whoever knew the old password is signed out
            self._ends.end_all(username)

    def change_password(self, session: SignedIn, current: str, new: str) -> None:
        """Every other sign-in of the user ends; this one goes on, on new tokens (the UI takes
        them at its next check of the session)."""
        if session.access_token is None:
            raise ServiceUnavailable("cognito.err_session_expired")
        user_id = str(session.actor.user_id)
        validate_password(new, user_id)
        self._identity.change_password(session.access_token, current, new)
        self._record(user_id, "user.change_password", user_id)
        if self._ends is not None:
            self._keep(session, user_id, new, self._ends.end_all(user_id))

    # ---- helpers -------------------------------------------------------------------------

    def _verified(self, tokens: Tokens) -> VerifiedIdentity:
        claims = self._tokens.verify(tokens.id_token, "id")
        access = self._tokens.verify(tokens.access_token, "access")
        username = str(claims.get("cognito:username") or "")
        if not username or access.get("sub") != claims.get("sub"):
            raise PermissionDenied("cognito.err_token")
        # The claims of POOL_TOKEN_ATTRIBUTES: the app client must be allowed to read them.
        return VerifiedIdentity(
            username=username,
            name=str(claims.get("name") or username),
            email=str(claims.get("email") or ""),
            groups=frozenset(str(g) for g in claims.get("cognito:groups") or ()),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )

    def _ended(self, record: SessionRecord) -> bool:
        """Whether every sign-in of the user was ended after this one started."""
        return self._ends is not None and record.epoch != self._ends.epoch(record.username)

    def _end(self, key: str, record: SessionRecord) -> None:
        """An ended session's record goes, and its refresh token is revoked (RevokeToken,
        best effort): that ends it at the pool even when the global sign-out failed."""
        log.info("session of %s ended: its sign-ins were ended since", record.username)
        try:
            self._identity.sign_out(None, self._decrypt(record))
        except (InvalidToken, DemoFactoryError) as exc:
            log.info("could not revoke an ended session's refresh token: %s", exc)
        self._sessions.delete(key)

    def _keep(self, session: SignedIn, username: str, password: str, epoch: int) -> None:
        """After a change of password ended every sign-in: this browser's session, signed in
        again with the new password, under the same id and at the new epoch. Best effort:
        should it fail, this browser is asked to sign in again at its next check."""
        key = session_hash(session.session_id)
        try:
            record = self._sessions.get(key)
            step = self._identity.sign_in(username, password)
        except DemoFactoryError as exc:
            log.warning("could not keep %s signed in after the password change: %s",
                        username, exc)
            return
        if isinstance(step, Tokens) and step.refresh_token:
            token = self._encrypt(step.refresh_token)
            self._sessions.put(key, replace(record, epoch=epoch, encrypted_refresh_token=token))

    def _encrypt(self, refresh_token: str) -> str:
        return self._cipher.encrypt(refresh_token.encode()).decode()

    def _decrypt(self, record: SessionRecord) -> str:
        return self._cipher.decrypt(record.encrypted_refresh_token.encode()).decode()

    def _revoke(self, tokens: Tokens) -> None:
        """End a refused sign-in's tokens at the pool (best effort: they were never kept)."""
        try:
            self._identity.sign_out(tokens.access_token, tokens.refresh_token)
        except DemoFactoryError as exc:
            log.warning("could not revoke a refused sign-in's tokens: %s", exc)

    def _live(self, session_id: str, identity: VerifiedIdentity, tokens: Tokens,
              ends_at: datetime) -> SignedIn:
        return SignedIn(
            session_id=session_id,
            actor=actor_of(identity, self._groups),
            access_token=tokens.access_token,
            expires_at=identity.expires_at,
            checked_at=self._clock(),
            ends_at=ends_at,
        )

    def _record(self, actor: str, action: str, target: str, outcome: str = "ok") -> None:
        if self._audit is not None:
            record_audit(self._audit, self._clock(), actor, action, target, outcome)

