"""AWS names and clients for the scripts that set up, emulate or import into aws mode."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from services.imports.legacy.source import ANALYTICS_TABLE, CONTENT_TABLE, LegacySource
from services.settings import Settings, bucket_name


def aws_client(service: str, settings: Settings) -> Any:
    """A boto3 client for the scripts that set up or emulate aws mode."""
    from services.adapters.aws.common import make_client

    return make_client(service, settings)


def resolve_aws_names(settings: Settings) -> Settings:
    """``settings`` with the bucket named: DEMO_FACTORY_BUCKET, else the name derived from the
    prefix, the account (one STS GetCallerIdentity, which needs no permission) and the region.
    The tables are named by the settings themselves."""
    if settings.bucket:
        return settings
    from services.adapters.aws.common import aws_errors

    sts = aws_client("sts", settings)
    with aws_errors():
        account = str(sts.get_caller_identity()["Account"])
    region = settings.aws_region or str(sts.meta.region_name)
    return settings.model_copy(
        update={"bucket": bucket_name(settings.resource_prefix, account, region)})


def provision_aws(settings: Settings, *, dry_run: bool = False,
                  cors_origins: Sequence[str] = ("*",)) -> list[str]:
    """Create the tables and the bucket aws mode needs (idempotent); what was done, a line each."""
    from services.adapters.aws.provision import ensure_resources

    settings = resolve_aws_names(settings)
    return ensure_resources(aws_client("dynamodb", settings), aws_client("s3", settings),
                            settings, dry_run=dry_run, cors_origins=cors_origins)


def legacy_source(
    settings: Settings, *, folder: Path | None = None, bucket: str | None = None,
    region: str | None = None, content_table: str = CONTENT_TABLE,
    analytics_table: str = ANALYTICS_TABLE,
) -> LegacySource:
    """The previous platform's data: an exported folder, else its tables and bucket (in
    ``region``, else the configured one; ``AWS_ENDPOINT_URL`` honoured)."""
    if folder is not None:
        from services.adapters.legacy_folder import FolderSource

        return FolderSource(folder, content_table=content_table, analytics_table=analytics_table)
    from services.adapters.aws.common import make_client
    from services.adapters.aws.legacy_source import DynamoDBSource

    where = settings.model_copy(update={"aws_region": region or settings.aws_region})
    return DynamoDBSource(make_client("dynamodb", where), make_client("s3", where),
                          content_table=content_table, analytics_table=analytics_table,
                          bucket=bucket)
