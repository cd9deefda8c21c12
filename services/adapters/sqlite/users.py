"""UserDirectory, PasswordStore and LoginThrottle (and SignupDirectory, EmailConfirmation) on
SQLite: a users table (roles as a sorted comma list, the bcrypt hash beside the profile) and a
login failures table.

Roles are a comma list rather than a table: a user has at most four, they are always read
with the user, and role values contain no commas. Every change to a missing user is NotFound,
like ``get``; ``delete`` also forgets the user's login failures.

The guards (first administrator, last active administrator, login attempts, an email in use)
read and write inside one ``BEGIN IMMEDIATE`` transaction: it takes the database's write lock
before the read, so a second request waits until the first has committed and then sees its
write.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from services.adapters.sqlite.db import SqliteDatabase, from_db_time, to_db_time
from services.domain.permissions import Role
from services.domain.users import AccountStatus, User
from services.errors import ConflictError, NotFound, ValidationError

# Roles are a comma list: wrapped in commas, "admin" is matched as a whole element.
_ACTIVE_ADMIN = "disabled = 0 AND (',' || roles || ',') LIKE '%,admin,%'"


class SqliteUserDirectory:
    """Implements ``UserDirectory``, ``PasswordStore``, ``LoginThrottle``,
    ``SignupDirectory`` and ``EmailConfirmation`` of ``services.ports``; ``db`` must be
    migrated."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def create(self, user: User) -> None:
        """The account starts with the empty hash, which matches no password."""
        try:
            with self._db.transaction() as conn:
                _require_free_email(conn, user.email, user.username)
                conn.execute(
                    "INSERT INTO users (username, name, email, roles, password_hash,"
                    " created_at, disabled, status, company, purpose, requested_role,"
                    " pending_role, signed_up_at, email_verified, signup_language, language,"
                    " request_reason, requested_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        user.username,
                        user.name,
                        user.email,
                        _roles_text(user.roles),
                        "",
                        to_db_time(user.created_at),
                        int(user.disabled),
                        user.status.value,
                        user.company,
                        user.purpose,
                        user.requested_role,
                        user.pending_role,
                        to_db_time(user.signed_up_at) if user.signed_up_at else None,
                        int(user.email_verified),
                        user.signup_language,
                        user.language,
                        user.request_reason,
                        to_db_time(user.requested_at) if user.requested_at else None,
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise ConflictError("errors.conflict", username=user.username) from exc

    def get(self, username: str) -> User:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        if row is None:
            raise NotFound("errors.not_found", username=username)
        return _user(row)

    record = get  # ``SignupDirectory.record``: every account here is the app's own record

    def password_hash(self, username: str) -> str:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT password_hash FROM users WHERE username = ?", (username,)
            ).fetchone()
        if row is None:
            raise NotFound("errors.not_found", username=username)
        return str(row[0])

    def list(self) -> list[User]:
        """All users, sorted by username."""
        with self._db.read() as conn:
            rows = conn.execute("SELECT * FROM users ORDER BY username").fetchall()
        return [_user(r) for r in rows]

    def set_roles(self, username: str, roles: frozenset[Role]) -> None:
        self._set(username, "roles", _roles_text(roles))

    def set_password_hash(self, username: str, password_hash: str, *,
                          temporary: bool = False, replacing: str | None = None) -> None:
        """The hash and its "must be changed" flag, in one write (conditional on the stored
        hash when ``replacing`` is given)."""
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE users SET password_hash = ?, password_temporary = ?"
                " WHERE username = ? AND (? IS NULL OR password_hash = ?) RETURNING username",
                (password_hash, int(temporary), username, replacing, replacing),
            ).fetchall()
            if not changed:
                self.password_hash(username)  # NotFound if there is no such account
                raise ConflictError("auth.err_password_changed", username=username)

    def password_is_temporary(self, username: str) -> bool:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT password_temporary FROM users WHERE username = ?", (username,)
            ).fetchone()
        if row is None:
            raise NotFound("errors.not_found", username=username)
        return bool(row[0])

    def set_disabled(self, username: str, disabled: bool) -> None:
        self._set(username, "disabled", int(disabled))

    def delete(self, username: str) -> None:
        with self._db.transaction() as conn:
            gone = conn.execute(
                "DELETE FROM users WHERE username = ? RETURNING username", (username,)
            ).fetchall()
            conn.execute("DELETE FROM login_failures WHERE username = ?", (username,))
            if not gone:
                raise NotFound("errors.not_found", username=username)

    # --- guards: the check and the write in one write transaction ----------------------------

    def create_first_admin(self, user: User) -> bool:
        with self._db.transaction() as conn:
            if conn.execute(f"SELECT 1 FROM users WHERE {_ACTIVE_ADMIN} LIMIT 1").fetchone():  # noqa: S608
                return False
            self.create(user)  # joins this transaction
        return True

    def set_roles_guarded(self, username: str, roles: frozenset[Role]) -> None:
        with self._db.transaction() as conn:
            if Role.ADMIN not in roles:
                _keep_an_active_admin(conn, username)
            self.set_roles(username, roles)

    def set_disabled_guarded(self, username: str, disabled: bool) -> None:
        with self._db.transaction() as conn:
            if disabled:
                _keep_an_active_admin(conn, username)
            self.set_disabled(username, disabled)

    def delete_guarded(self, username: str) -> None:
        with self._db.transaction() as conn:
            _keep_an_active_admin(conn, username)
            self.delete(username)

    def settle_request(self, username: str, expected: Role, status: AccountStatus,
                       roles: frozenset[Role], *, held: frozenset[Role]) -> None:
        """One conditional UPDATE: only while ``expected`` waits, ``held`` is held and no
        admin role is."""
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE users SET status = ?, roles = ?, pending_role = NULL"
                " WHERE username = ? AND pending_role = ? AND roles = ?"
                " AND (',' || roles || ',') NOT LIKE '%,admin,%' RETURNING username",
                (status.value, _roles_text(roles), username, expected.value,
                 _roles_text(held)),
            ).fetchall()
            if not changed:
                self.get(username)  # NotFound if gone
                raise ConflictError("errors.conflict", username=username)

    def confirm_email(self, username: str, status: AccountStatus, *,
                      only_from: AccountStatus) -> None:
        if not self._confirm(username, None, status, only_from):
            raise NotFound("errors.not_found", username=username)

    def confirm_email_of(self, username: str, email: str, status: AccountStatus, *,
                         only_from: AccountStatus) -> bool:
        """One conditional UPDATE: only while the account's email is still ``email``."""
        if self._confirm(username, email, status, only_from):
            return True
        self.get(username)  # NotFound if gone
        return False

    def _confirm(self, username: str, email: str | None, status: AccountStatus,
                 only_from: AccountStatus) -> bool:
        """Verified and moved (``email`` None: whatever the address); whether a row was."""
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE users SET email_verified = 1,"
                " status = CASE WHEN status = ? THEN ? ELSE status END"
                " WHERE username = ? AND (? IS NULL OR email = ?) RETURNING username",
                (only_from.value, status.value, username, email, email),
            ).fetchall()
        return bool(changed)

    def finish_confirmation(self, username: str, status: AccountStatus,
                            waits: Role | None) -> bool:
        """One conditional UPDATE: only while pending with no request waiting."""
        with self._db.transaction() as conn:
            moved = conn.execute(
                "UPDATE users SET status = ?, pending_role = ?"
                " WHERE username = ? AND status = ? AND pending_role IS NULL RETURNING username",
                (status.value, waits.value if waits else None, username,
                 AccountStatus.PENDING.value),
            ).fetchall()
            if not moved:
                self.get(username)  # NotFound if gone
        return bool(moved)

    def update_profile(self, username: str, *, name: str, email: str, company: str) -> None:
        """A new address is unverified, decided by the UPDATE itself against the stored one
        (a change of case keeps the flag: it is the same mailbox, as everywhere here)."""
        with self._db.transaction() as conn:
            row = conn.execute("SELECT email FROM users WHERE username = ?",
                               (username,)).fetchone()
            if row is not None and row["email"].casefold() != email.casefold():
                # Only a change is checked: two accounts that shared an address before the
                # check existed can still save their other details.
                _require_free_email(conn, email, username)
            changed = conn.execute(
                "UPDATE users SET name = ?, company = ?, email_verified = CASE"
                " WHEN casefold(email) = casefold(?) THEN email_verified ELSE 0 END, email = ?"
                " WHERE username = ? RETURNING username",
                (name, company, email, email, username),
            ).fetchall()
        if not changed:
            raise NotFound("errors.not_found", username=username)

    def set_language(self, username: str, language: str) -> None:
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE users SET language = ? WHERE username = ? RETURNING username",
                (language, username),
            ).fetchall()
        if not changed:
            raise NotFound("errors.not_found", username=username)

    def request_role(self, username: str, role: Role, reason: str, at: datetime) -> None:
        """One conditional UPDATE: only an active account with no request waiting."""
        with self._db.transaction() as conn:
            changed = conn.execute(
                "UPDATE users SET pending_role = ?, request_reason = ?, requested_at = ?"
                " WHERE username = ? AND pending_role IS NULL AND status = 'active'"
                " RETURNING username",
                (role.value, reason, to_db_time(at), username),
            ).fetchall()
            if not changed:
                self.get(username)  # NotFound if gone
                raise ConflictError("errors.conflict", username=username)

    # --- login failures -----------------------------------------------------------------------

    def reserve_login_attempt(
        self, username: str, at: datetime, since: datetime, limit: int
    ) -> bool:
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at >= ?",
                (username, to_db_time(since)),
            ).fetchone()
            if int(row[0]) >= limit:
                return False
            self.record_login_failure(username, at)  # joins this transaction
        return True

    def record_login_failure(self, username: str, at: datetime) -> None:
        """Recorded for unknown usernames too, so lockout does not reveal who exists."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO login_failures (username, at) VALUES (?, ?)",
                (username, to_db_time(at)),
            )

    def login_failures_since(self, username: str, since: datetime) -> int:
        """Failures at or after ``since``."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at >= ?",
                (username, to_db_time(since)),
            ).fetchone()
        return int(row[0])

    def clear_login_failures(self, username: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE username = ?", (username,))

    def _set(self, username: str, column: str, value: object) -> None:
        # ``column`` is one of the literals above, never user input.
        with self._db.transaction() as conn:
            changed = conn.execute(
                f"UPDATE users SET {column} = ? WHERE username = ? RETURNING username",  # noqa: S608
                (value, username),
            ).fetchall()
        if not changed:
            raise NotFound("errors.not_found", username=username)


def _keep_an_active_admin(conn: sqlite3.Connection, username: str) -> None:
    """Refuse taking ``username``'s administration away if no other active admin remains.
    A user who is no active admin, or a missing one, passes (the write then says NotFound)."""
    others = conn.execute(
        f"SELECT COUNT(*) FROM users WHERE {_ACTIVE_ADMIN}"  # noqa: S608 (a constant)
        " AND username != ?", (username,)
    ).fetchone()
    if int(others[0]) > 0:
        return
    target = conn.execute(
        f"SELECT 1 FROM users WHERE {_ACTIVE_ADMIN} AND username = ?",  # noqa: S608
        (username,),
    ).fetchone()
    if target:
        raise ValidationError("auth.err_last_admin")


def _require_free_email(conn: sqlite3.Connection, email: str, username: str) -> None:
    """ConflictError (``auth.err_email_taken``) if another account has ``email``, in any
    case; inside the caller's write transaction, so the check and its write are one step."""
    if not email:
        return
    other = conn.execute("SELECT 1 FROM users WHERE casefold(email) = ? AND username <> ?"
                         " LIMIT 1", (email.casefold(), username)).fetchone()
    if other is not None:
        raise ConflictError("auth.err_email_taken", email=email)


def _roles_text(roles: frozenset[Role]) -> str:
    return ",".join(sorted(role.value for role in roles))


def _user(row: sqlite3.Row) -> User:
    roles_text = str(row["roles"])
    return User(
        username=row["username"],
        name=row["name"],
        email=row["email"],
        roles=frozenset(Role(r) for r in roles_text.split(",") if r),
        created_at=from_db_time(row["created_at"]),
        disabled=bool(row["disabled"]),
        status=AccountStatus(row["status"]),
        company=row["company"],
        purpose=row["purpose"],
        requested_role=Role(row["requested_role"]) if row["requested_role"] else None,
        pending_role=Role(row["pending_role"]) if row["pending_role"] else None,
        signed_up_at=from_db_time(row["signed_up_at"]) if row["signed_up_at"] else None,
        email_verified=bool(row["email_verified"]),
        signup_language=row["signup_language"],
        language=row["language"],
        request_reason=row["request_reason"],
        requested_at=from_db_time(row["requested_at"]) if row["requested_at"] else None,
    )
