"""``build_services(settings) -> Services``: the use cases wired to the ports of the configured
backend (or to the ports a test gives)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from services.accounts.deletion import AccountRemoval
from services.accounts.mail import AccountMail
from services.accounts.profile import ProfileService
from services.accounts.reset import PasswordResetService
from services.accounts.service import AccountService
from services.accounts.sessions import LocalSessions
from services.accounts.sign_in.base import SignInMode, group_names
from services.accounts.sign_in.cognito import CognitoSignIn
from services.accounts.sign_in.local import LocalSignIn
from services.accounts.sign_in.oidc import OidcSignIn
from services.accounts.signup import SignupService
from services.analytics.cohorts import CohortService
from services.analytics.funnels import FunnelService
from services.analytics.service import AnalyticsService
from services.analytics.tracker import Tracker
from services.bootstrap.aws import resolve_aws_names
from services.bootstrap.doctor import doctor_checks, doctor_context
from services.bootstrap.local_data import cookie_key
from services.bootstrap.ports import Ports, build_aws_ports, build_local_ports
from services.contact.service import InquiryService
from services.content.samples import SampleContent
from services.content.service import ContentService
from services.domain.checks import CheckStep
from services.errors import ConfigError
from services.imports.events import EventImporter
from services.imports.legacy.importer import LegacyImporter
from services.insights.digests import DigestSender
from services.insights.follows import FollowService
from services.insights.service import InsightsService
from services.ops.service import OpsService
from services.ports import (
    LLM,
)
from services.reports.models import model_offer
from services.reports.service import ReportService
from services.settings import Settings


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


def build_services(settings: Settings, ports: Ports | None = None) -> Services:
    """Wire use cases to the adapters of ``settings.backend`` (or to ``ports`` in tests)."""
    if ports is None and settings.backend == "local":
        ports = build_local_ports(settings)
    elif ports is None:
        # The services (and the doctor) see the bucket's name, derived once here if unset.
        settings = resolve_aws_names(settings)
        ports = build_aws_ports(settings)
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
    removal = AccountRemoval(ports.users, ports.content, ports.events, ports.throttle,
                             local_sessions, settings.event_retention_days,
                             records=ports.signup if ports.cognito is not None else None,
                             cohorts=ports.cohorts, follows=ports.follows)
    accounts = AccountService(
        ports.users, ports.passwords, ports.throttle, ports.audit,
        max_failures=settings.login_max_failures, lockout_minutes=settings.login_lockout_minutes,
        sessions=local_sessions, removal=removal, first_admin_form=first_admin_form(settings),
    )
    inquiries = InquiryService(
        ports.inquiries, ports.audit, mailer=ports.mailer, sender=settings.ses_sender,
        recipient=settings.ses_recipient, limit=settings.inquiry_limit,
        window_minutes=settings.inquiry_window_minutes,
        global_limit=settings.inquiry_global_limit, instance_limit=settings.inquiry_instance_limit,
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
                            report_models(settings), settings, analytics=analytics,
                            audit=ports.audit)
    imports = _importers(settings, ports)
    follows, digests = _follows(settings, ports)
    mail = _account_mail(settings, ports) if local_sessions is not None else None
    signup = (_signup(settings, ports, mail)
              if local_sessions is not None or ports.cognito is not None else None)
    password_reset = (_password_reset(settings, ports, local_sessions, mail)
                      if local_sessions is not None else None)
    return Services(settings=settings, ports=ports, content=content, accounts=accounts,
                    samples=SampleContent(content, ports.audit), event_import=imports[0],
                    legacy_import=imports[1], ops=_ops(settings, ports),
                    inquiries=inquiries, sign_in=sign_in, cognito=cognito, tracker=tracker,
                    analytics=analytics, signup=signup, password_reset=password_reset,
                    profile=_profile(ports, removal), reports=reports,
                    cohorts=CohortService(ports.cohorts, analytics.today)
                    if ports.cohorts is not None else None,
                    funnels=_funnels(settings, ports), insights=insights,
                    follows=follows, digests=digests)


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
    return FunnelService(ports.funnels, ports.events, ports.audit, settings.tz,
                         settings.event_retention_days)


def _account_mail(settings: Settings, ports: Ports) -> AccountMail | None:
    if not settings.account_mail_on or ports.mailer is None or ports.tokens is None:
        return None
    assert settings.ses_sender and settings.public_url
    return AccountMail(ports.mailer, settings.ses_sender, settings.public_url,
                       default_language=settings.default_language)


def _password_reset(settings: Settings, ports: Ports, sessions: LocalSessions,
                    mail: AccountMail | None) -> PasswordResetService | None:
    """Forgot password of local accounts (the page explains the way without mail)."""
    if ports.signup is None or ports.tokens is None:
        return None
    return PasswordResetService(
        ports.signup, ports.passwords, sessions, ports.tokens, ports.inquiries, ports.audit,
        mail=mail, limit=settings.signup_limit, instance_limit=settings.signup_instance_limit,
        window_minutes=settings.signup_window_minutes,
    )


def _profile(ports: Ports, removal: AccountRemoval) -> ProfileService | None:
    """Local accounts, and Cognito's (the pool keeps name and email, the users table the
    rest); OIDC's provider keeps its users' details."""
    if ports.signup is None or (removal.sessions is None and ports.cognito is None):
        return None
    codes = ports.cognito.email_codes if ports.cognito is not None else None
    return ProfileService(ports.signup, ports.audit, removal=removal, content=ports.content,
                          email_codes=codes)


def _signup(settings: Settings, ports: Ports, mail: AccountMail | None) -> SignupService | None:
    """Sign-up of local accounts, or through the Cognito pool's own sign-up; the contact
    form's store keeps its rate counters."""
    if ports.signup is None:
        return None
    return SignupService(
        ports.signup, ports.passwords, ports.inquiries, ports.audit, mode=settings.signup,
        auto_domains=settings.signup_auto_domains, limit=settings.signup_limit,
        instance_limit=settings.signup_instance_limit,
        window_minutes=settings.signup_window_minutes, mail=mail, tokens=ports.tokens,
        pool=ports.cognito.signup if ports.cognito else None,
    )


def _ops(settings: Settings, ports: Ports) -> OpsService:
    def probe(model_id: str) -> tuple[str | None, list[CheckStep]]:
        from services.adapters.aws.bedrock import check

        return check.probe(settings, model_id, check.make_clients)

    return OpsService(settings, ports.audit, bedrock_probe=probe, doctor_checks=doctor_checks(),
                      doctor_context=partial(doctor_context, settings), content=ports.content)


def report_models(settings: Settings, environ: Mapping[str, str] | None = None,
                  home: Path | None = None) -> dict[str, LLM]:
    """The offline narrator, and Bedrock where AWS credentials look configured and this is no
    emulation (whose Bedrock endpoint is unreachable). Nothing calls AWS here."""
    from services.adapters.aws.bedrock.lazy import LazyBedrock, credentials_configured

    offered = not settings.emulation and credentials_configured(settings, environ, home)
    return model_offer(settings, LazyBedrock(settings) if offered else None)


def _importers(settings: Settings, ports: Ports) -> tuple[EventImporter, LegacyImporter]:
    """Event files and the previous platform, written into these stores with their limits."""
    events = EventImporter(ports.events, ports.audit, settings.tz, settings.event_retention_days,
                           content=ports.content)
    legacy = LegacyImporter(content=ports.content, blobs=ports.blobs, users=ports.users,
                            events=ports.events, audit=ports.audit,
                            max_upload_bytes=settings.max_upload_bytes, tz=settings.tz,
                            retention_days=settings.event_retention_days)
    return events, legacy
