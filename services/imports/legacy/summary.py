"""What a legacy import did (or, in a dry run, would do), and why anything was skipped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

_LISTED = 20  # rows of each problem list printed; the counts always cover all of them


@dataclass
class LegacySummary:
    dry_run: bool
    source: str
    items_seen: int = 0
    items_imported: int = 0
    items_already: int = 0
    items_failed: list[tuple[str, str]] = field(default_factory=list)  # (legacy id, reason)
    files_imported: int = 0
    files_missing: list[tuple[str, str]] = field(default_factory=list)  # (legacy id, s3 key)
    files_rejected: list[tuple[str, str, str]] = field(default_factory=list)  # + reason
    refs_missing: list[tuple[str, str]] = field(default_factory=list)  # (legacy id, name)
    trimmed: list[tuple[str, str]] = field(default_factory=list)  # (legacy id, field)
    categories: Counter[str] = field(default_factory=Counter)  # "old → new" when not exact
    authors_linked: int = 0
    # (legacy author, username, how: "mapping" or "verified email") -> items
    authors_links: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    authors_unlinked: Counter[str] = field(default_factory=Counter)
    # Of the unlinked: an account has the email but has not verified it; a user has the name
    authors_unverified: Counter[str] = field(default_factory=Counter)
    authors_name_only: Counter[str] = field(default_factory=Counter)
    likes_added: int = 0
    likes_duplicate: int = 0  # the same person twice in likedBy (sub and email, say)
    events_seen: int = 0
    events_imported: int = 0
    events_already: int = 0
    events_skipped: Counter[str] = field(default_factory=Counter)  # reason -> count
    purposes_unknown: Counter[str] = field(default_factory=Counter)

    @property
    def events_skipped_total(self) -> int:
        return sum(self.events_skipped.values())

    def audit_detail(self) -> dict[str, str]:
        """The counts, as the audit log's string map."""
        return {
            "dry_run": str(self.dry_run).lower(),
            "items": str(self.items_seen), "items_imported": str(self.items_imported),
            "items_already": str(self.items_already), "items_failed": str(len(self.items_failed)),
            "files_imported": str(self.files_imported),
            "files_missing": str(len(self.files_missing)),
            "files_rejected": str(len(self.files_rejected)),
            "categories_mapped": str(sum(self.categories.values())),
            "authors_linked": str(self.authors_linked),
            "authors_mapped": str(sum(n for (_, _, how), n in self.authors_links.items()
                                      if how == "mapping")),
            "authors_unlinked": str(sum(self.authors_unlinked.values())),
            "likes_added": str(self.likes_added),
            "events": str(self.events_seen), "events_imported": str(self.events_imported),
            "events_already": str(self.events_already),
            "events_skipped": str(self.events_skipped_total),
        }

    def lines(self) -> list[str]:
        """A plain-text report for the terminal."""
        verb = "would import" if self.dry_run else "imported"
        out = [
            f"source: {self.source}" + ("  (dry run: nothing was written)" if self.dry_run
                                        else ""),
            f"content: {self.items_seen} read, {self.items_imported} {verb}, "
            f"{self.items_already} already there, {len(self.items_failed)} failed",
            f"files: {self.files_imported} {verb}, {len(self.files_missing)} missing, "
            f"{len(self.files_rejected)} refused",
            f"authors: {self.authors_linked} items linked to a user (by the --authors file or a "
            f"verified email), {sum(self.authors_unlinked.values())} not linked",
            f"likes: {self.likes_added} {'would be set' if self.dry_run else 'added'}, "
            f"{self.likes_duplicate} duplicates of the same person dropped",
            f"events: {self.events_seen} read, {self.events_imported} {verb}, "
            f"{self.events_already} already there, {self.events_skipped_total} skipped",
        ]
        out += _section("categories mapped (not one of the 7)", self.categories.most_common())
        out += _section("authors linked (legacy author, user, how, items)",
                        [(*link, n) for link, n in sorted(self.authors_links.items())])
        out += _section("authors not linked to a user",
                        self.authors_unlinked.most_common())
        out += _section("  of these, the email is on an account but not verified (verify it, "
                        "or map it with --authors)", self.authors_unverified.most_common())
        out += _section("  of these, a user has the same name (never linked by name; map it "
                        "with --authors if it is the same person)",
                        self.authors_name_only.most_common())
        out += _section("failed items", self.items_failed)
        out += _section("missing files", self.files_missing)
        out += _section("refused files (type or size)", self.files_rejected)
        out += _section("media references with no file", self.refs_missing)
        out += _section("shortened to fit", self.trimmed)
        out += _section("events skipped", self.events_skipped.most_common())
        out += _section("visitor purposes not recognised (counted as other)",
                        self.purposes_unknown.most_common())
        return out


def _section(title: str, rows: Sequence[tuple[object, ...]]) -> list[str]:
    if not rows:
        return []
    lines = [f"{title}: {len(rows)}"]
    lines += ["  " + "  ".join(str(v) for v in row) for row in rows[:_LISTED]]
    if len(rows) > _LISTED:
        lines.append(f"  ... and {len(rows) - _LISTED} more")
    return lines
