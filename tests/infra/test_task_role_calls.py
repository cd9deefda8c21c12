"""Every AWS call the app and the doctor make is allowed by the stack's task role.

Two views of the same promise. The first reads the source: every boto3 operation named in a
module that speaks to AWS (``client.<operation>(``, ``get_paginator("<operation>")``, a
presigned ``get_object``, an operation passed by name) is translated to its IAM action and
looked up in the template's task role, on this stack's tables, bucket or pool. The second runs
the doctor on moto and checks each call it makes against the very table, bucket or pool it
named: a check the role refuses shows as "not allowed to use a cloud resource" on a default
deploy, which is what this test is for.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore import xform_name
from cfnlint.decode import cfn_yaml

from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.schema import TABLE_SPECS
from services.bootstrap import doctor_checks
from services.ops.doctor.base import DoctorContext, run_doctor
from tests.contract.cognito_backend import mocked_cognito
from tests.infra.test_cloudformation import (
    TEMPLATE,
    Template,
    as_list,
    resources_of,
    statements,
    template_tables,
)

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
# The services the app's clients speak to (bedrock-runtime and sesv2 share an IAM prefix).
CLIENT_SERVICES = ("dynamodb", "s3", "cognito-idp", "sts", "bedrock", "bedrock-runtime", "ses",
                   "sesv2")
# Run with the operator's own credentials, never as the task role: bootstrap_aws creates what
# the stack already declares; import_legacy reads the previous platform's tables and bucket.
OPERATOR_ONLY = {
    SERVICES / "adapters" / "aws" / "provision.py",
    SERVICES / "adapters" / "aws" / "legacy_source.py",
}
# Where the IAM action is not "<prefix>:<OperationName>".
RENAMED: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "GetPublicAccessBlock"): ("s3:GetBucketPublicAccessBlock",),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("bedrock-runtime", "Converse"): ("bedrock:InvokeModel",),
    ("bedrock-runtime", "ConverseStream"): ("bedrock:InvokeModelWithResponseStream",),
    ("dynamodb", "TransactGetItems"): ("dynamodb:GetItem",),
}
# TransactWriteItems is authorised item by item, by the kind of each item the app writes.
TRANSACT_ITEMS = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem",
                  "Delete": "dynamodb:DeleteItem", "ConditionCheck": "dynamodb:ConditionCheckItem"}
S3_OBJECT_ACTIONS = {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
BUCKET_OBJECTS = {"Fn::Sub": "${FilesBucket.Arn}/*"}
BUCKET = {"Fn::GetAtt": ["FilesBucket", "Arn"]}
POOL = {"Fn::GetAtt": ["UserPool", "Arn"]}


@pytest.fixture(scope="module")
def template() -> Template:
    loaded: Template = cfn_yaml.load(str(TEMPLATE))
    return loaded


@dataclass(frozen=True)
class Call:
    service: str
    operation: str  # the API's name: DescribeTable
    where: str  # file:line in the source, or what the doctor named


# ---- from operation to IAM action -------------------------------------------------------------


@cache
def _operations() -> dict[str, list[tuple[str, str]]]:
    """snake_case name -> (service, OperationName) for every client service."""
    session = botocore.session.get_session()
    found: dict[str, list[tuple[str, str]]] = {}
    for service in CLIENT_SERVICES:
        for name in session.get_service_model(service).operation_names:
            found.setdefault(xform_name(name), []).append((service, name))
    return found


def iam_actions(call: Call, transact_kinds: set[str]) -> set[str]:
    """The IAM actions the call needs; none for Cognito's token calls (no IAM signature)."""
    session = botocore.session.get_session()
    model = session.get_service_model(call.service)
    if model.operation_model(call.operation).auth_type == "none":
        return set()
    if (call.service, call.operation) == ("dynamodb", "TransactWriteItems"):
        assert transact_kinds, f"{call.where}: no transaction items found"
        return {TRANSACT_ITEMS[kind] for kind in transact_kinds}
    renamed = RENAMED.get((call.service, call.operation))
    return set(renamed) if renamed else {f"{model.signing_name}:{call.operation}"}


# ---- the source scan --------------------------------------------------------------------------


def _speaks_to_aws(path: Path, text: str) -> bool:
    if path in OPERATOR_ONLY:
        return False
    return (SERVICES / "adapters" / "aws") in path.parents or any(
        word in text for word in ("boto3", "botocore", "make_client", "aws_client"))


def aws_modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(text)) for path in sorted(SERVICES.rglob("*.py"))
            if _speaks_to_aws(path, text := path.read_text())]


def _named_operations(node: ast.Call) -> Iterator[str]:
    """The operations a call names: ``client.query(``, and ``get_paginator("query")``,
    ``generate_presigned_url("get_object")`` or ``self._call("converse")``."""
    if isinstance(node.func, ast.Attribute):
        yield node.func.attr
    first = node.args[:1] + [k.value for k in node.keywords if k.arg == "ClientMethod"]
    for value in first:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            yield value.value
    if isinstance(node.func, ast.Attribute) and node.func.attr == "get_waiter" and node.args:
        raise AssertionError(f"line {node.lineno}: map the waiter to its operation here")


def source_calls() -> tuple[list[Call], set[str]]:
    """Every operation the AWS-speaking modules name, and the transaction item kinds."""
    calls: list[Call] = []
    kinds: set[str] = set()
    for path, tree in aws_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                kinds |= {k.value for k in node.keys
                          if isinstance(k, ast.Constant) and k.value in TRANSACT_ITEMS}
            if not isinstance(node, ast.Call):
                continue
            for name in _named_operations(node):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                calls.extend(Call(service, operation, where)
                             for service, operation in _operations().get(name, []))
    return calls, kinds


# ---- the template -----------------------------------------------------------------------------


def granted(template: Template, action: str) -> list[Any]:
    """Every resource the task role allows ``action`` on (both sides of each condition)."""
    return [arn for statement in statements(template)
            if action in as_list(statement["Action"]) for arn in resources_of(statement)]


def _stack_resource(template: Template, action: str) -> list[Any]:
    """Where an action of this service must be allowed: this stack's own resources."""
    if action.startswith("dynamodb:"):
        return [{"Fn::GetAtt": [logical, "Arn"]} for logical in template_tables(template).values()]
    if action.startswith("s3:"):
        return [BUCKET_OBJECTS if action in S3_OBJECT_ACTIONS else BUCKET]
    if action.startswith("cognito-idp:"):
        return [POOL]
    return []  # Bedrock, STS and SES: their own tests say on what (test_cloudformation.py)


def refused(template: Template, call: Call, actions: set[str]) -> list[str]:
    problems = []
    for action in sorted(actions):
        where = granted(template, action)
        wanted = _stack_resource(template, action)
        if not where or (wanted and not any(arn in where for arn in wanted)):
            problems.append(f"{call.where}: {call.service}.{call.operation} needs {action}")
    return problems


def test_the_source_scan_finds_the_app_and_the_doctor_calls() -> None:
    """The scan itself: it must see calls of every kind it claims to (so an empty or broken
    scan cannot pass the test below)."""
    calls, kinds = source_calls()
    named = {(c.service, c.operation) for c in calls}

    assert {("dynamodb", "Query"), ("dynamodb", "TransactWriteItems"),  # paginator, direct
            ("s3", "GetObject"), ("cognito-idp", "ListUsers"),  # presigned, paginator
            ("bedrock-runtime", "Converse"),  # passed by name
            ("dynamodb", "DescribeContinuousBackups"), ("s3", "GetBucketVersioning"),
            ("cognito-idp", "ListGroups")} <= named  # the doctor's
    assert {"Put", "Update", "Delete"} <= kinds
    assert not any("provision.py" in c.where for c in calls)


def test_every_call_in_the_source_is_allowed_by_the_task_role(template: Template) -> None:
    calls, kinds = source_calls()

    problems = sorted({p for call in calls
                       for p in refused(template, call, iam_actions(call, kinds))})

    assert not problems, "\n".join(problems)


# ---- the doctor, run -------------------------------------------------------------------------


def _record(calls: list[tuple[str, str, dict[str, Any]]], service: str) -> Any:
    def handler(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((service, model.name, dict(params)))
    return handler


def _table_named(params: dict[str, Any]) -> str | None:
    """The table a call names: its TableName, or the one table of a batch's RequestItems."""
    if "RequestItems" in params:
        [table] = params["RequestItems"]
        return str(table)
    return params.get("TableName")


def _named_resource(template: Template, service: str, params: dict[str, Any],
                    table_keys: dict[str, str]) -> Any:
    """The template's ARN of the resource a call named (by table, bucket or pool)."""
    if table := _table_named(params):
        return {"Fn::GetAtt": [template_tables(template)[table_keys[table]], "Arn"]}
    if "Bucket" in params:
        return BUCKET_OBJECTS if "Key" in params else BUCKET
    if "UserPoolId" in params:
        return POOL
    raise AssertionError(f"{service}: a call naming no resource: {params}")


def test_every_call_the_doctor_makes_is_allowed_on_what_it_names(
    template: Template, tmp_path: Path
) -> None:
    made: list[tuple[str, str, dict[str, Any]]] = []
    with mocked_cognito() as cognito:
        settings = cognito.settings
        # An account with an email, so that the email-claims check reads its claim.
        cognito.client.admin_create_user(
            UserPoolId=cognito.pool_id, Username="kim", MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": "kim@example.com"}])

        def factory(service: str) -> Any:
            client = make_client(service, settings)
            client.meta.events.register("before-parameter-build", _record(made, service))
            return lambda _settings: client

        context = DoctorContext(settings, env={}, include_bedrock=False,
                                streamlit_config=tmp_path / "config.toml",
                                dynamodb=factory("dynamodb"), s3=factory("s3"),
                                cognito=factory("cognito-idp"))
        run_doctor(context, doctor_checks())
    table_keys = {str(getattr(settings, spec.setting)): key for key, spec in TABLE_SPECS.items()}

    problems = []
    for service, operation, params in made:
        call = Call(service, operation, f"doctor {params}")
        arn = _named_resource(template, service, params, table_keys)
        problems += [f"{call.service}.{operation} on {arn} needs {action}"
                     for action in sorted(iam_actions(call, set()))
                     if arn not in granted(template, action)]

    assert not problems, "\n".join(problems)
    touched = {_table_named(p) or p.get("Bucket") or p.get("UserPoolId") for *_, p in made}
    assert touched == {*table_keys, settings.bucket, settings.cognito_user_pool_id}
