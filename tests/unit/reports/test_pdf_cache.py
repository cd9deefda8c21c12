"""A report opened again is not built again: its PDF is kept per process, within a byte
budget, per time zone."""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo

import pytest

from services.domain.models import new_id
from services.domain.reports import Report
from services.reports.pdf.cache import PdfCache
from tests.unit.reports.test_pdf import make_report


def sample_report() -> Report:
    return make_report(id=new_id())


class CountingBuilder:
    def __init__(self, size: int = 10) -> None:
        self.built: list[tuple[str, str]] = []
        self.size = size

    def __call__(self, report: Report, tz: tzinfo | None) -> bytes:
        self.built.append((report.id, str(tz)))
        return f"{report.id}|{tz}|".encode().ljust(self.size, b".")


def test_a_report_opened_again_is_not_built_again() -> None:
    builder = CountingBuilder()
    cache = PdfCache(builder)
    report = sample_report()
    first = cache.pdf(report, UTC)
    assert cache.pdf(report, UTC) == first
    assert builder.built == [(report.id, "UTC")]


def test_another_time_zone_is_another_pdf() -> None:
    builder = CountingBuilder()
    cache = PdfCache(builder)
    report = sample_report()
    cache.pdf(report, UTC)
    seoul = cache.pdf(report, ZoneInfo("Asia/Seoul"))
    assert b"Asia/Seoul" in seoul
    assert len(builder.built) == 2


def test_the_least_recently_opened_goes_first_when_the_budget_is_full() -> None:
    builder = CountingBuilder(size=100)
    cache = PdfCache(builder, max_bytes=250)
    one, two, three = sample_report(), sample_report(), sample_report()
    cache.pdf(one, UTC)
    cache.pdf(two, UTC)
    cache.pdf(one, UTC)  # one is now the most recent
    cache.pdf(three, UTC)  # over budget: two goes
    assert cache.size <= 250
    builder.built.clear()
    cache.pdf(one, UTC)
    cache.pdf(three, UTC)
    assert builder.built == []
    cache.pdf(two, UTC)
    assert builder.built == [(two.id, "UTC")]


def test_a_failed_build_is_not_kept() -> None:
    calls: list[str] = []

    def flaky(report: Report, tz: tzinfo | None) -> bytes:
        calls.append(report.id)
        if len(calls) == 1:
            raise RuntimeError("font missing")
        return b"pdf"

    cache = PdfCache(flaky)
    report = sample_report()
    with pytest.raises(RuntimeError):
        cache.pdf(report, UTC)
    assert cache.pdf(report, UTC) == b"pdf"
    assert len(calls) == 2


def test_a_pdf_larger_than_the_whole_budget_is_returned_but_not_kept() -> None:
    builder = CountingBuilder(size=500)
    cache = PdfCache(builder, max_bytes=100)
    report = sample_report()
    assert len(cache.pdf(report, UTC)) == 500
    assert cache.size == 0
