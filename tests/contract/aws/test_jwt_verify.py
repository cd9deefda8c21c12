"""Token verification: crafted tokens with a test RSA key and a JWKS we serve over HTTP (expiry,
issuer, audience, client, use, tampering; fetching and the refetch throttle), then moto's real
tokens over HTTP (PyJWKClient's own fetch) and in-process (see cognito_backend: the fetch goes
through requests there, which moto intercepts)."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from services.adapters.jwt_verify import JwksClient, JwksTokenVerifier, cognito_issuers, jwks_url
from services.errors import PermissionDenied, ServiceUnavailable

REGION = "ap-northeast-2"
POOL = "ap-northeast-2_TestPool"
CLIENT = "test-client-id"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY, OTHER_KEY = _key(), _key()


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "alg": "RS256", "use": "sig"}


class Jwks:
    """A JWKS endpoint we control, over HTTP: counts fetches, can fail (503)."""

    def __init__(self, *keys: dict[str, Any]) -> None:
        self.keys = list(keys)
        self.fetches = 0
        self.fail = False
        self.url = ""

    def answer(self) -> tuple[int, bytes]:
        self.fetches += 1
        if self.fail:
            return 503, b"unavailable"
        return 200, json.dumps({"keys": self.keys}).encode()


@pytest.fixture
def jwks() -> Iterator[Jwks]:
    served = Jwks(jwk(KEY, "k1"))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = served.answer()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}/{POOL}/.well-known/jwks.json"
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


def claims(use: str = "id", **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {
        "sub": "sub-1", "iss": ISSUER, "token_use": use, "iat": now, "exp": now + 3600,
        "cognito:groups": ["author"],
    }
    values.update({"aud": CLIENT, "cognito:username": "kim"} if use == "id" else
                  {"client_id": CLIENT, "username": "kim"})
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def sign(payload: dict[str, Any], key: rsa.RSAPrivateKey = KEY, kid: str = "k1",
         alg: str = "RS256") -> str:
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def verifier(jwks: Jwks) -> JwksTokenVerifier:
    return JwksTokenVerifier(jwks.url, [ISSUER], CLIENT)


def test_valid_id_and_access_tokens(verifier: JwksTokenVerifier) -> None:
    assert verifier.verify(sign(claims("id")), "id")["cognito:groups"] == ["author"]
    assert verifier.verify(sign(claims("access")), "access")["username"] == "kim"


def _flip_signature_byte(token: str) -> str:
    head, body, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[10] ^= 0x01
    return ".".join([head, body, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")])


def _swap_payload(token: str, payload: dict[str, Any]) -> str:
    head, _, signature = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return ".".join([head, body, signature])


@pytest.mark.parametrize(
    ("token", "use"),
    [
        (_flip_signature_byte(sign(claims())), "id"),
        (_swap_payload(sign(claims()), claims(**{"cognito:groups": ["admin"]})), "id"),
        (sign(claims(exp=int(time.time()) - 60)), "id"),  # expired (beyond the leeway)
        (sign(claims(exp=None)), "id"),  # no expiry at all
        (sign(claims(iss="https://cognito-idp.us-east-1.amazonaws.com/other")), "id"),
        (sign(claims(aud="another-client")), "id"),
        (sign(claims(aud=None)), "id"),
        (sign(claims("access", client_id="another-client")), "access"),
        (sign(claims("access")), "id"),  # an access token offered as an ID token
        (sign(claims("id")), "access"),
        (sign(claims(token_use=None)), "id"),
        (sign(claims(), key=OTHER_KEY), "id"),  # right kid, wrong key
        (sign(claims(), kid="unknown"), "id"),
        ("not-a-jwt", "id"),
        ("", "id"),
    ],
    ids=["flipped-signature-byte", "changed-payload", "expired", "no-exp", "wrong-issuer",
         "wrong-audience", "no-audience", "access-wrong-client", "access-as-id",
         "id-as-access", "no-token-use", "wrong-key", "unknown-kid", "garbage", "empty"],
)
def test_bad_tokens_are_refused(verifier: JwksTokenVerifier, token: str, use: str) -> None:
    with pytest.raises(PermissionDenied) as refused:
        verifier.verify(token, use)
    assert refused.value.key == "cognito.err_token"


def test_symmetric_and_none_algorithms_are_refused(verifier: JwksTokenVerifier) -> None:
    unsigned = jwt.encode(claims(), key=None, algorithm="none", headers={"kid": "k1"})
    hmac_signed = jwt.encode(claims(), "k" * 32, algorithm="HS256", headers={"kid": "k1"})
    for token in (unsigned, hmac_signed):
        with pytest.raises(PermissionDenied):
            verifier.verify(token, "id")


def test_keys_are_cached_and_an_unknown_kid_refetches_once(jwks: Jwks) -> None:
    now = [1000.0]
    keys = JwksClient(jwks.url, min_refetch_seconds=60, clock=lambda: now[0])
    verifier = JwksTokenVerifier(keys, [ISSUER], CLIENT)
    for _ in range(3):
        verifier.verify(sign(claims()), "id")
    assert jwks.fetches == 1

    rotated = _key()
    jwks.keys.append(jwk(rotated, "k2"))  # Cognito rotates its keys
    now[0] += 61
    assert verifier.verify(sign(claims(), key=rotated, kid="k2"), "id")["sub"] == "sub-1"
    assert jwks.fetches == 2

    for _ in range(5):  # garbage kids do not hammer the endpoint
        with pytest.raises(PermissionDenied):
            verifier.verify(sign(claims(), kid="garbage"), "id")
    assert jwks.fetches == 2


def test_an_unreachable_jwks_is_service_unavailable(jwks: Jwks) -> None:
    jwks.fail = True
    verifier = JwksTokenVerifier(jwks.url, [ISSUER], CLIENT)
    with pytest.raises(ServiceUnavailable) as failed:
        verifier.verify(sign(claims()), "id")
    assert failed.value.key == "cognito.err_jwks"

    closed = JwksTokenVerifier(f"http://127.0.0.1:9/{POOL}/.well-known/jwks.json", [ISSUER],
                               CLIENT)  # port 9 on loopback refuses at once
    with pytest.raises(ServiceUnavailable):
        closed.verify(sign(claims()), "id")


def test_a_failing_endpoint_is_asked_at_most_once_per_interval(jwks: Jwks) -> None:
    now = [1000.0]
    verifier = JwksTokenVerifier(
        JwksClient(jwks.url, min_refetch_seconds=60, clock=lambda: now[0]), [ISSUER], CLIENT
    )
    jwks.fail = True
    for _ in range(5):  # down before the first key set: every token waits, nobody hammers
        with pytest.raises(ServiceUnavailable):
            verifier.verify(sign(claims()), "id")
    assert jwks.fetches == 1

    jwks.fail = False
    now[0] += 60
    assert verifier.verify(sign(claims()), "id")["sub"] == "sub-1"
    assert jwks.fetches == 2


def test_known_keys_keep_working_while_the_endpoint_fails(jwks: Jwks) -> None:
    now = [1000.0]
    verifier = JwksTokenVerifier(
        JwksClient(jwks.url, min_refetch_seconds=60, clock=lambda: now[0]), [ISSUER], CLIENT
    )
    verifier.verify(sign(claims()), "id")
    jwks.fail = True
    now[0] += 61

    with pytest.raises(PermissionDenied):  # an unknown kid refetches, in vain
        verifier.verify(sign(claims(), kid="rotated"), "id")
    for _ in range(3):
        assert verifier.verify(sign(claims()), "id")["sub"] == "sub-1"
        with pytest.raises(PermissionDenied):
            verifier.verify(sign(claims(), kid="rotated"), "id")
    assert jwks.fetches == 2


@pytest.mark.parametrize("keys", [[], [{"kty": "oct", "kid": "k1"}]], ids=["none", "malformed"])
def test_a_jwks_without_usable_keys_is_service_unavailable(
    jwks: Jwks, keys: list[dict[str, Any]]
) -> None:
    jwks.keys = keys
    with pytest.raises(ServiceUnavailable):
        JwksTokenVerifier(jwks.url, [ISSUER], CLIENT).verify(sign(claims()), "id")


def test_urls_and_issuers_for_aws_and_an_emulator() -> None:
    aws = f"https://cognito-idp.{REGION}.amazonaws.com"
    assert jwks_url(aws, REGION, POOL) == f"{ISSUER}/.well-known/jwks.json"
    assert cognito_issuers(aws, REGION, POOL) == {ISSUER}
    local = "http://127.0.0.1:5000/"
    assert jwks_url(local, REGION, POOL) == f"http://127.0.0.1:5000/{POOL}/.well-known/jwks.json"
    assert cognito_issuers(local, REGION, POOL) == {ISSUER, f"http://127.0.0.1:5000/{POOL}"}


# ---- moto's tokens ---------------------------------------------------------------------------


def _moto_tokens(client: Any, pool: str, client_id: str) -> dict[str, str]:
    client.admin_create_user(UserPoolId=pool, Username="kim", MessageAction="SUPPRESS")
    client.admin_set_user_password(UserPoolId=pool, Username="kim", Password="Long-enough-1",
                                   Permanent=True)
    client.admin_add_user_to_group(UserPoolId=pool, Username="kim", GroupName="author")
    result = client.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "kim", "PASSWORD": "Long-enough-1"},
    )["AuthenticationResult"]
    return {"id": result["IdToken"], "access": result["AccessToken"]}


def test_moto_tokens_verify_in_process() -> None:
    from tests.contract.cognito_backend import mocked_cognito

    with mocked_cognito() as cognito:
        tokens = _moto_tokens(cognito.client, cognito.pool_id, cognito.client_id)
        endpoint = str(cognito.client.meta.endpoint_url)
        verifier = JwksTokenVerifier(
            jwks_url(endpoint, "us-east-1", cognito.pool_id),
            cognito_issuers(endpoint, "us-east-1", cognito.pool_id), cognito.client_id,
        )
        assert verifier.verify(tokens["id"], "id")["cognito:groups"] == ["author"]
        assert verifier.verify(tokens["access"], "access")["username"] == "kim"
        other = JwksTokenVerifier(
            jwks_url(endpoint, "us-east-1", cognito.pool_id),
            cognito_issuers(endpoint, "us-east-1", cognito.pool_id), "another-client",
        )
        for use in ("id", "access"):
            with pytest.raises(PermissionDenied):
                other.verify(tokens[use], use)


@pytest.fixture
def server() -> Iterator[str]:
    from tests.contract.aws_backends import aws_environment, moto_server

    with aws_environment(), moto_server() as endpoint:
        yield endpoint


def test_moto_tokens_verify_over_http(server: str) -> None:
    import boto3

    from tests.contract.aws_backends import aws_settings
    from tests.contract.cognito_backend import create_pool

    client = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=server)
    pool, client_id, _ = create_pool(client, aws_settings())
    tokens = _moto_tokens(client, pool, client_id)
    fetched: list[str] = []

    class Recording(JwksClient):
        def fetch_data(self) -> Any:
            fetched.append(self.uri)
            return super().fetch_data()

    verifier = JwksTokenVerifier(
        Recording(jwks_url(server, "us-east-1", pool)),
        cognito_issuers(server, "us-east-1", pool), client_id,
    )
    assert verifier.verify(tokens["id"], "id")["cognito:username"] == "kim"
    assert verifier.verify(tokens["access"], "access")["username"] == "kim"
    assert fetched == [f"{server}/{pool}/.well-known/jwks.json"]
    with pytest.raises(PermissionDenied):
        verifier.verify(_flip_signature_byte(tokens["id"]), "id")
    other = JwksTokenVerifier(
        jwks_url(server, "us-east-1", pool), cognito_issuers(server, "us-east-1", pool),
        "another-client",
    )
    for use in ("id", "access"):
        with pytest.raises(PermissionDenied):
            other.verify(tokens[use], use)
