"""Every seam between the use cases and the outside world, as a typing.Protocol, one module
per capability (``content``, ``accounts``, ``contact``, ``analytics``, ``reports``, and
``shared`` for what all use). Import them from here: ``from services.ports import EventStore``.

Adapters in ``services/adapters`` implement these; each port has one contract suite in
``tests/contract`` run against every adapter. Adapters raise only ``services.errors`` types.
"""

from services.ports.accounts import (
    AccountTokenStore,
    EmailCodes,
    EmailConfirmation,
    IdentityProvider,
    LoginThrottle,
    PasswordAuthenticator,
    PasswordStore,
    PoolSignOut,
    PoolSignUp,
    RateSlots,
    SessionStore,
    SignupDirectory,
    TokenVerifier,
    UserDirectory,
)
from services.ports.analytics import (
    CohortStore,
    EventSink,
    EventStore,
    FollowStore,
    FunnelStore,
    LiveWindow,
)
from services.ports.contact import InquiryStore
from services.ports.content import BlobStore, ContentRepository
from services.ports.reports import LLM, ReportStore
from services.ports.shared import AuditLog, Clock, Mailer

__all__ = [
    "LLM",
    "AccountTokenStore",
    "AuditLog",
    "BlobStore",
    "Clock",
    "CohortStore",
    "ContentRepository",
    "EmailCodes",
    "EmailConfirmation",
    "EventSink",
    "EventStore",
    "FollowStore",
    "FunnelStore",
    "IdentityProvider",
    "InquiryStore",
    "LiveWindow",
    "LoginThrottle",
    "Mailer",
    "PasswordAuthenticator",
    "PasswordStore",
    "PoolSignOut",
    "PoolSignUp",
    "RateSlots",
    "ReportStore",
    "SessionStore",
    "SignupDirectory",
    "TokenVerifier",
    "UserDirectory",
]
