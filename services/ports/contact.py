"""Inquiries from the contact form.

Protocols; import them from ``services.ports``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from services.domain.inquiries import Inquiry, InquiryStatus, RateLimit


class InquiryStore(Protocol):
    """Messages sent through the public contact form."""

    def add(self, inquiry: Inquiry) -> None:
        """ConflictError if the id exists."""

    def add_once(self, inquiry: Inquiry, token: str) -> Inquiry:
        """Store ``inquiry`` under the submission ``token`` unless that token already filed one,
        in one atomic step; the stored inquiry (the earlier one for a repeated token)."""

    def find_by_token(self, token: str) -> Inquiry | None:
        """The inquiry filed under the submission ``token``, if any."""

    def get(self, inquiry_id: str) -> Inquiry:
        """NotFound if absent."""

    def list(self, status: InquiryStatus, limit: int = 200) -> list[Inquiry]:
        """Inquiries with ``status``, newest first."""

    def set_status(
        self, inquiry_id: str, status: InquiryStatus, handled_by: str | None,
        handled_at: datetime | None,
    ) -> Inquiry:
        """Returns the stored inquiry. NotFound if absent."""

    def take_slot(self, limits: Sequence[RateLimit], now: datetime) -> str | None:
        """One atomic step for the contact form's rate limits: when every limit's counter for
        the window ``now`` is in is below its ``limit``, add one to each and return None;
        otherwise change nothing and return the ``key`` of a full limit."""
