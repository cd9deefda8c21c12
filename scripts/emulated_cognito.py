"""moto's Cognito made to answer as AWS does where the app's flows notice: small patches that
scripts/emulate.py applies to moto in its own process, where ThreadedMotoServer runs.

A fidelity fix of a developer tool, not app code: nothing under ``services/`` knows of it.
Each patch wraps one moto call and says which AWS behaviour it restores:

- **A reset deactivates the password.** After AdminResetUserPassword, AWS answers a password
  sign-in with PasswordResetRequiredException (for any password); moto signed the user in with
  the old one.
- **A reset code is sent, and only it works.** AWS mails a code on AdminResetUserPassword and
  ForgotPassword, and ConfirmForgotPassword takes only the latest one (then the user is
  CONFIRMED again). moto sends nothing and takes any code. Here a 6-digit code is made and
  printed on the emulator's console, as the mail's stand-in ("emulated mail ... code 123456"),
  and only that code is taken.
- **RevokeToken exists.** moto lacks it (a traceback in the console at every sign-out). Here it
  revokes the refresh token (a refresh with it is refused); the access tokens it gave stay
  valid until they expire, where AWS ends them too.

Not emulated (no patch): any other mail (invitations' temporary passwords, sign-up codes, which
moto does not check either), PreventUserExistenceErrors (moto tells an unknown user apart), the
password policy on ConfirmForgotPassword (the app checks its own rule first).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.cognitoidp.exceptions import CodeMismatchException
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser, UserStatus
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, EmptyResult

CODE_DIGITS = 6
PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")


class PasswordResetRequiredException(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("PasswordResetRequiredException", "Password reset required for the user")


def _user(backend: CognitoIdpBackend, client_id: str, username: str) -> CognitoIdpUser | None:
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            found: CognitoIdpUser | None = pool._get_user(username)
            return found
    return None


def _refuse_a_reset_password(user: CognitoIdpUser | None) -> None:
    if user is not None and user.enabled and user.status is UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException


def _send_code(user: CognitoIdpUser) -> str:
    """The code AWS would mail, printed where the person running the emulation reads it."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    user.confirmation_code = code
    address = user.attribute_lookup.get("email", "")
    print(f"  emulated mail to {user.username} <{address}>: password reset code {code}", flush=True)
    return code


def initiate_auth(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(
        self: CognitoIdpBackend, client_id: str, auth_flow: str, auth_parameters: dict[str, str]
    ) -> Any:
        if auth_flow in PASSWORD_FLOWS:
            _refuse_a_reset_password(_user(self, client_id, auth_parameters.get("USERNAME", "")))
        return original(self, client_id, auth_flow, auth_parameters)

    return patched


def admin_initiate_auth(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(
        self: CognitoIdpBackend,
        user_pool_id: str,
        client_id: str,
        auth_flow: str,
        auth_parameters: dict[str, str],
    ) -> Any:
        if auth_flow in PASSWORD_FLOWS:
            _refuse_a_reset_password(_user(self, client_id, auth_parameters.get("USERNAME", "")))
        return original(self, user_pool_id, client_id, auth_flow, auth_parameters)

    return patched


def admin_reset_user_password(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: CognitoIdpBackend, user_pool_id: str, username: str) -> None:
        original(self, user_pool_id, username)
        user = self.admin_get_user(user_pool_id, username)
        if user.status is UserStatus.RESET_REQUIRED:
            _send_code(user)

    return patched


def forgot_password(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: CognitoIdpBackend, client_id: str, username: str) -> Any:
        code, response = original(self, client_id, username)
        user = _user(self, client_id, username)
        return (_send_code(user) if user is not None else code), response

    return patched


def confirm_forgot_password(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(
        self: CognitoIdpBackend,
        client_id: str,
        username: str,
        password: str,
        confirmation_code: str,
    ) -> None:
        user = _user(self, client_id, username)
        if user is not None and (
            not user.confirmation_code or confirmation_code != user.confirmation_code
        ):
            raise CodeMismatchException("Invalid verification code provided, please try again.")
        original(self, client_id, username, password, confirmation_code)
        if user is not None:
            user.status = UserStatus.CONFIRMED

    return patched


def revoke_token(self: CognitoIdpResponse) -> ActionResult:
    token, client_id = self._get_param("Token"), self._get_param("ClientId")
    backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
    for pool in backend.user_pools.values():
        if token in pool.refresh_tokens:
            pool.refresh_tokens[token] = None
    return EmptyResult()


_BACKEND_PATCHES = (
    initiate_auth,
    admin_initiate_auth,
    admin_reset_user_password,
    forgot_password,
    confirm_forgot_password,
)


@contextmanager
def cognito_as_on_aws() -> Iterator[None]:
    """moto's Cognito with the patches above, in this process, until the block ends."""
    with ExitStack() as stack:
        for patch in _BACKEND_PATCHES:
            original = getattr(CognitoIdpBackend, patch.__name__)
            stack.enter_context(
                mock.patch.object(CognitoIdpBackend, patch.__name__, patch(original))
            )
        stack.enter_context(
            mock.patch.object(CognitoIdpResponse, "revoke_token", revoke_token, create=True)
        )
        yield
