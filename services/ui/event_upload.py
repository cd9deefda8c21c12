"""The admin page's usage-event import: upload a JSON Lines file, check it, then import it.

Nothing is written by the check (a dry run of the same import); the import button appears only
for the file that was checked. The service enforces IMPORT_DATA and audits the import; this
section is only drawn for actors who have it.

A click or a closed tab while the import runs stops the run at the progress bar's next update
(Streamlit raises there); the service audits it as interrupted, and the next run says through
which line the file is stored (``_interrupted_notice``).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from services.bootstrap import Services
from services.content.media import check_size
from services.domain.permissions import Action, Actor, can
from services.errors import DemoFactoryError, QuotaExceeded
from services.imports.events import ImportSummary, LineSource
from services.ui.i18n import t
from services.ui.table_widths import grid
from services.ui.uploads import show_limits, uploader_cap_mb
from services.ui.widgets import md_escape, show_error

EXAMPLE = ('{"ts": "2026-03-01T14:05:00+09:00", "type": "content_view", "session_id": "s1", '
           '"content_id": "c1", "category": "Finance", "author_id": "alice"}')
FILE_TYPES = ["jsonl", "ndjson", "json"]
_CHECKED = "adm_events_checked"  # (fingerprint of the checked file, its dry-run summary)
_DONE = "adm_events_done"  # the last import's summary, shown until the next check
_GENERATION = "adm_events_generation"  # a new uploader key empties the uploader after import
_RUNNING = "adm_events_running"  # the import this session started last (``_Running``)


@dataclass
class _Running:
    """Kept in session state for the whole import and changed in place: reading or writing
    session state is itself where Streamlit stops a run, so the progress callback must not."""

    name: str
    lines: int = 0  # through this line everything is stored
    finished: bool = False


def events_import_section(services: Services, actor: Actor) -> None:
    if not can(actor, Action.IMPORT_DATA):
        return
    st.divider()
    st.subheader(t("imports.events_title"), anchor=False)
    st.write(t("imports.events_intro"))
    _interrupted_notice()
    upload = st.file_uploader(
        t("imports.events_file"), type=FILE_TYPES,
        max_upload_size=uploader_cap_mb(services.settings),
        key=f"adm_events_file_{st.session_state.get(_GENERATION, 0)}",
    )
    show_limits(services.settings,
                t("imports.events_file_help", limit_mb=services.settings.max_upload_mb))
    strict = st.checkbox(t("imports.events_strict"), key="adm_events_strict",
                         help=t("imports.events_strict_help"))
    if upload is None:
        _format_help(services)
        _show_done()
        return
    try:  # the uploader takes files somewhat over the limit, so this check names them
        check_size(upload.name, upload.size, services.settings.max_upload_bytes)
    except QuotaExceeded as exc:
        show_error(exc)
        return
    data = upload.getvalue()
    _check_and_import(services, actor, upload.name, data, strict)


def _check_and_import(services: Services, actor: Actor, name: str, data: bytes,
                      strict: bool) -> None:
    fingerprint = f"{name}:{hashlib.sha256(data).hexdigest()}"

    def source() -> io.BytesIO:  # iterating a BytesIO yields its lines
        return io.BytesIO(data)

    if st.button(t("imports.events_check"), key="adm_events_check",
                 icon=":material/fact_check:"):
        st.session_state.pop(_DONE, None)
        try:
            with st.spinner(t("imports.events_checking")):
                checked = services.event_import.import_events(actor, source, name, dry_run=True)
        except DemoFactoryError as exc:
            show_error(exc)
            return
        st.session_state[_CHECKED] = (fingerprint, checked)
    kept = st.session_state.get(_CHECKED)
    if not kept or kept[0] != fingerprint:  # not checked yet, or another file was
        return
    summary: ImportSummary = kept[1]
    _show_check(summary, services.settings.timezone)
    if strict and summary.bad:
        st.warning(t("imports.events_strict_blocked"), icon=":material/block:")
        return
    if not summary.valid:
        st.info(t("imports.events_nothing_valid"), icon=":material/info:")
        return
    if st.button(t("imports.events_import"), key="adm_events_import", type="primary",
                 icon=":material/upload:"):
        _run_import(services, actor, name, source, strict, summary.lines)


def _run_import(services: Services, actor: Actor, name: str, source: LineSource,
                strict: bool, total_lines: int) -> None:
    running = _Running(name)
    st.session_state[_RUNNING] = running
    bar = st.progress(0.0, text=t("imports.events_importing"))

    def progress(lines: int, new: int) -> None:
        running.lines = lines  # before the bar, where a click stops the run
        bar.progress(min(1.0, lines / max(1, total_lines)),
                     text=t("imports.events_progress", lines=lines, new=new))

    try:
        with st.spinner(t("imports.events_importing")):
            done = services.event_import.import_events(actor, source, name, strict=strict,
                                                       on_progress=progress)
    except DemoFactoryError as exc:
        running.finished = True  # the error is shown now
        show_error(exc)
        return
    running.finished = True
    st.session_state.pop(_CHECKED, None)
    st.session_state[_DONE] = done
    st.session_state[_GENERATION] = st.session_state.get(_GENERATION, 0) + 1
    st.rerun()


def _interrupted_notice() -> None:
    """Say once that the import this session started last was stopped part-way. Running the
    same file again is safe: every line's event has a stable id, and stored ids are skipped."""
    running = st.session_state.pop(_RUNNING, None)
    if not isinstance(running, _Running) or running.finished:
        return
    st.warning(t("imports.events_interrupted", name=md_escape(running.name),
                 lines=running.lines), icon=":material/pause_circle:")


def _format_help(services: Services) -> None:
    st.caption(t("imports.events_empty"))
    st.caption(t("imports.events_format", tz=md_escape(services.settings.timezone)))
    st.code(EXAMPLE, language="json")


def _show_check(summary: ImportSummary, timezone: str) -> None:
    st.markdown(t("imports.events_summary", lines=summary.lines, valid=summary.valid,
                  bad=summary.bad))
    if summary.assumed_tz:
        st.info(t("imports.events_assumed", count=summary.assumed_tz, tz=md_escape(timezone)),
                icon=":material/schedule:")
    if not summary.errors:
        return
    st.markdown(f"**{t('imports.events_bad_title')}**")
    grid(bad_lines_table(summary), wide=(t("imports.events_col_reason"),))
    if summary.bad > len(summary.errors):
        st.caption(t("imports.events_more_bad", shown=len(summary.errors), bad=summary.bad))


def bad_lines_table(summary: ImportSummary) -> pd.DataFrame:
    """Line numbers and reasons in the session's language."""
    return pd.DataFrame({
        t("imports.events_col_line"): [error.line for error in summary.errors],
        t("imports.events_col_reason"): [t(error.key, **error.params)
                                         for error in summary.errors],
    })


def _show_done() -> None:
    done = st.session_state.get(_DONE)
    if not isinstance(done, ImportSummary):
        return
    if done.refused:
        st.warning(t("imports.events_refused", bad=done.bad), icon=":material/block:")
    else:
        st.success(t("imports.events_done", new=done.new, present=done.present, bad=done.bad),
                   icon=":material/check_circle:")
        if done.ignored_likes:
            st.info(t("imports.events_ignored_likes", count=done.ignored_likes),
                    icon=":material/info:")
