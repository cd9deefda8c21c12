"""Import usage events from a JSON Lines file (one event per line) into the configured backend.

    python -m scripts.import_events events.jsonl
    python -m scripts.import_events events.jsonl --strict --dry-run

The format and the checks are described in services/imports/events.py (and the README). The
file is streamed: good events are written in batches as they are read; with --strict the file
is checked first and read again to write, only if every line is good. Re-imports add nothing.
Runs as a script actor trusted like an administrator, audited as "script:import_events".

Exit status: 0 all lines imported (or, with --dry-run, would be); 1 some lines were bad and the
rest imported; 2 --strict refused the file, or the file or the backend could not be used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from scripts.cli import Progress, script_actor
from services.bootstrap import build_services
from services.errors import DemoFactoryError
from services.i18n import translate
from services.imports.events import ImportSummary
from services.script_settings import load_script_settings

ACTOR = script_actor("import_events")
SHOWN_ERRORS = 20
_CHUNK = 1 << 20


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.import_events",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="a JSON Lines file of usage events")
    parser.add_argument("--strict", action="store_true",
                        help="import nothing if any line is bad")
    parser.add_argument("--dry-run", action="store_true",
                        help="check the file and report; write nothing")
    return parser.parse_args(argv)


def read_lines(path: Path) -> Iterator[bytes]:
    """The file's lines as bytes (each line is decoded on its own: one bad byte spoils one
    line, not the import)."""
    with path.open("rb") as fh:
        yield from fh


def count_lines(path: Path) -> int:
    """Lines in the file, for the progress bar: a quick pass over raw bytes."""
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")  # a last line without a newline


def report(summary: ImportSummary, timezone: str) -> str:
    """The summary in English, with the first bad lines."""
    counts = [("good", summary.valid)]
    if not summary.dry_run:
        counts += [("imported (new)", summary.new), ("already present", summary.present)]
        if summary.ignored_likes:
            counts.append(("likes left out (would change no item's likes)",
                           summary.ignored_likes))
    counts += [("bad", summary.bad), (f"assumed time zone ({timezone})", summary.assumed_tz)]
    out = [f"{summary.name}: {summary.lines:,} lines read"]
    out += [f"  {label}: {value:,}" for label, value in counts]
    if summary.errors:
        shown = summary.errors[:SHOWN_ERRORS]
        out.append(f"bad lines (first {len(shown)} of {summary.bad:,}):")
        out += [f"  line {error.line}: {translate('en', error.key, **error.params)}"
                for error in shown]
    if summary.refused:
        out.append("--strict: nothing imported, because some lines are bad")
    if summary.dry_run:
        out.append("--dry-run: nothing written")
    return "\n".join(out)


def interrupted_text(stored: int, *, dry_run: bool) -> str:
    if dry_run:
        return "stopped (a dry run: nothing was stored)"
    return (f"stopped: the first {stored:,} lines are stored; importing the same file again "
            "adds only the rest")


def exit_code(summary: ImportSummary) -> int:
    if summary.refused:
        return 2
    return 1 if summary.bad else 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    path: Path = args.file
    stored = 0  # lines whose events are all stored, as the last progress report said

    def progress(lines: int, new: int) -> None:
        nonlocal stored
        stored = lines
        bar.update(lines, new)

    try:
        total = count_lines(path)
        services = build_services(load_script_settings())
        settings = services.settings
        with Progress("lines", total) as bar:  # the bar's line ends before any message
            summary = services.event_import.import_events(
                ACTOR, lambda: read_lines(path), path.name, strict=args.strict,
                dry_run=args.dry_run, on_progress=progress)
    except KeyboardInterrupt:  # audited by the importer; said here instead of a traceback
        print(interrupted_text(stored, dry_run=args.dry_run), file=sys.stderr)
        return 130
    except (OSError, DemoFactoryError) as exc:
        if isinstance(exc, DemoFactoryError):
            print(translate("en", exc.key, **exc.params), file=sys.stderr)
        else:
            print(f"cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(report(summary, settings.timezone))
    return exit_code(summary)


if __name__ == "__main__":
    raise SystemExit(main())
