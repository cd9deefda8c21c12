"""The signed-in visitors of the synthetic traffic, as the app knows its users (pure).

Some gave a company and a visit purpose when they signed up, which the analytics service
stamps on their visits' events (``AnalyticsService._with_profile``): the company on every
event and the visit mark on the first; the purpose as a ``visitor_purpose`` event looked up
from the profile (``source: profile``), after which the visit is not asked. New users join
through the period, so weekly cohorts start in every week, not only in the first.

Who a user is follows from their number alone (a hash, no random draws), so the day's random
stream, and with it the events' ids, does not depend on it.
"""

from __future__ import annotations

import zlib
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from services.domain.analytics import Purpose

PURPOSE_WEIGHTS = {
    Purpose.AWS_INTERNAL: 0.22, Purpose.CUSTOMER_DEMO: 0.25, Purpose.PARTNER: 0.1,
    Purpose.TECH_EVALUATION: 0.15, Purpose.BUSINESS_DEVELOPMENT: 0.1, Purpose.EDUCATION: 0.1,
    Purpose.RESEARCH: 0.05, Purpose.OTHER: 0.03,
}
COMPANIES = ("한빛리테일", "서울모빌리티", "대한파이낸셜", "Kumo Manufacturing",
             "Northwind Traders", "Blue Harbor Media", "제주텔레콤", "미래보험", "Orbit Games",
             "AnyCompany")
COMPANY_SHARE = 0.6  # of users who gave a company at sign-up
SIGNUP_PURPOSE_SHARE = 0.4  # of users who gave a visit purpose at sign-up
FIRST_DAY_SHARE = 0.3  # of the users active from the period's first day; the rest join later

_PURPOSES = list(PURPOSE_WEIGHTS)
_PURPOSE_CUM = list(accumulate(PURPOSE_WEIGHTS.values()))


@dataclass(frozen=True)
class SyntheticUser:
    """A signed-in visitor and what their profile says."""

    id: str
    company: str = ""
    purpose: Purpose | None = None


def synthetic_user(number: int) -> SyntheticUser:
    """User ``number`` (``user0007``), the same in every run."""
    user_id = f"user{number:04d}"
    digest = zlib.crc32(user_id.encode())
    company = (COMPANIES[digest % len(COMPANIES)]
               if _fraction(digest, 8) < COMPANY_SHARE else "")
    purpose = None
    if _fraction(digest, 16) < SIGNUP_PURPOSE_SHARE:
        weight = _fraction(digest, 24) * _PURPOSE_CUM[-1]
        purpose = _PURPOSES[min(bisect(_PURPOSE_CUM, weight), len(_PURPOSES) - 1)]
    return SyntheticUser(user_id, company, purpose)


def users_joined(day_index: int, days: int, users: int) -> int:
    """How many of ``users`` have joined by day ``day_index`` (0-based) of a ``days``-day
    period: the first ``FIRST_DAY_SHARE`` from the start, then the rest evenly."""
    share = FIRST_DAY_SHARE + (1 - FIRST_DAY_SHARE) * (day_index + 1) / max(1, days)
    return max(1, min(users, round(users * share)))


def _fraction(digest: int, shift: int) -> float:
    """Eight bits of the hash as a number in [0, 1)."""
    return ((digest >> shift) & 0xFF) / 256
