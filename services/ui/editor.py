"""The editor's state: which version was loaded, the form's fields, and saving with progress.

The loaded version is kept in session state and sent as ``expected_version``; when someone
else saved first the service raises ConflictError and the widgets keep what the user typed.

Nothing is saved twice: each form loaded carries a submission token, and what the service
returned for it is noted before Streamlit can stop the run (see ``_SaveMemo``). A second click
that stopped the first run after the save, or saving the same form again, returns that item:
no second item is created, and an edit does not conflict with the user's own save.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from services.content.drafts import parse_tags
from services.content.service import ContentService
from services.domain.models import ContentDraft, ContentItem, Status, Upload, new_id
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.ui.browser_state import browser_sent
from services.ui.i18n import t
from services.ui.widgets import md_escape

TITLE = "ed_title"
SUMMARY = "ed_summary"
CATEGORY = "ed_category"
TAGS = "ed_tags"
BODY = "ed_body"
STATUS = "ed_status"
_LOADED = "ed_loaded"  # (content id or "", version loaded)
_TOKEN = "ed_token"  # noqa: S105 (a session key; the submission token, one per form loaded)
_MEMO = "ed_memo"  # _SaveMemo: the last save made from a form


@dataclass
class _SaveMemo:
    """The last save: (form token, fingerprint of the text saved, the item returned), and how
    many saves were made (it names the uploader, so a saved file is not sent again).

    Streamlit stops a run (a second click's rerun) only inside its own calls, session state
    included. So this object is fetched from session state before the service is called and
    filled in by plain attribute assignment right after it returns: no stop point in between.
    """

    last: tuple[str, str, ContentItem] | None = None
    saves: int = 0


def _memo() -> _SaveMemo:
    memo: _SaveMemo = st.session_state.setdefault(_MEMO, _SaveMemo())
    return memo


def _token() -> str:
    token: str = st.session_state.setdefault(_TOKEN, new_id())
    return token


def _last_save() -> tuple[str, ContentItem] | None:
    """(fingerprint, item) of the last save from the form on screen, if it saved."""
    last = _memo().last
    if last is None or last[0] != _token():
        return None
    return last[1], last[2]


def load(item: ContentItem | None) -> None:
    """Put ``item`` (or an empty form) into the widgets and remember its version."""
    st.session_state[TITLE] = item.title if item else ""
    st.session_state[SUMMARY] = item.summary if item else ""
    st.session_state[CATEGORY] = item.category if item else None
    st.session_state[TAGS] = ", ".join(item.tags) if item else ""
    st.session_state[BODY] = item.body if item else ""
    st.session_state[STATUS] = item.status if item else Status.DRAFT
    st.session_state[_LOADED] = (item.id, item.version) if item else ("", 0)
    st.session_state[_TOKEN] = new_id()  # a new form: its saves are new ones


def ensure_loaded(content_id: str, item: ContentItem | None) -> None:
    """Load once per item; afterwards the widgets keep the user's text across reruns."""
    if st.session_state.get(_LOADED) is None and browser_sent(TITLE):
        # A new server session under a tab that shows the form (the server restarted, or a
        # reconnect reached another app server): loading the stored item over the browser's
        # values lost what was typed at the next save ("Enter a title"). The text the browser
        # started from is taken to be the stored version now.
        st.session_state[_LOADED] = (item.id, item.version) if item else ("", 0)
        return
    last = _last_save()
    if last is not None and last[1].id == content_id:
        # The form's own save: a save notes only the memo (nothing can stop the run before
        # that), so its version becomes the loaded one here, and the form keeps its token.
        st.session_state[_LOADED] = (last[1].id, last[1].version)
    loaded = st.session_state.get(_LOADED)
    if loaded is None or loaded[0] != content_id or TITLE not in st.session_state:
        load(item)


def reload_latest(content: ContentService, content_id: str, actor: Actor) -> None:
    """on_click: replace the typed text with the latest saved version (after a conflict)."""
    load(content.get(content_id, actor))


def loaded_version() -> int:
    loaded = st.session_state.get(_LOADED) or ("", 0)
    return int(loaded[1])


def uploader_key() -> str:
    """A new uploader after each save: the saved files are not offered (and sent) again."""
    return f"ed_files_{_memo().saves}"


def removal_key(asset_id: str) -> str:
    return f"ed_rm_{asset_id}"


def draft() -> ContentDraft:
    state = st.session_state
    return ContentDraft(
        title=state.get(TITLE, ""), summary=state.get(SUMMARY, ""), body=state.get(BODY, ""),
        category=state.get(CATEGORY) or "", tags=parse_tags(state.get(TAGS, "")),
        status=state.get(STATUS, Status.DRAFT),
    )


def save(
    content: ContentService,
    actor: Actor,
    content_id: str,
    files: Sequence[UploadedFile],
    remove_asset_ids: Sequence[str],
) -> ContentItem:
    """Create or update with progress feedback; DemoFactoryError leaves the form untouched
    and takes the progress box away: the refusal is said once, by the caller (under its field
    with the form's summary line), not also as a second error box."""
    holder = st.empty()
    try:
        with holder.status(t("content.saving"), expanded=True) as status:
            bar = st.progress(0.0, text=t("content.reading_files", count=len(files)))
            uploads: list[Upload] = []
            for number, file in enumerate(files, start=1):
                uploads.append(Upload(file.name, file.getvalue()))
                bar.progress(number / (len(files) + 1),
                             text=t("content.reading_file", name=md_escape(file.name)))
            bar.progress(len(files) / (len(files) + 1), text=t("content.storing"))
            saved = _save_once(content, actor, content_id, uploads, remove_asset_ids)
            bar.progress(1.0, text=t("content.saved_short"))
            status.update(label=t("content.saved_short"), state="complete", expanded=False)
    except DemoFactoryError:
        holder.empty()  # after the status's own exit, which marks it failed
        raise
    return saved


def _save_once(
    content: ContentService,
    actor: Actor,
    content_id: str,
    uploads: Sequence[Upload],
    remove_asset_ids: Sequence[str],
) -> ContentItem:
    """The form's save, sent once: the same form again returns what its save returned, and a
    changed form updates the item it created even if the address does not name it yet."""
    memo, token, draft_now = _memo(), _token(), draft()
    fingerprint = _fingerprint(draft_now)
    last = _last_save()
    sends_files = bool(uploads or remove_asset_ids)
    if last and last[0] == fingerprint and not sends_files and _unchanged(content, actor, last[1]):
        return last[1]
    target = content_id or (last[1].id if last else "")
    if target:
        expected = last[1].version if last and last[1].id == target else loaded_version()
        saved = content.update(target, draft_now, expected, actor, new_uploads=uploads,
                               remove_asset_ids=remove_asset_ids)
    else:
        saved = content.create(draft_now, uploads, actor)
    memo.last, memo.saves = (token, fingerprint, saved), memo.saves + 1  # no stop point before
    return saved


def _unchanged(content: ContentService, actor: Actor, saved: ContentItem) -> bool:
    """Nobody saved the item after this form did. If someone did, saving the form again is a
    stale save like any other: the service reports the conflict."""
    return content.get(saved.id, actor).version == saved.version


def _fingerprint(draft_now: ContentDraft) -> str:
    """A digest of the text saved, so that session state does not keep it twice. Files and
    removals are not in it: after a save the uploader is a new one and removed files are gone,
    so a repeat sends none, and any sent is a change."""
    return hashlib.sha256(repr(draft_now).encode()).hexdigest()
