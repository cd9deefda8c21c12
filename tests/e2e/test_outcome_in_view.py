"""On a phone the page stays scrolled to the button a person pressed: the contact form's thanks
(with the inquiry number) was drawn at the top of the page, out of view, and a refused field a
screen higher went unseen. Both are brought into view and take the focus."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, shot, tr

INQUIRY_NUMBER = re.compile(r"Q-[0-9A-Z]{4}-[0-9A-Z]{4}")


def test_on_a_phone_the_refused_field_and_the_inquiry_number_come_into_view(
    app: RunningApp, page: Page
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{app.url}/contact")
    expect(page.get_by_role("heading", name=tr("inquiries.title"))).to_be_visible(timeout=90_000)
    fields = {"inquiries.email": "minji@example.com", "inquiries.subject": "데모 요청",
              "inquiries.message": "다음 주에 데모를 보고 싶습니다."}
    for key, value in fields.items():
        page.get_by_label(tr(key), exact=True).fill(value)
    page.get_by_text(tr("inquiries.consent")).click()
    send = page.get_by_role("button", name=tr("inquiries.submit"))
    send.click()  # no name: refused, the name box a screen above the button
    expect(page.get_by_text(tr("inquiries.err_name_missing"))).to_be_visible()
    name = page.get_by_label(tr("inquiries.name"), exact=True)
    expect(name).to_be_focused()
    expect(name).to_be_in_viewport()
    shot(page, "outcome-refused-390")

    name.fill("김민지")
    send.click()
    thanks = page.get_by_text(INQUIRY_NUMBER).first
    expect(thanks).to_be_attached(timeout=30_000)
    expect(thanks).to_be_in_viewport()
    expect(page.locator(".st-key-df_flash [data-testid='stAlert']")).to_be_focused()
    shot(page, "outcome-sent-390")
