"""The composition root's factories for scripts and the config doctor: AWS names and clients,
provisioning, the previous platform's source, local backups. Like the rest of
``services.bootstrap``, the only code outside ``services/adapters`` that names an adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from services.errors import ConfigError, DemoFactoryError
from services.imports.legacy.source import ANALYTICS_TABLE, CONTENT_TABLE, LegacySource
from services.ops.backup import DatabaseCopier, Manifest, create_backup, restore_backup
from services.ops.doctor.base import Check, DoctorContext
from services.settings import Settings, bucket_name

if TYPE_CHECKING:

    pass



def doctor_checks() -> list[Check]:
    """Every check of the config doctor, in the order they are reported; each says its modes."""
    from services.adapters.aws.cognito.doctor_checks import COGNITO_CHECKS
    from services.adapters.aws.doctor_checks import AWS_CHECKS
    from services.adapters.sqlite.doctor_checks import SQLITE_CHECKS
    from services.ops.doctor.local import LOCAL_CHECKS
    from services.ops.doctor.oidc import OIDC_CHECKS

    data_dir, *settings_checks = LOCAL_CHECKS  # the database file right after its folder
    return [data_dir, *SQLITE_CHECKS, *settings_checks, *AWS_CHECKS, *COGNITO_CHECKS,
            *OIDC_CHECKS]


def doctor_context(settings: Settings, env: Mapping[str, str],
                   include_bedrock: bool) -> DoctorContext:
    """What the doctor reads, with this root's AWS clients (made only when a check asks)."""
    from services.adapters.aws.bedrock.check import make_clients
    from services.adapters.aws.common import make_client

    def factory(service: str) -> Callable[[Settings], Any]:
        return partial(make_client, service)

    if settings.backend == "aws":
        # Without a bucket name the bucket check says why; the table checks show the error.
        with suppress(DemoFactoryError):
            settings = resolve_aws_names(settings)

    return DoctorContext(settings, env=dict(env), include_bedrock=include_bedrock,
                         dynamodb=factory("dynamodb"), s3=factory("s3"),
                         cognito=factory("cognito-idp"), bedrock_clients=make_clients)


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


def database_copier(settings: Settings) -> DatabaseCopier:
    """Local mode's database, copied online (for backups) and read back."""
    from services.adapters.sqlite import backup as sqlite_backup

    return DatabaseCopier(snapshot=partial(sqlite_backup.snapshot, settings.sqlite_path),
                          counts=sqlite_backup.counts, storage_keys=sqlite_backup.storage_keys)


def backup_local(settings: Settings, dest: Path) -> Manifest:
    """Write a backup of local mode's database and files into the new or empty ``dest``."""
    from services.adapters.localfs import LocalBlobStore

    if settings.backend != "local":
        raise ConfigError("backup.err_local_only")
    if not settings.sqlite_path.is_file():
        raise ConfigError("backup.err_no_database", path=str(settings.sqlite_path))
    return create_backup(dest, database_copier(settings), LocalBlobStore(settings.files_dir))


def restore_local(settings: Settings, src: Path) -> Manifest:
    """Bring the backup in ``src`` into local mode's data folder, which must be empty."""
    from services.adapters.localfs import LocalBlobStore

    if settings.backend != "local":
        raise ConfigError("backup.err_local_only")
    return restore_backup(src, settings.data_dir, settings.sqlite_path,
                          partial(LocalBlobStore, settings.files_dir))
