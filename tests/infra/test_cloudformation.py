"""deploy/cloudformation.yaml: cfn-lint clean, the same tables as TABLE_SPECS (and as
scripts/bootstrap_aws.py creates), every aws-mode setting passed to the container, and the
security properties the runbook promises (private bucket, scoped task role, origin header,
no caching, stickiness, health check, matching origin protocol and listener)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml
from moto import mock_aws

from scripts import emulate
from services.accounts.service import PASSWORD_MIN
from services.accounts.sign_in.base import group_names
from services.adapters.aws.common import make_client
from services.adapters.aws.dynamodb.schema import TABLE_SPECS, TableSpec
from services.adapters.aws.provision import ensure_resources
from services.ops.doctor.local import MIN_COOKIE_KEY
from services.resource_names import (
    DEFAULT_RESOURCE_PREFIX,
    RESOURCE_PREFIX_PATTERN,
    TABLE_SUFFIXES,
    bucket_name,
    table_name,
)
from services.settings import AWS_REQUIRED, COGNITO_REQUIRED, ENV_PREFIX, Settings
from tests.contract.aws_backends import aws_environment, aws_settings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "cloudformation.yaml"
WAF_TEMPLATE = ROOT / "deploy" / "waf.yaml"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
# The only actions that may have Resource "*": they take no resource ARN.
STAR_ACTIONS = {
    "bedrock:ListFoundationModels",
    "bedrock:ListInferenceProfiles",
    "bedrock:GetFoundationModelAvailability",
    "sts:GetCallerIdentity",
    "ses:GetIdentityVerificationAttributes",
}
NO_VALUE = {"Ref": "AWS::NoValue"}

Template = dict[str, Any]


@pytest.fixture(scope="module")
def template() -> Template:
    loaded: Template = cfn_yaml.load(str(TEMPLATE))
    return loaded


def resource(template: Template, name: str) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"][name]
    return found


def props(template: Template, name: str) -> dict[str, Any]:
    found: dict[str, Any] = resource(template, name)["Properties"]
    return found


def of_type(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == kind}


def resolve(value: Any, conditions: dict[str, bool]) -> Any:
    """The value with every Fn::If decided by ``conditions`` (AWS::NoValue dropped)."""
    if isinstance(value, dict):
        if set(value) == {"Fn::If"}:
            name, yes, no = value["Fn::If"]
            return resolve(yes if conditions[name] else no, conditions)
        return {k: resolve(v, conditions) for k, v in value.items()
                if resolve(v, conditions) != NO_VALUE}
    if isinstance(value, list):
        items = [resolve(v, conditions) for v in value]
        return [item for item in items if item != NO_VALUE]
    return value


def branches(value: Any) -> Iterator[Any]:
    """Both sides of a top-level Fn::If (without AWS::NoValue), or the value itself."""
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        for side in value["Fn::If"][1:]:
            yield from branches(side)
    elif value != NO_VALUE:
        yield value


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


# ---- cfn-lint ---------------------------------------------------------------------------------


def test_cfn_lint_finds_nothing_in_the_template(tmp_path: Path) -> None:
    """One cfn-lint run (its start-up is most of the time) over the template and a copy with a
    typo: the typo is reported, the template has no finding at all (errors, warnings, infos)."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(TEMPLATE.read_text().replace("HealthCheckPath:", "HealthCheckPathTypo:"))
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), "--include-checks", "I", "--", str(TEMPLATE), str(WAF_TEMPLATE),
         str(broken)],
        capture_output=True, text=True, check=False,
    )
    output = result.stdout + result.stderr
    assert "HealthCheckPathTypo" in output and str(broken) in output  # cfn-lint really ran
    assert str(TEMPLATE) not in output and str(WAF_TEMPLATE) not in output, output


# ---- tables: the template, TABLE_SPECS and bootstrap_aws agree --------------------------------


def template_tables(template: Template) -> dict[str, str]:
    """TABLE_SPECS key -> logical id, from each table's name ``${NamePrefix}-<key>``."""
    tables = {}
    for name, res in of_type(template, "AWS::DynamoDB::Table").items():
        table_name = res["Properties"]["TableName"]["Fn::Sub"]
        assert table_name.startswith("${NamePrefix}-"), name
        tables[table_name.removeprefix("${NamePrefix}-")] = name
    return tables


def test_the_template_has_exactly_the_tables_of_table_specs(template: Template) -> None:
    assert sorted(template_tables(template)) == sorted(TABLE_SPECS)


def test_the_template_names_everything_as_the_settings_derive_it(template: Template) -> None:
    """One prefix, the same rule: a stack and an app left to its defaults (or bootstrap_aws
    with the same prefix) agree on every name; the container is told the prefix."""
    prefix = template["Parameters"]["NamePrefix"]
    sub = "${NamePrefix}"
    tables = {props(template, logical)["TableName"]["Fn::Sub"]
              for logical in of_type(template, "AWS::DynamoDB::Table")}

    assert prefix["Default"] == DEFAULT_RESOURCE_PREFIX
    assert prefix["AllowedPattern"] == RESOURCE_PREFIX_PATTERN
    assert tables == {table_name(sub, setting) for setting in TABLE_SUFFIXES}
    assert props(template, "FilesBucket")["BucketName"] == {
        "Fn::Sub": bucket_name(sub, "${AWS::AccountId}", "${AWS::Region}")}
    assert environment(template)["DEMO_FACTORY_RESOURCE_PREFIX"] == {"Ref": "NamePrefix"}


def _canonical(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keys, attributes and indexes of a CreateTable request or a template table, ordered."""
    return {
        "KeySchema": kwargs["KeySchema"],
        "AttributeDefinitions": sorted(kwargs["AttributeDefinitions"],
                                       key=lambda a: a["AttributeName"]),
        "GlobalSecondaryIndexes": sorted(kwargs.get("GlobalSecondaryIndexes", []),
                                         key=lambda i: i["IndexName"]),
        "BillingMode": kwargs["BillingMode"],
    }


@pytest.mark.parametrize("key", sorted(TABLE_SPECS))
def test_each_table_matches_its_spec(template: Template, key: str) -> None:
    spec: TableSpec = TABLE_SPECS[key]
    logical = template_tables(template)[key]
    table = props(template, logical)

    assert _canonical(table) == _canonical(spec.create_table_kwargs("x"))
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    if spec.ttl_attribute:
        assert table["TimeToLiveSpecification"] == {"AttributeName": spec.ttl_attribute,
                                                    "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in table
    assert resource(template, logical)["DeletionPolicy"] == "Retain"


def _state(dynamodb: Any, s3: Any, tables: list[str], bucket: str) -> dict[str, Any]:
    """What ensure_resources sets up: tables (keys, indexes, TTL, PITR) and the bucket."""
    state: dict[str, Any] = {}
    for name in tables:
        table = dynamodb.describe_table(TableName=name)["Table"]
        backups = dynamodb.describe_continuous_backups(TableName=name)
        state[name] = {
            "KeySchema": table["KeySchema"],
            "GlobalSecondaryIndexes": sorted(
                ({"IndexName": i["IndexName"], "KeySchema": i["KeySchema"],
                  "Projection": {"ProjectionType": i["Projection"]["ProjectionType"]}}
                 for i in table.get("GlobalSecondaryIndexes", [])),
                key=lambda i: i["IndexName"]),
            "ttl": dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"],
            "pitr": backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
                "PointInTimeRecoveryStatus"],
        }
    state[bucket] = {
        "block": s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"],
        "encryption": s3.get_bucket_encryption(Bucket=bucket)[
            "ServerSideEncryptionConfiguration"]["Rules"],
        "cors": s3.get_bucket_cors(Bucket=bucket)["CORSRules"],
    }
    return state


def test_bootstrap_aws_creates_what_the_template_declares_and_is_idempotent(
    template: Template,
) -> None:
    """ensure_resources (scripts/bootstrap_aws.py) on moto, twice, named as the stack names
    the tables: the same state both times, and the tables the template declares."""
    names = {spec.setting: f"demo-factory-{key}" for key, spec in TABLE_SPECS.items()}
    with aws_environment(), mock_aws():
        settings = aws_settings(**names)
        dynamodb, s3 = make_client("dynamodb", settings), make_client("s3", settings)
        tables = sorted(names.values())
        ensure_resources(dynamodb, s3, settings)
        first = _state(dynamodb, s3, tables, str(settings.bucket))
        again = ensure_resources(dynamodb, s3, settings)
        second = _state(dynamodb, s3, tables, str(settings.bucket))

    assert not [line for line in again if line.startswith("created")]
    assert second == first
    for key, logical in template_tables(template).items():
        declared = props(template, logical)
        created = first[names[TABLE_SPECS[key].setting]]
        assert created["KeySchema"] == declared["KeySchema"], key
        assert created["GlobalSecondaryIndexes"] == _canonical(declared)[
            "GlobalSecondaryIndexes"], key
        assert created["pitr"] == "ENABLED"
        declared_ttl = declared.get("TimeToLiveSpecification")
        if declared_ttl:
            assert created["ttl"] == {"TimeToLiveStatus": "ENABLED",
                                      "AttributeName": declared_ttl["AttributeName"]}, key
        else:
            assert created["ttl"]["TimeToLiveStatus"] == "DISABLED", key
    assert all(first[str(settings.bucket)]["block"].values())


# ---- the container gets every setting aws mode needs ------------------------------------------


def container(template: Template) -> dict[str, Any]:
    [app] = props(template, "TaskDefinition")["ContainerDefinitions"]
    found: dict[str, Any] = app
    return found


def environment(template: Template) -> dict[str, Any]:
    env = {}
    for entry in container(template)["Environment"]:
        for item in branches(entry):
            env[item["Name"]] = item["Value"]
    return env


def test_every_required_setting_reaches_the_container(template: Template) -> None:
    env = environment(template)
    secrets = {s["Name"]: s["ValueFrom"] for s in container(template)["Secrets"]}
    required = [ENV_PREFIX + name.upper() for name in (*AWS_REQUIRED, *COGNITO_REQUIRED)]

    assert [name for name in required if name not in env] == []
    assert env["DEMO_FACTORY_BACKEND"] == "aws"
    assert secrets == {"DEMO_FACTORY_COOKIE_KEY": {"Ref": "CookieKeySecret"}}
    tables = template_tables(template)
    for key, spec in TABLE_SPECS.items():
        assert env[ENV_PREFIX + spec.setting.upper()] == {"Ref": tables[key]}
    assert env["DEMO_FACTORY_BUCKET"] == {"Ref": "FilesBucket"}
    assert env["DEMO_FACTORY_COGNITO_USER_POOL_ID"] == {"Ref": "UserPool"}
    assert env["DEMO_FACTORY_COGNITO_APP_CLIENT_ID"] == {"Ref": "UserPoolClient"}


def test_the_container_sets_only_real_settings(template: Template) -> None:
    """A misspelt variable would be ignored silently by pydantic-settings."""
    fields = set(Settings.model_fields)
    names = [name.removeprefix(ENV_PREFIX).lower() for name in environment(template)]
    assert [name for name in names if name not in fields] == []


def test_the_outputs_name_every_setting_to_pass(template: Template) -> None:
    described = {str(out["Description"]).split()[0] for out in template["Outputs"].values()}
    required = {ENV_PREFIX + name.upper() for name in (*AWS_REQUIRED, *COGNITO_REQUIRED)}
    assert required - described == set()


# ---- S3 ----------------------------------------------------------------------------------------


def test_the_bucket_is_private_encrypted_and_cleaned_up(template: Template) -> None:
    bucket = props(template, "FilesBucket")

    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"],
        True)
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any(r.get("AbortIncompleteMultipartUpload") for r in rules)
    assert any(r.get("NoncurrentVersionExpiration") for r in rules)
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    [cors] = bucket["CorsConfiguration"]["CorsRules"]
    assert "PUT" in cors["AllowedMethods"]
    for origins in branches(cors["AllowedOrigins"]):
        assert "*" not in origins and all("https://" in str(o) for o in origins)


def test_the_bucket_refuses_plain_http(template: Template) -> None:
    [statement] = props(template, "FilesBucketPolicy")["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


# ---- the task role ----------------------------------------------------------------------------


def statements(template: Template) -> list[dict[str, Any]]:
    [policy] = props(template, "TaskRole")["Policies"]
    found = []
    for entry in policy["PolicyDocument"]["Statement"]:
        found.extend(branches(entry))
    return found


def by_sid(template: Template, sid: str) -> dict[str, Any]:
    [found] = [s for s in statements(template) if s.get("Sid") == sid]
    return found


def resources_of(statement: dict[str, Any]) -> list[Any]:
    out = []
    for value in as_list(statement["Resource"]):
        out.extend(branches(value))
    return out


def test_the_task_role_uses_no_wildcard_resource_but_for_listings(template: Template) -> None:
    for statement in statements(template):
        assert statement["Effect"] == "Allow"
        actions = set(as_list(statement["Action"]))
        assert not any(a == "*" or a.endswith(":*") for a in actions), statement
        if "*" in resources_of(statement):
            assert actions <= STAR_ACTIONS, statement
    listed = set().union(*(set(as_list(s["Action"])) for s in statements(template)
                           if "*" in resources_of(s)))
    assert listed == STAR_ACTIONS


def test_the_task_role_reaches_only_this_stacks_tables(template: Template) -> None:
    tables = set(template_tables(template).values())
    table_statements = [by_sid(template, "Tables"), by_sid(template, "AuditLog")]
    arns = [arn for statement in table_statements for arn in resources_of(statement)]
    allowed = set()
    for arn in arns:
        if "Fn::GetAtt" in arn:
            logical, attribute = arn["Fn::GetAtt"]
            assert attribute == "Arn"
            allowed.add(logical)
        else:
            match = re.fullmatch(r"\$\{(\w+)\.Arn\}/index/\*", arn["Fn::Sub"])
            assert match, arn
            assert TABLE_SPECS[_key(template, match.group(1))].indexes, arn
    assert allowed == tables
    # Every table with indexes may be queried through them.
    with_index = {_logical(template, k) for k, s in TABLE_SPECS.items() if s.indexes}
    index_arns = {a["Fn::Sub"] for a in arns if "Fn::Sub" in a}
    assert index_arns == {f"${{{name}.Arn}}/index/*" for name in with_index}
    for statement in table_statements:
        assert "dynamodb:Scan" not in statement["Action"]  # pages Query, never Scan


def _key(template: Template, logical: str) -> str:
    return {v: k for k, v in template_tables(template).items()}[logical]


def _logical(template: Template, key: str) -> str:
    return template_tables(template)[key]


def test_the_task_role_reaches_only_this_bucket_and_pool(template: Template) -> None:
    assert resources_of(by_sid(template, "BucketObjects")) == [
        {"Fn::Sub": "${FilesBucket.Arn}/*"}]
    assert resources_of(by_sid(template, "Bucket")) == [{"Fn::GetAtt": ["FilesBucket", "Arn"]}]
    pool = by_sid(template, "UserPoolAdmin")
    assert resources_of(pool) == [{"Fn::GetAtt": ["UserPool", "Arn"]}]
    assert all(a.startswith("cognito-idp:") for a in pool["Action"])


def test_bedrock_is_invoked_only_on_the_configured_model(template: Template) -> None:
    invoke = {"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}
    for sid in ("BedrockConfiguredModel", "BedrockModelBehindProfile"):
        statement = by_sid(template, sid)
        assert set(statement["Action"]) == invoke
        for arn in resources_of(statement):
            text = arn["Fn::Sub"]
            assert text.endswith(("/${BedrockModelId}", "/${BedrockFoundationModelId}")), text
    behind = by_sid(template, "BedrockModelBehindProfile")
    profile = by_sid(template, "BedrockConfiguredModel")["Resource"]["Fn::If"][1]
    assert behind["Condition"]["StringEquals"]["bedrock:InferenceProfileArn"] == profile
    others = [s for s in statements(template) if invoke & set(as_list(s["Action"]))]
    assert len(others) == 2


def test_mail_is_sent_only_from_the_configured_sender(template: Template) -> None:
    statement = by_sid(template, "SendInquiryMail")
    assert statement["Action"] == "ses:SendEmail"
    assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "SesSender"}}}
    [policy] = props(template, "TaskRole")["Policies"]
    [entry] = [e for e in policy["PolicyDocument"]["Statement"] if statement in branches(e)]
    assert entry["Fn::If"][0] == "HasSes"


# ---- load balancer and CloudFront -------------------------------------------------------------


def test_the_target_group_checks_streamlit_health_and_sticks(template: Template) -> None:
    group = props(template, "TargetGroup")
    attributes = {a["Key"]: a["Value"] for a in group["TargetGroupAttributes"]}

    assert group["HealthCheckPath"] == "/_stcore/health"
    assert group["Port"] == 8501 and group["TargetType"] == "ip"
    assert attributes["stickiness.enabled"] == "true"
    assert attributes["stickiness.type"] == "lb_cookie"
    lb = {a["Key"]: a["Value"] for a in props(template, "LoadBalancer")["LoadBalancerAttributes"]}
    assert int(lb["idle_timeout.timeout_seconds"]) >= 300  # long-lived WebSockets


def test_only_requests_with_the_origin_header_reach_the_app(template: Template) -> None:
    for name in ("HttpListener", "HttpsListener"):
        [action] = props(template, name)["DefaultActions"]
        assert action["Type"] == "fixed-response"
        assert action["FixedResponseConfig"]["StatusCode"] == "403"
    rule = props(template, "FromCloudFrontRule")
    [condition] = rule["Conditions"]
    header = condition["HttpHeaderConfig"]
    assert rule["Actions"] == [{"Type": "forward", "TargetGroupArn": {"Ref": "TargetGroup"}}]
    [origin] = props(template, "Distribution")["DistributionConfig"]["Origins"]
    assert origin["OriginCustomHeaders"] == [
        {"HeaderName": header["HttpHeaderName"], "HeaderValue": header["Values"][0]}]
    assert "OriginVerifySecret" in header["Values"][0]["Fn::Sub"]
    assert resource(template, "Service")["DependsOn"] == "FromCloudFrontRule"


def test_cloudfront_caches_nothing_and_passes_websockets(template: Template) -> None:
    config = props(template, "Distribution")["DistributionConfig"]
    behavior = config["DefaultCacheBehavior"]

    assert behavior["CachePolicyId"] == CACHING_DISABLED
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER  # Host, Sec-WebSocket-*, cookies
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert {"PUT", "POST"} <= set(behavior["AllowedMethods"])  # uploads
    assert "CacheBehaviors" not in config


@pytest.mark.parametrize("tls_origin", [False, True], ids=["http-origin", "https-origin"])
def test_the_origin_protocol_and_port_match_the_listener(template: Template,
                                                         tls_origin: bool) -> None:
    conditions = {"UseTlsOrigin": tls_origin, "UseHttpOrigin": not tls_origin,
                  "HasCloudFrontPrefixList": False, "HasDomain": False}
    [origin] = resolve(props(template, "Distribution")["DistributionConfig"]["Origins"],
                       conditions)
    custom = origin["CustomOriginConfig"]
    listener_name = resolve(props(template, "FromCloudFrontRule")["ListenerArn"],
                            conditions)["Ref"]
    listener = resource(template, listener_name)
    [ingress] = resolve(props(template, "LoadBalancerSecurityGroup")["SecurityGroupIngress"],
                        conditions)

    assert conditions[listener["Condition"]] is True  # the listener exists in this case
    protocol = {"http-only": "HTTP", "https-only": "HTTPS"}[custom["OriginProtocolPolicy"]]
    port = custom["HTTPPort"] if protocol == "HTTP" else custom["HTTPSPort"]
    assert listener["Properties"]["Protocol"] == protocol
    assert listener["Properties"]["Port"] == port == ingress["FromPort"] == ingress["ToPort"]
    if tls_origin:
        assert origin["DomainName"] == {"Ref": "OriginDomainName"}
    else:
        assert origin["DomainName"] == {"Fn::GetAtt": ["LoadBalancer", "DNSName"]}


@pytest.mark.parametrize("has_domain", [False, True])
def test_the_custom_domain_brings_its_alias_and_certificate(template: Template,
                                                            has_domain: bool) -> None:
    config = resolve(props(template, "Distribution")["DistributionConfig"],
                     {"HasDomain": has_domain, "UseTlsOrigin": False, "CreateWaf": False,
                      "UseGivenWaf": False})
    if has_domain:
        assert config["Aliases"] == [{"Ref": "DomainName"}]
        assert config["ViewerCertificate"]["AcmCertificateArn"] == {"Ref": "CertificateArn"}
        assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"
    else:
        assert "Aliases" not in config
        assert config["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}


def test_the_certificate_must_come_from_us_east_1(template: Template) -> None:
    pattern = template["Parameters"]["CertificateArn"]["AllowedPattern"]
    arn = "arn:aws:acm:{}:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555"
    assert re.fullmatch(pattern, arn.format("us-east-1"))
    assert re.fullmatch(pattern, "")
    assert not re.fullmatch(pattern, arn.format("ap-northeast-2"))


# ---- Cognito and secrets ----------------------------------------------------------------------


def test_the_pool_matches_the_app_and_the_emulation(template: Template) -> None:
    client = props(template, "UserPoolClient")
    groups = {p["Properties"]["GroupName"] for p in
              of_type(template, "AWS::Cognito::UserPoolGroup").values()}
    policy = props(template, "UserPool")["Policies"]["PasswordPolicy"]

    assert client["GenerateSecret"] is False  # no DEMO_FACTORY_COGNITO_APP_CLIENT_SECRET
    assert set(client["ExplicitAuthFlows"]) == set(emulate.AUTH_FLOWS)
    assert {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"} <= set(
        client["ExplicitAuthFlows"])
    assert groups == set(group_names(Settings()).values())
    assert policy["MinimumLength"] == PASSWORD_MIN
    assert client["RefreshTokenValidity"] >= Settings().session_days


def test_the_cookie_key_is_generated_and_long_enough(template: Template) -> None:
    generated = props(template, "CookieKeySecret")["GenerateSecretString"]
    assert generated["PasswordLength"] >= MIN_COOKIE_KEY
    # ALB header conditions treat * and ? as wildcards: the origin secret must hold neither.
    assert props(template, "OriginVerifySecret")["GenerateSecretString"]["ExcludePunctuation"]


# ---- hardening: origin protocol said, append-only audit, MFA, access logs, WAF ----------------


@pytest.mark.parametrize("tls_origin", [False, True], ids=["http-origin", "https-origin"])
def test_a_plain_http_origin_is_said_in_the_outputs_and_to_the_app(template: Template,
                                                                   tls_origin: bool) -> None:
    conditions = {"UseTlsOrigin": tls_origin, "UseHttpOrigin": not tls_origin}
    env = resolve(environment(template)["DEMO_FACTORY_ORIGIN_HTTPS"], conditions)
    said = resolve(template["Outputs"]["OriginProtocol"]["Value"], conditions)

    assert env == ("true" if tls_origin else "false")
    assert Settings(origin_https=env).origin_https is tls_origin  # what the doctor reads
    if tls_origin:
        assert said.startswith("HTTPS")
    else:
        assert said.startswith("HTTP ") and "not encrypted" in said
        assert "OriginCertificateArn" in said


AUDIT_ALLOWED = {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query",
                 "dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive",
                 "dynamodb:DescribeContinuousBackups"}


def _names_table(arn: Any, logical: str) -> bool:
    return arn == {"Fn::GetAtt": [logical, "Arn"]} or (
        "Fn::Sub" in arn and arn["Fn::Sub"].startswith(f"${{{logical}.Arn}}"))


def test_the_task_role_can_only_append_to_and_read_the_audit_log(template: Template) -> None:
    on_audit = [s for s in statements(template)
                if any(_names_table(arn, "AuditTable") for arn in resources_of(s))]
    actions = set().union(*(set(as_list(s["Action"])) for s in on_audit))

    assert on_audit and actions <= AUDIT_ALLOWED, actions
    assert not any("*" in resources_of(s) and any(a.startswith("dynamodb:")
                                                  for a in as_list(s["Action"]))
                   for s in statements(template))
    # What the app's audit adapter calls is exactly what the role allows it.
    assert {f"dynamodb:{name}" for name in _audit_adapter_operations()} <= actions


def _audit_adapter_operations() -> set[str]:
    from datetime import UTC, datetime

    from services.adapters.aws.dynamodb.audit import DynamoAuditLog
    from services.domain.models import AuditEntry

    called: set[str] = set()
    with aws_environment(), mock_aws():
        settings = aws_settings()
        dynamodb = make_client("dynamodb", settings)
        ensure_resources(dynamodb, make_client("s3", settings), settings)
        dynamodb.meta.events.register(
            "before-call.dynamodb", lambda model, **_: called.add(model.name))
        audit = DynamoAuditLog(dynamodb, str(settings.audit_table))
        audit.record(AuditEntry(ts=datetime.now(UTC), actor="root", action="x", target="y",
                                outcome="ok", detail={}))
        list(audit.entries())
    return called


def test_the_pool_offers_totp_and_users_cannot_rename_themselves(template: Template) -> None:
    pool = props(template, "UserPool")
    client = props(template, "UserPoolClient")

    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    # An email a user changes stays the old one until the new one is verified.
    assert pool["UserAttributeUpdateSettings"] == {
        "AttributesRequireVerificationBeforeUpdate": ["email"]}
    # Who a user is (name, email) is written by administrators only: the legacy import and
    # the app trust them. Missing WriteAttributes would mean "every standard attribute". With
    # self-service sign-up on, SignUp writes the email (then confirmed with the mailed code).
    readable = set(client["ReadAttributes"])
    assert {"email", "email_verified", "name"} <= readable
    for off in (True, False):
        writable = set(resolve(client["WriteAttributes"], {"SignUpOff": off}))
        own = {"email_verified", "name", "preferred_username", "phone_number",
               "phone_number_verified"} | ({"email"} if off else set())
        assert writable and not writable & own and writable <= readable


def _bucket_ref(value: Any) -> bool:
    return value in ({"Ref": "LogBucket"}, {"Fn::GetAtt": ["LogBucket", "DomainName"]})


def test_cloudfront_the_load_balancer_and_the_bucket_log_to_the_log_bucket(
    template: Template,
) -> None:
    logging = props(template, "Distribution")["DistributionConfig"]["Logging"]
    assert _bucket_ref(logging["Bucket"]) and logging["IncludeCookies"] is False
    lb = {a["Key"]: a["Value"] for a in props(template, "LoadBalancer")["LoadBalancerAttributes"]}
    assert lb["access_logs.s3.enabled"] == "true" and _bucket_ref(lb["access_logs.s3.bucket"])
    # The load balancer checks that it may write when the attribute is set.
    assert "LogBucketPolicy" in as_list(resource(template, "LoadBalancer")["DependsOn"])
    files = props(template, "FilesBucket")["LoggingConfiguration"]
    assert _bucket_ref(files["DestinationBucketName"])


def test_the_log_bucket_is_private_encrypted_and_expires_logs(template: Template) -> None:
    bucket = props(template, "LogBucket")

    assert bucket["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"],
        True)
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    # Load balancer access logs can only be written with SSE-S3.
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    # CloudFront standard logs are delivered with an ACL: ACLs must stay enabled.
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    days = [r["ExpirationInDays"] for r in bucket["LifecycleConfiguration"]["Rules"]
            if r["Status"] == "Enabled" and "ExpirationInDays" in r]
    assert days == [{"Ref": "AccessLogDays"}]
    policy = props(template, "LogBucketPolicy")["PolicyDocument"]["Statement"]
    deny = [s for s in policy if s["Effect"] == "Deny"]
    assert [s["Condition"] for s in deny] == [{"Bool": {"aws:SecureTransport": "false"}}]
    writers = [s for s in policy if s["Effect"] == "Allow"]
    assert all(s["Action"] == "s3:PutObject" for s in writers)


def test_the_load_balancer_may_log_in_every_region(template: Template) -> None:
    """Regions older than August 2022 name the load balancer service by an account id; newer
    ones by a service principal. Each Region is in the map (a missing key fails the deploy)."""
    regions = template["Mappings"]["ElbLogAccount"]
    assert {"us-east-1", "ap-northeast-2", "eu-west-1", "me-central-1"} <= set(regions)
    assert all(re.fullmatch(r"\d{12}|none", v["Id"]) for v in regions.values())
    assert regions["ap-northeast-2"]["Id"] == "600734575887"
    [statement] = [s for s in props(template, "LogBucketPolicy")["PolicyDocument"]["Statement"]
                   if s.get("Sid") == "LoadBalancerAccessLogs"]
    principals = list(branches(statement["Principal"]))
    assert {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"} in principals
    assert any("AWS" in p for p in principals)


def _web_acl_rules(template: Template) -> list[dict[str, Any]]:
    acl = props(template, "WebAcl")
    assert acl["Scope"] == "CLOUDFRONT" and acl["DefaultAction"] == {"Allow": {}}
    rules: list[dict[str, Any]] = acl["Rules"]
    return rules


def test_the_web_acl_has_the_common_and_bad_input_rule_sets_and_a_rate_limit(
    template: Template,
) -> None:
    rules = {r["Name"]: r for r in _web_acl_rules(template)}
    managed = [r["Statement"]["ManagedRuleGroupStatement"] for r in rules.values()
               if "ManagedRuleGroupStatement" in r["Statement"]]
    # Known bad inputs blocks Log4j-style lookups (CVE-2021-44228) among others.
    assert [(m["VendorName"], m["Name"]) for m in managed] == [
        ("AWS", "AWSManagedRulesCommonRuleSet"), ("AWS", "AWSManagedRulesKnownBadInputsRuleSet")]
    assert len({r["Priority"] for r in rules.values()}) == len(rules)
    # Uploads are bodies larger than 8 KB: that rule only counts, the app checks the bytes.
    overrides = {o["Name"]: o["ActionToUse"] for o in managed[0]["RuleActionOverrides"]}
    assert overrides["SizeRestrictions_BODY"] == {"Count": {}}
    [rate] = [r for r in rules.values() if "RateBasedStatement" in r["Statement"]]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rate["Statement"]["RateBasedStatement"]["Limit"] == {"Ref": "WafRateLimit"}


@pytest.mark.parametrize("create, given, expected", [
    (True, False, {"Fn::GetAtt": ["WebAcl", "Arn"]}),
    (False, True, {"Ref": "WebAclArn"}),
    (False, False, None),
])
def test_the_distribution_uses_the_web_acl_made_here_or_given(
    template: Template, create: bool, given: bool, expected: Any
) -> None:
    """A CLOUDFRONT web ACL can only be made in us-east-1: a stack there makes it; a stack
    elsewhere is given its ARN (deploy/waf.yaml in us-east-1), or runs without (EnableWaf)."""
    assert resource(template, "WebAcl")["Condition"] == "CreateWaf"
    config = resolve(props(template, "Distribution")["DistributionConfig"],
                     {"CreateWaf": create, "UseGivenWaf": given, "HasDomain": False,
                      "UseTlsOrigin": False})
    assert config.get("WebACLId") == expected
    conditions = template["Conditions"]
    in_us_east_1 = {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}
    assert in_us_east_1 in conditions["CreateWaf"]["Fn::And"] or in_us_east_1 in [
        conditions.get(c["Condition"]) for c in conditions["CreateWaf"]["Fn::And"]
        if "Condition" in c]


def test_the_us_east_1_waf_template_makes_the_same_web_acl(template: Template) -> None:
    waf: Template = cfn_yaml.load(str(WAF_TEMPLATE))
    [acl] = [r for r in waf["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACL"]
    assert acl["Properties"]["Rules"] == _web_acl_rules(template)
    assert "WebAclArn" in waf["Outputs"]
