"""A draft started two weeks ago and published today is news: home's "최신 콘텐츠" and browse's
newest first show it first, and its card and its page are dated today, not the day it was
started."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.content.service import ContentService
from services.domain.models import Category, ContentDraft, Status, utcnow
from services.domain.users import User
from services.i18n.times import format_date
from tests.ui.conftest import as_shown, card_titles, errors, texts

_META = re.compile(r'<div class="df-card-meta">(.*?)</div>', re.S)


def card_metas(at: AppTest) -> list[str]:
    """The meta line (category · author · day) of each card shown, in order."""
    blocks = [str(getattr(e.proto, "body", "")) for e in at.get("html")]
    return [html.unescape(meta) for block in blocks for meta in _META.findall(block)]


def dated(services: Services, days_ago: int) -> ContentService:
    """The content service with its clock ``days_ago`` days back (items written then)."""
    ports = services.ports
    back = timedelta(days=days_ago)
    return ContentService(ports.content, ports.blobs, ports.audit, max_upload_bytes=2**20,
                          clock=lambda: utcnow() - back)


def text(title: str, status: Status) -> ContentDraft:
    return ContentDraft(title=title, summary="", body="본문", category=Category.FINANCE,
                        status=status)


def test_a_draft_published_today_heads_home_and_browse_with_todays_date(
    new_app: Callable[..., AppTest], users: dict[str, User], services: Services
) -> None:
    author = users["author"].as_actor()
    started = dated(services, 14).create(text("2주 전에 시작한 글", Status.DRAFT), [], author)
    for n in range(3):
        dated(services, 7 - n).create(text(f"지난주 글 {n}", Status.PUBLISHED), [], author)
    tz = services.settings.tz
    started_day = format_date(utcnow() - timedelta(days=14), tz)

    editor = new_app("author-user")
    editor.query_params["id"] = started.id
    editor.run()
    editor.switch_page("app_pages/editor.py").run()
    editor.radio(key="ed_status").set_value(Status.PUBLISHED)
    editor.button(key="ed_save").click().run()
    assert not editor.exception and not errors(editor)
    today = format_date(utcnow(), tz)

    home = new_app()
    home.run()
    assert not home.exception
    assert "최신 콘텐츠" in texts(home)
    assert card_titles(home)[0] == "2주 전에 시작한 글"
    assert card_metas(home)[0].endswith(today) and started_day not in card_metas(home)[0]

    browse = new_app()
    browse.run()
    browse.switch_page("app_pages/browse.py").run()
    assert card_titles(browse)[0] == "2주 전에 시작한 글"
    assert card_metas(browse)[0].endswith(today)

    page = new_app()
    page.run()
    page.query_params["id"] = started.id
    page.switch_page("app_pages/content.py").run()
    assert page.title[0].value == "2주 전에 시작한 글"
    meta = [as_shown(c.value) for c in page.caption if today in as_shown(c.value)]
    assert meta and started_day not in meta[0]
