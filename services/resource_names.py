"""How aws mode names its resources: every table ``<prefix>-<suffix>`` and the bucket
``<prefix>-files-<account id>-<region>``, after one prefix (``DEMO_FACTORY_RESOURCE_PREFIX``)
that the CloudFormation template shares, unless a resource's own setting names it."""

from __future__ import annotations

DEFAULT_RESOURCE_PREFIX = "demo-factory"
# In the files bucket, beside the content's files: audit entries that wait for the audit table
# (``services/ops/audit_spool.py``), which the orphan cleanup leaves alone.
AUDIT_SPOOL_PREFIX = "audit-spool/"
# The CloudFormation template's NamePrefix allows the same: 3 to 20 characters, so that the
# longest derived name (the bucket, below) stays within S3's 63.
RESOURCE_PREFIX_PATTERN = r"^[a-z][a-z0-9-]{2,19}$"
# S3 refuses bucket names that start with these.
S3_RESERVED_STARTS = ("xn--", "sthree-", "amzn-s3-demo-")
# Each table's setting and its name's suffix: ``<prefix>-<suffix>``, as the template names them
# (the suffixes are the keys of the adapters' TABLE_SPECS; a test keeps the two equal).
TABLE_SUFFIXES = {
    "content_table": "content",
    "likes_table": "likes",
    "users_table": "users",
    "sessions_table": "sessions",
    "inquiries_table": "inquiries",
    "reports_table": "reports",
    "audit_table": "audit",
    "events_table": "events",
    "rollups_table": "rollups",
}


def table_name(prefix: str, setting: str) -> str:
    """The derived name of the table that ``setting`` names, e.g. ``demo-factory-content``."""
    return f"{prefix}-{TABLE_SUFFIXES[setting]}"


def bucket_name(prefix: str, account_id: str, region: str) -> str:
    """The derived bucket name: bucket names are global, so the account and region are in it."""
    return f"{prefix}-files-{account_id}-{region}"
