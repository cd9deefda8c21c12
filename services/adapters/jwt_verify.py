"""Verifying Cognito's JWTs against the pool's JWKS before anything trusts them.

Checked for every token: the header names RS256 and a key id of the pool's key set; the
RS256 signature; ``iss`` is the pool's issuer; ``exp`` and ``iat`` are present and ``exp`` has
not passed (a small leeway for clock skew); ``token_use`` is the expected one; an ID token's
``aud`` and an access token's ``client_id`` are this app's client. Anything else is
PermissionDenied("cognito.err_token").

Keys come from PyJWT's ``PyJWKClient`` (fetch, JSON and key checks, signing-key choice by
``kid``, a key set cached for ``KEY_SET_LIFESPAN``). ``JwksClient`` adds one rule on top: the
endpoint is asked at most once per ``min_refetch_seconds``, whatever asks (the first use, the
cache expiring, a token with an unknown ``kid`` after Cognito rotated its keys), so forged
tokens cannot make us hammer it; in between, and when a fetch fails, the last key set serves.
PyJWT's own ``cooldown_duration`` is not enough for that (it starts only after a successful
fetch, so while the endpoint fails every unknown ``kid`` would try again) and is turned off.

The JWKS lives at ``{endpoint}/{pool}/.well-known/jwks.json``: on AWS the endpoint is
``https://cognito-idp.{region}.amazonaws.com``; with ``AWS_ENDPOINT_URL`` (moto's server,
an emulator) it is that endpoint. The issuer is the AWS one (moto uses it too) or, for an
emulator that derives it from its own address, ``{endpoint}/{pool}``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from typing import Any

import jwt

from services.errors import PermissionDenied, ServiceUnavailable

log = logging.getLogger(__name__)

ALGORITHM = "RS256"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "token_use"]
# How long a fetched key set is used before it is fetched again (PyJWT's default): a key that
# Cognito withdraws stops being trusted within this time.
KEY_SET_LIFESPAN = 300.0
FETCH_TIMEOUT = 5.0


def jwks_url(endpoint: str, region: str, pool_id: str) -> str:
    return f"{endpoint.rstrip('/')}/{pool_id}/.well-known/jwks.json"


def cognito_issuers(endpoint: str, region: str, pool_id: str) -> frozenset[str]:
    return frozenset({
        f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
        f"{endpoint.rstrip('/')}/{pool_id}",
    })


class JwksClient(jwt.PyJWKClient):
    """``PyJWKClient`` that fetches at most once per ``min_refetch_seconds`` and, once it has
    a key set, keeps serving it while the endpoint fails (PyJWT calls ``fetch_data`` for every
    fetch, under its lock, and accepts a parsed ``PyJWKSet`` back)."""

    def __init__(
        self,
        url: str,
        min_refetch_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(url, cache_jwk_set=True, lifespan=KEY_SET_LIFESPAN,
                         timeout=FETCH_TIMEOUT, cooldown_duration=0)
        self._min_refetch = min_refetch_seconds
        self._clock = clock
        self._fetched_at: float | None = None  # the last attempt, successful or not
        self._key_set: jwt.PyJWKSet | None = None

    def fetch_data(self) -> Any:
        now = self._clock()
        if self._fetched_at is not None and now - self._fetched_at < self._min_refetch:
            return self._last_key_set("the JWKS endpoint was asked moments ago")
        self._fetched_at = now
        try:
            self._key_set = jwt.PyJWKSet.from_dict(super().fetch_data())
        # PyJWT parses some malformed keys into KeyError or ValueError, not its own errors.
        except (jwt.PyJWTError, LookupError, TypeError, ValueError) as exc:
            log.warning("JWKS fetch from %s failed: %s", self.uri, exc)
            return self._last_key_set(str(exc))
        return self._key_set

    def _last_key_set(self, reason: str) -> jwt.PyJWKSet:
        if self._key_set is None:
            raise jwt.PyJWKClientConnectionError(f"no JWKS yet: {reason}")
        return self._key_set


class JwksTokenVerifier:
    """Implements ``services.ports.TokenVerifier``."""

    def __init__(
        self,
        keys: str | JwksClient,
        issuers: Collection[str],
        client_id: str,
        leeway_seconds: float = 10.0,
    ) -> None:
        self._keys = JwksClient(keys) if isinstance(keys, str) else keys
        self._issuers = list(issuers)
        self._client_id = client_id
        self._leeway = leeway_seconds

    def verify(self, token: str, use: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise PermissionDenied("cognito.err_token") from exc
        kid = header.get("kid")
        if header.get("alg") != ALGORITHM or not isinstance(kid, str):
            raise PermissionDenied("cognito.err_token")
        key = self._signing_key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[ALGORITHM],
                issuer=self._issuers,
                audience=self._client_id if use == "id" else None,
                leeway=self._leeway,
                options={"require": REQUIRED_CLAIMS, "verify_aud": use == "id"},
            )
        except jwt.PyJWTError as exc:
            log.info("token refused: %s", exc)
            raise PermissionDenied("cognito.err_token") from exc
        if claims.get("token_use") != use:
            raise PermissionDenied("cognito.err_token")
        if use == "access" and claims.get("client_id") != self._client_id:
            raise PermissionDenied("cognito.err_token")
        return claims

    def _signing_key(self, kid: str) -> jwt.PyJWK:
        try:
            return self._keys.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as exc:
            raise ServiceUnavailable("cognito.err_jwks") from exc
        except jwt.PyJWKClientError as exc:  # no key with this kid, even after a refetch
            raise PermissionDenied("cognito.err_token") from exc
