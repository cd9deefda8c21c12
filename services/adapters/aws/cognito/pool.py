"""The pool's user directory as the app and ``scripts.claim_emails`` build it: one email, one
account, with the addresses claimed in the users table beside the sign-up records that keep
the address a profile change asks for."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from typing import TYPE_CHECKING

from services.accounts.sign_in.base import group_names
from services.adapters.aws.cognito.directory import CognitoUserDirectory
from services.adapters.aws.cognito.emails import PoolEmails
from services.errors import NotFound
from services.settings import Settings

if TYPE_CHECKING:
    from types_boto3_cognito_idp.client import CognitoIdentityProviderClient
    from types_boto3_dynamodb.client import DynamoDBClient

    from services.adapters.aws.cognito.signup import SignupRecords


def pool_directory(settings: Settings, client: CognitoIdentityProviderClient,
                   dynamodb: DynamoDBClient, records: SignupRecords,
                   guard: Callable[[], AbstractContextManager[object]] | None = None,
                   ) -> CognitoUserDirectory:
    assert settings.cognito_user_pool_id and settings.users_table
    pool = settings.cognito_user_pool_id
    emails = PoolEmails(client, pool, (dynamodb, settings.users_table),
                        asked_for=partial(_asked_email, records))
    return CognitoUserDirectory(client, pool, group_names(settings), guard=guard, emails=emails)


def _asked_email(records: SignupRecords, username: str) -> str | None:
    """The address an account's sign-up record holds (None without a record)."""
    try:
        return records.get(username).email
    except NotFound:
        return None
