"""Self-service sign-up: the modes, auto-approved domains, what a waiting account may do, the
administrator's decision, and answers that tell nobody which accounts exist."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from services.accounts.passwords import LocalPasswords
from services.accounts.service import AccountService
from services.accounts.signup import SignupService
from services.bootstrap import Services
from services.domain.analytics import Purpose
from services.domain.permissions import Actor, Role
from services.domain.signup import SignupDraft
from services.domain.users import AccountStatus
from services.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ValidationError,
)

PASSWORD = "violet-harbor-tunnel-42"
DRAFT = SignupDraft("이지원", "jiwon@example.com", "Jiwon", "Acme", Purpose.CUSTOMER_DEMO,
                    Role.AUTHOR, PASSWORD, PASSWORD, True)
VIEWER_DRAFT = replace(DRAFT, role=Role.VIEWER)
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def signup_service(services: Services, mode: str = "approval",
                   auto_domains: tuple[str, ...] = (), limit: int = 50) -> SignupService:
    users = services.ports.users
    return SignupService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                         services.ports.inquiries, services.ports.audit, mode=mode,
                         auto_domains=auto_domains, limit=limit, clock=lambda: T0)


@pytest.fixture
def root(accounts: AccountService) -> Actor:
    return accounts.create_first_admin("root", "Root", "root@example.com", PASSWORD).as_actor()


def test_approval_mode_keeps_everything_asked_and_the_account_waits(
    services: Services, accounts: AccountService
) -> None:
    signup_service(services).sign_up(DRAFT, "visit-1")

    jiwon = accounts.get("jiwon")
    assert (jiwon.status, jiwon.roles, jiwon.pending_role) == (
        AccountStatus.PENDING, frozenset({Role.VIEWER}), Role.AUTHOR)
    assert (jiwon.name, jiwon.email, jiwon.company, jiwon.purpose) == (
        "이지원", "jiwon@example.com", "Acme", "customer-demo")
    assert (jiwon.requested_role, jiwon.signed_up_at) == (Role.AUTHOR, T0)


def test_a_waiting_account_says_so_only_to_the_right_password(
    services: Services, accounts: AccountService
) -> None:
    signup_service(services).sign_up(DRAFT, "visit-1")

    with pytest.raises(PermissionDenied) as wrong:
        accounts.authenticate("jiwon", "not-the-password-1")
    with pytest.raises(PermissionDenied) as right:
        accounts.authenticate("jiwon", PASSWORD)

    assert wrong.value.key == "auth.err_bad_credentials"
    assert right.value.key == "auth.err_pending"


def test_approving_makes_the_role_asked_for_and_the_person_signs_in(
    services: Services, accounts: AccountService, root: Actor
) -> None:
    signup = signup_service(services)
    signup.sign_up(DRAFT, "visit-1")

    assert [u.username for u in signup.pending(root)] == ["jiwon"]
    signup.approve(root, "jiwon")

    user = accounts.authenticate("jiwon", PASSWORD)
    assert user.roles == frozenset({Role.AUTHOR}) and user.status == AccountStatus.ACTIVE
    assert signup.pending(root) == []
    entry = services.ports.audit.entries(action="user.signup_approve")[0]
    assert (entry.actor, entry.target) == ("root", "jiwon:author")


def test_a_declined_account_cannot_sign_in_and_is_decided_once(
    services: Services, accounts: AccountService, root: Actor
) -> None:
    signup = signup_service(services)
    signup.sign_up(DRAFT, "visit-1")

    signup.decline(root, "jiwon")

    with pytest.raises(PermissionDenied) as refused:
        accounts.authenticate("jiwon", PASSWORD)
    assert refused.value.key == "auth.err_declined"
    with pytest.raises(ConflictError):
        signup.approve(root, "jiwon")
    assert services.ports.audit.entries(action="user.signup_decline")[0].actor == "root"


def test_open_mode_makes_a_viewer_at_once(
    services: Services, accounts: AccountService
) -> None:
    signup_service(services, "open").sign_up(VIEWER_DRAFT, "visit-1")

    user = accounts.authenticate("jiwon", PASSWORD)
    assert user.roles == frozenset({Role.VIEWER}) and user.pending_role is None


def test_open_mode_author_request_waits_while_the_viewer_signs_in(
    services: Services, accounts: AccountService, root: Actor
) -> None:
    signup = signup_service(services, "open")
    signup.sign_up(DRAFT, "visit-1")

    assert accounts.authenticate("jiwon", PASSWORD).roles == frozenset({Role.VIEWER})
    assert [u.pending_role for u in signup.pending(root)] == [Role.AUTHOR]
    signup.decline(root, "jiwon")  # the author request only: the viewer stays
    assert accounts.authenticate("jiwon", PASSWORD).roles == frozenset({Role.VIEWER})


def test_without_mail_an_auto_approved_domain_waits_for_an_administrator(
    services: Services, accounts: AccountService, root: Actor
) -> None:
    """Nothing has checked that the person owns the address typed (no mail, no link): a claim
    of an auto-approved domain is only a claim, and the administrator decides as for anyone."""
    signup = signup_service(services, auto_domains=("acme-corp.com",))
    signup.sign_up(replace(VIEWER_DRAFT, email="ceo@ACME-corp.com"), "visit-1")

    ceo = accounts.get("jiwon")
    assert (ceo.status, ceo.pending_role) == (AccountStatus.PENDING, Role.VIEWER)
    assert [u.username for u in signup.pending(root)] == ["jiwon"]
    with pytest.raises(PermissionDenied) as refused:
        accounts.authenticate("jiwon", PASSWORD)
    assert refused.value.key == "auth.err_pending"


class CodePool:
    """A user pool that accepts the code "123456" (Cognito's own code proves the address)."""

    def __init__(self) -> None:
        self.admitted: list[str] = []

    def sign_up(self, username: str, email: str, name: str, password: str) -> None:
        pass

    def confirm(self, username: str, code: str) -> None:
        if code != "123456":
            raise ValidationError("cognito.err_code")

    def resend(self, username: str) -> None:
        pass

    def admit(self, user: Any) -> None:
        self.admitted.append(user.username)


def test_an_auto_approved_domain_confirmed_by_the_pool_s_code_is_active_at_once(
    services: Services,
) -> None:
    users = services.ports.users
    signup = SignupService(users, LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                           services.ports.inquiries, services.ports.audit,
                           auto_domains=("example.com",), limit=50, clock=lambda: T0,
                           pool=CodePool())
    signup.sign_up(VIEWER_DRAFT, "visit-1")

    assert signup.confirm("jiwon", "123456") == AccountStatus.ACTIVE


def test_a_sign_up_without_mail_is_stored_unverified_and_told_it_waits(
    services: Services, accounts: AccountService
) -> None:
    """No link was mailed, so nothing verified the address: the import and auto-approved
    domains must not trust it. Signing in says the account waits, not "open the link"."""
    signup_service(services).sign_up(DRAFT, "visit-1")

    assert not accounts.get("jiwon").email_verified
    with pytest.raises(PermissionDenied) as refused:
        accounts.authenticate("jiwon", PASSWORD)
    assert refused.value.key == "auth.err_pending"


def test_off_mode_refuses_sign_up(services: Services) -> None:
    with pytest.raises(PermissionDenied):
        signup_service(services, "off").sign_up(DRAFT, "visit-1")


def test_a_taken_user_name_or_email_gets_the_answer_of_a_new_sign_up(
    services: Services, accounts: AccountService, root: Actor
) -> None:
    signup = signup_service(services, "open")
    signup.sign_up(VIEWER_DRAFT, "visit-1")

    same_name = replace(VIEWER_DRAFT, name="Impostor", email="other@example.com",
                        password="another-long-phrase-77", password_again="another-long-phrase-77")
    same_email = replace(VIEWER_DRAFT, username="other", email="JIWON@example.com")
    assert signup.sign_up(same_name, "visit-2") is None
    assert signup.sign_up(same_email, "visit-3") is None

    assert accounts.get("jiwon").name == "이지원"  # nothing was overwritten...
    assert accounts.authenticate("jiwon", PASSWORD).username == "jiwon"
    with pytest.raises(NotFound):  # ...and no second account holds the email
        accounts.get("other")
    outcomes = {e.outcome for e in services.ports.audit.entries(action="user.signup")}
    assert outcomes == {"ok", "duplicate"}


class _ReadTogether:
    """The directory, where every sign-up's check of the existing emails finishes before any
    sign-up writes: the moment two people submit at once."""

    def __init__(self, directory: Any, parties: int) -> None:
        self._directory = directory
        self._all_read = threading.Barrier(parties)

    def list(self) -> Any:
        found = self._directory.list()
        self._all_read.wait()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._directory, name)


def test_sign_ups_of_one_email_at_the_same_moment_make_one_account(services: Services) -> None:
    """Each passes the directory check before any is written; the store's one-step guard
    lets one through and the rest get the same quiet answer."""
    users = services.ports.users
    signup = SignupService(_ReadTogether(users, 4), LocalPasswords(users, rounds=4),  # type: ignore[arg-type]
                           services.ports.inquiries, services.ports.audit, mode="open",
                           limit=50, clock=lambda: T0)

    def sign_up(n: int) -> None:
        return signup.sign_up(replace(VIEWER_DRAFT, username=f"jiwon{n}"), f"visit-{n}")

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(sign_up, range(4))) == [None] * 4

    holders = [u.username for u in users.list() if u.email == VIEWER_DRAFT.email]
    assert len(holders) == 1
    outcomes = sorted(e.outcome for e in services.ports.audit.entries(action="user.signup"))
    assert outcomes == ["duplicate"] * 3 + ["ok"]


def test_a_filled_honeypot_pretends_success_and_creates_nothing(
    services: Services, accounts: AccountService
) -> None:
    signup = signup_service(services, "open")

    assert signup.sign_up(replace(DRAFT, honeypot="http://spam.example"), "visit-1") is None

    with pytest.raises(NotFound):
        accounts.get("jiwon")
    assert services.ports.audit.entries(action="user.signup")[0].outcome == "honeypot"


@pytest.mark.parametrize(("change", "key"), [
    ({"password_again": "violet-harbor-tunnel-43"}, "signup.err_password_mismatch"),
    ({"consent": False}, "signup.err_consent"),
    ({"purpose": None}, "signup.err_purpose"),
    ({"role": Role.ADMIN}, "signup.err_role"),
    ({"email": "not-an-email"}, "signup.err_email"),
    ({"company": "가" * 201}, "signup.err_too_long"),
    ({"password": "password1234", "password_again": "password1234"}, "auth.err_password_weak"),
    ({"password": "short", "password_again": "short"}, "auth.err_password_short"),
])
def test_what_is_wrong_with_the_form_is_said(
    services: Services, change: dict[str, object], key: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        signup_service(services, "open").sign_up(replace(DRAFT, **change), "visit-1")
    assert refused.value.key == key


def test_a_visit_is_rate_limited(services: Services) -> None:
    signup = signup_service(services, "open", limit=2)
    for n in range(2):
        signup.sign_up(replace(DRAFT, username=f"user{n}", email=f"u{n}@example.com"), "v1")

    with pytest.raises(QuotaExceeded):
        signup.sign_up(replace(DRAFT, username="user9", email="u9@example.com"), "v1")
    signup.sign_up(replace(DRAFT, username="user9", email="u9@example.com"), "v2")


def test_only_administrators_see_and_decide(
    services: Services, viewer: Actor, root: Actor
) -> None:
    signup = signup_service(services)
    signup.sign_up(DRAFT, "visit-1")

    for attempt in (lambda: signup.pending(viewer), lambda: signup.approve(viewer, "jiwon"),
                    lambda: signup.decline(viewer, "jiwon")):
        with pytest.raises(PermissionDenied):
            attempt()
    assert signup.pending(root)[0].status == AccountStatus.PENDING
    assert services.ports.audit.entries(action="user.signup_approve")[0].outcome == "denied"


def test_a_sign_up_cannot_take_the_former_author_s_name(
    services: Services, accounts: AccountService,
) -> None:
    with pytest.raises(ConflictError):
        signup_service(services, "open").sign_up(replace(VIEWER_DRAFT, username="former-author"),
                                                 "visit-1")
    with pytest.raises(NotFound):
        accounts.get("former-author")
