"""The editor's files: the uploader for new ones and the list of stored ones.

Each stored file shows the reference that places it in the body (``st.code``, with
Streamlit's copy button); a file just chosen has no id until the save stores it, which the
editor says. Every kind of file is placed by the same reference: ``render_text`` draws an
image, a player or a PDF preview where it stands.

Every refusal of a file is said in one place, the slot right under the uploader (its field,
``media.FIELD``), above the limits' caption, and names every refused file at once with why, a
line each (``media.check_uploads``): a file over the limit as soon as it is chosen; on save,
the service's refusal of every bad file (size, bytes, name, too many files) in its place, with
the form's summary line by the button.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from services.content.drafts import ASSETS_MAX
from services.content.markdown import asset_reference
from services.content.media import ALLOWED_EXTENSIONS, refuse_files
from services.content.media import FIELD as FILES_FIELD
from services.domain.models import ContentItem
from services.errors import DemoFactoryError
from services.settings import Settings
from services.ui import editor, focus
from services.ui.field_errors import FieldSlots, optional
from services.ui.i18n import t
from services.ui.uploads import oversized, show_limits, size_shown, uploader_cap_mb
from services.ui.widgets import md_escape

_JUST_INSERTED = "_ed_just_inserted"  # the file whose "add to the text" this run answers


def new_files(settings: Settings, slots: FieldSlots) -> list[UploadedFile]:
    """The files chosen for the next save; those over the limit are named at once."""
    files = st.file_uploader(
        optional(t("content.files_label")), type=[ext.lstrip(".") for ext in ALLOWED_EXTENSIONS],
        accept_multiple_files=True, key=editor.uploader_key(),
        max_upload_size=uploader_cap_mb(settings),
        help=t("content.files_help", types=", ".join(ALLOWED_EXTENSIONS)),
    )
    slots.under(FILES_FIELD)
    try:
        refuse_files(oversized(files, settings.max_upload_bytes))
    except DemoFactoryError as exc:
        slots.say(exc)
    show_limits(settings, t("content.files_limit", limit_mb=settings.max_upload_mb,
                            max_files=ASSETS_MAX))
    if files:
        st.caption(t("content.reference_after_save"))
    return files


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
                  size=size_shown(asset.size))
        choice, reference = st.columns([2, 3], vertical_alignment="center")
        if choice.checkbox(label, key=editor.removal_key(asset.id)):
            remove_ids.append(asset.id)
        placed = asset_reference(asset.id, asset.filename)
        reference.code(placed, language=None)
        if f"(asset:{asset.id})" in st.session_state.get(editor.BODY, ""):
            _in_text_note(reference, asset.id)
        else:
            reference.button(t("content.insert_into_text"), key=f"ed_insert_{asset.id}",
                             icon=":material/add:", type="tertiary", on_click=_insert,
                             args=(placed, asset.id))
    return remove_ids


def _in_text_note(where: DeltaGenerator, asset_id: str) -> None:
    """ "In the text". On the run its button was pressed it takes the keyboard's focus, which
    the button held: gone, it left the focus on the page's body (a screen reader reads the
    note)."""
    def note() -> None:
        st.caption(f":material/check: {t('content.in_text')}")

    with where:
        if st.session_state.pop(_JUST_INSERTED, None) == asset_id:
            focus.message_in_view(focus.INSERTED, note)
        else:
            note()


def _insert(placed: str, asset_id: str) -> None:
    """Put a file's reference at the end of the text (a callback: before the text box is
    drawn again). The author moves it from there if it belongs elsewhere."""
    st.session_state[_JUST_INSERTED] = asset_id
    body = str(st.session_state.get(editor.BODY, "")).rstrip()
    st.session_state[editor.BODY] = f"{body}\n\n{placed}\n" if body else f"{placed}\n"
