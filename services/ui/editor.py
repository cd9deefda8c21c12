"""The editor's state: which version was loaded, the form's fields, and saving with progress.

The loaded version is kept in session state and sent as ``expected_version``; when someone
else saved first the service raises ConflictError and the widgets keep what the user typed.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from services.content.service import ContentService, parse_tags
from services.domain.models import ContentDraft, ContentItem, Status, Upload
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.ui.i18n import t

TITLE = "ed_title"
SUMMARY = "ed_summary"
CATEGORY = "ed_category"
TAGS = "ed_tags"
BODY = "ed_body"
STATUS = "ed_status"
_LOADED = "ed_loaded"  # (content id or "", version loaded)
_UPLOAD_GEN = "ed_upload_gen"  # bumped after a save so the uploader starts empty


def load(item: ContentItem | None) -> None:
    """Put ``item`` (or an empty form) into the widgets and remember its version."""
    st.session_state[TITLE] = item.title if item else ""
    st.session_state[SUMMARY] = item.summary if item else ""
    st.session_state[CATEGORY] = item.category if item else None
    st.session_state[TAGS] = ", ".join(item.tags) if item else ""
    st.session_state[BODY] = item.body if item else ""
    st.session_state[STATUS] = item.status if item else Status.DRAFT
    st.session_state[_LOADED] = (item.id, item.version) if item else ("", 0)


def ensure_loaded(content_id: str, item: ContentItem | None) -> None:
    """Load once per item; afterwards the widgets keep the user's text across reruns."""
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
    return f"ed_files_{st.session_state.get(_UPLOAD_GEN, 0)}"


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
    """Create or update with progress feedback; DemoFactoryError leaves the form untouched."""
    with st.status(t("content.saving"), expanded=True) as status:
        bar = st.progress(0.0, text=t("content.reading_files", count=len(files)))
        uploads: list[Upload] = []
        for number, file in enumerate(files, start=1):
            uploads.append(Upload(file.name, file.getvalue()))
            bar.progress(number / (len(files) + 1), text=t("content.reading_file", name=file.name))
        bar.progress(len(files) / (len(files) + 1), text=t("content.storing"))
        try:
            if content_id:
                saved = content.update(
                    content_id, draft(), loaded_version(), actor,
                    new_uploads=uploads, remove_asset_ids=remove_asset_ids,
                )
            else:
                saved = content.create(draft(), uploads, actor)
        except DemoFactoryError:
            status.update(label=t("content.save_failed"), state="error", expanded=False)
            raise
        bar.progress(1.0, text=t("content.saved_short"))
        status.update(label=t("content.saved_short"), state="complete", expanded=False)
    _after_save(saved)
    return saved


def _after_save(saved: ContentItem) -> None:
    st.session_state[_LOADED] = (saved.id, saved.version)
    st.session_state[_UPLOAD_GEN] = st.session_state.get(_UPLOAD_GEN, 0) + 1
