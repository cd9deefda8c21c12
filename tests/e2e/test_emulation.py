"""`make emulate` in a real browser: scripts/emulate.py starts moto and the app in aws mode; the
login page and the emulation banner are served, the printed administrator signs in, a sample
item opens with its image from the emulated S3, and stopping the script stops everything."""

from __future__ import annotations

import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from services.accounts.rules import PASSWORD_MIN
from services.content.samples import banner_png
from services.domain.models import Category
from services.i18n import translate
from tests.e2e.conftest import ROOT, free_port, shot, wait_healthy
from tests.e2e.test_journey import find_and_open, publish_with_image

_USER = re.compile(r"^\s+user (\S+) / password (\S+)\s+\[(\w+)\]", re.MULTILINE)
_EMULATOR = re.compile(r"AWS emulator\s+(http://127\.0\.0\.1:\d+)")
_AUTH = re.compile(r"sign-in\s+(cognito|local)")


@dataclass(frozen=True)
class Emulation:
    proc: subprocess.Popen[bytes]
    url: str
    endpoint: str
    auth: str
    passwords: dict[str, str]
    log: Path


def tr(key: str, **params: object) -> str:
    return translate("ko", key, **params)


def _wait_for_announcement(proc: subprocess.Popen[bytes], log: Path,
                           timeout: float = 180) -> str:
    """The script prints the users and the URL once every resource and sample exists."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        text = log.read_text(errors="replace") if log.exists() else ""
        if re.search(r"^\s+app\s+http", text, re.MULTILINE):
            return text
        if proc.poll() is not None:
            raise RuntimeError(f"emulate.py exited early:\n{text[-3000:]}")
        time.sleep(0.2)
    raise RuntimeError("emulate.py printed no sign-in details in time")


@pytest.fixture(autouse=True)
def patient_expect() -> Iterator[None]:
    """aws mode on an emulator answers slower than SQLite, more so on a busy machine."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the other modules


@pytest.fixture(scope="module")
def emulation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulation]:
    log = tmp_path_factory.mktemp("emulation") / "emulate.log"
    port = free_port()
    cmd = [sys.executable, "-m", "scripts.emulate", "--port", str(port), "--no-browser"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        text = _wait_for_announcement(proc, log)
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, proc, log)
        endpoint = _EMULATOR.search(text)
        auth = _AUTH.search(text)
        assert endpoint and auth, text
        passwords = {user: password for user, password, _ in _USER.findall(text)}
        yield Emulation(proc, url, endpoint.group(1), auth.group(1), passwords, log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_the_script_prints_generated_passwords_once(emulation: Emulation) -> None:
    assert set(emulation.passwords) == {"admin", "author", "analyst"}
    passwords = list(emulation.passwords.values())
    assert len(set(passwords)) == 3 and all(len(p) >= 10 for p in passwords)
    text = emulation.log.read_text()
    assert all(text.count(p) == 1 for p in passwords)
    # The app's resources are on the emulator, not on AWS.
    assert requests.get(f"{emulation.endpoint}/moto-api/data.json", timeout=5).ok


def test_login_page_and_banner_are_served(emulation: Emulation, page: Page) -> None:
    page.goto(emulation.url)
    expect(page.locator('[data-testid="stApp"]')).to_be_visible()
    expect(page.get_by_text(tr("deploy.emulation_banner"))).to_be_visible(timeout=60_000)
    # The administrator exists already: no "first administrator" form in emulation mode.
    expect(page.get_by_text(tr("nav.first_admin"))).to_have_count(0)
    page.locator('[data-testid="stSidebarNav"]').get_by_text(tr("nav.login"), exact=True).click()
    expect(page.get_by_role("heading", name=tr("auth.login_title"))).to_be_visible()
    expect(page.get_by_text(tr("deploy.emulation_banner"))).to_be_visible()
    shot(page, "emulation-01-login")


def _fill(form: Locator, label: str, value: str) -> None:
    box = form.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Tab")


def sign_in_as_admin(page: Page, emulation: Emulation) -> None:
    page.goto(f"{emulation.url}/login")
    expect(page.get_by_role("heading", name=tr("auth.login_title"))).to_be_visible(
        timeout=60_000)
    login_label = tr("cognito.login_field") if emulation.auth == "cognito" else tr(
        "auth.username")
    form = page.locator('[data-testid="stForm"]').first  # not the forgot-password box
    _fill(form, login_label, "admin")
    _fill(form, tr("auth.password"), emulation.passwords["admin"])
    form.get_by_role("button", name=tr("auth.login_button")).click()
    sidebar = page.locator('[data-testid="stSidebar"]')
    sign_out = sidebar.get_by_role("button", name=tr("auth.logout"), exact=True)
    expect(sign_out).to_be_visible(timeout=30_000)
    user_box = page.locator('[data-testid="stSidebarUserContent"]')
    # Named as the pool names the account (the ID token carries its name), with its role.
    expect(user_box.get_by_text("김관리", exact=True).first).to_be_visible()
    expect(user_box.get_by_text(tr("auth.role.admin"), exact=True)).to_be_visible()


def test_the_printed_admin_signs_in_and_opens_a_sample_item(
    emulation: Emulation, page: Page
) -> None:
    sign_in_as_admin(page, emulation)

    page.locator('[data-testid="stSidebarNav"]').get_by_text(tr("nav.browse"), exact=True).click()
    # Card pictures are the app's links (a presigned URL would end while the page is open),
    # loaded through its redirect to the emulated S3.
    thumb = page.locator("img.df-thumb").first
    expect(thumb).to_be_visible(timeout=30_000)
    assert (thumb.get_attribute("src") or "").startswith("files/")
    assert _loaded_width(thumb) > 0
    page.get_by_role("link", name=re.compile(tr("content.open"))).first.click()
    image = page.locator('[data-testid="stImage"] img').first
    expect(image).to_be_visible(timeout=30_000)
    # From a private bucket, as on AWS: the page holds the app's link, which answers with a
    # new presigned URL however long the page has been open.
    src = image.get_attribute("src") or ""
    assert src.startswith(f"{emulation.url}/files/") and "X-Amz" not in src
    assert _loaded_width(image) > 0
    download = page.get_by_role("link", name=tr("content.download")).first
    href = download.get_attribute("href") or ""
    assert href.startswith(f"{emulation.url}/files/")
    got = requests.get(href, timeout=10)  # follows the redirect to the emulated S3
    assert got.ok and got.content and got.url.startswith(emulation.endpoint)
    expect(page.get_by_text(tr("deploy.emulation_banner"))).to_be_visible()
    shot(page, "emulation-02-sample-item")


def _loaded_width(image: Locator) -> int:
    """The picture's width once the browser has it (an error if it could not load it)."""
    width: int = image.evaluate("img => img.decode().then(() => img.naturalWidth)")
    return width


def test_the_main_journey_publishes_to_the_emulated_aws(
    emulation: Emulation, page: Page, tmp_path: Path
) -> None:
    """The rest of the main journey (tests/e2e/test_journey.py) on DynamoDB and S3: an upload
    through Streamlit's XSRF-checked endpoint, then a Korean substring search."""
    title = f"에뮬레이션 종단간 시험 {secrets.token_hex(2)}"
    image = tmp_path / "에뮬레이션.png"
    image.write_bytes(banner_png(title, Category.RETAIL_CPG, 480, 210))

    sign_in_as_admin(page, emulation)
    # A reload is a new Streamlit session: only the session cookie can keep the admin signed in.
    page.reload()
    user_box = page.locator('[data-testid="stSidebarUserContent"]')
    expect(user_box.get_by_text(tr("auth.role.admin"), exact=True)).to_be_visible(timeout=60_000)
    publish_with_image(page, title, image)
    find_and_open(page, "뮬레이션 종단", title)

    uploaded = page.locator('[data-testid="stImage"] img').first
    expect(uploaded).to_be_visible()
    assert (uploaded.get_attribute("src") or "").startswith(f"{emulation.url}/files/")
    assert _loaded_width(uploaded) > 0


def test_forgot_password_keeps_a_new_password_tabbed_away_from(
    emulation: Emulation, page: Page
) -> None:
    """A keyboard user types the new password, presses Tab (which first reaches the box's own
    eye button, so the browser has not yet passed the value on) and clicks save: the password
    in the box is the one saved. The analyst's, so that the other tests' admin is untouched."""
    if emulation.auth != "cognito":
        pytest.skip("forgot password by a code is the Cognito sign-in's")
    page.goto(f"{emulation.url}/login")
    expect(page.get_by_role("heading", name=tr("auth.login_title"))).to_be_visible(
        timeout=60_000)
    forgot = page.locator('[data-testid="stExpander"]')
    forgot.get_by_text(tr("cognito.forgot_title")).click()
    _fill(forgot, tr("cognito.login_field"), "analyst")
    forgot.get_by_role("button", name=tr("cognito.send_code")).click()
    expect(forgot.get_by_text(tr("cognito.code_sent_emulated"))).to_be_visible()

    new_password = f"Keyboard-{secrets.token_hex(6)}"
    _fill(forgot, tr("cognito.code"), _mailed_code(emulation.log, "analyst"))
    for label in (tr("cognito.new_password"), tr("cognito.new_password_repeat")):
        forgot.get_by_label(label, exact=True).click()
        page.keyboard.type(new_password)
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
        assert focused == "Show password"  # the eye button, not the next field
    shot(page, "emulation-03-forgot-typed")
    forgot.get_by_role("button", name=tr("cognito.reset_button")).click()

    expect(forgot.get_by_text(tr("cognito.reset_done"))).to_be_visible()
    expect(forgot.get_by_text(tr("auth.err_password_short", min=PASSWORD_MIN))).to_have_count(0)
    form = page.locator('[data-testid="stForm"]').first
    _fill(form, tr("cognito.login_field"), "analyst")
    _fill(form, tr("auth.password"), new_password)
    form.get_by_role("button", name=tr("auth.login_button")).click()
    # The pool took the new password: the analyst, whose printed password was temporary, is
    # now asked for a first own one (the emulator keeps that step after a reset).
    signed_in = page.locator('[data-testid="stSidebarUserContent"]').get_by_text(
        tr("auth.role.analyst"), exact=True)
    asked = page.get_by_role("heading", name=tr("cognito.new_password_title"))
    expect(signed_in.or_(asked)).to_be_visible(timeout=30_000)


def _mailed_code(log: Path, username: str) -> str:
    """The newest reset code the emulator printed for ``username`` (no mail is sent)."""
    pattern = re.compile(
        rf"emulated mail to {re.escape(username)} <[^>]*>: password reset code (\d+)")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = pattern.findall(log.read_text(errors="replace"))
        if found:
            return str(found[-1])
        time.sleep(0.2)
    raise AssertionError(f"no reset code for {username} on the emulator's console")


def test_stopping_the_script_stops_the_app_and_the_emulator(emulation: Emulation) -> None:
    emulation.proc.send_signal(signal.SIGTERM)

    # The app flushes its events and both servers stop: once over 30 s while the rest of the
    # suite loaded the machine, as long as other first draws here (60 s).
    assert emulation.proc.wait(timeout=60) == 0
    for url in (f"{emulation.url}/_stcore/health", f"{emulation.endpoint}/moto-api/data.json"):
        with pytest.raises(requests.ConnectionError):
            requests.get(url, timeout=2)
