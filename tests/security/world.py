"""The arranged world of the permission matrix: who acts, what they act on, and a snapshot of
every store to prove that a refused call changed nothing."""

from __future__ import annotations

import io
from dataclasses import astuple
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from PIL import Image

from services.analytics.dashboards import Period
from services.bootstrap import Services
from services.domain.funnels import Step, StepKind
from services.domain.inquiries import InquiryDraft, InquiryStatus, InquiryType
from services.domain.models import (
    Category,
    ContentDraft,
    ContentItem,
    SearchQuery,
    Status,
    Upload,
)
from services.domain.permissions import Actor, Role
from services.domain.reports import Report, ReportLanguage, ReportType
from services.domain.users import AccountStatus, User
from services.reports.request import Preview, ReportRequest

# Everybody the matrix lets act; each signed-in kind has a user id of its own.
ACTORS: dict[str, Actor] = {
    "anonymous": Actor.anonymous(),
    "viewer": Actor("vera", "Vera", frozenset({Role.VIEWER})),
    "author": Actor("alice", "Alice", frozenset({Role.AUTHOR})),
    "analyst": Actor("ana", "Ana", frozenset({Role.ANALYST})),
    "admin": Actor("root", "Root", frozenset({Role.ADMIN})),
    "author+analyst": Actor("both", "Both", frozenset({Role.AUTHOR, Role.ANALYST})),
}
OTHER = "olga"  # owns "somebody else's" items and reports
TARGET_USER = "tara"  # the account that user management acts on
APPLICANT = "appl"  # a pending self-service sign-up
PASSWORD = "correct horse battery"
NEW_PASSWORD = "staple battery horse"
TODAY = datetime.now(UTC).date()
PERIOD = Period(TODAY - timedelta(days=6), TODAY)
REQUEST = ReportRequest(ReportType.OVERALL, ReportLanguage.EN, PERIOD)


def draft(title: str, status: Status = Status.PUBLISHED) -> ContentDraft:
    return ContentDraft(title=title, summary="A summary", body="Some **body**",
                        category=Category.FINANCE, tags=("demo",), status=status)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "orange").save(out, format="PNG")
    return out.getvalue()


class World:
    """What one call acts on, made on first use: ``owner`` owns the item, draft and report
    (the actor for "own", somebody else for "other")."""

    def __init__(self, services: Services, actor: Actor, whose: str | None,
                 folder: Path) -> None:
        self.services = services
        self.actor = actor
        self.owner = actor.user_id if whose == "own" and actor.user_id else OTHER
        self.folder = folder

    def arrange(self, needs: tuple[str, ...]) -> None:
        for name in needs:
            getattr(self, name)

    def _owner_as(self, *roles: Role) -> Actor:
        return Actor(self.owner, self.owner.title(), frozenset(roles))

    @cached_property
    def item(self) -> ContentItem:
        """A published item of ``owner`` with one image."""
        return self.services.content.create(draft("Published item"), [Upload("a.png", png())],
                                            self._owner_as(Role.AUTHOR))

    @cached_property
    def draft(self) -> ContentItem:
        """An unpublished item of ``owner`` with one image."""
        return self.services.content.create(draft("Draft item", Status.DRAFT),
                                            [Upload("d.png", png())], self._owner_as(Role.AUTHOR))

    @cached_property
    def sample(self) -> ContentItem:
        loader = Actor("samples", "Samples", frozenset({Role.ADMIN}))
        return self.services.content.create(draft("Sample item"), [], loader, sample=True)

    @cached_property
    def report(self) -> Report:
        """A saved report of ``owner`` (made with the offline narrator)."""
        return self.services.reports.generate(self._owner_as(Role.ANALYST), REQUEST)

    @cached_property
    def preview(self) -> Preview:
        analyst = Actor("ana", roles=frozenset({Role.ANALYST}))
        return self.services.reports.preview_context(analyst, REQUEST.report_type,
                                                     REQUEST.language, PERIOD)

    @cached_property
    def funnel(self) -> str:
        """A saved funnel of ``owner``."""
        assert self.services.funnels is not None
        steps = [Step(StepKind.PAGE, "home"), Step(StepKind.EVENT, "download")]
        return self.services.funnels.create(self._owner_as(Role.ANALYST), "Owned", steps, 30).id

    @cached_property
    def inquiry(self) -> str:
        inquiry = self.services.inquiries.submit(Actor.anonymous(), inquiry_draft(), "arrange")
        return inquiry.id

    @cached_property
    def target_user(self) -> str:
        return self._account(TARGET_USER, frozenset({Role.VIEWER}))

    @cached_property
    def account(self) -> str:
        """The actor's own account, with ``PASSWORD`` (none for an anonymous visitor)."""
        if self.actor.user_id is None:
            return ""
        return self._account(self.actor.user_id, self.actor.roles or frozenset({Role.VIEWER}))

    @cached_property
    def applicant(self) -> str:
        """A self-service sign-up waiting for an administrator (asked for the author role)."""
        self.services.ports.users.create(User(
            username=APPLICANT, name="Applicant", email="applicant@example.com",
            roles=frozenset({Role.VIEWER}), created_at=datetime.now(UTC),
            status=AccountStatus.PENDING, requested_role=Role.AUTHOR,
            pending_role=Role.AUTHOR, signed_up_at=datetime.now(UTC)))
        return APPLICANT

    @cached_property
    def legacy_folder(self) -> Path:
        """An export of the previous platform with nothing in it."""
        folder = self.folder / "legacy"
        folder.mkdir()
        return folder

    def _account(self, username: str, roles: frozenset[Role]) -> str:
        ports = self.services.ports
        ports.users.create(User(username=username, name=username.title(), email="",
                                roles=roles, created_at=datetime.now(UTC)))
        ports.passwords.set_password(username, PASSWORD)
        return username


def inquiry_draft() -> InquiryDraft:
    return InquiryDraft(name="Kim", email="kim@example.com", company="", subject="A demo",
                        type=InquiryType.DEMO_REQUEST, message="Please show us.", consent=True)


def snapshot(services: Services) -> dict[str, Any]:
    """Everything a use case could change, except the audit log's records of refusals."""
    ports = services.ports
    # Tracked events reach the store on the tracker's thread: write them now, so that what
    # the store holds cannot change between two snapshots on its own.
    assert services.tracker.flush()
    items = ports.content.search(SearchQuery(status=None, page_size=100)).items
    users = ports.users.list()
    start = datetime.now(UTC) - timedelta(days=400)
    events = ports.events.raw_events(start, datetime.now(UTC) + timedelta(days=1))
    tracked = services.tracker.stats()
    files_dir = services.settings.files_dir
    return {
        "items": sorted(_item_state(item) for item in items),
        "likes": sorted((i.id, u) for i in items for u in ACTOR_IDS
                        if ports.content.has_liked(i.id, u)),
        "files": sorted(str(p.relative_to(files_dir)) for p in files_dir.rglob("*")
                        if p.is_file()) if files_dir.exists() else [],
        "users": sorted((u.username, sorted(u.roles), u.disabled, u.status, u.pending_role or "",
                         ports.passwords.password_hash(u.username)) for u in users),
        "reports": sorted(r.id for r in ports.reports.list(limit=1000)),
        "funnels": sorted(f.id for f in ports.funnels.list()) if ports.funnels else [],
        "inquiries": sorted((i.id, status.value) for status in InquiryStatus
                            for i in ports.inquiries.list(status)),
        "events": sorted(e.id for e in events),
        "tracked": tracked.queued + tracked.written + tracked.dropped,
        "audit": sorted((e.actor, e.action, e.target, e.outcome)
                        for e in ports.audit.entries(limit=10_000) if e.outcome != "denied"),
    }


ACTOR_IDS = [a.user_id for a in ACTORS.values() if a.user_id] + [OTHER]


def _item_state(item: ContentItem) -> tuple[Any, ...]:
    return (item.id, item.version, item.title, item.status, item.views, item.likes,
            item.is_sample, tuple(astuple(a) for a in item.assets))


