"""Who the previous platform's authors and likers are in this app.

An imported item belongs to a user only when the link is proven: the operator's mapping file
(``--authors map.csv``: legacy author, user name) names the user, or the legacy author is an
email that a user of this app has *verified*: by opening the link mailed to it (local sign-in),
by the pool's code (Cognito), or set by an administrator (``User.email_verified``). Never by
display name, and never by an email a user merely typed (a sign-up without mail, a profile
change not confirmed yet, a Cognito attribute): anyone could type alice@old-platform.com and
would otherwise take over the old authors' items and likes. Everyone else keeps a ``legacy:``
id, which is never a username of this app.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from services.domain.account_details import is_email
from services.domain.users import User
from services.errors import ValidationError
from services.imports.legacy.summary import LegacySummary

MAP_HEADER = ("legacy_author", "username")
BY_MAPPING, BY_EMAIL = "mapping", "verified email"
BAD_ROW = "imports.legacy_map_bad_row"
DUPLICATE_ROW = "imports.legacy_map_duplicate"
UNKNOWN_USERS = "imports.legacy_map_unknown_users"


def _key(text: str) -> str:
    return text.strip().casefold()


def parse_author_map(text: str) -> dict[str, str]:
    """legacy author (case-folded) -> user name, from CSV text with two columns. A header row
    ``legacy_author,username``, blank lines and lines starting with ``#`` are skipped."""
    mapping: dict[str, str] = {}
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        cells = tuple(cell.strip() for cell in row)
        if tuple(_key(c) for c in cells) == MAP_HEADER:
            continue
        if len(cells) != 2 or not all(cells):
            raise ValidationError(BAD_ROW, line=number)
        legacy, username = _key(cells[0]), cells[1]
        if mapping.setdefault(legacy, username) != username:
            raise ValidationError(DUPLICATE_ROW, line=number, author=cells[0])
    return mapping


class People:
    """Links legacy authors and likers (emails, display names, Cognito subs) to users."""

    def __init__(self, users: Iterable[User], mapping: Mapping[str, str] | None = None) -> None:
        known = {user.username: user for user in users}
        unknown = sorted({name for name in (mapping or {}).values() if name not in known})
        if unknown:  # a typo would leave items unlinked for good: re-runs skip existing items
            raise ValidationError(UNKNOWN_USERS, names=", ".join(unknown))
        self._mapped = {_key(legacy): known[name] for legacy, name in (mapping or {}).items()}
        self._by_email: dict[str, list[User]] = {}
        self._names: set[str] = set()
        for user in known.values():
            if user.email:
                self._by_email.setdefault(_key(user.email), []).append(user)
            self._names.update({_key(user.username), _key(user.name)})

    def _find(self, raw: str) -> tuple[User | None, str]:
        """The user and how they were found, or None and why not ("" when nothing matched)."""
        key = _key(raw)
        if key in self._mapped:
            return self._mapped[key], BY_MAPPING
        if is_email(raw):
            verified = [u for u in self._by_email.get(key, []) if u.email_verified]
            if len(verified) == 1:  # two accounts claiming one address prove nothing
                return verified[0], BY_EMAIL
            if key in self._by_email:
                return None, "unverified"
        return None, "name" if key in self._names else ""

    def author(self, raw: str, summary: LegacySummary) -> tuple[str, str]:
        """(author_id, author_name) for the item."""
        if not raw:
            summary.authors_unlinked["(none)"] += 1
            return "legacy:unknown", "unknown"
        user, how = self._find(raw)
        if user is not None:
            summary.authors_linked += 1
            summary.authors_links[(raw, user.username, how)] += 1
            return user.username, user.name or user.username
        summary.authors_unlinked[raw] += 1
        if how == "unverified":
            summary.authors_unverified[raw] += 1
        elif how == "name":
            summary.authors_name_only[raw] += 1
        return f"legacy:{raw.casefold()}", raw.split("@")[0] if is_email(raw) else raw

    def person(self, raw: str) -> str:
        user, _ = self._find(raw)
        return user.username if user is not None else f"legacy:{raw.casefold()}"
