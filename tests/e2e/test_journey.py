"""The main journey in a real browser: first admin, sign-in, publish with an image, find it by a
Korean substring, open it. Screenshots land in tests/e2e/artifacts/ for a human to look at."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from playwright.sync_api import Page, expect

from services.content.samples import banner_png
from services.domain.models import Category
from services.i18n import translate
from services.ui import focus
from tests.e2e.conftest import RunningApp, shot

PASSWORD = "e2e-" + secrets.token_urlsafe(12)


def tr(key: str, **params: object) -> str:
    return translate("ko", key, **params)


def optional(key: str) -> str:
    """An optional field's label, as every form marks it."""
    return f"{tr(key)} {tr('forms.optional')}"


def fill(page: Page, label: str, value: str) -> None:
    """Type into a Streamlit input and commit it (Streamlit commits on blur/Enter)."""
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Tab")


def sidebar_link(page: Page, text: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(text, exact=True).click()


ICON_CODE = ":material/home:"


def create_first_admin(page: Page, app: RunningApp) -> None:
    page.goto(app.url)
    expect(page.locator('[data-testid="stApp"]')).to_be_visible()
    # The first start loads the sample content before the first page shows.
    expect(page.get_by_text(tr("nav.first_admin")).first).to_be_visible(timeout=90_000)
    shot(page, "01-home-first-start")
    page.get_by_text(tr("nav.first_admin")).first.click()
    expect(page.get_by_role("heading", name=tr("auth.first_admin_title"))).to_be_visible()
    fill(page, tr("auth.username"), "admin")
    fill(page, optional("auth.name"), "관리자")
    fill(page, optional("auth.email"), "admin@example.com")
    fill(page, tr("auth.password"), PASSWORD)
    fill(page, tr("auth.password_repeat"), PASSWORD)
    page.get_by_role("button", name=tr("auth.first_admin_button")).click()


def sign_in(page: Page) -> None:
    expect(page.get_by_role("heading", name=tr("auth.login_title"))).to_be_visible()
    fill(page, tr("auth.username"), "admin")
    fill(page, tr("auth.password"), PASSWORD)
    page.get_by_role("button", name=tr("auth.login_button")).click()
    expect(page.get_by_text("관리자", exact=True).first).to_be_visible()


def publish_with_image(page: Page, title: str, image: Path) -> None:
    sidebar_link(page, tr("nav.editor"))
    expect(page.get_by_role("heading", name=tr("content.new_title"))).to_be_visible()
    # The uploader's own English line states its cap (twice the app's limit): hidden, so that
    # only the Korean caption is read: the app's limit, then what the browser does over the cap.
    expect(page.get_by_text(tr("content.files_limit", limit_mb=50, max_files=20))).to_be_visible()
    expect(page.get_by_text(tr("common.upload_browser_cap", cap_mb=100))).to_be_visible()
    expect(page.locator('[data-testid="stFileUploaderDropzone"]')).to_be_visible()
    expect(page.locator('[data-testid="stFileUploaderDropzoneInstructions"]')).to_be_hidden()
    # Upload first: a rerun triggered by another field can replace the file input mid-upload.
    page.locator('input[type="file"]').set_input_files(str(image))
    expect(page.locator('[data-testid="stFileChip"]').first).to_be_visible()
    fill(page, tr("content.title_label"), title)
    fill(page, optional("content.summary_label"), "브라우저에서 끝까지 확인하는 시험 항목입니다.")
    page.get_by_label(tr("content.category_label")).click()
    page.get_by_role("option", name=tr("content.category.finance")).click()
    page.get_by_text(tr("content.status.published"), exact=True).click()
    fill(page, optional("content.tags_label"), f"e2e, 시험, {ICON_CODE}")
    fill(
        page,
        optional("content.body_label"),
        "## 본문\n\n생성형AI를 시험합니다. <script>alert(1)</script>",
    )
    shot(page, "02-editor-filled")
    page.get_by_role("button", name=tr("content.save")).click()
    expect(page.get_by_text(tr("content.saved_short")).first).to_be_visible(timeout=30_000)
    # The stored image goes into the text by keyboard; the note that takes the button's
    # place takes its focus too (it fell to the page's body).
    insert = page.get_by_role("button", name=tr("content.insert_into_text"))
    insert.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f".st-key-{focus.INSERTED}")).to_be_focused()
    expect(page.get_by_text(tr("content.in_text"))).to_be_visible()
    shot(page, "02-editor-file-in-text")


def find_and_open(page: Page, query: str, title: str) -> None:
    sidebar_link(page, tr("nav.browse"))
    box = page.get_by_label(tr("content.search"), exact=True)
    box.fill(query)
    box.press("Enter")
    # The search has run once the results are ranked and their matched words marked.
    expect(page.locator(".df-hit-title mark").first).to_be_visible(timeout=30_000)
    card = page.locator(".df-hit-title", has_text=title).first
    expect(card).to_be_visible()
    shot(page, "03-search-korean-substring")
    page.get_by_role("link", name=re.compile(tr("content.open"))).first.click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_first_admin_publishes_and_anyone_finds_it(
    app: RunningApp, page: Page, tmp_path: Path
) -> None:
    title = f"생성형AI를 활용한 종단간 시험 {secrets.token_hex(2)}"
    image = tmp_path / "시험-화면.png"
    image.write_bytes(banner_png(title, Category.FINANCE, 480, 210))

    create_first_admin(page, app)
    sign_in(page)
    publish_with_image(page, title, image)
    find_and_open(page, "종단간 시험", title)

    # A tag that is an icon's code reads as typed: no house drawn in its link.
    icon_tag = page.locator('[data-testid="stPageLink"]').filter(has_text="material")
    expect(icon_tag).to_have_count(1)
    expect(icon_tag.locator('[data-testid="stIconMaterial"]')).to_have_count(0)
    # The uploaded image is shown, the body's HTML is shown as text, not executed.
    expect(page.locator('[data-testid="stImage"] img').first).to_be_visible()
    expect(page.get_by_text("<script>alert(1)</script>")).to_be_visible()
    shot(page, "04-content-page")
    stored = list((app.data_dir / "files").rglob("*.png"))
    assert any(p.name == image.name for p in stored)
