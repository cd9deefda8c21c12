"""Verifying Cognito's JWTs against the pool's JWKS before anything trusts them.

Checked for every token: the header names RS256 and a key id of the pool's key set; the
RS256 signature; ``iss`` is the pool's issuer; ``exp`` and ``iat`` are present and ``exp`` has
not passed (a small leeway for clock skew); ``token_use`` is the expected one; an ID token's
``aud`` and an access token's ``client_id`` are this app's client. Anything else is
PermissionDenied("cognito.err_token").

The key set is fetched once and cached; a token with an unknown ``kid`` (Cognito rotated its
keys) triggers one refetch, at most once per ``min_refetch_seconds`` so that garbage tokens
cannot make us hammer the JWKS endpoint.

The JWKS lives at ``{endpoint}/{pool}/.well-known/jwks.json``: on AWS the endpoint is
``https://cognito-idp.{region}.amazonaws.com``; with ``AWS_ENDPOINT_URL`` (moto's server,
an emulator) it is that endpoint. The issuer is the AWS one (moto uses it too) or, for an
emulator that derives it from its own address, ``{endpoint}/{pool}``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from typing import Any

import jwt
import requests

from services.errors import PermissionDenied, ServiceUnavailable

log = logging.getLogger(__name__)

FetchJson = Callable[[str], dict[str, Any]]
ALGORITHM = "RS256"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "token_use"]


def jwks_url(endpoint: str, region: str, pool_id: str) -> str:
    return f"{endpoint.rstrip('/')}/{pool_id}/.well-known/jwks.json"


def cognito_issuers(endpoint: str, region: str, pool_id: str) -> frozenset[str]:
    return frozenset({
        f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
        f"{endpoint.rstrip('/')}/{pool_id}",
    })


def fetch_json(url: str) -> dict[str, Any]:
    """GET a JSON document (the JWKS). ServiceUnavailable if it cannot be had."""
    try:
        response = requests.get(url, timeout=5)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        log.warning("JWKS fetch from %s failed: %s", url, exc)
        raise ServiceUnavailable("cognito.err_jwks") from exc
    if not isinstance(document, dict):
        raise ServiceUnavailable("cognito.err_jwks")
    return document


class JwksCache:
    """The pool's public keys by ``kid``, refetched when an unknown ``kid`` shows up."""

    def __init__(
        self,
        url: str,
        fetch: FetchJson = fetch_json,
        min_refetch_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._fetch = fetch
        self._min_refetch = min_refetch_seconds
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            if kid not in self._keys and self._may_refetch():
                self._load()
            found = self._keys.get(kid)
        if found is None:
            raise PermissionDenied("cognito.err_token")
        return found

    def _may_refetch(self) -> bool:
        return self._fetched_at is None or (
            self._clock() - self._fetched_at >= self._min_refetch
        )

    def _load(self) -> None:
        self._fetched_at = self._clock()
        try:
            key_set = jwt.PyJWKSet.from_dict(self._fetch(self._url))
        except jwt.PyJWKSetError as exc:
            raise ServiceUnavailable("cognito.err_jwks") from exc
        self._keys = {str(k.key_id): k for k in key_set.keys if k.key_id}


class JwksTokenVerifier:
    """Implements ``services.ports.TokenVerifier``."""

    def __init__(
        self,
        keys: str | JwksCache,
        issuers: Collection[str],
        client_id: str,
        leeway_seconds: float = 10.0,
    ) -> None:
        self._keys = JwksCache(keys) if isinstance(keys, str) else keys
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
        key = self._keys.key(kid)
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
