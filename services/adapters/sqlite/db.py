"""The one SQLite file behind every local-mode adapter: connections, schema, transactions.

Connections: one per thread (``threading.local``). A sqlite3 connection must not be used by two
threads at once, and Streamlit runs every script run of every session on its own thread, so a
single shared connection would need a global lock. One connection per *call* would be safe too,
but each Streamlit run makes several calls (search, filters, like state), and per-thread reuse
pays the open-and-pragma cost once per run instead of once per call. When a thread ends its
thread-local slot is dropped and CPython closes the connection with it, so short-lived Streamlit
threads do not leak connections. ``check_same_thread`` stays on as a guard against a connection
escaping its thread. Because connections are per thread, ``path`` must be a file, not
``:memory:`` (each thread would see its own empty database).

Every connection gets WAL (readers never block the writer), ``foreign_keys`` (cascading deletes
of assets and likes), ``busy_timeout`` (writers queue instead of failing) and
``synchronous=NORMAL`` (safe with WAL; a power cut may lose the last commits, never corrupt).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from services.adapters.sqlite import grams
from services.errors import ServiceUnavailable, ValidationError

# A migration is a list of statements (not a script: executescript() would commit the
# surrounding transaction, and trigger bodies contain semicolons).
Migration = Sequence[str]

# The moment newest first sorts content by (``ContentItem.listed_at``). Queries must spell it
# exactly so for SQLite to use the index built on it.
LISTED_AT = "coalesce(published_at, created_at)"


def _grams_of(row: str) -> str:
    """SQL for the pair-index text of ``row`` (``new``, ``old`` or ``content``): every
    searchable column, tags one by one, separated by spaces so no pair spans two of them."""
    # S608 here and in the migration below: assembled only from this module's constants.
    tags = f"coalesce((SELECT group_concat(value, ' ') FROM json_each({row}.tags)), '')"  # noqa: S608
    columns = " || ' ' || ".join(
        [f"{row}.{name}" for name in ("title", "summary", "body", "author_name")] + [tags]
    )
    return f"{grams.FUNCTION}({columns})"


_CONTENT: tuple[Migration, ...] = (
    (
        # ``pk`` is an explicit INTEGER PRIMARY KEY so the FTS rowids that point at it survive
        # VACUUM (implicit rowids of a table keyed by TEXT may be renumbered).
        """CREATE TABLE content (
            pk INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            summary TEXT NOT NULL,
            body TEXT NOT NULL,
            category TEXT NOT NULL,
            tags TEXT NOT NULL,
            author_id TEXT NOT NULL,
            author_name TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL,
            views INTEGER NOT NULL DEFAULT 0,
            likes INTEGER NOT NULL DEFAULT 0,
            is_sample INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX content_status_created ON content(status, created_at)",
        "CREATE INDEX content_author ON content(author_id, status)",
        """CREATE TABLE assets (
            id TEXT PRIMARY KEY,
            content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            kind TEXT NOT NULL,
            filename TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            storage_key TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX assets_content ON assets(content_id, position)",
        """CREATE TABLE likes (
            content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            PRIMARY KEY (content_id, user_id)
        ) WITHOUT ROWID""",
        # A standalone FTS table (it keeps its own copy of the text) maintained by triggers, so
        # it can never drift from ``content``: every write path goes through these triggers.
        """CREATE VIRTUAL TABLE content_fts USING fts5(
            title, summary, body, tags, author_name, tokenize='trigram'
        )""",
        """CREATE TRIGGER content_fts_insert AFTER INSERT ON content BEGIN
            INSERT INTO content_fts(rowid, title, summary, body, tags, author_name)
            VALUES (new.pk, new.title, new.summary, new.body,
                    (SELECT group_concat(value, ' ') FROM json_each(new.tags)), new.author_name);
        END""",
        """CREATE TRIGGER content_fts_delete AFTER DELETE ON content BEGIN
            DELETE FROM content_fts WHERE rowid = old.pk;
        END""",
        # Only text columns: counter updates (views, likes) must not re-index the row.
        """CREATE TRIGGER content_fts_update
            AFTER UPDATE OF title, summary, body, tags, author_name ON content BEGIN
            DELETE FROM content_fts WHERE rowid = old.pk;
            INSERT INTO content_fts(rowid, title, summary, body, tags, author_name)
            VALUES (new.pk, new.title, new.summary, new.body,
                    (SELECT group_concat(value, ' ') FROM json_each(new.tags)), new.author_name);
        END""",
    ),
    (
        # Words of one or two characters (grams.py): an index of character pairs, kept by
        # triggers like content_fts. Only rowids are ever read from it, so it stores no text
        # (its content is a view, read by nothing but maintenance) and no positions
        # (detail=none).
        f"""CREATE VIEW content_grams_source AS
            SELECT pk, {_grams_of('content')} AS grams FROM content""",  # noqa: S608
        """CREATE VIRTUAL TABLE content_grams USING fts5(
            grams, content='content_grams_source', content_rowid='pk',
            tokenize='ascii', detail='none'
        )""",
        f"""CREATE TRIGGER content_grams_insert AFTER INSERT ON content BEGIN
            INSERT INTO content_grams(rowid, grams) VALUES (new.pk, {_grams_of('new')});
        END""",  # noqa: S608
        f"""CREATE TRIGGER content_grams_delete AFTER DELETE ON content BEGIN
            INSERT INTO content_grams(content_grams, rowid, grams) VALUES ('delete', old.pk,
                {_grams_of('old')});
        END""",  # noqa: S608
        f"""CREATE TRIGGER content_grams_update
            AFTER UPDATE OF title, summary, body, tags, author_name ON content BEGIN
            INSERT INTO content_grams(content_grams, rowid, grams) VALUES ('delete', old.pk,
                {_grams_of('old')});
            INSERT INTO content_grams(rowid, grams) VALUES (new.pk, {_grams_of('new')});
        END""",  # noqa: S608
        # The rows already there (FTS5's 'rebuild' does not read a view as content).
        "INSERT INTO content_grams(rowid, grams) SELECT pk, grams FROM content_grams_source",
    ),
    # The profile page lists the items a user liked.
    ("CREATE INDEX likes_user ON likes(user_id, content_id)",),
    # When an item was first published: newest first sorts by it (a draft published today is
    # today's news), falling back to created_at for drafts never published. Rows published
    # before this were published when created. The index holds the sort's own expression, so
    # newest and oldest first still read along an index; it replaces the index on created_at,
    # which nothing sorts by any more.
    (
        "ALTER TABLE content ADD COLUMN published_at TEXT",
        "UPDATE content SET published_at = created_at WHERE status = 'published'",
        "DROP INDEX content_status_created",
        f"CREATE INDEX content_status_listed ON content(status, {LISTED_AT})",
    ),
)

_USERS: tuple[Migration, ...] = (
    (
        """CREATE TABLE users (
            username TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            roles TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0
        )""",
        # No foreign key: failures for unknown usernames are counted too, so that lockout does
        # not reveal which usernames exist.
        """CREATE TABLE login_failures (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX login_failures_user_at ON login_failures(username, at)",
    ),
    # A password set by an administrator (reset, invitation) must be changed at next sign-in.
    ("ALTER TABLE users ADD COLUMN password_temporary INTEGER NOT NULL DEFAULT 0",),
    # Self-service sign-up: where the account stands and what the sign-up collected. Existing
    # accounts are active and have no sign-up data.
    (
        "ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active'",
        "ALTER TABLE users ADD COLUMN company TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE users ADD COLUMN purpose TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE users ADD COLUMN requested_role TEXT",
        "ALTER TABLE users ADD COLUMN pending_role TEXT",
        "ALTER TABLE users ADD COLUMN signed_up_at TEXT",
    ),
    # Email verification of sign-ups (existing accounts' emails were set by an administrator)
    # and the language the person signed up in, for mails about the account.
    (
        "ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE users ADD COLUMN signup_language TEXT NOT NULL DEFAULT ''",
    ),
    # The profile page: the preferred language and the last role request's reason and time.
    (
        "ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE users ADD COLUMN request_reason TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE users ADD COLUMN requested_at TEXT",
    ),
)

_AUDIT: tuple[Migration, ...] = (
    (
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            ts TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            outcome TEXT NOT NULL,
            detail TEXT NOT NULL
        )""",
        "CREATE INDEX audit_ts ON audit(ts)",
        "CREATE INDEX audit_actor_ts ON audit(actor, ts)",
        "CREATE INDEX audit_action_ts ON audit(action, ts)",
    ),
    (
        # The id an entry brings from the spool it waited in (``AuditEntry.entry_id``): written
        # again after a replay whose spool was not rewritten, it is kept once.
        "ALTER TABLE audit ADD COLUMN entry_id TEXT",
        "CREATE UNIQUE INDEX audit_entry_id ON audit(entry_id) WHERE entry_id IS NOT NULL",
    ),
)

# Each component keeps its own version, so adapters added later (events, reports) can bring
# their migrations through ``migrate(extra=...)`` without renumbering these.
CORE_SCHEMAS: Mapping[str, Sequence[Migration]] = {
    "content": _CONTENT,
    "users": _USERS,
    "audit": _AUDIT,
}

# Errors that mean a bug in our SQL or an integrity rule the caller must translate itself;
# everything else from sqlite (locked, I/O, disk full, corrupt file) is the database failing.
_PASS_THROUGH = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)


class SqliteDatabase:
    """A SQLite file shared by the local adapters. Call ``migrate()`` once at start-up."""

    def __init__(self, path: Path, busy_timeout_ms: int = 5000) -> None:
        self._path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._path.parent.mkdir(parents=True, exist_ok=True)

    @property
    def path(self) -> Path:
        return self._path

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            conn.close()

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """Run the block in one transaction; commit on success, roll back on any exception.

        Writes take the write lock up front (BEGIN IMMEDIATE): a deferred transaction that
        upgrades from read to write can fail with SQLITE_BUSY without waiting. Inside an open
        transaction on this thread, the block joins it. sqlite failures other than integrity
        and programming errors become ServiceUnavailable.
        """
        try:
            conn = self.connection()
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                # sqlite may already have rolled back (e.g. disk full); don't mask the cause.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except _PASS_THROUGH:
            raise
        except sqlite3.Error as exc:
            raise ServiceUnavailable("errors.service_unavailable", detail=str(exc)) from exc

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One snapshot for several SELECTs (a page and its total agree with each other)."""
        with self.transaction(write=False) as conn:
            yield conn

    def migrate(self, extra: Mapping[str, Sequence[Migration]] | None = None) -> dict[str, int]:
        """Bring every component's schema up to date; safe to call any number of times.

        Returns the schema version of each component afterwards.
        """
        schemas = {**CORE_SCHEMAS, **(extra or {})}
        with self.transaction() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )
            return {name: _apply(conn, name, steps) for name, steps in schemas.items()}

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path, timeout=self._busy_timeout_ms / 1000, isolation_level=None
        )
        conn.row_factory = sqlite3.Row
        grams.register(conn)  # before anything writes content: its triggers call it
        # Emails compare as Python does (``str.casefold``), not ASCII-only as ``lower``.
        conn.create_function("casefold", 1, _casefold, deterministic=True)
        for pragma in (
            f"busy_timeout = {int(self._busy_timeout_ms)}",
            "journal_mode = WAL",
            "foreign_keys = ON",
            "synchronous = NORMAL",
        ):
            conn.execute(f"PRAGMA {pragma}").fetchall()
        return conn


def _casefold(text: str | None) -> str | None:
    return None if text is None else text.casefold()


def _apply(conn: sqlite3.Connection, component: str, steps: Sequence[Migration]) -> int:
    row = conn.execute(
        "SELECT version FROM schema_version WHERE component = ?", (component,)
    ).fetchone()
    current = int(row[0]) if row else 0
    for version, statements in enumerate(steps, start=1):
        if version <= current:
            continue
        for statement in statements:
            conn.execute(statement)
        current = version
    conn.execute(
        "INSERT INTO schema_version(component, version) VALUES (?, ?) "
        "ON CONFLICT(component) DO UPDATE SET version = excluded.version",
        (component, current),
    )
    return current


def to_db_time(value: datetime) -> str:
    """Fixed-width ISO-8601 UTC text, so text order is time order.

    A naive datetime is rejected rather than guessed at: the domain only makes aware ones.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError("errors.invalid_input", reason="naive datetime")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_db_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
