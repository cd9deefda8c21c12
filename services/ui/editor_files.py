"""The editor's files: the uploader for new ones and the list of stored ones.

Each stored file shows the reference that places it in the body (``st.code``, with
Streamlit's copy button); a file just chosen has no id until the save stores it, which the
editor says. Every kind of file is placed by the same reference: ``render_text`` draws an
image, a player or a PDF preview where it stands.

A file over the limit is named under the uploader, where it was chosen, and only there: a
save it stops says which file stopped it and points there (``refuse_save``), rather than
drawing the same message a second time from the service's refusal. A file the service
refuses on save (its bytes, its name, too many files) names the uploader's field
(``media.FIELD``), so it is shown there too, with the form's summary line by the button.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from services.content.drafts import ASSETS_MAX
from services.content.markdown import asset_reference
from services.content.media import ALLOWED_EXTENSIONS
from services.content.media import FIELD as FILES_FIELD
from services.domain.models import ContentItem
from services.settings import Settings
from services.ui import editor
from services.ui.assets import format_size
from services.ui.field_errors import FieldSlots, optional
from services.ui.i18n import t
from services.ui.uploads import refuse_oversized, show_limits, uploader_cap_mb
from services.ui.widgets import md_escape


@dataclass(frozen=True)
class NewFiles:
    files: list[UploadedFile]
    oversized: list[str]  # names of the files over the limit, each named under the uploader


def new_files(settings: Settings, slots: FieldSlots) -> NewFiles:
    """The files chosen for the next save; one over the limit is named at once. A file the
    save refuses (its content, or too many files) is shown in the slot right under the
    uploader (``media.FIELD``)."""
    files = st.file_uploader(
        optional(t("content.files_label")), type=[ext.lstrip(".") for ext in ALLOWED_EXTENSIONS],
        accept_multiple_files=True, key=editor.uploader_key(),
        max_upload_size=uploader_cap_mb(settings),
        help=t("content.files_help", types=", ".join(ALLOWED_EXTENSIONS)),
    )
    slots.under(FILES_FIELD)
    show_limits(settings, t("content.files_limit", limit_mb=settings.max_upload_mb,
                            max_files=ASSETS_MAX))
    oversized = refuse_oversized(files, settings.max_upload_bytes)
    if files:
        st.caption(t("content.reference_after_save"))
    return NewFiles(files, oversized)


def refuse_save(names: Sequence[str]) -> None:
    """A save that files over the limit stop: which files, not the limit's text again."""
    quoted = ", ".join(f"'{md_escape(name)}'" for name in names)
    st.error(t("content.save_refused_large", names=quoted), icon=":material/error:")


def stored_files(item: ContentItem | None) -> list[str]:
    """The item's files, each with its reference and a box to remove it; returns the ids of
    the ones ticked."""
    if item is None or not item.assets:
        return []
    st.markdown(f"**{t('content.existing_files')}**")
    st.caption(t("content.reference_help"))
    remove_ids: list[str] = []
    for asset in item.assets:
        label = t("content.remove_file", name=md_escape(asset.filename),
                  size=format_size(asset.size))
        choice, reference = st.columns([2, 3], vertical_alignment="center")
        if choice.checkbox(label, key=editor.removal_key(asset.id)):
            remove_ids.append(asset.id)
        reference.code(asset_reference(asset.id, asset.filename), language=None)
    return remove_ids
