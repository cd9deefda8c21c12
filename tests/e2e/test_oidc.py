"""Sign-in through an OpenID Connect provider with st.login (DEMO_FACTORY_AUTH=oidc), in a real
browser against a local provider (oidc-provider-mock on 127.0.0.1): the provider's groups claim
makes the role, the session survives a reload, and signing out ends it; a like pressed while
signed out comes back, through the provider, to its item with the hint to tap Like."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from services.bootstrap import build_services
from services.domain.models import Category, ContentDraft, Status
from services.settings import Settings
from tests.doubles.oidc_provider import oidc_provider
from tests.e2e.conftest import CLI, RunningApp, shot, start_app, tr

ALICE = {"email": "alice@example.com", "email_verified": True, "name": "앨리스",
         "cognito:groups": ["analyst", "author"]}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider() as url:
        httpx.put(f"{url}/users/alice-sub", json=ALICE).raise_for_status()
        yield url


@contextmanager
def oidc_app(provider: str, tmp: Path, env: dict[str, str]) -> Iterator[RunningApp]:
    """The app in OIDC mode against ``provider``, with ``env`` added."""
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "demo-factory"\n'
        f'client_secret = "{secrets.token_urlsafe(24)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    proc, running = start_app(
        tmp, {"DEMO_FACTORY_AUTH": "oidc", "DEMO_FACTORY_SAMPLE_CONTENT": "false", **env},
        ["--secrets.files", str(secrets_file)])
    try:
        yield running
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def app(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with oidc_app(provider, tmp_path_factory.mktemp("oidc"), {}) as running:
        yield running


def _authorize(page: Page) -> None:
    """The provider's page: who signs in (the local provider asks for the subject)."""
    page.wait_for_url("**/oauth2/authorize**")
    page.get_by_placeholder("sub").fill("alice-sub")
    page.get_by_role("button", name="Authorize").click()


def test_sign_in_with_the_provider_gives_the_roles_of_its_groups(
    app: RunningApp, page: Page
) -> None:
    page.goto(f"{app.url}/login")
    expect(page.get_by_text(tr("auth.oidc_intro"))).to_be_visible(timeout=90_000)
    # No local accounts with a provider: no first-administrator form, no password fields.
    expect(page.get_by_text(tr("nav.first_admin"))).to_have_count(0)
    shot(page, "40-oidc-login")
    page.get_by_role("button", name=tr("auth.oidc_button")).click()
    _authorize(page)

    user_box = page.locator('[data-testid="stSidebarUserContent"]')
    expect(user_box.get_by_text("앨리스", exact=True).first).to_be_visible(timeout=60_000)
    expect(user_box.get_by_text(f"{tr('auth.role.analyst')}, {tr('auth.role.author')}")
           ).to_be_visible()
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav.get_by_text(tr("analytics.nav"), exact=True)).to_be_visible()  # analyst pages
    expect(nav.get_by_text(tr("nav.admin"), exact=True)).to_have_count(0)  # not an admin
    shot(page, "41-oidc-signed-in")

    page.reload()  # Streamlit's own signed cookie keeps the identity
    expect(user_box.get_by_text("앨리스", exact=True).first).to_be_visible(timeout=60_000)

    # Signing out ends the provider's session too (RP-initiated logout), then comes back.
    page.get_by_role("button", name=tr("auth.logout"), exact=True).click()
    page.wait_for_url("**/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{app.url}/**")
    expect(page.locator('[data-testid="stSidebarNav"]').get_by_text(
        tr("nav.login"), exact=True)).to_be_visible(timeout=30_000)
    expect(user_box.get_by_text("앨리스", exact=True)).to_have_count(0)


def test_a_like_while_signed_out_comes_back_to_its_item_through_the_provider(
    app: RunningApp, page: Page
) -> None:
    services = build_services(Settings(data_dir=app.data_dir, sample_content=False))
    try:
        item = services.content.create(
            ContentDraft("좋아요 글", "요약", "본문", Category.ETC, status=Status.PUBLISHED), [],
            CLI)
    finally:
        services.tracker.close()
    like = tr("content.like", likes="0")
    page.goto(f"{app.url}/content?id={item.id}")
    page.get_by_role("button", name=like).click()
    page.get_by_role("button", name=tr("auth.oidc_button")).click()
    _authorize(page)

    # Streamlit brings the browser back to home; the app goes on to the item.
    expect(page.get_by_text(tr("content.like_after_sign_in"))).to_be_visible(timeout=60_000)
    assert f"id={item.id}" in page.url and "/content" in page.url
    expect(page.get_by_role("button", name=like)).to_be_visible()  # not liked for them
    shot(page, "42-oidc-like-hint")


RECHECK_S = 30  # the shortest DEMO_FACTORY_COGNITO_RECHECK_SECONDS allowed


def test_a_sign_in_past_its_recheck_says_it_expired_and_one_sign_in_brings_it_back(
    provider: str, tmp_path_factory: pytest.TempPathFactory, page: Page
) -> None:
    """The tab goes on signed out where it was, told why; it used to be sent to the
    provider's sign-out and back to home without a word."""
    env = {"DEMO_FACTORY_COGNITO_RECHECK_SECONDS": str(RECHECK_S)}
    with oidc_app(provider, tmp_path_factory.mktemp("oidc-recheck"), env) as app:
        page.goto(f"{app.url}/login")
        page.get_by_role("button", name=tr("auth.oidc_button")).click(timeout=90_000)
        _authorize(page)
        user_box = page.locator('[data-testid="stSidebarUserContent"]')
        expect(user_box.get_by_text("앨리스", exact=True).first).to_be_visible(timeout=60_000)
        page.goto(f"{app.url}/browse")
        expect(user_box.get_by_text("앨리스", exact=True).first).to_be_visible(timeout=60_000)

        page.wait_for_timeout((RECHECK_S + 2) * 1000)
        page.reload()

        expect(page.get_by_text(tr("auth.sign_in_expired"))).to_be_visible(timeout=60_000)
        assert "/browse" in page.url and "end_session" not in page.url
        expect(user_box.get_by_text("앨리스", exact=True)).to_have_count(0)
        shot(page, "43-oidc-expired")
        page.locator('[data-testid="stSidebarNav"]').get_by_text(
            tr("nav.login"), exact=True).click()
        page.get_by_role("button", name=tr("auth.oidc_button")).click(timeout=60_000)
        _authorize(page)
        expect(user_box.get_by_text("앨리스", exact=True).first).to_be_visible(timeout=60_000)
        expect(page.get_by_text(tr("auth.sign_in_expired"))).to_have_count(0)
