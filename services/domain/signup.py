"""A self-service sign-up as typed, and the rules its fields must meet (the password's own
rule is the accounts service's ``validate_password``, applied after these)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from services.domain.account_details import (
    ACCOUNT_FORMS,
    COMPANY_MAX,
    EMAIL_MAX,
    NAME_MAX,
    detail_problems,
    message_key,
    normalized,
)
from services.domain.analytics import Purpose
from services.domain.permissions import Role
from services.domain.text import clean_text
from services.domain.users import REQUESTABLE_ROLES
from services.errors import ValidationError

# Field limits (characters), shown with a count on the form: an account's details, and the
# user name, whose form (3 to 64 characters) is the accounts service's rule.
LIMITS = {"name": NAME_MAX, "email": EMAIL_MAX, "username": 64, "company": COMPANY_MAX}
# The purposes a person can choose ("skipped" only counts the prompt's skips).
PURPOSES = tuple(p for p in Purpose if p != Purpose.SKIPPED)


@dataclass(frozen=True)
class SignupDraft:
    """What the visitor typed. ``honeypot`` is a field people never see: a bot fills it."""

    name: str
    email: str
    username: str
    company: str
    purpose: Purpose | None
    role: Role | None
    password: str
    password_again: str
    consent: bool
    honeypot: str = ""
    language: str = ""  # the page's language ("ko", "en"): mails about the account use it


def stripped(draft: SignupDraft) -> SignupDraft:
    """Text fields in NFC without surrounding spaces; passwords exactly as typed."""
    return replace(
        draft, name=normalized(draft.name), email=normalized(draft.email),
        username=clean_text(draft.username).strip().lower(), company=normalized(draft.company),
    )


def signup_problems(draft: SignupDraft) -> list[tuple[str, str]]:
    """Every problem of a stripped draft as (field, message key), in form order."""
    typed = {field: getattr(draft, field) for field in LIMITS}
    problems = [(field, message_key(ACCOUNT_FORMS, field, problem)) for field, problem
                in detail_problems(typed, required=("name", "email", "username"), limits=LIMITS)]
    if draft.purpose not in PURPOSES:
        problems.append(("purpose", "signup.err_purpose"))
    if draft.role not in REQUESTABLE_ROLES:
        problems.append(("role", "signup.err_role"))
    if not draft.password:  # said with the rest; the password rule itself comes after these
        problems.append(("password", "signup.err_password_missing"))
    if draft.password != draft.password_again:
        problems.append(("password_again", "signup.err_password_mismatch"))
    if not draft.consent:
        problems.append(("consent", "signup.err_consent"))
    return problems


def clean(draft: SignupDraft) -> SignupDraft:
    """The stripped draft, or ValidationError for its first problem (``params["fields"]``
    names every field in error)."""
    cleaned = stripped(draft)
    problems = signup_problems(cleaned)
    if problems:
        field, key = problems[0]
        raise ValidationError(key, fields=",".join(f for f, _ in problems), field=field,
                              max=LIMITS.get(field, 0), length=field_length(cleaned, field))
    return cleaned


def field_length(draft: SignupDraft, field: str) -> int:
    value = getattr(draft, field, "")
    return len(value) if isinstance(value, str) else 0


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()
