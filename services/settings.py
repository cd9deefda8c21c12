"""Typed settings (pydantic-settings). Environment variables are ``DEMO_FACTORY_*``.

Local mode needs nothing. aws mode names every table after one prefix
(``DEMO_FACTORY_RESOURCE_PREFIX``) unless its own variable is set; the bucket's derived name also
needs the account id, which the composition root asks STS for. A bad value is a ConfigError that
names the variable, shown on screen and by scripts instead of a stack trace.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.domain.cookie_key import REASON_TEXT, weak_key_reason
from services.errors import ConfigError
from services.resource_names import (
    DEFAULT_RESOURCE_PREFIX,
    RESOURCE_PREFIX_PATTERN,
    S3_RESERVED_STARTS,
    TABLE_SUFFIXES,
    bucket_name,
    table_name,
)

ENV_PREFIX = "DEMO_FACTORY_"

# Settings naming aws mode's resources, by field name: each is derived from the prefix (the
# bucket also from the account and region) unless set.
AWS_REQUIRED = (
    "content_table",
    "likes_table",
    "users_table",
    "audit_table",
    "events_table",
    "rollups_table",
    "bucket",
    "sessions_table",
    "inquiries_table",
    "reports_table",
)
# Settings that Cognito sign-in (auth = "cognito", aws mode only) cannot do without.
COGNITO_REQUIRED = ("cognito_user_pool_id", "cognito_app_client_id")
# The uploaders take files up to this multiple of DEMO_FACTORY_MAX_UPLOAD_MB
# (Settings.uploader_cap_mb).
UPLOADER_HEADROOM = 2

# An email domain: dot-separated labels of letters, digits and inner hyphens (IDNs as xn--).
_DOMAIN_PATTERN = r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}"


class ModelPrice(BaseModel):
    """A model's price in USD per 1,000 tokens (on-demand), for report cost estimates."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)


# The default Bedrock model (Claude Haiku 4.5: USD 1 / 5 per million input / output tokens).
DEFAULT_MODEL_PRICES = {
    "global.anthropic.claude-haiku-4-5-20251001-v1:0": ModelPrice(input=0.001, output=0.005),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    backend: Literal["local", "aws"] = "local"
    data_dir: Path = Path("data")
    sample_content: bool = Field(default=True, description="Load sample content on first start.")
    default_language: Literal["ko", "en"] = "ko"
    max_upload_mb: int = Field(default=50, ge=1, le=2048)
    presigned_url_seconds: int = Field(default=300, ge=10, le=3600)
    # How long a page's link to a file stays usable (S3): each use is authorised again and
    # answered with a new presigned URL (``services/content/file_links.py``).
    file_link_hours: int = Field(default=12, ge=1, le=168)
    page_size: int = Field(default=12, ge=1, le=100)
    # Set by scripts/emulate.py (aws mode on an embedded moto server): the app shows a banner
    # saying that this is an emulation and that nothing is kept.
    emulation: bool = False
    # The "create the first administrator" form. Unset: on in local mode (the server listens
    # on this machine) and in the emulation, off in aws mode, where anyone could reach a new
    # deployment before its operator; there scripts.create_user makes the first one.
    first_admin_form: bool | None = None

    # Local accounts. The remember-me cookie's key is a secret: set it, or a random one is
    # generated once and kept in the data dir (never in the repo).
    cookie_key: SecretStr | None = None
    cookie_name: str = "demo_factory_auth"
    cookie_expiry_days: float = Field(default=7, gt=0)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)

    # Sign-in: "local" (accounts in the app's own store, bcrypt), "cognito" (an Amazon Cognito
    # user pool, aws mode only; groups named below are the roles, no group = viewer) or "oidc".
    # USER_SRP_AUTH is not offered: no maintained SRP library installs with this stack, and
    # USER_PASSWORD_AUTH sends the password to Cognito over TLS only (see deploy notes).
    auth: Literal["local", "cognito", "oidc"] = "local"
    cognito_user_pool_id: str | None = None
    cognito_app_client_id: str | None = None
    cognito_app_client_secret: SecretStr | None = None
    cognito_auth_flow: Literal["USER_PASSWORD_AUTH"] = "USER_PASSWORD_AUTH"
    cognito_group_viewer: str = "viewer"
    cognito_group_author: str = "author"
    cognito_group_analyst: str = "analyst"
    cognito_group_admin: str = "admin"
    # "oidc": any OpenID Connect provider (Cognito's hosted UI, Entra ID, Okta, ...) through
    # Streamlit's st.login, configured in .streamlit/secrets.toml [auth] (see the README). The
    # groups claim names the role groups above; no group = viewer.
    oidc_provider: str = ""  # a named [auth.<name>] section; empty: [auth] itself
    oidc_groups_claim: str = "cognito:groups"
    # How often a signed-in Cognito session is re-checked with the pool (a refresh: roles
    # follow group changes, a disabled user is signed out). Tokens are verified every run.
    # OIDC mode: the longest time since the provider issued the ID token; then the sign-in no
    # longer counts and the user signs in again at the provider, so roles follow its groups.
    cognito_recheck_seconds: int = Field(default=300, ge=30, le=3600)
    session_days: float = Field(default=7, gt=0, le=30)

    # Self-service sign-up (local sign-in): "off", "approval" (every account waits for an
    # administrator) or "open" (viewers are active at once; an author request still waits).
    # Accounts whose email is in one of the auto domains (a comma list, e.g. the company's own)
    # are active viewers at once in every mode but "off". Sign-ups per browser visit (counted
    # in the store) and per server instance, within the window.
    signup: Literal["off", "approval", "open"] = "approval"
    signup_auto_domains: Annotated[tuple[str, ...], NoDecode] = ()
    signup_limit: int = Field(default=3, ge=1, le=100)
    signup_instance_limit: int = Field(default=20, ge=1, le=10_000)
    signup_window_minutes: int = Field(default=60, ge=1)

    # Contact form: submissions per browser session and window, and two limits a client cannot
    # reset with a new session: per server instance, and for all visitors together (counted
    # in the store); optional SES notification.
    inquiry_limit: int = Field(default=3, ge=1, le=100)
    inquiry_window_minutes: int = Field(default=60, ge=1)
    inquiry_instance_limit: int = Field(default=20, ge=1, le=10_000)
    inquiry_global_limit: int = Field(default=30, ge=1, le=100_000)
    ses_sender: str | None = None
    ses_recipient: str | None = None
    ses_region: str | None = None
    # The address people open the app at (e.g. https://demo.example.com), for links in mails.
    # With SES_SENDER and local sign-in it turns on email verification of sign-ups and
    # "forgot password" by a mailed link.
    public_url: str | None = None

    # Analytics: rollups are bucketed by local day/hour in this IANA time zone.
    timezone: str = "Asia/Seoul"
    event_retention_days: int = Field(default=180, ge=1)
    tracker_flush_seconds: float = Field(default=2.0, gt=0)
    tracker_buffer_max: int = Field(default=10_000, ge=100)
    dashboard_refresh_seconds: int = Field(default=30, ge=5)

    # aws mode. Every table is named ``<prefix>-<table>`` and the bucket
    # ``<prefix>-files-<account id>-<region>`` unless its own variable is set.
    aws_region: str | None = None
    resource_prefix: str = DEFAULT_RESOURCE_PREFIX
    content_table: str | None = None
    likes_table: str | None = None
    users_table: str | None = None
    audit_table: str | None = None
    sessions_table: str | None = None  # signed-in Cognito sessions (encrypted refresh tokens)
    inquiries_table: str | None = None  # the contact form's messages
    events_table: str | None = None
    rollups_table: str | None = None
    bucket: str | None = None
    reports_table: str | None = None  # saved AI reports
    # Set by the CloudFormation stack: whether CloudFront reaches the load balancer over HTTPS
    # (false: plain HTTP, reported by the doctor). Unset: not behind that stack, not judged.
    origin_https: bool | None = None

    # Amazon Bedrock (AI reports, the admin check). The region defaults to aws_region. Current
    # Claude models are served through inference profiles (us./eu./apac./global. prefixes):
    # the global profile works from every commercial region that offers the model.
    bedrock_region: str | None = None
    bedrock_model_id: str = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
    bedrock_temperature: float = Field(default=0.2, ge=0, le=1)
    bedrock_max_tokens: int = Field(default=4096, ge=1, le=64_000)

    # AI reports: each user's daily budget of model tokens (input + output since local
    # midnight; the offline narrator uses none), and model prices in USD per 1,000 tokens
    # as JSON: DEMO_FACTORY_MODEL_PRICES='{"<model or profile id>": {"input": 0.001,
    # "output": 0.005}}' (an unknown model's cost is shown as unknown).
    report_daily_token_budget: int = Field(default=200_000, ge=0)
    # Reports and follow-up answers written at once in this process (each is read to its end
    # on a thread of its own, whatever the page does); one more is refused until one ends.
    report_concurrent_limit: int = Field(default=8, ge=1, le=100)
    model_prices: Annotated[dict[str, ModelPrice], NoDecode] = Field(
        default_factory=lambda: dict(DEFAULT_MODEL_PRICES))

    @field_validator("model_prices", mode="before")
    @classmethod
    def _prices_json(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not JSON ({exc.msg})") from None
        return value

    @field_validator("signup_auto_domains", mode="before")
    @classmethod
    def _domain_list(cls, value: object) -> object:
        """``a.com, @b.co.kr`` -> ("a.com", "b.co.kr"); anything but a plain domain is refused
        (no wildcards: a sub-domain is listed by itself)."""
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if not isinstance(value, list | tuple):
            return value
        domains = tuple(str(part).strip().lower().removeprefix("@") for part in value)
        bad = [domain for domain in domains if not re.fullmatch(_DOMAIN_PATTERN, domain)]
        if bad:
            raise ValueError(f"not an email domain: {', '.join(repr(b) for b in bad)}")
        return domains

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        """An absolute http(s) address without query or fragment: mails link to it."""
        if not value:
            return None
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("an http(s):// address without query or fragment")
        return value.rstrip("/")

    @field_validator("cookie_key")
    @classmethod
    def _strong_key(cls, value: SecretStr | None) -> SecretStr | None:
        """A weak or example key would let anyone forge sign-in cookies: refuse to start."""
        reason = weak_key_reason(value.get_secret_value()) if value is not None else None
        if reason:
            raise ValueError(f"{REASON_TEXT[reason]}; use a random value, e.g. "
                             "python -c \"import secrets; print(secrets.token_urlsafe(48))\"")
        return value

    @field_validator("resource_prefix")
    @classmethod
    def _valid_prefix(cls, value: str) -> str:
        """Every table and the bucket are named after it: refuse what S3 or DynamoDB would."""
        if not re.fullmatch(RESOURCE_PREFIX_PATTERN, value):
            raise ValueError(f"{value!r} cannot name the tables and the bucket: use 3 to 20 "
                             "lowercase letters, digits and hyphens, starting with a letter")
        if value.startswith(S3_RESERVED_STARTS):
            raise ValueError(f"{value!r} starts like a name S3 keeps reserved "
                             f"({', '.join(S3_RESERVED_STARTS)})")
        return value

    @model_validator(mode="after")
    def _derive_table_names(self) -> Settings:
        for setting in TABLE_SUFFIXES:
            if not getattr(self, setting):
                setattr(self, setting, table_name(self.resource_prefix, setting))
        return self

    def overridden_names(self) -> dict[str, str]:
        """The resource names set by their own variable to something else than the prefix
        gives, as ``{variable: name}``."""
        found = {ENV_PREFIX + setting.upper(): str(getattr(self, setting))
                 for setting in TABLE_SUFFIXES
                 if getattr(self, setting) != table_name(self.resource_prefix, setting)}
        derived_bucket = bucket_name(re.escape(self.resource_prefix), "[0-9]{12}", "[a-z0-9-]+")
        if self.bucket and not re.fullmatch(derived_bucket, self.bucket):
            found[ENV_PREFIX + "BUCKET"] = self.bucket
        return found

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def max_upload_bytes(self) -> int:
        # Megabytes of 1,048,576 bytes, the larger of the two Streamlit's uploader writes a
        # size in (1024-based on Windows, 1000-based elsewhere: services.content.media): no
        # file the uploader shows at or under the limit is refused, on any platform.
        return self.max_upload_mb * 1024 * 1024

    @property
    def uploader_cap_mb(self) -> int:
        """The size the uploaders take (``server.maxUploadSize`` should allow it): above the
        limit, so that the app sees a file somewhat too large and refuses it by name
        (``services/ui/uploads.py``)."""
        return self.max_upload_mb * UPLOADER_HEADROOM

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "demo_factory.sqlite3"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    def require_aws(self, *, bucket: bool = True) -> None:
        """ConfigError naming every missing aws-mode variable. ``bucket=False``: the bucket may
        still be unnamed (the composition root derives it)."""
        required = tuple(name for name in AWS_REQUIRED if bucket or name != "bucket")
        required += COGNITO_REQUIRED if self.auth == "cognito" else ()
        missing = [ENV_PREFIX + name.upper() for name in required if not getattr(self, name)]
        if missing:
            raise ConfigError("errors.config_missing", names=", ".join(missing))

    @property
    def notifications_on(self) -> bool:
        """SES notification of new inquiries: only when both addresses are set."""
        return bool(self.ses_sender and self.ses_recipient)

    @property
    def account_mail_on(self) -> bool:
        """Mails to people about their own accounts (verification, decisions, reset links):
        a sender and the public address the links point to."""
        return bool(self.ses_sender and self.public_url)


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; any problem becomes a ConfigError naming the variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError("errors.config_invalid", problems=problems) from exc
    if settings.auth == "cognito" and settings.backend != "aws":
        raise ConfigError("errors.config_invalid",
                          problems=f"{ENV_PREFIX}AUTH: cognito needs {ENV_PREFIX}BACKEND=aws")
    if settings.backend == "aws":
        settings.require_aws(bucket=False)
    return settings
