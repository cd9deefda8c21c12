"""Inquiries sent through the public contact form, and the rules their fields must meet."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from services.domain.text import clean_text
from services.errors import ValidationError


class InquiryType(StrEnum):
    DEMO_REQUEST = "demo_request"
    PARTNERSHIP = "partnership"
    TECHNICAL = "technical"
    OTHER = "other"


class InquiryStatus(StrEnum):
    OPEN = "open"
    HANDLED = "handled"


# Field limits (characters). The message is long enough for a real question, short enough
# that one submission cannot fill the store.
LIMITS = {"name": 100, "email": 254, "company": 200, "subject": 200, "message": 5000}
# A pragmatic check (one @, a dot in the domain, no spaces); real verification is a reply.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class InquiryDraft:
    """What the visitor typed, before validation."""

    name: str
    email: str
    company: str
    type: InquiryType
    subject: str
    message: str
    consent: bool


@dataclass(frozen=True)
class Inquiry:
    id: str
    created_at: datetime
    name: str
    email: str
    company: str
    type: InquiryType
    subject: str
    message: str
    status: InquiryStatus = InquiryStatus.OPEN
    submitted_by: str | None = None  # the signed-in user, if any
    handled_by: str | None = None
    handled_at: datetime | None = None


def stripped(draft: InquiryDraft) -> InquiryDraft:
    """The draft with surrounding spaces removed from every text field."""
    return replace(
        draft, name=draft.name.strip(), email=draft.email.strip(),
        company=draft.company.strip(), subject=draft.subject.strip(),
        message=draft.message.strip(),
    )


def clean(draft: InquiryDraft) -> InquiryDraft:
    """The stripped draft, or ValidationError for its first problem.

    ``ValidationError.params["fields"]`` names every field in error (comma-separated);
    ``inquiry_problems`` gives each message, for a form that shows them all.
    """
    # In NFC like every other stored text (lone surrogates refused by clean_text).
    cleaned = stripped(replace(
        draft, name=clean_text(draft.name), email=clean_text(draft.email),
        company=clean_text(draft.company), subject=clean_text(draft.subject),
        message=clean_text(draft.message)))
    problems = inquiry_problems(cleaned)
    if problems:
        field, key = problems[0]
        raise ValidationError(key, fields=",".join(f for f, _ in problems), field=field,
                              max=LIMITS.get(field, 0), length=field_length(cleaned, field))
    return cleaned


def inquiry_problems(draft: InquiryDraft) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for field in ("name", "email", "subject", "message"):
        if not getattr(draft, field):
            problems.append((field, f"inquiries.err_{field}_missing"))
    for field, limit in LIMITS.items():
        if len(getattr(draft, field)) > limit:
            problems.append((field, "inquiries.err_too_long"))
    if draft.email and not EMAIL_RE.match(draft.email):
        problems.append(("email", "inquiries.err_email"))
    if not draft.consent:
        problems.append(("consent", "inquiries.err_consent"))
    return problems


def field_length(draft: InquiryDraft, field: str) -> int:
    """How many characters ``field`` holds (0 for a field that is not text)."""
    value = getattr(draft, field, "")
    return len(value) if isinstance(value, str) else 0


def reference(inquiry_id: str) -> str:
    """The inquiry number a visitor is shown: short enough to read out, derived from the id.

    The id is a ULID: its first ten characters are the time, the last sixteen random, so the
    last eight are the part that tells two inquiries apart (40 random bits).
    """
    tail = inquiry_id[-8:].upper()
    return f"Q-{tail[:4]}-{tail[4:]}"


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` submissions per fixed window of ``window_seconds`` for ``key`` (a
    visit, or "global" for everyone). Windows are aligned to the epoch (shifted by
    ``offset_seconds``), so every server instance agrees on which window a moment belongs to."""

    key: str
    limit: int
    window_seconds: int
    offset_seconds: int = 0

    def window(self, now: datetime) -> int:
        """The number of the window ``now`` falls in."""
        return (int(now.timestamp()) - self.offset_seconds) // self.window_seconds

    def window_end(self, now: datetime) -> datetime:
        start = self.window(now) * self.window_seconds + self.offset_seconds
        return datetime.fromtimestamp(start + self.window_seconds, now.tzinfo)
