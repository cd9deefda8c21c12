"""Generated text (hypothesis) on the paths where anybody types most: content, search and
the contact form. Each ends in a clear error, or in stored text in NFC that stays inert."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from services.domain.inquiries import InquiryDraft, InquiryType
from services.domain.models import SearchQuery
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from tests.security.bad_world import AUTHOR, HOSTILE, Ctx, content_stored, unique
from tests.security.inert import assert_clear_error, assert_inert
from tests.security.world import ACTORS, draft

FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@FUZZ
@example(title=HOSTILE["nfd"], body=HOSTILE["nfd"], tag="café")
@given(title=st.text(min_size=1, max_size=80), body=st.text(max_size=300),
       tag=st.text(max_size=20))
def test_generated_content_is_refused_clearly_or_stored_in_nfc(ctx: Ctx, title: str, body: str,
                                                               tag: str) -> None:
    typed = replace(draft("x"), title=title, body=body, tags=(tag,))
    try:
        item = ctx.services.content.create(typed, [], AUTHOR)
    except DemoFactoryError as exc:
        assert_clear_error(exc)
        return
    stored = ctx.ports.content.get(item.id)
    assert stored.title == _nfc(title).strip() and stored.body == _nfc(body)
    assert all(t == _nfc(t) for t in stored.tags)
    assert_inert(content_stored(ctx, item.id).values())


@FUZZ
@given(text=st.text(max_size=200))
def test_generated_search_is_refused_clearly_or_runs(ctx: Ctx, text: str) -> None:
    try:
        ctx.services.content.browse(SearchQuery(text=text, tags=(text,)), ACTORS["viewer"])
    except DemoFactoryError as exc:
        assert_clear_error(exc)


@FUZZ
@example(name=HOSTILE["nfd"], subject=HOSTILE["nfd"], message=HOSTILE["nfd"])
@given(name=st.text(max_size=60), subject=st.text(max_size=60), message=st.text(max_size=300))
def test_generated_contact_is_refused_clearly_or_stored_in_nfc(ctx: Ctx, name: str, subject: str,
                                                               message: str) -> None:
    typed = InquiryDraft(name=name, email="kim@example.com", company="", subject=subject,
                         type=InquiryType.OTHER, message=message, consent=True)
    try:
        inquiry = ctx.services.inquiries.submit(Actor.anonymous(), typed, unique("fuzz"))
    except DemoFactoryError as exc:
        assert_clear_error(exc)
        return
    stored = ctx.ports.inquiries.get(inquiry.id)
    for value in (stored.name, stored.subject, stored.message):
        assert value == _nfc(value)
    assert (stored.name, stored.subject) == (_nfc(name).strip(), _nfc(subject).strip())
