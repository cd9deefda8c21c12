"""What every file uploader shares: its own size cap, somewhat above the app's limit.

Streamlit's uploader refuses a file over its cap in the browser, with its own English text,
and the app never learns the file was chosen: saving then stores the other files without a
word about it. With the cap above the limit, a file somewhat too large reaches the app, whose
check names it in the user's language and refuses the whole save. The cap stays bounded,
because Streamlit keeps uploaded files in memory: ``Settings.uploader_cap_mb`` (twice the
limit), and never more than ``server.maxUploadSize`` (the server's cap on every upload request;
the config doctor checks it allows the cap). Over the cap the file stays Streamlit's alone: its
front end refuses it with an English text it does not let the app translate, and reports
nothing to the app (the widget's value holds uploaded files only), so the caption under each
uploader says in the user's language what happens there (``show_limits``).
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from services.content.media import SIZE_BASE, WINDOWS_SIZE_BASE, check_size, size_text
from services.errors import DemoFactoryError, QuotaExceeded
from services.settings import Settings
from services.ui.i18n import t


def uploader_cap_mb(settings: Settings) -> int:
    """The ``max_upload_size`` to give an uploader: above the app's limit where the server
    allows, never below it."""
    server_mb = int(st.get_option("server.maxUploadSize"))
    return max(settings.max_upload_mb, min(settings.uploader_cap_mb, server_mb))


def size_base(user_agent: str) -> int:
    """The unit Streamlit's uploader counts sizes in for this browser: 1024 bytes a KB on
    Windows (its front end tests the platform), 1000 elsewhere."""
    return WINDOWS_SIZE_BASE if "Windows" in user_agent else SIZE_BASE


def size_shown(size: int) -> str:
    """A file's size as this browser's uploader would write it."""
    headers = st.context.headers
    agent = headers.get("User-Agent") if headers is not None else None
    return size_text(size, size_base(agent if isinstance(agent, str) else ""))


def show_limits(settings: Settings, limit_text: str) -> None:
    """The caption under an uploader: the app's limit (``limit_text``), then what the browser
    does with a file over the uploader's cap, which only Streamlit's English names."""
    browser = t("common.upload_browser_cap", cap_mb=uploader_cap_mb(settings))
    st.caption(f"{limit_text} {browser}")


def oversized(files: Iterable[UploadedFile], limit_bytes: int) -> list[DemoFactoryError]:
    """The refusal of each chosen file over the limit, to say at once (whatever would store
    them refuses them again)."""
    found: list[DemoFactoryError] = []
    for file in files:
        try:
            check_size(file.name, file.size, limit_bytes)
        except QuotaExceeded as exc:
            found.append(exc)
    return found
