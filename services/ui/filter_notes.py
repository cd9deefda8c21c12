"""What a dashboard tab says about the active filters it does not apply.

A chart click or a link sets a filter for the whole board, but a tab can apply only the filters
the rollups it reads are split by: the content and authors tabs apply every one; the sources,
devices, returning users, funnels, time, purposes and search tabs none. A tab names, in the
reader's language, the active filters it leaves out: one note, worded the same on every tab.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

import streamlit as st

from services.analytics.tables import Filters
from services.ui.dashboard_filters import SEGMENT_KINDS, Kind, active_kinds
from services.ui.i18n import t

CONTENT_FILTERS = frozenset({Kind.CATEGORY, Kind.AUTHOR, Kind.ITEM})
SEGMENT_FILTERS = frozenset(SEGMENT_KINDS)
EVERY_FILTER = CONTENT_FILTERS | SEGMENT_FILTERS
# What the note speaks of: the whole tab, or the trend's second (platform-wide) chart.
Part = Literal["tab", "chart"]


def note_text(filters: Filters, applies: Collection[Kind] = (),
              part: Part = "tab") -> str | None:
    """None when every active filter is in ``applies``; else the note naming the others, and
    saying the numbers are the whole platform's when no active filter applies."""
    active = active_kinds(filters)
    missing = [kind for kind in active if kind not in applies]
    if not missing:
        return None
    names = t("dashfilter.list_sep").join(t(f"dashfilter.kind.{kind}") for kind in missing)
    scope = "whole" if len(missing) == len(active) else "partly"
    return t(f"dashfilter.not_applied.{part}_{scope}", filters=names)


def filter_note(filters: Filters, applies: Collection[Kind] = (), part: Part = "tab") -> None:
    """The note of ``note_text`` as a caption (nothing when every active filter applies)."""
    text = note_text(filters, applies, part)
    if text is not None:
        st.caption(":material/filter_alt_off: " + text)
