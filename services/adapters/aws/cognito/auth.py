"""Sign-in and passwords against an Amazon Cognito user pool.

``CognitoIdentityProvider`` implements the user's own flows (IdentityProvider port): sign-in
with USER_PASSWORD_AUTH, the NEW_PASSWORD_REQUIRED challenge, refresh, forgot/confirm and
change password, sign-out. ``CognitoPasswords`` implements the administrator's side
(PasswordAuthenticator port): set, reset and invite, and ending every sign-in of a user
(PoolSignOut port). With an app client secret every call carries SECRET_HASH.

Sign-out revokes this session's refresh token (RevokeToken): other browsers of the same user
stay signed in. Where RevokeToken is unavailable (token revocation off on the client, or an
emulator without it) it falls back to GlobalSignOut, which ends every session of the user.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict, cast

from services.adapters.aws.cognito.common import cognito_errors, secret_hash
from services.adapters.aws.common import AWS_ERRORS
from services.domain.identity import Challenge, ChallengeName, SignInStep, Tokens
from services.domain.users import PasswordReset
from services.errors import PermissionDenied, ValidationError

if TYPE_CHECKING:
    from types_boto3_cognito_idp.client import CognitoIdentityProviderClient
    from types_boto3_cognito_idp.literals import ChallengeNameTypeType

log = logging.getLogger(__name__)


class _SecretHash(TypedDict, total=False):
    SecretHash: str


class _CognitoClient:
    def __init__(
        self,
        client: CognitoIdentityProviderClient,
        pool_id: str,
        client_id: str,
        client_secret: str | None = None,
    ) -> None:
        self._client = client
        self._pool = pool_id
        self._client_id = client_id
        self._secret = client_secret

    def _with_secret(self, params: dict[str, str], username: str) -> dict[str, str]:
        if self._secret:
            params["SECRET_HASH"] = secret_hash(self._client_id, self._secret, username)
        return params

    def _secret_kwargs(self, username: str) -> _SecretHash:
        if not self._secret:
            return {}
        return {"SecretHash": secret_hash(self._client_id, self._secret, username)}


class CognitoIdentityProvider(_CognitoClient):
    """Implements ``services.ports.IdentityProvider``."""

    def sign_in(self, username: str, password: str) -> SignInStep:
        params = self._with_secret({"USERNAME": username, "PASSWORD": password}, username)
        with cognito_errors(sign_in=True):
            response = self._client.initiate_auth(
                ClientId=self._client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
            )
        return _step(response, username)

    def answer_new_password(self, challenge: Challenge, new_password: str) -> SignInStep:
        responses = self._with_secret(
            {"USERNAME": challenge.username, "NEW_PASSWORD": new_password}, challenge.username
        )
        with cognito_errors(sign_in=True):
            response = self._client.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName=cast("ChallengeNameTypeType", challenge.name),
                Session=challenge.session,
                ChallengeResponses=responses,
            )
        return _step(response, challenge.username)

    def refresh(self, username: str, refresh_token: str) -> Tokens:
        params = self._with_secret({"REFRESH_TOKEN": refresh_token}, username)
        with cognito_errors(sign_in=True):
            response = self._client.initiate_auth(
                ClientId=self._client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params
            )
        step = _step(response, username)
        if not isinstance(step, Tokens):
            raise PermissionDenied("auth.err_bad_credentials")
        return step

    def forgot_password(self, username: str) -> None:
        with cognito_errors(sign_in=True):
            self._client.forgot_password(
                ClientId=self._client_id, Username=username, **self._secret_kwargs(username)
            )

    def confirm_forgot_password(self, username: str, code: str, new_password: str) -> None:
        with cognito_errors(sign_in=True):
            self._client.confirm_forgot_password(
                ClientId=self._client_id, Username=username, ConfirmationCode=code,
                Password=new_password, **self._secret_kwargs(username),
            )

    def change_password(self, access_token: str, current: str, new: str) -> None:
        with cognito_errors(sign_in=True):
            self._client.change_password(
                PreviousPassword=current, ProposedPassword=new, AccessToken=access_token
            )

    def verify_email(self, access_token: str, code: str) -> None:
        """Implements ``services.ports.EmailCodes``: the pool marks the new email verified."""
        with cognito_errors(sign_in=True):
            self._client.verify_user_attribute(
                AccessToken=access_token, AttributeName="email", Code=code
            )

    def resend_email_code(self, access_token: str) -> None:
        with cognito_errors(sign_in=True):
            self._client.get_user_attribute_verification_code(
                AccessToken=access_token, AttributeName="email"
            )

    def sign_out(self, access_token: str | None, refresh_token: str | None) -> None:
        if refresh_token and self._revoke(refresh_token):
            return
        if access_token:
            with cognito_errors(sign_in=True):
                self._client.global_sign_out(AccessToken=access_token)

    def username_for_login(self, login: str) -> str:
        """An email address is looked up (exactly one account must have it); anything else,
        or an address nobody has, is taken as the username itself."""
        text = login.strip()
        if "@" not in text or '"' in text or "\\" in text:
            return text
        with cognito_errors(sign_in=True):
            found = self._client.list_users(
                UserPoolId=self._pool, Filter=f'email = "{text}"', Limit=2
            ).get("Users", [])
        return str(found[0]["Username"]) if len(found) == 1 else text

    def _revoke(self, refresh_token: str) -> bool:
        kwargs: dict[str, str] = {"Token": refresh_token, "ClientId": self._client_id}
        if self._secret:
            kwargs["ClientSecret"] = self._secret
        try:
            self._client.revoke_token(**kwargs)
        except (*AWS_ERRORS, NotImplementedError) as exc:
            # NotImplementedError: emulators (moto) lack RevokeToken; GlobalSignOut still ends it.
            log.info("RevokeToken failed (%s); using GlobalSignOut", exc)
            return False
        return True


class CognitoPasswords(_CognitoClient):
    """Implements ``services.ports.PasswordAuthenticator`` for a Cognito pool."""

    sends_invitations = True
    keeps_hashes = False  # the pool keeps the passwords; no hash ever reaches the app

    def check(self, username: str, password: str) -> bool:
        """ADMIN_USER_PASSWORD_AUTH (the app client must allow it). The tokens it may return
        are dropped unused; a NEW_PASSWORD_REQUIRED challenge still means the password is
        right."""
        params = self._with_secret({"USERNAME": username, "PASSWORD": password}, username)
        try:
            with cognito_errors(sign_in=True):
                self._client.admin_initiate_auth(
                    UserPoolId=self._pool, ClientId=self._client_id,
                    AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=params,
                )
        except PermissionDenied:
            return False
        return True

    def set_password(self, username: str, password: str, *, temporary: bool = False,
                     replacing: str | None = None) -> None:
        if replacing is not None:  # the pool keeps the hashes; ChangePassword checks itself
            raise ValidationError("auth.err_hashes_in_provider")
        with cognito_errors():
            self._client.admin_set_user_password(
                UserPoolId=self._pool, Username=username, Password=password,
                Permanent=not temporary,
            )

    def reset_password(self, username: str) -> PasswordReset:
        """The pool mails the user a code; they set a new password with it at sign-in
        ("forgot password"). Needs a verified email (administrator-made ones are). A user who
        never signed in still has the invitation's temporary password, which the pool refuses
        to reset (NotAuthorizedException): they get the invitation again, with a new one. A sign-up
        whose code was never entered has no password to reset either: the administrator is told
        so, rather than "wrong name or password"."""
        with cognito_errors():
            found = self._client.admin_get_user(UserPoolId=self._pool, Username=username)
        if found.get("UserStatus") == "FORCE_CHANGE_PASSWORD":
            self.invite(username)
            return PasswordReset(invitation_resent=True)
        if found.get("UserStatus") == "UNCONFIRMED":  # refused by the pool as well
            raise ValidationError("cognito.err_reset_unconfirmed")
        with cognito_errors():
            self._client.admin_reset_user_password(UserPoolId=self._pool, Username=username)
        return PasswordReset()

    def sign_out_everywhere(self, username: str) -> None:
        """Implements ``services.ports.PoolSignOut``: AdminUserGlobalSignOut. A password change
        or reset alone leaves the user's refresh tokens working; this ends them (and the access
        tokens, for the pool's own calls). Needs ``cognito-idp:AdminUserGlobalSignOut``."""
        with cognito_errors():
            self._client.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)

    def invite(self, username: str) -> None:
        """(Re)send the invitation: a new temporary password by email."""
        with cognito_errors():
            self._client.admin_create_user(
                UserPoolId=self._pool, Username=username, MessageAction="RESEND",
                DesiredDeliveryMediums=["EMAIL"],
            )

    def must_change_password(self, username: str) -> bool:
        return False  # the pool answers a temporary password with its own challenge

    def password_hash(self, username: str) -> str:
        raise ValidationError("auth.err_hashes_in_provider")

    def set_password_hash(self, username: str, password_hash: str) -> None:
        raise ValidationError("auth.err_hashes_in_provider")


def _step(response: Mapping[str, Any], username: str) -> SignInStep:
    result = response.get("AuthenticationResult")
    if result:
        return Tokens(
            id_token=str(result["IdToken"]),
            access_token=str(result["AccessToken"]),
            refresh_token=result.get("RefreshToken"),
            expires_in=int(result.get("ExpiresIn", 3600)),
        )
    name = str(response.get("ChallengeName", ""))
    if name == ChallengeName.NEW_PASSWORD_REQUIRED:
        parameters = response.get("ChallengeParameters") or {}
        return Challenge(
            name=name,
            session=str(response["Session"]),
            username=str(parameters.get("USER_ID_FOR_SRP") or parameters.get("USERNAME")
                         or username),
        )
    # MFA and custom challenges are not offered by this app's pool configuration.
    raise ValidationError("cognito.err_challenge", name=name or "?")
