"""The companies table: what signed-in users of each company did, from the company rollups.

Companies are what people typed at sign-up; the rollups hold at most a bounded number per day
(``services.analytics.profiles.CompanyCap``), the rest as ``OTHER_COMPANY``, listed last.
"Visitors" are visits: browser sessions of a company's signed-in users, each counted once.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from services.analytics.dashboards import Period
from services.analytics.rollups import Rollups
from services.domain.analytics import OTHER_COMPANY, Dim, EventType
from services.ports import EventStore

COLUMNS = ["company", "visitors", "page_views", "content_views"]


def companies_of(rollups: Rollups) -> pd.DataFrame:
    """One row per company: visitors, page views, content views; most page views first."""
    visits: Counter[str] = Counter()
    for type_ in EventType:
        visits.update(rollups.by_value(type_, Dim.COMPANY_VISIT))
    pages = rollups.by_value(EventType.PAGE_VIEW, Dim.COMPANY)
    views = rollups.by_value(EventType.CONTENT_VIEW, Dim.COMPANY)
    names = set(visits) | set(pages) | set(views)
    ranked = sorted(names, key=lambda c: (c == OTHER_COMPANY, -pages[c], -visits[c], c))
    return pd.DataFrame([{"company": c, "visitors": visits[c], "page_views": pages[c],
                          "content_views": views[c]} for c in ranked], columns=COLUMNS)


def companies(store: EventStore, period: Period) -> pd.DataFrame:
    """One rollups read of the company dimensions for the period's days."""
    rows = store.rollups(period.start, period.end, dims=[Dim.COMPANY, Dim.COMPANY_VISIT])
    return companies_of(Rollups(rows))
