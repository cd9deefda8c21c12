"""The admin page's sample-content and orphan-file sections (users:
``services/ui/admin_users.py``)."""

from __future__ import annotations

import streamlit as st

from services.bootstrap import Services
from services.content.orphans import OrphanReport
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.ui import confirm
from services.ui.i18n import t
from services.ui.table_widths import grid
from services.ui.widgets import flash, show_error

_CONFIRM_SAMPLES = "confirm_remove_samples"
_ORPHANS = "orphan_report"


def samples_section(services: Services, actor: Actor) -> None:
    st.subheader(t("admin.samples_title"), anchor=False)
    if not services.content.sample_count():
        st.caption(t("admin.samples_none"))
        return
    st.write(t("admin.samples_text"))
    if st.button(t("admin.samples_remove"), key="adm_samples_remove", icon=":material/delete:"):
        confirm.ask(_CONFIRM_SAMPLES)
    if not confirm.pending(_CONFIRM_SAMPLES):
        return
    st.warning(t("admin.samples_confirm"), icon=":material/warning:")
    if confirm.answers(_CONFIRM_SAMPLES, t("admin.samples_confirm_yes"), "adm_samples"):
        try:
            # Their usage events and rollups go too: on DynamoDB that takes a while.
            with st.spinner(t("admin.samples_removing")):
                removed = services.content.remove_samples(actor)
        except DemoFactoryError as exc:
            show_error(exc)
            return
        flash(t("admin.samples_removed", count=removed))
        st.rerun()


def orphans_section(services: Services, actor: Actor) -> None:
    """Find files no item uses (a dry run), then remove them after a confirmation."""
    st.subheader(t("files.orphans_title"), anchor=False)
    st.caption(t("files.orphans_text"))
    if st.button(t("files.orphans_scan"), key="adm_orphans_scan", icon=":material/search:"):
        try:
            with st.spinner(t("files.orphans_scanning")):  # it lists every stored file
                confirm.ask(_ORPHANS, services.content.find_orphans(actor))
        except DemoFactoryError as exc:
            show_error(exc)
            return
    # The list found and its question: both go when the page is left (a file may be used by
    # then), the removal still takes only files that are orphans when it runs.
    report: OrphanReport | None = confirm.pending(_ORPHANS)
    if report is None:
        return
    _show_orphan_report(report)
    if not report.orphans:
        return
    st.warning(t("files.orphans_confirm", count=len(report.orphans)), icon=":material/warning:")
    if confirm.answers(_ORPHANS, t("files.orphans_confirm_yes"), "adm_orphans"):
        try:
            done = services.content.remove_orphans(actor, confirmed=report.orphans)
        except DemoFactoryError as exc:
            show_error(exc)
            return
        flash(t("files.orphans_removed", count=len(done.removed)))
        if done.failed:
            confirm.ask(_ORPHANS, done)
        st.rerun()


def _show_orphan_report(report: OrphanReport) -> None:
    """Counts and lists; keys, titles and names go in tables, which show text as text."""
    if report.failed:
        st.error(t("files.orphans_failed", count=len(report.failed)), icon=":material/error:")
    if report.clean:
        st.success(t("files.orphans_clean"), icon=":material/check_circle:")
    if report.orphans:
        st.write(t("files.orphans_found", count=len(report.orphans)))
        grid({t("files.orphans_key"): list(report.orphans)}, wide=(t("files.orphans_key"),))
    if report.too_recent:
        st.caption(t("files.orphans_recent", count=report.too_recent))
    if report.foreign:
        st.caption(t("files.orphans_foreign", count=report.foreign))
    if report.missing:
        st.warning(t("files.orphans_missing", count=len(report.missing)))
        grid({
            t("files.orphans_item"): [m.content_id for m in report.missing],
            t("files.orphans_title_col"): [m.title for m in report.missing],
            t("files.orphans_file"): [m.filename for m in report.missing],
            t("files.orphans_key"): [m.storage_key for m in report.missing],
        }, wide=(t("files.orphans_title_col"), t("files.orphans_key")))
