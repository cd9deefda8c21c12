"""Config doctor: the Cognito user pool, its app client, the role groups and the accounts'
email claims (up to a bound; aws + cognito)."""

from __future__ import annotations

import hmac
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.adapters.aws.common import error_code, resend_delay
from services.adapters.aws.doctor_checks import AWS, aws_failure, client_of
from services.adapters.aws.dynamodb.email_claims import claim_key
from services.domain.checks import DoctorLine, doctor_line, skipped_line
from services.domain.email_claims import claim_address
from services.domain.identity import POOL_TOKEN_ATTRIBUTES
from services.ops.doctor.base import Check, DoctorContext

# The client must allow what the app calls: password sign-in (users), admin password checks
# (the app's own password verification) and refresh (sessions that survive a browser refresh).
REQUIRED_FLOWS = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                  "ALLOW_REFRESH_TOKEN_AUTH")
CLAIMS_PAGE = 60  # accounts per ListUsers page (its largest) and per BatchGetItem of claims
# Pages the doctor reads at most (600 accounts, 20 calls): it stays quick on any pool, and its
# line says where it stopped; ``scripts.claim_emails`` reads the whole pool.
CLAIMS_PAGES = 10
CLAIMS_NAMED = 5  # of those without one, named on the line
CLAIMS_ATTEMPTS = 3  # BatchGetItem calls, for what DynamoDB leaves unprocessed
# Seconds per unit of the client's token lifetimes (``TokenValidityUnits``; days unless set).
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
AWS_REFRESH_DAYS = 30  # a client that states no refresh token lifetime


def role_groups(context: DoctorContext) -> list[str]:
    s = context.settings
    return [s.cognito_group_viewer, s.cognito_group_author, s.cognito_group_analyst,
            s.cognito_group_admin]


def check_cognito(context: DoctorContext) -> list[DoctorLine]:
    settings = context.settings
    if settings.auth == "oidc":  # ops/doctor/oidc.py reports the sign-in
        return []
    if settings.auth != "cognito":
        return [skipped_line("cognito", "doc_cognito_not_used")]
    pool, app = settings.cognito_user_pool_id, settings.cognito_app_client_id
    if not pool or not app:
        variable = "DEMO_FACTORY_COGNITO_USER_POOL_ID" if not pool else (
            "DEMO_FACTORY_COGNITO_APP_CLIENT_ID")
        return [doctor_line("cognito", False, "doc_setting_missing", "fix_setting_missing",
                            variable=variable)]
    client = client_of(context.cognito, "cognito-idp", context)
    region = str(client.meta.region_name)
    try:
        described = client.describe_user_pool(UserPoolId=pool)
    except (ClientError, BotoCoreError) as exc:
        if error_code(exc) == "ResourceNotFoundException":
            # bootstrap_aws makes no Cognito resources: the setting or the Region is wrong.
            return [doctor_line("cognito.pool", False, "doc_cognito_pool_missing",
                                "fix_cognito_pool_missing", pool=pool, region=region)]
        return [aws_failure("cognito.pool", exc, pool)]
    secret = settings.cognito_app_client_secret
    return [doctor_line("cognito.pool", True, "doc_cognito_pool_ok", pool=pool),
            *_client_lines(client, pool, app, secret.get_secret_value() if secret else None,
                           settings.session_days),
            _groups_line(client, pool, role_groups(context)),
            _signup_line(described["UserPool"], settings.signup),
            *_claims_lines(client, client_of(context.dynamodb, "dynamodb", context), pool,
                           settings.users_table)]


def _signup_line(pool: dict[str, Any], mode: str) -> DoctorLine:
    """The pool must let visitors call SignUp exactly when DEMO_FACTORY_SIGNUP is on: an
    admin-only pool refuses every sign-up; an open pool with sign-up off takes sign-ups
    the app never offered (the stack's SelfSignUp parameter sets both)."""
    admin_only = bool(pool.get("AdminCreateUserConfig", {}).get("AllowAdminCreateUserOnly"))
    if admin_only == (mode == "off"):
        return doctor_line("cognito.signup", True, "doc_cognito_signup_ok", mode=mode)
    detail = "doc_cognito_signup_refused" if admin_only else "doc_cognito_signup_unwanted"
    return doctor_line("cognito.signup", False, detail, "fix_cognito_signup", mode=mode)


def _client_lines(client: Any, pool: str, app: str, secret: str | None,
                  session_days: float) -> list[DoctorLine]:
    try:
        found = client.describe_user_pool_client(UserPoolId=pool, ClientId=app)["UserPoolClient"]
    except (ClientError, BotoCoreError) as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return [doctor_line("cognito.client", False, "doc_cognito_client_missing",
                                "fix_cognito_client_missing", client=app, pool=pool)]
        return [aws_failure("cognito.client", exc, app)]
    return [_flows_line(found, app), _attributes_line(found, app),
            _secret_line(found, app, secret), _lifetime_line(found, app, session_days)]


def refresh_days(found: dict[str, Any]) -> float:
    """How long the client's refresh tokens last, in days."""
    value = found.get("RefreshTokenValidity") or AWS_REFRESH_DAYS
    unit = (found.get("TokenValidityUnits") or {}).get("RefreshToken") or "days"
    return float(value) * UNIT_SECONDS.get(unit, UNIT_SECONDS["days"]) / 86400


def _lifetime_line(found: dict[str, Any], app: str, session_days: float) -> DoctorLine:
    """A sign-in lasts DEMO_FACTORY_SESSION_DAYS only if the pool's refresh token lasts as
    long: one that runs out first is refused by the pool ("Refresh Token has expired"), and
    the sign-in ends that many days early (an open tab is told it expired)."""
    check = "cognito.client.lifetime"
    pool_days = refresh_days(found)
    params = {"client": app, "pool_days": f"{pool_days:g}", "days": f"{session_days:g}"}
    if pool_days >= session_days:
        return doctor_line(check, True, "doc_cognito_lifetime_ok", **params)
    return doctor_line(check, False, "doc_cognito_lifetime_short", "fix_cognito_lifetime",
                       **params)


def _flows_line(found: dict[str, Any], app: str) -> DoctorLine:
    flows = set(found.get("ExplicitAuthFlows", []))
    missing = [flow for flow in REQUIRED_FLOWS if flow not in flows]
    if missing:
        return doctor_line(
            "cognito.client", False, "doc_cognito_flows_missing", "fix_cognito_flows",
            client=app, flows=", ".join(missing))
    return doctor_line("cognito.client", True, "doc_cognito_client_ok", client=app)


def _attributes_line(found: dict[str, Any], app: str) -> DoctorLine:
    """The ID token holds only the attributes the client may read: without ``name`` every
    user is greeted and bylined by their user name. A client that lists none reads them all
    (AWS's default)."""
    readable = set(found.get("ReadAttributes") or ())
    missing = [a for a in POOL_TOKEN_ATTRIBUTES if readable and a not in readable]
    if missing:
        return doctor_line("cognito.client.attributes", False, "doc_cognito_attributes_missing",
                           "fix_cognito_attributes", client=app,
                           attributes=", ".join(missing))
    return doctor_line("cognito.client.attributes", True, "doc_cognito_attributes_ok",
                       client=app, attributes=", ".join(POOL_TOKEN_ATTRIBUTES))


def _secret_line(found: dict[str, Any], app: str, secret: str | None) -> DoctorLine:
    """A client with a secret refuses every call without its SECRET_HASH, and a client without
    one refuses a SECRET_HASH: the setting must match the client. Neither value is shown."""
    check = "cognito.client.secret"
    has_secret = found.get("ClientSecret")
    if not has_secret and secret is None:
        return doctor_line(check, True, "doc_cognito_secret_none", client=app)
    if not has_secret:
        return doctor_line(check, False, "doc_cognito_secret_unexpected",
                           "fix_cognito_secret_unexpected", client=app)
    if secret is None:
        return doctor_line(check, False, "doc_cognito_secret_unset", "fix_cognito_secret_unset",
                           client=app)
    if not hmac.compare_digest(str(has_secret).encode(), secret.encode()):
        return doctor_line(check, False, "doc_cognito_secret_wrong", "fix_cognito_secret_unset",
                           client=app)
    return doctor_line(check, True, "doc_cognito_secret_ok", client=app)


def _groups_line(client: Any, pool: str, wanted: list[str]) -> DoctorLine:
    try:
        pages = client.get_paginator("list_groups").paginate(UserPoolId=pool)
        present = {g["GroupName"] for page in pages for g in page.get("Groups", [])}
    except (ClientError, BotoCoreError) as exc:
        return aws_failure("cognito.groups", exc, pool)
    missing = [group for group in wanted if group not in present]
    if missing:
        return doctor_line(
            "cognito.groups", False, "doc_cognito_groups_missing", "fix_cognito_groups",
            pool=pool, groups=", ".join(missing))
    return doctor_line("cognito.groups", True, "doc_cognito_groups_ok", groups=", ".join(wanted))


def _claims_lines(client: Any, dynamodb: Any, pool: str, table: str | None) -> list[DoctorLine]:
    """Pool accounts that hold no claim of their email (made before claims existed, or in the
    console): a new account could take the address in another case. Every ListUsers page up to
    ``CLAIMS_PAGES``, each with one BatchGetItem of its claims; a larger pool is looked at up to
    there, and the line says so."""
    check = "cognito.email_claims"
    if not table:
        return []  # the settings check names the missing variable
    try:
        looked, missing, whole = _pool_claims(client, dynamodb, pool, table)
    except (ClientError, BotoCoreError) as exc:
        return [aws_failure(check, exc, table)]
    if not missing:
        detail = "doc_cognito_claims_ok" if whole else "doc_cognito_claims_ok_partial"
        return [doctor_line(check, True, detail, looked=looked)]
    names = ", ".join(missing[:CLAIMS_NAMED]) + (", …" if len(missing) > CLAIMS_NAMED else "")
    detail = "doc_cognito_claims_missing" if whole else "doc_cognito_claims_missing_partial"
    return [doctor_line(check, False, detail, "fix_cognito_claims", count=len(missing),
                        looked=looked, names=names)]


def _pool_claims(client: Any, dynamodb: Any, pool: str,
                 table: str) -> tuple[int, list[str], bool]:
    """(accounts looked at, those without the claim of their email, whether that was the
    whole pool), page by page up to ``CLAIMS_PAGES``."""
    looked, missing = 0, []
    token: str | None = None
    for _ in range(CLAIMS_PAGES):
        answer = client.list_users(UserPoolId=pool, Limit=CLAIMS_PAGE,
                                   **({"PaginationToken": token} if token else {}))
        emails = {str(user["Username"]): email for user in answer.get("Users", [])
                  if (email := _email_of(user))}
        owners = _claim_owners(dynamodb, table, set(emails.values()))
        seen = [name for name, email in emails.items() if claim_address(email) in owners]
        looked += len(seen)
        missing += [name for name in seen if owners[claim_address(emails[name])] != name]
        token = answer.get("PaginationToken")
        if not token:
            return looked, sorted(missing), True
    return looked, sorted(missing), False


def _email_of(user: dict[str, Any]) -> str:
    return next((str(a["Value"]) for a in user.get("Attributes", []) if a["Name"] == "email"),
                "")


def _claim_owners(dynamodb: Any, table: str, emails: set[str]) -> dict[str, str | None]:
    """Each address's claim owner (None: no claim), by ``claim_address``; an address DynamoDB
    left unprocessed after a few tries is left out (not looked at)."""
    keys = {claim_key(email)["username"]["S"]: claim_address(email) for email in emails}
    owners: dict[str, str | None] = {address: None for address in keys.values()}
    if not keys:
        return owners
    request: dict[str, Any] = {table: {
        "Keys": [{"username": {"S": key}} for key in keys], "ConsistentRead": True,
        "ProjectionExpression": "#u, #o", "ExpressionAttributeNames": {"#u": "username",
                                                                        "#o": "owner"}}}
    for attempt in range(1, CLAIMS_ATTEMPTS + 1):
        if attempt > 1:
            time.sleep(resend_delay(attempt - 1))
        answer = dynamodb.batch_get_item(RequestItems=request)
        for item in answer.get("Responses", {}).get(table, []):
            owners[keys[item["username"]["S"]]] = item.get("owner", {}).get("S")
        request = answer.get("UnprocessedKeys") or {}
        if not request:
            return owners
    for key in request.get(table, {}).get("Keys", []):
        owners.pop(keys[key["username"]["S"]], None)
    return owners


COGNITO_CHECKS = [Check("cognito", check_cognito, AWS)]
