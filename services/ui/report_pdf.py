"""A saved report's PDF: built in the background as soon as the report is saved, downloaded in
one click, previewed on request.

Building the PDF (six matplotlib charts, a Korean font, reportlab) takes most of a second.
Done inside the "generate" click, the person waited for it before seeing the report they asked
for. It now starts when the report is saved, on one worker thread per process, and the page
draws the report meanwhile. The download button hands Streamlit a callable, which it runs
when the button is clicked (on its own thread), only once the build has succeeded: a callable
that raises makes Streamlit answer the click with its own English "failed to generate file".
While the build runs (about a second) the button is drawn disabled with a caption, in a
fragment that looks again every half second and, once the build is over, runs the page again
to draw its outcome (and stop looking). The preview (pages rendered to images by PyMuPDF) sits
in an expander that is drawn only when opened. One build per report and session, started when
the report is shown (opening one in the history too); one still waiting when the session shows
another report is dropped. Built PDFs are kept per process (``reports/pdf/cache.py``): a
report opened again, in any session, is not built again. A build that failed is shown as
failed, in the user's language, with a button that builds it again (retried silently on every
run, it only hid why no PDF came); its cause is logged.
"""

from __future__ import annotations

import functools
import logging
from concurrent.futures import Future, ThreadPoolExecutor

import streamlit as st

from services.bootstrap import Services
from services.domain.reports import Report
from services.reports.pdf.cache import PdfCache
from services.reports.preview import PREVIEW_PAGES, page_images
from services.ui import lazy
from services.ui.fragments import fragment_body, signed_in_callback
from services.ui.i18n import t

log = logging.getLogger(__name__)

PDF_CACHE_KEY = "_rep_pdfs"
POLL_SECONDS = 0.5  # how often a page waiting for its PDF looks again
# One build at a time: each is CPU-bound and holds the interpreter lock for most of its time;
# in parallel they would only slow the pages being drawn meanwhile.
_BUILDER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-pdf")


def start_pdf(services: Services, report: Report, again: bool = False) -> Future[bytes] | None:
    """The report's PDF build, started now if this session has none for it (or ``again``,
    asked after its last one failed). None if PDF export is not installed."""
    pdfs = _pdf_cache()
    if pdfs is None:
        return None
    builds: dict[str, Future[bytes]] = st.session_state.setdefault(PDF_CACHE_KEY, {})
    _drop_waiting(builds, report.id)
    found = builds.get(report.id)
    if found is None or (again and _failed(found)):
        found = _BUILDER.submit(pdfs.pdf, report, services.settings.tz)
        found.add_done_callback(_log_failure)
        builds[report.id] = found
    return found


@functools.cache
def _pdf_cache() -> PdfCache | None:
    """The process's built PDFs (a report opened again, by anyone, is not built again); None
    if PDF export is not installed."""
    try:
        from services.reports.pdf import build
    except ImportError:
        return None
    return PdfCache(lambda report, tz: build.build_report_pdf(report, tz=tz))


def _drop_waiting(builds: dict[str, Future[bytes]], shown: str) -> None:
    """Cancel this session's builds of other reports that have not started: a page shows one
    report's PDF at a time, and on one worker for the whole server (each build about a second
    of work) the PDF of the report on screen waited behind those of reports opened before it.
    One dropped is started again if its report is shown again."""
    for report_id, build in list(builds.items()):
        if report_id != shown and build.cancel():  # True only for a build still waiting
            del builds[report_id]


def _build_again(services: Services, report: Report) -> None:
    """The retry button's callback: before the run, so that run draws the new build."""
    start_pdf(services, report, again=True)


def _log_failure(build: Future[bytes]) -> None:
    if build.cancelled():  # dropped while waiting (``_drop_waiting``): not a failure
        return
    error = build.exception()
    if error is not None:
        log.error("the report's PDF could not be built", exc_info=error)


def _failed(build: Future[bytes]) -> bool:
    """Done with an error (a build still running is not waited for)."""
    return build.done() and build.exception() is not None


def _preview(build: Future[bytes]) -> None:
    try:
        with st.spinner(t("reports.pdf_building")):
            data = build.result()  # waits if the build is still running
    except Exception:
        log.exception("the report's PDF could not be built")
        st.error(t("reports.pdf_failed"), icon=":material/error:")
        return
    images = page_images(data)
    for column, (number, image) in zip(st.columns(PREVIEW_PAGES), enumerate(images, 1),
                                       strict=False):
        column.image(image, caption=t("reports.pdf_page", page=number))


def pdf_section(services: Services, report: Report, key: str) -> None:
    """The download button (one click; no rerun, so no faded copy of the page) and the
    preview, drawn only when opened; disabled while the build runs; for a build that failed,
    why, and a new build."""
    build = start_pdf(services, report)
    if build is None:
        st.info(t("reports.pdf_unavailable"))
        return
    if build.done():
        _outcome(services, report, key, build)
        return

    @st.fragment(run_every=POLL_SECONDS)
    @fragment_body
    def waiting() -> None:
        if build.done():  # the page draws the outcome, and this fragment stops looking
            st.rerun(scope="app")
        st.download_button(t("reports.pdf_download"), b"", key=f"{key}_pdf_download",
                           icon=":material/picture_as_pdf:", type="primary", disabled=True)
        st.caption(t("reports.pdf_building"))

    waiting()


def _outcome(services: Services, report: Report, key: str, build: Future[bytes]) -> None:
    """A finished build: the PDF to download and preview, or that it failed and a retry."""
    if _failed(build):
        st.error(t("reports.pdf_failed"), icon=":material/error:")
        st.button(t("reports.pdf_retry"), key=f"{key}_pdf_retry", icon=":material/refresh:",
                  on_click=signed_in_callback(_build_again), args=(services, report))
        return
    # The callable of a build that succeeded: it returns the bytes, it cannot raise.
    st.download_button(t("reports.pdf_download"), build.result,
                       file_name=f"report-{report.id}.pdf", mime="application/pdf",
                       key=f"{key}_pdf_download", icon=":material/picture_as_pdf:",
                       on_click="ignore", type="primary")
    lazy.expander(t("reports.pdf_preview", pages=PREVIEW_PAGES), f"{key}_pdf_preview",
                  lambda: _preview(build), icon=":material/preview:")
