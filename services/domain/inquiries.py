"""Inquiries sent through the public contact form, and the rules their fields must meet."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from services.domain.account_details import LIMITS as DETAIL_LIMITS
from services.domain.account_details import detail_problems, message_key
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


# Field limits (characters): name, email and company are a person's details, limited (and the
# email checked) as an account's are. The message is long enough for a real question, short
# enough that one submission cannot fill the store.
LIMITS = {**DETAIL_LIMITS, "subject": 200, "message": 5000}


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
    typed = {field: getattr(draft, field) for field in LIMITS}
    problems = [(field, message_key("inquiries", field, problem)) for field, problem
                in detail_problems(typed, required=("name", "email", "subject", "message"),
                                   limits=LIMITS)]
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
