"""Cognito sign-in over moto (in-process): the whole service as bootstrap wires it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from services.accounts.sign_in.base import SignedIn
from services.accounts.sign_in.cognito import CognitoSignIn, session_hash
from services.adapters.aws.cognito.auth import CognitoIdentityProvider
from services.bootstrap import Services, build_services
from services.domain.identity import Challenge
from services.domain.models import utcnow
from services.domain.permissions import Actor, Role
from services.errors import PermissionDenied, QuotaExceeded, ServiceUnavailable, ValidationError
from services.i18n import translate
from tests.contract.cognito_backend import MockedCognito, mocked_cognito

PASSWORD = "Correct-horse-1"
SECRET = "s3cr3t-long-enough-for-cognito"
NEW_PASSWORD = "Battery-staple-2"
# Every Cognito sign-in refusal for a name and password, whatever the account's state.
BAD_CREDENTIALS = "cognito.err_bad_credentials"


@pytest.fixture
def services(cognito_services: Services) -> Services:
    return cognito_services


@pytest.fixture
def sign_in(cognito_sign_in: CognitoSignIn) -> CognitoSignIn:
    return cognito_sign_in


@pytest.fixture
def root(services: Services) -> Actor:
    return services.accounts.create_first_admin("root", "Root", "root@example.com",
                                                PASSWORD).as_actor()


def _sessions(cognito: MockedCognito) -> list[dict[str, Any]]:
    """The sessions table's sign-ins (not the users' epochs, which a new account sets)."""
    items = cognito.aws.dynamodb.scan(TableName=str(cognito.settings.sessions_table))["Items"]
    return [item for item in items if "token" in item]


def _live(step: SignedIn | Challenge) -> SignedIn:
    assert isinstance(step, SignedIn), step
    return step


def test_sign_in_gives_a_verified_actor_with_roles_from_groups(
    sign_in: CognitoSignIn, root: Actor, services: Services, cognito: MockedCognito
) -> None:
    live = _live(sign_in.sign_in("root", PASSWORD))

    assert live.actor.user_id == "root" and live.actor.roles == {Role.ADMIN}
    assert live.actor.email == "root@example.com"
    stored = _sessions(cognito)
    assert len(stored) == 1
    assert stored[0]["key"]["S"] == session_hash(live.session_id) != live.session_id
    assert stored[0]["token"]["S"].startswith("gAAAA")  # Fernet, not the refresh token
    assert services.ports.audit.entries(action="auth.login")[0].actor == "root"


def test_sign_in_with_email(sign_in: CognitoSignIn, root: Actor) -> None:
    assert _live(sign_in.sign_in("root@example.com", PASSWORD)).actor.user_id == "root"


def test_wrong_password_counts_and_locks(sign_in: CognitoSignIn, root: Actor,
                                         services: Services) -> None:
    for _ in range(5):
        with pytest.raises(PermissionDenied) as denied:
            sign_in.sign_in("root", "wrong-password")
        assert denied.value.key == BAD_CREDENTIALS
    with pytest.raises(QuotaExceeded):
        sign_in.sign_in("root", PASSWORD)
    assert services.ports.audit.entries(action="auth.login_failed")[0].target == "root"


def test_unknown_user_looks_like_a_wrong_password(sign_in: CognitoSignIn) -> None:
    with pytest.raises(PermissionDenied) as denied:
        sign_in.sign_in("ghost", PASSWORD)
    assert denied.value.key == BAD_CREDENTIALS


def test_a_disabled_account_is_refused_as_a_wrong_password_whose_words_say_it_may_be_disabled(
    sign_in: CognitoSignIn, services: Services, root: Actor
) -> None:
    """The pool refuses a disabled user before it checks the password, and the app keeps no
    hash of a pool password: "disabled" cannot be said after the right password only, and said
    for any password it would tell anyone that the name exists. So every refusal reads the
    same, and those words name the disabled account as a possible cause."""
    services.accounts.create_user(root, "alice", "Alice", "a@example.com", PASSWORD,
                                  frozenset({Role.AUTHOR}))
    step = sign_in.sign_in("alice", PASSWORD)
    assert isinstance(step, Challenge)
    sign_in.complete_new_password(step, NEW_PASSWORD)
    services.accounts.set_disabled(root, "alice", True)

    refusals = set()
    for login, password in (("alice", NEW_PASSWORD), ("alice", "wrong-password"),
                            ("ghost", NEW_PASSWORD), ("root", "wrong-password")):
        with pytest.raises(PermissionDenied) as denied:
            sign_in.sign_in(login, password)
        refusals.add((denied.value.key, tuple(denied.value.params.items())))

    assert refusals == {(BAD_CREDENTIALS, ())}
    for lang, words in (("ko", "비활성화"), ("en", "disabled")):
        assert words in translate(lang, BAD_CREDENTIALS)
        assert words not in translate(lang, "auth.err_bad_credentials")  # local: said apart


def test_an_admin_made_password_must_be_changed_at_first_sign_in(
    sign_in: CognitoSignIn, services: Services, root: Actor
) -> None:
    services.accounts.create_user(root, "alice", "Alice", "a@example.com", PASSWORD,
                                  frozenset({Role.AUTHOR}))
    step = sign_in.sign_in("alice", PASSWORD)
    assert isinstance(step, Challenge) and step.name == "NEW_PASSWORD_REQUIRED"

    with pytest.raises(ValidationError):
        sign_in.complete_new_password(step, "short")
    live = sign_in.complete_new_password(step, NEW_PASSWORD)

    assert live.actor.user_id == "alice" and live.actor.roles == {Role.AUTHOR}
    assert _live(sign_in.sign_in("alice", NEW_PASSWORD)).actor.user_id == "alice"


def test_a_session_survives_a_browser_refresh_and_ends_at_sign_out(
    sign_in: CognitoSignIn, root: Actor, cognito: MockedCognito
) -> None:
    live = _live(sign_in.sign_in("root", PASSWORD))

    resumed = sign_in.resume(live.session_id)  # a new browser session with the same cookie
    assert resumed is not None and resumed.actor == live.actor
    assert sign_in.resume("forged-or-stale-id") is None

    sign_in.sign_out(live)

    assert sign_in.resume(live.session_id) is None
    assert _sessions(cognito) == []


def test_sign_out_ends_the_session_at_cognito_too(
    sign_in: CognitoSignIn, root: Actor, services: Services
) -> None:
    live = _live(sign_in.sign_in("root", PASSWORD))
    key = session_hash(live.session_id)
    record = services.ports.cognito.sessions.get(key)  # type: ignore[union-attr]

    sign_in.sign_out(live)

    services.ports.cognito.sessions.put(key, record)  # type: ignore[union-attr]
    assert sign_in.resume(live.session_id) is None  # the refresh token no longer works


def test_a_broken_or_expired_record_ends_the_session(
    sign_in: CognitoSignIn, root: Actor, services: Services
) -> None:
    sessions = services.ports.cognito.sessions  # type: ignore[union-attr]
    live = _live(sign_in.sign_in("root", PASSWORD))
    key = session_hash(live.session_id)
    record = sessions.get(key)

    sessions.put(key, replace(record, encrypted_refresh_token="gAAAAtampered"))
    assert sign_in.resume(live.session_id) is None

    sessions.put(key, replace(record, expires_at=utcnow() - timedelta(seconds=1)))
    assert sign_in.resume(live.session_id) is None


def test_roles_follow_groups_at_the_next_recheck(
    sign_in: CognitoSignIn, root: Actor, services: Services
) -> None:
    services.accounts.create_user(root, "bob", "Bob", "b@example.com", PASSWORD,
                                  frozenset({Role.VIEWER}))
    step = sign_in.sign_in("bob", PASSWORD)
    assert isinstance(step, Challenge)
    live = sign_in.complete_new_password(step, NEW_PASSWORD)
    services.accounts.set_roles(root, "bob", frozenset({Role.ANALYST}))

    assert sign_in.recheck(live) is live  # checked moments ago: no call to Cognito
    due = replace(live, checked_at=live.checked_at - timedelta(minutes=10))
    rechecked = sign_in.recheck(due)
    assert rechecked is not None and rechecked.actor.roles == {Role.ANALYST}


def test_forgot_password_with_a_code(sign_in: CognitoSignIn, root: Actor,
                                     services: Services) -> None:
    sign_in.forgot_password("root")
    sign_in.forgot_password("nobody-at-all")  # the same answer: nothing revealed
    with pytest.raises(ValidationError) as bad:
        sign_in.confirm_forgot_password("root", "moto-confirmation-code:000000", NEW_PASSWORD)
    assert bad.value.key == "cognito.err_code"
    # A refused code is in the audit log, as a refused reset link is in local mode.
    (refused,) = services.ports.audit.entries(action="auth.reset_password_confirmed")
    assert (refused.target, refused.outcome) == ("root", "invalid")

    sign_in.confirm_forgot_password("root", "123456", NEW_PASSWORD)  # moto accepts this code
    confirmed = services.ports.audit.entries(action="auth.reset_password_confirmed")
    assert sorted(entry.outcome for entry in confirmed) == ["invalid", "ok"]

    assert _live(sign_in.sign_in("root", NEW_PASSWORD)).actor.user_id == "root"


def test_change_password(sign_in: CognitoSignIn, root: Actor) -> None:
    live = _live(sign_in.sign_in("root", PASSWORD))
    with pytest.raises(PermissionDenied):
        sign_in.change_password(live, "not-the-password", NEW_PASSWORD)

    sign_in.change_password(live, PASSWORD, NEW_PASSWORD)

    with pytest.raises(PermissionDenied):
        sign_in.sign_in("root", PASSWORD)
    assert _live(sign_in.sign_in("root", NEW_PASSWORD)).actor.user_id == "root"


def test_tokens_of_another_app_client_are_refused(
    sign_in: CognitoSignIn, root: Actor, services: Services, cognito: MockedCognito
) -> None:
    other = cognito.client.create_user_pool_client(
        UserPoolId=cognito.pool_id, ClientName="other",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    assert services.ports.cognito is not None
    foreign = CognitoSignIn(
        CognitoIdentityProvider(cognito.client, cognito.pool_id, other),
        services.ports.cognito.tokens,  # verifies for this app's client id
        services.ports.cognito.sessions, services.accounts, {Role.ADMIN: "admin"},
        session_key="k" * 40,
    )
    with pytest.raises(PermissionDenied) as refused:
        foreign.sign_in("root", PASSWORD)
    assert refused.value.key == "cognito.err_token"


def test_with_an_app_client_secret(root: Actor) -> None:
    with mocked_cognito(secret=True) as cognito:
        assert cognito.client_secret
        services = build_services(cognito.settings)
        services.accounts.create_first_admin("boss", "Boss", "", PASSWORD)
        assert services.cognito is not None
        live = _live(services.cognito.sign_in("boss", PASSWORD))
        assert live.actor.roles == {Role.ADMIN}


def _stubbed(secret: str | None) -> tuple[CognitoIdentityProvider, Stubber]:
    import boto3

    client = boto3.client("cognito-idp", region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="x")
    return CognitoIdentityProvider(client, "pool", "client", secret), Stubber(client)


def test_sign_out_revokes_this_sessions_refresh_token() -> None:
    identity, stub = _stubbed(SECRET)
    stub.add_response("revoke_token", {},
                      {"Token": "refresh", "ClientId": "client", "ClientSecret": SECRET})
    with stub:
        identity.sign_out("access", "refresh")
    stub.assert_no_pending_responses()


def test_sign_out_falls_back_to_global_sign_out() -> None:
    identity, stub = _stubbed(None)
    stub.add_client_error("revoke_token", "UnsupportedTokenTypeException")
    stub.add_response("global_sign_out", {}, {"AccessToken": "access"})
    with stub:
        identity.sign_out("access", "refresh")
    stub.assert_no_pending_responses()


def test_secret_hash_is_sent_with_a_client_secret() -> None:
    identity, stub = _stubbed(SECRET)
    # Cognito's definition: Base64(HMAC-SHA256(key=client secret, msg=username + client id)).
    digest = hmac.new(SECRET.encode(), b"kimclient", hashlib.sha256).digest()
    expected: dict[str, Any] = {
        "ClientId": "client", "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "kim", "PASSWORD": "pw",
                           "SECRET_HASH": base64.b64encode(digest).decode()},
    }
    stub.add_client_error("initiate_auth", "NotAuthorizedException", expected_params=expected)
    with stub, pytest.raises(PermissionDenied):
        identity.sign_in("kim", "pw")


def test_a_wrong_app_client_id_says_which_setting_to_check_not_bootstrap() -> None:
    from services.i18n import translate

    with mocked_cognito() as cognito:
        identity = CognitoIdentityProvider(cognito.client, cognito.pool_id, "doesnotexist", None)
        with pytest.raises(ServiceUnavailable) as raised:
            identity.sign_in("root", PASSWORD)

    text = translate("en", raised.value.key, **raised.value.params)
    assert raised.value.key == "cognito.err_not_found"
    assert "DEMO_FACTORY_COGNITO_APP_CLIENT_ID" in text and "bootstrap_aws" not in text


@pytest.mark.parametrize(("message", "key"), [
    ("Refresh Token has expired", "cognito.err_session_expired"),
    ("Refresh Token has been revoked", "auth.err_bad_credentials"),
    ("User is disabled.", "auth.err_bad_credentials"),
])
def test_a_refresh_token_expired_at_the_pool_is_told_from_one_revoked(
        message: str, key: str) -> None:
    """Cognito answers each refusal with NotAuthorizedException; only its words say that the
    token simply ran out (a tab was told its sign-in had been ended elsewhere)."""
    identity, stub = _stubbed(None)
    stub.add_client_error("initiate_auth", "NotAuthorizedException", message)
    with stub, pytest.raises(PermissionDenied) as refused:
        identity.refresh("kim", "refresh")
    assert refused.value.key == key
