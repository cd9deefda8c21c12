"""An item page's own funnels (view -> download, view -> like), drawn the way the dashboard's
funnels tab draws one: the same chart, table and CSV."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from services.analytics.funnels import FunnelReport
from services.analytics.item_pages import ItemPage
from services.ui.funnels import funnel_view, step_label
from services.ui.i18n import t


def item_funnels(page: ItemPage) -> None:
    """Both funnels, one under the other; nothing without a funnel store."""
    if not page.funnels:
        return
    st.markdown(f"**{t('itempage.funnel.title')}**")
    window = page.funnels[0].funnel.window_minutes
    st.caption(t("itempage.funnel.note", minutes=window))
    # Views counted before item funnels existed are not in them: an empty funnel beside a
    # page of views must say that, not that nobody came.
    empty = t("itempage.funnel.not_counted" if page.totals.views else "itempage.funnel.empty")
    # One under the other: side by side, each table had half the page, less than its five
    # columns need, and showed only the step and its visits without scrolling.
    for report in page.funnels:
        _one(page.content_id, report, empty)


def _one(content_id: str, report: FunnelReport, empty: str) -> None:
    kind = report.funnel.id.split(":", 1)[0].removeprefix("item-")  # download, like
    # The steps without the item: on its own page the item goes without saying.
    labels = [f"{i + 1}. {step_label(replace(step, content_id=None))}"
              for i, step in enumerate(report.funnel.steps)]
    funnel_view(report, labels, f"chart_item_funnel_{kind}", f"item_{content_id}_funnel_{kind}",
                empty)
