"""The service-layer permission matrix: every use case x every kind of actor x (own target,
somebody else's target), with the expected outcome computed from the permission table.

A use case is a public method, taking ``actor``, of a class held by ``Services``. Each has one
row (or several, for variants such as drafts) in ``USE_CASES``: the rule it must obey, built
from ``can``, and a call with plausible arguments against arranged data (``world.World``).
A new use case without a row fails ``test_every_use_case_has_a_row``. Refused calls must raise
(PermissionDenied; NotFound where a draft must not be seen to exist) and change nothing;
allowed calls must succeed.
"""

from __future__ import annotations

import inspect
import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from botocore.exceptions import NoCredentialsError

from services.accounts.mail import AccountMail
from services.accounts.profile import ProfileService
from services.accounts.verification import EmailLinks
from services.adapters.aws.bedrock import check as bedrock_check
from services.analytics.cohorts import CohortService
from services.analytics.funnels import FunnelService
from services.analytics.tables import Filters
from services.bootstrap import Services, legacy_source
from services.content.file_links import FileLinks
from services.content.service import ContentService
from services.domain.analytics import Purpose
from services.domain.follows import FollowScope, Frequency
from services.domain.funnels import Step, StepKind
from services.domain.inquiries import InquiryStatus
from services.domain.models import Category, SearchQuery, Status
from services.domain.permissions import Action, Actor, Role, can
from services.domain.users import User
from services.errors import DemoFactoryError, NotFound, PermissionDenied
from services.insights.follows import FollowService
from services.ops.audit_view import AuditQuery
from tests.doubles.mailer import RecordingMailer
from tests.security.world import (
    ACTORS,
    NEW_PASSWORD,
    PASSWORD,
    PERIOD,
    REQUEST,
    TARGET_USER,
    TODAY,
    World,
    draft,
    inquiry_draft,
    snapshot,
)

A = Action


@dataclass(frozen=True)
class Rule:
    """Who may call a use case: ``allows(actor, owner of the target or None)``."""

    text: str
    allows: Callable[[Actor, str | None], bool]
    refusal: type[DemoFactoryError] = PermissionDenied


def needs(action: Action) -> Rule:
    return Rule(action.value, lambda actor, owner: can(actor, action))


def needs_on_target(action: Action, refusal: type[DemoFactoryError] = PermissionDenied) -> Rule:
    """Owner-based: on somebody else's target the matching "any" permission is needed."""
    return Rule(f"{action.value} on the target (others': the 'any' permission)",
                lambda actor, owner: can(actor, action, owner), refusal)


def all_of(*actions: Action) -> Rule:
    return Rule(" + ".join(a.value for a in actions),
                lambda actor, owner: all(can(actor, a) for a in actions))


PUBLIC = Rule("public", lambda actor, owner: True)
# Usage events record what happened; the use case that acted (set_like, reports.generate)
# checked its own permission first, and recording never fails a page.
RECORDING = Rule("public (records a usage event)", lambda actor, owner: True)
PREDICATE = Rule("public (a yes/no question pages ask)", lambda actor, owner: True)
OWN_ACCOUNT = Rule("signed in (own account)", lambda actor, owner: actor.is_authenticated)
NOBODY = Rule("nobody (somebody else's profile)", lambda actor, owner: False)
ROLE_REQUEST = Rule("signed in, cannot write yet (own account)",
                    lambda actor, owner: actor.is_authenticated
                    and not can(actor, A.CREATE_CONTENT))
DRAFT_LIST = Rule(
    "own drafts: create_content; others': edit_any_content",
    lambda actor, owner: can(actor, A.EDIT_ANY_CONTENT)
    or (owner == actor.user_id and can(actor, A.CREATE_CONTENT)),
)
ITEM_STATS = needs_on_target(A.VIEW_STATS)  # own item: an author; any item: dashboards
AUTHOR_STATS = needs_on_target(A.VIEW_STATS)  # own author page, or any as a dashboard viewer
REPORT_DELETE = needs_on_target(A.DELETE_REPORT)  # own report; others': delete_any_report

# Followed metrics: analysts and authors follow (what each may follow is the follow rows').
FOLLOWER = Rule("view_dashboards or view_own_stats",
                lambda actor, owner: can(actor, A.VIEW_DASHBOARDS) or can(actor, A.VIEW_OWN_STATS))

# A funnel is deleted by its owner or, with delete_any_funnel, anybody's (the default
# funnels by nobody: their own rows).
FUNNEL_DELETE = needs_on_target(A.DELETE_FUNNEL)


@dataclass(frozen=True)
class UseCase:
    method: str  # "<class>.<method>"
    rule: Rule
    call: Callable[[World], object]
    needs: tuple[str, ...] = ()  # World targets arranged before the call
    owned: bool = False  # run against the actor's own target and somebody else's
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.method}[{self.variant}]" if self.variant else self.method


def _sid(w: World) -> str:
    return f"session-{w.actor.user_id}"


def _cohorts(w: World) -> CohortService:
    assert w.services.cohorts is not None  # every backend has a cohort store
    return w.services.cohorts


def _events(w: World) -> list[str]:
    line = {"ts": datetime.now(UTC).isoformat(), "type": "page_view", "page": "home"}
    return [json.dumps(line)]


def _funnels(w: World) -> FunnelService:
    assert w.services.funnels is not None
    return w.services.funnels


def _follows(w: World) -> FollowService:
    assert w.services.follows is not None
    return w.services.follows


def _consume(w: World) -> object:
    return list(w.services.reports.stream(w.actor, REQUEST))


def _delete_own(w: World) -> None:
    """An administrator deletes their own account while another one remains (the last one
    cannot: tests/unit/accounts/test_account_deletion.py)."""
    if Role.ADMIN in w.actor.roles:
        w.services.ports.users.create(User("second-admin", "Second", "second@example.com",
                                           frozenset({Role.ADMIN}), datetime.now(UTC)))
    w.services.profile.delete_account(  # type: ignore[union-attr]
        w.actor, w.account, confirm=w.account)


class _PoolCodes:
    """The Cognito pool's email check, accepting every code (the permission is the point)."""

    def verify_email(self, access_token: str, code: str) -> None:
        return None

    def resend_email_code(self, access_token: str) -> None:
        return None


def _with_codes(w: World) -> ProfileService:
    """The profile service as Cognito mode builds it (email codes checked by the pool)."""
    assert w.services.ports.signup is not None
    return ProfileService(w.services.ports.signup, w.services.ports.audit,
                          email_codes=_PoolCodes())


def _with_links(w: World) -> ProfileService:
    """The profile service as local sign-in with mail builds it (a changed email is mailed a
    verification link)."""
    ports = w.services.ports
    assert ports.signup is not None and ports.tokens is not None
    assert ports.email_confirmation is not None
    mail = AccountMail(RecordingMailer(), "no-reply@example.com", "https://demo.example.com")
    return ProfileService(ports.signup, ports.audit, slots=ports.inquiries,
                          links=EmailLinks(mail, ports.tokens, ports.email_confirmation))


def _link_to_own_new_email(w: World) -> None:
    """The actor's own account with a changed, unverified email, then a new link asked."""
    profiles = _with_links(w)
    profiles.update_profile(w.actor, w.account, name="Own", email="own.new@example.com",
                            company="")
    profiles.send_email_link(w.actor, w.account)


def _profile_rows() -> tuple[UseCase, ...]:
    """The profile page's use cases: one's own profile only (an administrator's too)."""
    calls: dict[str, Callable[[World, str], object]] = {
        "profile": lambda w, u: w.services.profile.profile(w.actor, u),  # type: ignore[union-attr]
        "update_profile": lambda w, u: w.services.profile.update_profile(  # type: ignore[union-attr]
            w.actor, u, name="New Name", email="new@example.com", company="Acme"),
        "liked_items": lambda w, u: w.services.profile.liked_items(  # type: ignore[union-attr]
            w.actor, u),
        "set_language": lambda w, u: w.services.profile.set_language(  # type: ignore[union-attr]
            w.actor, u, "en"),
    }
    rows: list[UseCase] = []
    for name, call in calls.items():
        rows.append(UseCase(f"ProfileService.{name}", OWN_ACCOUNT,
                            lambda w, c=call: c(w, w.account), ("account",), variant="own"))
        rows.append(UseCase(f"ProfileService.{name}", NOBODY,
                            lambda w, c=call: c(w, w.target_user), ("target_user",),
                            variant="other"))
    rows.append(UseCase("ProfileService.request_author", ROLE_REQUEST,
                        lambda w: w.services.profile.request_author(  # type: ignore[union-attr]
                            w.actor, w.account, "I present demos"), ("account",), variant="own"))
    rows.append(UseCase("ProfileService.request_author", NOBODY,
                        lambda w: w.services.profile.request_author(  # type: ignore[union-attr]
                            w.actor, w.target_user, "for them"), ("target_user",),
                        variant="other"))
    codes: dict[str, Callable[[World, str], object]] = {
        "verify_email": lambda w, u: _with_codes(w).verify_email(w.actor, u, "token", "123456"),
        "resend_email_code": lambda w, u: _with_codes(w).resend_email_code(w.actor, u, "token"),
    }
    for name, call in codes.items():
        rows.append(UseCase(f"ProfileService.{name}", OWN_ACCOUNT,
                            lambda w, c=call: c(w, w.account), ("account",), variant="own"))
        rows.append(UseCase(f"ProfileService.{name}", NOBODY,
                            lambda w, c=call: c(w, w.target_user), ("target_user",),
                            variant="other"))
    rows.append(UseCase("ProfileService.send_email_link", OWN_ACCOUNT,
                        _link_to_own_new_email, ("account",), variant="own"))
    rows.append(UseCase("ProfileService.send_email_link", NOBODY,
                        lambda w: _with_links(w).send_email_link(w.actor, w.target_user),
                        ("target_user",), variant="other"))
    rows.append(UseCase("ProfileService.delete_account", OWN_ACCOUNT,
                        lambda w: _delete_own(w), ("account",), variant="own"))
    rows.append(UseCase("ProfileService.delete_account", NOBODY,
                        lambda w: w.services.profile.delete_account(  # type: ignore[union-attr]
                            w.actor, w.target_user, confirm=w.target_user), ("target_user",),
                        variant="other"))
    return tuple(rows)


U = UseCase
def _links(w: World) -> FileLinks:
    assert w.services.file_links is not None
    return w.services.file_links


USE_CASES: tuple[UseCase, ...] = (
    # ---- content --------------------------------------------------------------------------
    U("ContentService.browse", needs(A.BROWSE),
      lambda w: w.services.content.browse(SearchQuery(), w.actor), ("item",)),
    U("ContentService.browse", DRAFT_LIST, lambda w: w.services.content.browse(
        SearchQuery(author_id=w.owner, status=None), w.actor), ("draft",), True, "drafts"),
    U("ContentService.browse", needs(A.EDIT_ANY_CONTENT), lambda w: w.services.content
      .browse(SearchQuery(status=None), w.actor), ("draft",), variant="every status"),
    U("ContentService.my_content", needs(A.CREATE_CONTENT),
      lambda w: w.services.content.my_content(w.actor)),
    U("ContentService.get", needs(A.BROWSE),
      lambda w: w.services.content.get(w.item.id, w.actor), ("item",)),
    U("ContentService.get", needs_on_target(A.EDIT_CONTENT, NotFound),
      lambda w: w.services.content.get(w.draft.id, w.actor), ("draft",), True, "draft"),
    U("ContentService.record_view", needs(A.BROWSE),
      lambda w: w.services.content.record_view(w.item.id, w.actor, _sid(w)), ("item",)),
    U("ContentService.record_view", needs_on_target(A.EDIT_CONTENT, NotFound),
      lambda w: w.services.content.record_view(w.draft.id, w.actor, _sid(w)), ("draft",),
      True, "draft"),
    U("ContentService.has_liked", PREDICATE,
      lambda w: w.services.content.has_liked(w.item.id, w.actor), ("item",)),
    U("ContentService.set_like", needs(A.LIKE),
      lambda w: w.services.content.set_like(w.item.id, w.actor, True), ("item",)),
    U("ContentService.asset_bytes", needs(A.BROWSE), lambda w: w.services.content.asset_bytes(
        w.item, w.item.assets[0], w.actor), ("item",)),
    U("ContentService.asset_bytes", needs_on_target(A.EDIT_CONTENT, NotFound),
      lambda w: w.services.content.asset_bytes(w.draft, w.draft.assets[0], w.actor),
      ("draft",), True, "draft"),
    U("ContentService.asset_url", needs(A.BROWSE), lambda w: w.services.content.asset_url(
        w.item, w.item.assets[0], w.actor), ("item",)),
    U("ContentService.asset_url", needs_on_target(A.EDIT_CONTENT, NotFound),
      lambda w: w.services.content.asset_url(w.draft, w.draft.assets[0], w.actor),
      ("draft",), True, "draft"),
    U("ContentService.thumbnail", needs(A.BROWSE),
      lambda w: w.services.content.thumbnail(w.item, w.actor), ("item",)),
    U("ContentService.thumbnail", needs_on_target(A.EDIT_CONTENT, NotFound),
      lambda w: w.services.content.thumbnail(w.draft, w.actor), ("draft",), True, "draft"),
    U("FileLinks.link", needs(A.BROWSE),
      lambda w: _links(w).link(w.item, "file", w.actor, sign_in=_sid(w)), ("item",)),
    U("FileLinks.link", needs_on_target(A.EDIT_CONTENT, NotFound),
      lambda w: _links(w).link(w.draft, "file", w.actor, sign_in=_sid(w)), ("draft",), True,
      "draft"),
    U("ContentService.create", needs(A.CREATE_CONTENT),
      lambda w: w.services.content.create(draft("New item"), [], w.actor)),
    U("ContentService.create", all_of(A.CREATE_CONTENT, A.MANAGE_SAMPLES),
      lambda w: w.services.content.create(draft("New sample"), [], w.actor, sample=True),
      variant="sample"),
    U("ContentService.create", all_of(A.CREATE_CONTENT, A.MANAGE_SAMPLES),
      lambda w: w.services.content.create(draft("Popular"), [], w.actor, initial_views=50),
      variant="initial views"),
    U("ContentService.update", needs_on_target(A.EDIT_CONTENT), lambda w: w.services.content
      .update(w.item.id, draft("Edited"), w.item.version, w.actor), ("item",), True),
    U("ContentService.delete", needs_on_target(A.DELETE_CONTENT),
      lambda w: w.services.content.delete(w.item.id, w.actor), ("item",), True),
    U("ContentService.remove_samples", needs(A.MANAGE_SAMPLES),
      lambda w: w.services.content.remove_samples(w.actor), ("sample",)),
    U("ContentService.find_orphans", needs(A.DELETE_ANY_CONTENT),
      lambda w: w.services.content.find_orphans(w.actor), ("item",)),
    U("ContentService.remove_orphans", needs(A.DELETE_ANY_CONTENT),
      lambda w: w.services.content.remove_orphans(w.actor), ("item",)),
    # ---- accounts -------------------------------------------------------------------------
    U("AccountService.list_users", needs(A.MANAGE_USERS),
      lambda w: w.services.accounts.list_users(w.actor), ("target_user",)),
    U("AccountService.find_users", needs(A.MANAGE_USERS),
      lambda w: w.services.accounts.find_users(w.actor, "ta"), ("target_user",)),
    U("AccountService.create_user", needs(A.MANAGE_USERS), lambda w: w.services.accounts
      .create_user(w.actor, "newbie", "New", "new@example.com", PASSWORD,
                   frozenset({Role.VIEWER}))),
    U("AccountService.set_roles", needs(A.MANAGE_USERS), lambda w: w.services.accounts
      .set_roles(w.actor, TARGET_USER, frozenset({Role.ADMIN})), ("target_user",)),
    U("AccountService.set_disabled", needs(A.MANAGE_USERS), lambda w: w.services.accounts
      .set_disabled(w.actor, TARGET_USER, True), ("target_user",)),
    U("AccountService.delete_user", needs(A.MANAGE_USERS),
      lambda w: w.services.accounts.delete_user(w.actor, TARGET_USER), ("target_user",)),
    U("AccountService.reset_password", needs(A.MANAGE_USERS),
      lambda w: w.services.accounts.reset_password(w.actor, TARGET_USER), ("target_user",)),
    U("AccountService.import_user", needs(A.MANAGE_USERS), lambda w: w.services.accounts
      .import_user(w.actor, "imported", "Imp", "", frozenset({Role.ADMIN}), PASSWORD)),
    U("AccountService.export_users", needs(A.MANAGE_USERS),
      lambda w: w.services.accounts.export_users(w.actor), ("target_user",)),
    U("AccountService.change_password", OWN_ACCOUNT, lambda w: w.services.accounts
      .change_password(w.actor, PASSWORD, NEW_PASSWORD), ("account",)),
    U("AccountService.sign_out_everywhere", OWN_ACCOUNT, lambda w: w.services.accounts
      .sign_out_everywhere(w.actor, str(w.actor.user_id)), ("account",), variant="own"),
    U("AccountService.sign_out_everywhere", needs(A.MANAGE_USERS), lambda w: w.services.accounts
      .sign_out_everywhere(w.actor, TARGET_USER), ("target_user",), variant="other"),
    # ---- analytics ------------------------------------------------------------------------
    U("AnalyticsService.page_view", RECORDING,
      lambda w: w.services.analytics.page_view(_sid(w), w.actor, "home")),
    U("AnalyticsService.search", RECORDING,
      lambda w: w.services.analytics.search(_sid(w), w.actor, "bedrock", 3)),
    U("AnalyticsService.content_view", RECORDING,
      lambda w: w.services.analytics.content_view(_sid(w), w.actor, w.item), ("item",)),
    U("AnalyticsService.download", RECORDING, lambda w: w.services.analytics.download(
        _sid(w), w.actor, w.item, w.item.assets[0]), ("item",)),
    U("AnalyticsService.like", RECORDING,
      lambda w: w.services.analytics.like(_sid(w), w.actor, w.item), ("item",)),
    U("AnalyticsService.unlike", RECORDING,
      lambda w: w.services.analytics.unlike(_sid(w), w.actor, w.item), ("item",)),
    U("AnalyticsService.visitor_purpose", RECORDING, lambda w: w.services.analytics
      .visitor_purpose(_sid(w), w.actor, Purpose.CUSTOMER_DEMO)),
    U("AnalyticsService.report_generated", RECORDING,
      lambda w: w.services.analytics.report_generated(_sid(w), w.actor, "overall")),
    U("AnalyticsService.dashboard", needs(A.VIEW_DASHBOARDS),
      lambda w: w.services.analytics.dashboard(w.actor, PERIOD, Filters())),
    U("AnalyticsService.kpis", needs(A.VIEW_DASHBOARDS),
      lambda w: w.services.analytics.kpis(w.actor, PERIOD, Filters())),
    U("AnalyticsService.companies", needs(A.VIEW_DASHBOARDS),
      lambda w: w.services.analytics.companies(w.actor, PERIOD)),
    U("CohortService.retention", needs(A.VIEW_DASHBOARDS),
      lambda w: _cohorts(w).retention(w.actor, PERIOD)),
    U("AnalyticsService.live_now", needs(A.VIEW_DASHBOARDS),
      lambda w: w.services.analytics.live_now(w.actor)),
    U("AnalyticsService.sources", needs(A.VIEW_DASHBOARDS),
      lambda w: w.services.analytics.sources(w.actor, PERIOD)),
    U("AnalyticsService.devices", needs(A.VIEW_DASHBOARDS),
      lambda w: w.services.analytics.devices(w.actor, PERIOD)),
    U("AnalyticsService.author_options", needs(A.VIEW_DASHBOARDS),
      lambda w: w.services.analytics.author_options(w.actor)),
    U("AnalyticsService.my_stats", needs(A.VIEW_OWN_STATS),
      lambda w: w.services.analytics.my_stats(w.actor, PERIOD)),
    U("AnalyticsService.item_stats", ITEM_STATS, lambda w: w.services.analytics
      .item_stats(w.actor, w.item.id, PERIOD), ("item",), True),
    U("AnalyticsService.may_see_stats", PREDICATE,
      lambda w: w.services.analytics.may_see_stats(w.actor, w.item), ("item",), True),
    U("AnalyticsService.item_page", ITEM_STATS, lambda w: w.services.analytics
      .item_page(w.actor, w.item.id, PERIOD), ("item",), True),
    U("AnalyticsService.item_page", ITEM_STATS, lambda w: w.services.analytics
      .item_page(w.actor, w.draft.id, PERIOD), ("draft",), True, variant="draft"),
    U("AnalyticsService.author_page", AUTHOR_STATS, lambda w: w.services.analytics
      .author_page(w.actor, w.owner, PERIOD), ("item",), True),
    U("AnalyticsService.may_see_author", PREDICATE,
      lambda w: w.services.analytics.may_see_author(w.actor, w.owner), (), True),
    U("AnalyticsService.signed_up_purpose", PREDICATE,
      lambda w: w.services.analytics.signed_up_purpose(_sid(w), w.actor)),
    U("FunnelService.available", needs(A.VIEW_DASHBOARDS),
      lambda w: _funnels(w).available(w.actor, shared_id=w.funnel), ("funnel",)),
    U("FunnelService.get", needs(A.VIEW_DASHBOARDS),
      lambda w: _funnels(w).get(w.actor, w.funnel), ("funnel",)),
    U("FunnelService.report", needs(A.VIEW_DASHBOARDS),
      lambda w: _funnels(w).report(w.actor, "home-download", PERIOD)),
    U("FunnelService.item_choices", needs(A.VIEW_DASHBOARDS),
      lambda w: _funnels(w).item_choices(w.actor, Category.FINANCE)),
    U("FunnelService.create", needs(A.VIEW_DASHBOARDS), lambda w: _funnels(w).create(
        w.actor, "Mine", [Step(StepKind.PAGE, "home"), Step(StepKind.EVENT, "like")], 30)),
    U("FunnelService.delete", FUNNEL_DELETE,
      lambda w: _funnels(w).delete(w.actor, w.funnel), ("funnel",), True),
    U("FunnelService.may_delete", PREDICATE, lambda w: _funnels(w).may_delete(
        w.actor, _funnels(w).get(ACTORS["admin"], w.funnel)), ("funnel",), True),
    # ---- insights -------------------------------------------------------------------------
    U("InsightsService.insights", needs(A.VIEW_DASHBOARDS),
      lambda w: w.services.insights.insights(w.actor, PERIOD)),
    # ---- followed metrics -----------------------------------------------------------------
    U("FollowService.follow", needs(A.VIEW_DASHBOARDS),
      lambda w: _follows(w).follow(w.actor, "content_views"), variant="platform-wide"),
    U("FollowService.follow", ITEM_STATS, lambda w: _follows(w).follow(
        w.actor, "content_views", FollowScope.ITEM, w.item.id), ("item",), True, "item"),
    U("FollowService.unfollow", FOLLOWER,
      lambda w: _follows(w).unfollow(w.actor, "content_views|all|")),
    U("FollowService.follows", FOLLOWER, lambda w: _follows(w).follows(w.actor)),
    U("FollowService.set_frequency", FOLLOWER,
      lambda w: _follows(w).set_frequency(w.actor, Frequency.DAILY)),
    U("FollowService.frequency", FOLLOWER, lambda w: _follows(w).frequency(w.actor)),
    U("FollowService.my_insights", FOLLOWER, lambda w: _follows(w).my_insights(w.actor)),
    U("FollowService.digests", FOLLOWER, lambda w: _follows(w).digests(w.actor)),
    U("FollowService.may_use", PREDICATE, lambda w: _follows(w).may_use(w.actor)),
    # ---- reports --------------------------------------------------------------------------
    U("ReportService.preview_context", needs(A.GENERATE_REPORTS), lambda w: w.services.reports
      .preview_context(w.actor, REQUEST.report_type, REQUEST.language, PERIOD)),
    U("ReportService.subjects", needs(A.GENERATE_REPORTS),
      lambda w: w.services.reports.subjects(w.actor, "content")),
    U("ReportService.estimate", needs(A.GENERATE_REPORTS), lambda w: w.services.reports
      .estimate(w.actor, w.preview, "offline", 1000), ("preview",)),
    U("ReportService.tokens_used_today", needs(A.GENERATE_REPORTS),
      lambda w: w.services.reports.tokens_used_today(w.actor)),
    U("ReportService.stream", needs(A.GENERATE_REPORTS), _consume),
    # With the preview the user has seen, the context is not built again: still checked.
    U("ReportService.stream", needs(A.GENERATE_REPORTS), lambda w: list(w.services.reports
      .stream(w.actor, REQUEST, preview=w.preview)), ("preview",), variant="preview"),
    U("ReportService.generate", needs(A.GENERATE_REPORTS), lambda w: w.services.reports
      .generate(w.actor, REQUEST, preview=w.preview), ("preview",), variant="preview"),
    U("ReportService.generate", needs(A.GENERATE_REPORTS),
      lambda w: w.services.reports.generate(w.actor, REQUEST)),
    U("SignupService.pending", needs(A.MANAGE_USERS),
      lambda w: w.services.signup.pending(w.actor),  # type: ignore[union-attr]
      ("applicant",)),
    U("SignupService.approve", needs(A.MANAGE_USERS),
      lambda w: w.services.signup.approve(w.actor, w.applicant),  # type: ignore[union-attr]
      ("applicant",)),
    U("SignupService.decline", needs(A.MANAGE_USERS),
      lambda w: w.services.signup.decline(w.actor, w.applicant),  # type: ignore[union-attr]
      ("applicant",)),
    *_profile_rows(),
    U("ReportService.history", needs(A.GENERATE_REPORTS),
      lambda w: w.services.reports.history(w.actor), ("report",)),
    U("ReportService.get", needs(A.GENERATE_REPORTS),
      lambda w: w.services.reports.get(w.actor, w.report.id), ("report",), True),
    U("ReportService.compare", needs(A.GENERATE_REPORTS), lambda w: w.services.reports
      .compare(w.actor, w.report.id, w.report.id), ("report",), True),
    U("ReportService.ask", needs(A.GENERATE_REPORTS), lambda w: list(w.services.reports
      .ask(w.actor, w.report.id, "방문자는?", "offline", "ko")), ("report",), True),
    U("ReportService.turns", needs(A.GENERATE_REPORTS),
      lambda w: w.services.reports.turns(w.actor, w.report.id), ("report",), True),
    U("ReportService.turn_count", needs(A.GENERATE_REPORTS),
      lambda w: w.services.reports.turn_count(w.actor, w.report.id), ("report",), True),
    U("ReportService.delete", REPORT_DELETE,
      lambda w: w.services.reports.delete(w.actor, w.report.id), ("report",), True),
    U("ReportService.may_delete", PREDICATE,
      lambda w: w.services.reports.may_delete(w.actor, w.report), ("report",), True),
    # ---- contact, imports, operations -----------------------------------------------------
    U("InquiryService.submit", PUBLIC,
      lambda w: w.services.inquiries.submit(w.actor, inquiry_draft(), _sid(w))),
    U("InquiryService.list", needs(A.MANAGE_INQUIRIES),
      lambda w: w.services.inquiries.list(w.actor, InquiryStatus.OPEN), ("inquiry",)),
    U("InquiryService.set_handled", needs(A.MANAGE_INQUIRIES),
      lambda w: w.services.inquiries.set_handled(w.actor, w.inquiry, True), ("inquiry",)),
    U("EventImporter.import_events", needs(A.IMPORT_DATA), lambda w: w.services.event_import
      .import_events(w.actor, lambda: _events(w), "events.jsonl")),
    U("LegacyImporter.run", needs(A.IMPORT_DATA), lambda w: w.services.legacy_import.run(
        legacy_source(w.services.settings, folder=w.legacy_folder), w.actor),
      ("legacy_folder",)),
    U("OpsService.check_bedrock", needs(A.CHECK_SETTINGS),
      lambda w: w.services.ops.check_bedrock(w.actor)),
    U("OpsService.run_doctor", needs(A.CHECK_SETTINGS),
      lambda w: w.services.ops.run_doctor(w.actor, {}, False)),
    U("OpsService.audit_entries", needs(A.VIEW_AUDIT),
      lambda w: w.services.ops.audit_entries(w.actor, AuditQuery(TODAY, TODAY))),
    U("OpsService.audit_choices", needs(A.VIEW_AUDIT),
      lambda w: w.services.ops.audit_choices(w.actor, TODAY, TODAY)),
    U("OpsService.audit_titles", needs(A.VIEW_AUDIT),
      lambda w: w.services.ops.audit_titles(w.actor, [])),
    U("OpsService.audit_waiting", needs(A.VIEW_AUDIT),
      lambda w: w.services.ops.audit_waiting(w.actor)),
)


# ---- discovery ------------------------------------------------------------------------------

def service_classes() -> list[type]:
    """The classes ``Services`` holds (Optional unwrapped), in field order."""
    classes: list[type] = []
    for hint in typing.get_type_hints(Services).values():
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        if inspect.isclass(hint):
            classes.append(hint)
    return classes


def discovered_use_cases() -> set[str]:
    """Every public method taking ``actor`` of every class in ``Services``."""
    found: set[str] = set()
    for cls in service_classes():
        for name, member in inspect.getmembers(cls, callable):
            if not name.startswith("_") and "actor" in inspect.signature(member).parameters:
                found.add(f"{cls.__name__}.{name}")
    return found


def test_every_use_case_has_a_row() -> None:
    rows = {case.method for case in USE_CASES}
    discovered = discovered_use_cases()

    assert sorted(discovered - rows) == [], "use cases without a row in USE_CASES"
    assert sorted(rows - discovered) == [], "rows for use cases that no longer exist"


def test_a_new_use_case_without_a_row_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def purge_everything(self: ContentService, actor: Actor) -> None: ...

    monkeypatch.setattr(ContentService, "purge_everything", purge_everything, raising=False)

    missing = discovered_use_cases() - {case.method for case in USE_CASES}
    assert missing == {"ContentService.purge_everything"}


# ---- the matrix -----------------------------------------------------------------------------

def _cases() -> list[tuple[UseCase, str, str | None]]:
    cases: list[tuple[UseCase, str, str | None]] = []
    for case in USE_CASES:
        for kind, actor in ACTORS.items():
            for whose in ("own", "other") if case.owned else (None,):
                if whose == "own" and not actor.is_authenticated:
                    continue  # an anonymous visitor owns nothing
                cases.append((case, kind, whose))
    return cases


def _case_id(case: tuple[UseCase, str, str | None]) -> str:
    use_case, kind, whose = case
    return "-".join(part for part in (use_case.id, kind, whose) if part)


CASES = _cases()


def _no_aws(settings: object) -> bedrock_check.BedrockClients:
    raise AssertionError("a refused check must not build AWS clients")


def _no_credentials(settings: object) -> bedrock_check.BedrockClients:
    raise NoCredentialsError()  # the probe reports a failed step at once, no AWS call


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_use_case_obeys_the_permission_table(
    case: tuple[UseCase, str, str | None], services: Services, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_case, kind, whose = case
    actor = ACTORS[kind]
    world = World(services, actor, whose, tmp_path)
    world.arrange(use_case.needs)
    allowed = use_case.rule.allows(actor, world.owner if use_case.owned else None)
    monkeypatch.setattr(bedrock_check, "make_clients", _no_credentials if allowed else _no_aws)
    before = snapshot(services)

    if allowed:
        use_case.call(world)  # succeeds: no PermissionDenied, no other error
    else:
        with pytest.raises(use_case.rule.refusal):
            use_case.call(world)
        assert snapshot(services) == before


# ---- what pages ask agrees with what the use cases enforce ----------------------------------

@pytest.mark.parametrize("kind", list(ACTORS))
@pytest.mark.parametrize("whose", ["own", "other"])
def test_stats_and_report_predicates_match_the_rules(
    kind: str, whose: str, services: Services, tmp_path: Path
) -> None:
    actor = ACTORS[kind]
    world = World(services, actor, whose, tmp_path)

    assert services.analytics.may_see_stats(actor, world.item) is ITEM_STATS.allows(
        actor, world.owner)
    assert services.reports.may_delete(actor, world.report) is REPORT_DELETE.allows(
        actor, world.owner)


def test_drafts_are_hidden_from_a_draft_listing_of_published_content(
    services: Services, tmp_path: Path
) -> None:
    world = World(services, ACTORS["viewer"], "other", tmp_path)
    world.arrange(("item", "draft"))

    listed = services.content.browse(SearchQuery(status=Status.PUBLISHED), ACTORS["viewer"])

    assert [item.id for item in listed.items] == [world.item.id]
