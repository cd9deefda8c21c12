"""The profile in Cognito mode, on moto: company and language are the app's record, the name
is the pool's, a new email waits unverified in the pool while the verified one is shown, and
deleting one's account removes the pool user and the record."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from services.accounts.profile import ProfileService
from services.bootstrap import Services
from services.domain.permissions import Actor, Role
from services.errors import NotFound, PermissionDenied, ServiceUnavailable, ValidationError
from tests.contract.cognito_backend import MockedCognito

PASSWORD = "Temporary-pass-1"


@pytest.fixture
def services(cognito_services: Services) -> Services:
    return cognito_services


@pytest.fixture
def alice(services: Services) -> Actor:
    root = services.accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD)
    user = services.accounts.create_user(root.as_actor(), "alice", "앨리스", "alice@example.com",
                                         PASSWORD, frozenset({Role.VIEWER}))
    return user.as_actor()


def _attributes(cognito: MockedCognito, username: str) -> dict[str, str]:
    raw = cognito.client.admin_get_user(UserPoolId=cognito.pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in raw["UserAttributes"]}


def test_an_administrator_made_user_edits_company_language_and_name(
        services: Services, cognito: MockedCognito, alice: Actor) -> None:
    assert services.profile is not None
    profiles = services.profile

    profiles.update_profile(alice, "alice", name="Alice Kim", email="alice@example.com",
                            company="Acme")
    profiles.set_language(alice, "alice", "en")

    user = profiles.profile(alice, "alice")
    assert (user.name, user.email, user.company, user.language) == (
        "Alice Kim", "alice@example.com", "Acme", "en")
    assert _attributes(cognito, "alice")["name"] == "Alice Kim"  # the pool keeps the name


def test_a_new_email_waits_unverified_in_the_pool_until_its_code(
        services: Services, cognito: MockedCognito, alice: Actor) -> None:
    assert services.profile is not None

    services.profile.update_profile(alice, "alice", name="앨리스", email="new@example.com",
                                    company="")

    attributes = _attributes(cognito, "alice")
    assert (attributes["email"], attributes["email_verified"]) == ("new@example.com", "false")
    assert services.profile.profile(alice, "alice").pending_email == "new@example.com"
    # The template's pool keeps the verified address until the code is confirmed
    # (AttributesRequireVerificationBeforeUpdate; moto replaces it): that one is shown.
    _set_pool_email(cognito, "alice@example.com")
    user = services.profile.profile(alice, "alice")
    assert (user.email, user.pending_email) == ("alice@example.com", "new@example.com")
    # Saving the form again (it shows the waiting address) asks the pool for nothing new.
    services.profile.update_profile(alice, "alice", name="앨리스", email="new@example.com",
                                    company="Acme")
    assert _attributes(cognito, "alice")["email"] == "alice@example.com"

    _set_pool_email(cognito, "new@example.com")  # the code confirmed
    user = services.profile.profile(alice, "alice")
    assert (user.email, user.pending_email) == ("new@example.com", "")


def test_giving_the_verified_email_again_cancels_the_change(
        services: Services, cognito: MockedCognito, alice: Actor) -> None:
    assert services.profile is not None
    services.profile.update_profile(alice, "alice", name="앨리스", email="new@example.com",
                                    company="")
    _set_pool_email(cognito, "alice@example.com")

    services.profile.update_profile(alice, "alice", name="앨리스", email="alice@example.com",
                                    company="")

    user = services.profile.profile(alice, "alice")
    assert (user.email, user.pending_email) == ("alice@example.com", "")
    assert _attributes(cognito, "alice")["email_verified"] == "true"


def test_choosing_a_language_keeps_a_new_email_waiting_for_its_code(
        services: Services, cognito: MockedCognito, alice: Actor) -> None:
    assert services.profile is not None
    services.profile.update_profile(alice, "alice", name="앨리스", email="new@example.com",
                                    company="")
    _set_pool_email(cognito, "alice@example.com")  # the template's pool keeps the verified one

    services.profile.set_language(alice, "alice", "en")

    user = services.profile.profile(alice, "alice")
    assert (user.email, user.pending_email, user.language) == (
        "alice@example.com", "new@example.com", "en")


def _set_pool_email(cognito: MockedCognito, email: str) -> None:
    cognito.client.admin_update_user_attributes(
        UserPoolId=cognito.pool_id, Username="alice",
        UserAttributes=[{"Name": "email", "Value": email},
                        {"Name": "email_verified", "Value": "true"}])


def test_a_role_request_is_kept_in_the_record(services: Services, alice: Actor) -> None:
    assert services.profile is not None

    services.profile.request_author(alice, "alice", "I build demos")

    assert services.profile.profile(alice, "alice").pending_role == Role.AUTHOR


def test_delete_my_account_removes_the_pool_user_and_the_record(
        services: Services, cognito: MockedCognito, alice: Actor) -> None:
    assert services.profile is not None and services.ports.signup is not None
    services.profile.update_profile(alice, "alice", name="앨리스", email="alice@example.com",
                                    company="Acme")

    services.profile.delete_account(alice, "alice", confirm="alice")

    with pytest.raises(NotFound):
        services.accounts.get("alice")
    records: Any = services.ports.throttle  # the users table beside the pool
    with pytest.raises(NotFound):
        records.get("alice")


class _Codes:
    """The pool's email check as the profile sees it (moto has no VerifyUserAttribute: the
    adapter's calls are checked against botocore's Stubber below)."""

    def __init__(self) -> None:
        self.verified: list[tuple[str, str]] = []
        self.resent: list[str] = []

    def verify_email(self, access_token: str, code: str) -> None:
        if code != "123456":
            raise ValidationError("cognito.err_code")
        self.verified.append((access_token, code))

    def resend_email_code(self, access_token: str) -> None:
        self.resent.append(access_token)


def test_the_code_from_the_mail_confirms_the_new_email_with_the_users_token(
        services: Services, alice: Actor) -> None:
    codes = _Codes()
    profiles = ProfileService(services.ports.signup,  # type: ignore[arg-type]
                              services.ports.audit, email_codes=codes)

    with pytest.raises(ValidationError):
        profiles.verify_email(alice, "alice", "access-1", "000000")
    profiles.verify_email(alice, "alice", "access-1", " 123456 ")
    profiles.resend_email_code(alice, "alice", "access-1")

    assert codes.verified == [("access-1", "123456")] and codes.resent == ["access-1"]
    with pytest.raises(PermissionDenied):  # somebody else's email: never
        profiles.verify_email(alice, "root", "access-1", "123456")
    with pytest.raises(ServiceUnavailable):  # the session holds no token any more
        profiles.verify_email(alice, "alice", None, "123456")


def test_the_pool_adapter_sends_the_code_with_the_access_token(cognito: MockedCognito) -> None:
    identity = cognito.identity()
    with Stubber(cognito.client) as stub:
        stub.add_response("verify_user_attribute", {},
                          {"AccessToken": "tok", "AttributeName": "email", "Code": "123456"})
        stub.add_client_error("verify_user_attribute", "CodeMismatchException")
        stub.add_response("get_user_attribute_verification_code", {},
                          {"AccessToken": "tok", "AttributeName": "email"})
        identity.verify_email("tok", "123456")
        with pytest.raises(ValidationError):
            identity.verify_email("tok", "999999")
        identity.resend_email_code("tok")
        stub.assert_no_pending_responses()
