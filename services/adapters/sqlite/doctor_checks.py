"""Doctor check of local mode's SQLite file: it opens, migrates and answers."""

from __future__ import annotations

from services.adapters.sqlite.db import SqliteDatabase
from services.domain.checks import DoctorLine, doctor_line
from services.errors import DemoFactoryError
from services.ops.doctor.base import Check, DoctorContext

LOCAL = frozenset({"local"})


def check_sqlite(context: DoctorContext) -> list[DoctorLine]:
    path = context.settings.sqlite_path.resolve()
    try:
        db = SqliteDatabase(path)
        try:
            versions = db.migrate()
            with db.read() as conn:
                conn.execute("SELECT count(*) FROM schema_version").fetchone()
        finally:
            db.close()
    except (DemoFactoryError, OSError) as exc:
        reason = str(getattr(exc, "params", {}).get("detail", "")) or type(exc).__name__
        return [doctor_line("local.sqlite", False, "doc_sqlite_failed", "fix_sqlite",
                            path=str(path), error=reason)]
    schema = ", ".join(f"{name} v{version}" for name, version in sorted(versions.items()))
    return [doctor_line("local.sqlite", True, "doc_sqlite_ok", path=str(path), schema=schema)]


SQLITE_CHECKS = [Check("local.sqlite", check_sqlite, LOCAL)]
