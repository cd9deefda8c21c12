"""The use cases wired to a backend's ports: ``wire(settings, ports, tools) -> Services``.

Names no adapter: ``services/bootstrap.py``, the composition root, builds the ports and the
``AdapterTools`` and calls ``wire``; tests may hand it ports of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial

from services.accounts.deletion import AccountRemoval
from services.accounts.mail import AccountMail
from services.accounts.pool_sessions import PoolSessions
from services.accounts.profile import ProfileService
from services.accounts.reset import PasswordResetService
from services.accounts.service import AccountService
from services.accounts.sessions import LocalSessions
from services.accounts.sign_in.base import SignInMode, group_names
from services.accounts.sign_in.cognito import CognitoSignIn
from services.accounts.sign_in.cognito_gate import record_gate
from services.accounts.sign_in.local import LocalSignIn
from services.accounts.sign_in.oidc import OidcSignIn
from services.accounts.signup import SignupService
from services.accounts.verification import EmailLinks
from services.analytics.cohorts import CohortService
from services.analytics.funnels import FunnelService
from services.analytics.service import AnalyticsService
from services.analytics.tracker import Tracker
from services.contact.service import InquiryService
from services.content.file_links import FileLinks
from services.content.samples import SampleContent
from services.content.service import ContentService
from services.cookie_key_file import cookie_key, require_strong_key_file
from services.domain.checks import CheckStep
from services.domain.permissions import Actor
from services.errors import ConfigError, NotFound
from services.imports.events import EventImporter
from services.imports.legacy.importer import LegacyImporter
from services.insights.digests import DigestSender
from services.insights.follows import FollowService
from services.insights.service import InsightsService
from services.ops.audit_spool import SharedSpool, SpooledAuditLog
from services.ops.doctor.base import Check, DoctorContext
from services.ops.service import OpsService
from services.ports import (
    LLM,
    AccountTokenStore,
    AuditLog,
    BlobStore,
    CohortStore,
    ContentRepository,
    EmailCodes,
    EmailConfirmation,
    EventStore,
    FollowStore,
    FunnelStore,
    IdentityProvider,
    InquiryStore,
    LiveWindow,
    LoginThrottle,
    Mailer,
    PasswordAuthenticator,
    PoolSignOut,
    PoolSignUp,
    ReportStore,
    SessionStore,
    SignupDirectory,
    TokenVerifier,
    UserDirectory,
)
from services.reports.service import ReportService
from services.settings import Settings


@dataclass(frozen=True)
class CognitoPorts:
    """Sign-in through a Cognito user pool (``DEMO_FACTORY_AUTH=cognito``)."""

    identity: IdentityProvider
    tokens: TokenVerifier
    sessions: SessionStore
    # Self-service sign-up: the pool's SignUp/ConfirmSignUp, and the app's records of it.
    signup: PoolSignUp | None = None
    signup_records: SignupDirectory | None = None
    # A changed email's code, checked by the pool with the user's access token.
    email_codes: EmailCodes | None = None
    # At sign-in: the app's record (users table) takes the pool's name and roles.
    refresh_record: Callable[[str], None] | None = None
    # Ends every sign-in of a user at the pool (a password change or reset, sign out everywhere).
    sign_out: PoolSignOut | None = None


@dataclass(frozen=True)
class Ports:
    content: ContentRepository
    blobs: BlobStore
    users: UserDirectory
    audit: AuditLog
    events: EventStore
    passwords: PasswordAuthenticator
    throttle: LoginThrottle
    inquiries: InquiryStore
    reports: ReportStore
    mailer: Mailer | None = None
    cognito: CognitoPorts | None = None
    # Server-side sessions of local sign-ins (every backend has one; None: no local sign-in).
    sessions: SessionStore | None = None
    # The records of self-service sign-ups: the local accounts' store, or in Cognito mode the
    # users table beside the pool (None: no sign-up, as with OIDC).
    signup: SignupDirectory | None = None
    # Single-use tokens of mailed links (verification, password reset) of local accounts.
    tokens: AccountTokenStore | None = None
    # A verification link opened: the local accounts' store (the ``signup`` one), which holds
    # the link to the address it went to. None in Cognito mode: the pool verifies by code.
    email_confirmation: EmailConfirmation | None = None
    # Returning signed-in users, counted at ingest (a sink of ``events``).
    cohorts: CohortStore | None = None
    # The last minutes of real traffic (the dashboard's "now" panel), fed as an event sink.
    live: LiveWindow | None = None
    # Funnel definitions and the visits counted into them at ingest (a sink of ``events``).
    funnels: FunnelStore | None = None
    # Followed metrics, digest frequencies and the digests kept in the app.
    follows: FollowStore | None = None


@dataclass(frozen=True)
class Services:
    settings: Settings
    ports: Ports
    content: ContentService
    accounts: AccountService
    tracker: Tracker
    analytics: AnalyticsService
    insights: InsightsService
    reports: ReportService
    inquiries: InquiryService
    samples: SampleContent
    event_import: EventImporter
    legacy_import: LegacyImporter
    ops: OpsService
    sign_in: SignInMode
    # The Cognito mode's own forms (first-password challenge, forgot password) need it.
    cognito: CognitoSignIn | None = None
    # Self-service sign-up (local and Cognito sign-in; None with OIDC).
    signup: SignupService | None = None
    # Forgot password by a mailed link (local sign-in only; None in the other modes).
    password_reset: PasswordResetService | None = None
    # The profile page's edits and role requests (local and Cognito accounts, as sign-up).
    profile: ProfileService | None = None
    # Returning users (None when the ports have no cohort store).
    cohorts: CohortService | None = None
    # Funnels on the dashboard (every backend has a funnel store; None only in test wiring).
    funnels: FunnelService | None = None
    # "My insights" and digests (None when the ports have no follow store).
    follows: FollowService | None = None
    digests: DigestSender | None = None
    # Pages' links to files in a store with short-lived URLs (None only in test wiring).
    file_links: FileLinks | None = None


@dataclass(frozen=True)
class AdapterTools:
    """What the use cases need that only the composition root can make, from adapters."""

    models: dict[str, LLM]  # the report models offered (the offline narrator, Bedrock)
    bedrock_probe: Callable[[str], tuple[str | None, list[CheckStep]]]
    doctor_checks: list[Check]
    doctor_context: Callable[[Mapping[str, str], bool], DoctorContext]


def wire(settings: Settings, ports: Ports, tools: AdapterTools) -> Services:
    """The use cases wired to ``ports``, with what only the composition root can make
    (``tools``: the report models, the Bedrock probe, the doctor's checks)."""
    require_strong_key_file(settings)  # refuse to start, as settings refuse a weak variable
    # Every use case writes through it: an entry the store refuses waits until it answers.
    # In aws mode it waits in the files bucket first, which outlasts the container.
    shared = SharedSpool(ports.blobs) if settings.backend == "aws" else None
    spool = (ports.audit if isinstance(ports.audit, SpooledAuditLog)
             else SpooledAuditLog(ports.audit, settings.data_dir, shared))
    ports = replace(ports, audit=spool)
    content = ContentService(
        ports.content, ports.blobs, ports.audit,
        max_upload_bytes=settings.max_upload_bytes, url_seconds=settings.presigned_url_seconds,
        events=ports.events,
    )
    local_sessions = None
    if settings.auth == "local" and ports.cognito is None:
        if ports.sessions is None:
            raise ConfigError("errors.config_missing", names="DEMO_FACTORY_SESSIONS_TABLE")
        local_sessions = LocalSessions(ports.sessions, days=settings.cookie_expiry_days)
    links = _links(settings, ports) if local_sessions is not None else None
    pool_sessions = (PoolSessions(ports.cognito.sessions, ports.cognito.sign_out)
                     if ports.cognito is not None else None)
    removal = AccountRemoval(ports.users, ports.content, ports.events, ports.throttle,
                             local_sessions, settings.event_retention_days,
                             records=ports.signup if ports.cognito is not None else None,
                             cohorts=ports.cohorts, follows=ports.follows)
    accounts = AccountService(
        ports.users, ports.passwords, ports.throttle, ports.audit,
        max_failures=settings.login_max_failures, lockout_minutes=settings.login_lockout_minutes,
        sessions=local_sessions or pool_sessions, removal=removal,
        first_admin_form=first_admin_form(settings), email_links=links is not None,
    )
    inquiries = InquiryService(
        ports.inquiries, ports.audit, mailer=ports.mailer, sender=settings.ses_sender,
        recipient=settings.ses_recipient, limit=settings.inquiry_limit,
        window_minutes=settings.inquiry_window_minutes,
        global_limit=settings.inquiry_global_limit, instance_limit=settings.inquiry_instance_limit,
        tz=settings.tz,
    )
    cognito = None
    sign_in: SignInMode
    if ports.cognito is not None:
        cognito = CognitoSignIn(
            ports.cognito.identity, ports.cognito.tokens, ports.cognito.sessions, accounts,
            group_names(settings), session_key=cookie_key(settings),
            cookie_name=f"{settings.cookie_name}_sid", audit=ports.audit,
            session_days=settings.session_days, recheck_seconds=settings.cognito_recheck_seconds,
            on_sign_in=ports.cognito.refresh_record,
            gate=_record_gate(ports.cognito), ends=pool_sessions,
        )
        sign_in = cognito
    elif settings.auth == "oidc":
        sign_in = OidcSignIn(group_names(settings), settings.oidc_groups_claim,
                             recheck_seconds=settings.cognito_recheck_seconds)
    else:
        assert local_sessions is not None
        sign_in = LocalSignIn(accounts, local_sessions, cookie_key=partial(cookie_key, settings),
                              cookie_name=settings.cookie_name,
                              cookie_days=settings.cookie_expiry_days, audit=ports.audit)
    tracker = Tracker(
        ports.events, settings.tracker_flush_seconds, settings.tracker_buffer_max,
        # A store without a TTL (SQLite) drops expired raw events on the tracker's thread.
        housekeeping=getattr(ports.events, "prune", None),
    )
    # Sign-up's company and purpose live with local accounts (the sign-up store); a Cognito
    # or OIDC directory has neither, so their users' events carry none.
    profiles = ports.signup if ports.signup is not None else ports.users
    analytics = AnalyticsService(ports.events, ports.content, tracker, settings.tz,
                                 find_user=profiles.get, live=ports.live, funnels=ports.funnels)
    insights = InsightsService(ports.events, ports.content, settings.tz)
    # Models are offered from settings and the environment; none is called here.
    reports = ReportService(ports.reports, ports.events, ports.content,
                            tools.models, settings, analytics=analytics,
                            audit=ports.audit)
    imports = _importers(settings, ports)
    follows, digests = _follows(settings, ports)
    signup = (_signup(settings, ports, links)
              if local_sessions is not None or ports.cognito is not None else None)
    password_reset = (_password_reset(settings, ports, local_sessions,
                                      links.mail if links is not None else None)
                      if local_sessions is not None else None)
    return Services(settings=settings, ports=ports, content=content, accounts=accounts,
                    samples=SampleContent(content, ports.audit, ports.inquiries),
                    event_import=imports[0], legacy_import=imports[1],
                    ops=_ops(settings, ports, tools, spool),
                    inquiries=inquiries, sign_in=sign_in, cognito=cognito, tracker=tracker,
                    analytics=analytics, signup=signup, password_reset=password_reset,
                    profile=_profile(ports, removal, links), reports=reports,
                    cohorts=CohortService(ports.cohorts, analytics.today)
                    if ports.cohorts is not None else None,
                    funnels=_funnels(settings, ports), insights=insights,
                    follows=follows, digests=digests,
                    file_links=FileLinks(content, partial(cookie_key, settings),
                                         hours=settings.file_link_hours,
                                         find_actor=partial(_actor_now, accounts),
                                         holder=_sign_in_holder(local_sessions, pool_sessions)))


def _actor_now(accounts: AccountService, username: str) -> Actor | None:
    """The account as it is now (its roles), None when it is gone or may not sign in."""
    try:
        user = accounts.get(username)
    except NotFound:
        return None
    return user.as_actor() if user.may_sign_in else None


def _sign_in_holder(local: LocalSessions | None, pool: PoolSessions | None
                    ) -> Callable[[str], str | None] | None:
    """Whose standing sign-in a session record's key is, in the modes where the app keeps
    sign-ins (OIDC's are the provider's)."""
    if local is not None:
        return local.holder
    return pool.holder if pool is not None else None


def first_admin_form(settings: Settings) -> bool:
    """The first administrator by the app's form: as set, else in local mode (the server
    listens on this machine unless told otherwise) and in the emulation; a deployment makes it
    by command."""
    if settings.first_admin_form is not None:
        return settings.first_admin_form
    return settings.backend == "local" or settings.emulation


def _follows(settings: Settings,
             ports: Ports) -> tuple[FollowService | None, DigestSender | None]:
    if ports.follows is None:
        return None, None
    return (FollowService(ports.follows, ports.events, ports.content, settings.tz),
            DigestSender(ports.follows, ports.events, ports.content, ports.users, settings.tz,
                         mailer=ports.mailer, sender=settings.ses_sender,
                         default_language=settings.default_language))


def _funnels(settings: Settings, ports: Ports) -> FunnelService | None:
    if ports.funnels is None:
        return None
    return FunnelService(ports.funnels, ports.events, ports.content, ports.audit, settings.tz,
                         settings.event_retention_days)


def _links(settings: Settings, ports: Ports) -> EmailLinks | None:
    """Account mail of local sign-in and its verification links (SES and a public address)."""
    if (not settings.account_mail_on or ports.mailer is None or ports.tokens is None
            or ports.email_confirmation is None):
        return None
    assert settings.ses_sender and settings.public_url
    mail = AccountMail(ports.mailer, settings.ses_sender, settings.public_url,
                       default_language=settings.default_language)
    return EmailLinks(mail, ports.tokens, ports.email_confirmation)


def _password_reset(settings: Settings, ports: Ports, sessions: LocalSessions,
                    mail: AccountMail | None) -> PasswordResetService | None:
    """Forgot password of local accounts (the page explains the way without mail)."""
    if ports.signup is None or ports.tokens is None:
        return None
    return PasswordResetService(
        ports.signup, ports.passwords, sessions, ports.tokens, ports.inquiries, ports.audit,
        mail=mail, throttle=ports.throttle, limit=settings.signup_limit,
        instance_limit=settings.signup_instance_limit,
        window_minutes=settings.signup_window_minutes,
    )


def _profile(ports: Ports, removal: AccountRemoval,
             links: EmailLinks | None) -> ProfileService | None:
    """Local accounts, and Cognito's (the pool keeps name and email, the users table the
    rest); OIDC's provider keeps its users' details. A changed local email gets a link."""
    if ports.signup is None or (removal.sessions is None and ports.cognito is None):
        return None
    codes = ports.cognito.email_codes if ports.cognito is not None else None
    return ProfileService(ports.signup, ports.audit, removal=removal, content=ports.content,
                          email_codes=codes, links=links, slots=ports.inquiries)


def _record_gate(cognito: CognitoPorts) -> Callable[[str], None] | None:
    """The sign-in's check of the app's record (``record_gate``), where the pool has both."""
    if cognito.signup_records is None or cognito.signup is None:
        return None
    return record_gate(cognito.signup_records, cognito.signup)


def _signup(settings: Settings, ports: Ports,
            links: EmailLinks | None) -> SignupService | None:
    """Sign-up of local accounts, or through the Cognito pool's own sign-up; the contact
    form's store keeps its rate counters."""
    if ports.signup is None:
        return None
    return SignupService(
        ports.signup, ports.passwords, ports.inquiries, ports.audit, mode=settings.signup,
        auto_domains=settings.signup_auto_domains, limit=settings.signup_limit,
        instance_limit=settings.signup_instance_limit,
        window_minutes=settings.signup_window_minutes, links=links,
        pool=ports.cognito.signup if ports.cognito else None,
    )


def _ops(settings: Settings, ports: Ports, tools: AdapterTools,
         spool: SpooledAuditLog) -> OpsService:
    return OpsService(settings, ports.audit, bedrock_probe=tools.bedrock_probe,
                      doctor_checks=tools.doctor_checks, doctor_context=tools.doctor_context,
                      content=ports.content, funnels=ports.funnels, audit_spool=spool)


def _importers(settings: Settings, ports: Ports) -> tuple[EventImporter, LegacyImporter]:
    """Event files and the previous platform, written into these stores with their limits."""
    events = EventImporter(ports.events, ports.audit, settings.tz, settings.event_retention_days,
                           content=ports.content)
    legacy = LegacyImporter(content=ports.content, blobs=ports.blobs, users=ports.users,
                            events=ports.events, audit=ports.audit,
                            max_upload_bytes=settings.max_upload_bytes, tz=settings.tz,
                            retention_days=settings.event_retention_days)
    return events, legacy
