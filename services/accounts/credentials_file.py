"""streamlit-authenticator's credentials file (its config.yaml) as data: read for an import,
made for an export. Pure: the scripts read and write the YAML and call the account service.

    credentials:
      usernames:
        <username>: {email, first_name, last_name (older versions: name), password, roles}
    cookie: {name, key, expiry_days}

``password`` is a bcrypt hash or, where nobody has hashed the file yet, plain text. The cookie
section is never imported: its key is a secret, which this app takes from
DEMO_FACTORY_COOKIE_KEY.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.accounts.passwords import is_password_hash
from services.domain.permissions import Role
from services.domain.users import User
from services.errors import ValidationError

_ROLES = {role.value: role for role in Role}
_TEXT_FIELDS = ("email", "first_name", "last_name", "name", "password")


@dataclass(frozen=True)
class Entry:
    """One user of the file, mapped to this app's fields and roles."""

    username: str  # as the file spells it; the account service normalizes it
    name: str
    email: str
    password: str  # a bcrypt hash, or plain
    roles: frozenset[Role]
    unknown_roles: tuple[str, ...] = ()  # dropped
    no_role: bool = False  # no known role: a viewer

    @property
    def hashed(self) -> bool:
        return is_password_hash(self.password)


@dataclass(frozen=True)
class Problem:
    """A user left out, with the i18n key of the reason."""

    username: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Credentials:
    entries: list[Entry]
    problems: list[Problem]  # entries that could not be read
    cookie_name: str | None  # the file's cookie section, if any (its key is never kept)


def read_credentials(config: object) -> Credentials:
    """The users of a loaded credentials file. ValidationError if it is not one."""
    if not isinstance(config, Mapping):
        raise ValidationError("auth.credentials_err_file")
    credentials = config.get("credentials")
    if not isinstance(credentials, Mapping) or "usernames" not in credentials:
        raise ValidationError("auth.credentials_err_file")
    usernames = credentials["usernames"] or {}  # the package reads an empty list as no users
    if not isinstance(usernames, Mapping):
        raise ValidationError("auth.credentials_err_file")
    entries: list[Entry] = []
    problems: list[Problem] = []
    for key, fields in usernames.items():
        entry = read_entry(str(key), fields)
        if isinstance(entry, Entry):
            entries.append(entry)
        else:
            problems.append(entry)
    cookie = config.get("cookie")
    cookie_name = str(cookie.get("name") or "") if isinstance(cookie, Mapping) else None
    return Credentials(entries, problems, cookie_name)


def read_entry(username: str, fields: object) -> Entry | Problem:
    if not isinstance(fields, Mapping):
        return Problem(username, "auth.credentials_err_entry")
    texts: dict[str, str] = {}
    for name in _TEXT_FIELDS:
        value = fields.get(name)
        if value is None:
            texts[name] = ""
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            texts[name] = str(value).strip()  # YAML reads a password like 123456 as a number
        else:
            return Problem(username, "auth.credentials_err_field", {"field": name})
    roles, unknown = map_roles(fields.get("roles"))
    # The package's own rule: first and last name, else the older single ``name``.
    full_name = f"{texts['first_name']} {texts['last_name']}".strip() or texts["name"]
    return Entry(
        username=username, name=full_name, email=texts["email"], password=texts["password"],
        roles=roles or frozenset({Role.VIEWER}), unknown_roles=unknown, no_role=not roles,
    )


def map_roles(value: object) -> tuple[frozenset[Role], tuple[str, ...]]:
    """The known roles (case-insensitive) and the unknown ones, as written."""
    if value is None:
        return frozenset(), ()
    items = value if isinstance(value, list | tuple) else [value]
    known = {_ROLES[str(item).strip().lower()] for item in items
             if str(item).strip().lower() in _ROLES}
    unknown = tuple(str(item) for item in items if str(item).strip().lower() not in _ROLES)
    return frozenset(known), unknown


def split_name(name: str) -> tuple[str, str]:
    """First and last name: at the first space, so reading them back joins the same name
    ("김민지" has no space: all of it is the first name)."""
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


def credentials_config(
    users: Iterable[tuple[User, str]], cookie_name: str, expiry_days: float,
) -> tuple[dict[str, Any], list[Problem]]:
    """A credentials file of users with their bcrypt hashes, and the users left out: disabled
    ones and sign-ups not approved (the format cannot say so, and the other app would let
    them sign in) and those without a usable hash. ``cookie`` is there because the package
    reads it when given the file's path; its key is left empty, never this app's secret (PyJWT
    refuses an empty key, so the other app signs no cookie until a key is set)."""
    usernames: dict[str, dict[str, Any]] = {}
    left_out: list[Problem] = []
    for user, password_hash in users:
        if user.disabled:
            left_out.append(Problem(user.username, "auth.credentials_left_out_disabled"))
        elif not user.may_sign_in:  # a sign-up waiting or declined: the format cannot say so
            left_out.append(Problem(user.username, "auth.credentials_left_out_not_approved"))
        elif not is_password_hash(password_hash):
            left_out.append(Problem(user.username, "auth.credentials_left_out_no_password"))
        else:
            first_name, last_name = split_name(user.name)
            usernames[user.username] = {
                "email": user.email, "first_name": first_name, "last_name": last_name,
                "password": password_hash, "roles": sorted(role.value for role in user.roles),
            }
    config = {
        "credentials": {"usernames": usernames},
        "cookie": {"name": cookie_name, "key": "", "expiry_days": expiry_days},
    }
    return config, left_out
