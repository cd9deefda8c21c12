"""A range of dates is written one way, by one function: "2026-09-01 ~ 2026-09-30" in Korean,
"2026-09-01 – 2026-09-30" in English, on pages, in report PDFs, the narrator's text and mails."""

from __future__ import annotations

import re
from datetime import date

import pytest

from services.i18n import LANGUAGES, date_range, messages
from services.reports.data import Labels
from services.reports.pdf.sections import period_label

START, END = date(2026, 9, 1), date(2026, 9, 30)
# Two date placeholders of a pair ({start}/{end}, {prev_start}/{prev_end}) with a separator.
_WRITTEN_RANGE = re.compile(r"\{(\w*)start\}\s*(?:~|–|-|to)\s*\{\1end\}")
_THE_HELPER_S_OWN = "common.date_range"


@pytest.mark.parametrize(("lang", "text"), [("ko", "2026-09-01 ~ 2026-09-30"),
                                            ("en", "2026-09-01 – 2026-09-30")])
def test_the_helper_writes_a_range(lang: str, text: str) -> None:
    assert date_range(lang, START, END) == text
    assert date_range(lang, START.isoformat(), END.isoformat()) == text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_writes_a_range_of_dates_itself(lang: str) -> None:
    own = [key for key, message in messages(lang).items() if key != _THE_HELPER_S_OWN
           for text in ([message] if isinstance(message, str) else message.forms.values())
           if _WRITTEN_RANGE.search(text)]
    assert own == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pdf_period_uses_the_helper(lang: str) -> None:
    assert period_label(Labels(lang), START, END).startswith(date_range(lang, START, END))
