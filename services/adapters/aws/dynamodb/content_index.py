"""The in-memory published-content index of the DynamoDB repository, and search over it.

See ``dynamodb_content`` for why it exists and its limits. Pure Python: no boto3 here, so the
matching and ordering rules are testable without any AWS mock.
"""

from __future__ import annotations

import dataclasses
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from services.domain import relevance
from services.domain.models import ContentItem, Page, SearchQuery, Sort, Status

Counter = Literal["views", "likes"]


def fold(text: str) -> str:
    """Normalised, case-folded text: NFKC so that full-width letters and Hangul typed as
    separate jamo (macOS input) compare equal to their usual form."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class IndexEntry:
    item: ContentItem
    haystack: str  # folded searchable text, computed once per load rather than per search
    columns: tuple[str, ...]  # the same text as the relevance score reads it, also once

    @classmethod
    def of(cls, item: ContentItem) -> IndexEntry:
        fields = (item.title, item.summary, item.body, *item.tags, item.author_name)
        haystack = "\n".join(fold(field) for field in fields)
        return cls(item, haystack, relevance.columns_of(item))

    def with_counter(self, name: Counter, value: int) -> IndexEntry:
        if name == "views":
            return dataclasses.replace(self, item=dataclasses.replace(self.item, views=value))
        return dataclasses.replace(self, item=dataclasses.replace(self.item, likes=value))


class PublishedIndex:
    """Published items held in memory, reloaded when older than ``ttl`` seconds.

    One lock guards the map. A reload runs under it so that concurrent searches wait for one
    reload instead of each starting their own, and so that a write's patch (applied after the
    write succeeded) always lands after any reload that might have missed it.
    """

    def __init__(
        self, load: Callable[[], Iterator[ContentItem]], ttl: float, clock: Callable[[], float]
    ) -> None:
        self._load = load
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, IndexEntry] = {}
        self._loaded_at: float | None = None

    def entries(self) -> list[IndexEntry]:
        with self._lock:
            now = self._clock()
            if self._loaded_at is None or now - self._loaded_at >= self._ttl:
                self._entries = {item.id: IndexEntry.of(item) for item in self._load()}
                self._loaded_at = now
            return list(self._entries.values())

    def put(self, item: ContentItem) -> None:
        """Record this container's write: published items in, anything else out."""
        with self._lock:
            if self._loaded_at is None:
                return  # not loaded yet: the first load will read it
            if item.status is Status.PUBLISHED:
                self._entries[item.id] = IndexEntry.of(item)
            else:
                self._entries.pop(item.id, None)

    def discard(self, content_id: str) -> None:
        with self._lock:
            self._entries.pop(content_id, None)

    def set_counter(self, content_id: str, name: Counter, value: int) -> None:
        with self._lock:
            entry = self._entries.get(content_id)
            if entry is not None:
                self._entries[content_id] = entry.with_counter(name, value)


def search_entries(entries: Iterable[IndexEntry], query: SearchQuery) -> Page[ContentItem]:
    """Filter, match every word of ``query.text``, sort and cut out the requested page.

    Like the SQLite adapter: a page below 1 is read as 1, a page size below 1 as 1, every given
    tag must be present, and ties are broken by id in the direction of the sort. Relevance is
    the SQLite index's BM25 (``services.domain.relevance``) with ``entries`` as the corpus.
    """
    entries = list(entries)
    words = fold(query.text).split()
    hits = [entry for entry in entries if _matches(entry, query, words)]
    hits.sort(key=lambda entry: _SORT_KEYS[query.sort](entry.item),
              reverse=query.sort in _DESCENDING)
    terms = relevance.indexed_terms(query.text)
    if query.sort is Sort.RELEVANCE and terms:
        corpus = relevance.Corpus.of([entry.columns for entry in entries], terms)
        hits.sort(key=lambda entry: relevance.score(entry.columns, terms, corpus))  # stable
    matching = [entry.item for entry in hits]
    page = max(1, query.page)
    size = max(1, query.page_size)
    start = (page - 1) * size
    items = matching[start : start + size]
    return Page(items=items, total=len(matching), page=page, page_size=size)


def _matches(entry: IndexEntry, query: SearchQuery, words: list[str]) -> bool:
    item = entry.item
    if query.status is not None and item.status is not query.status:
        return False
    if query.category is not None and item.category != query.category:
        return False
    if query.author_id is not None and item.author_id != query.author_id:
        return False
    if query.tags and not set(query.tags) <= set(item.tags):
        return False
    return all(word in entry.haystack for word in words)


# Newest/oldest by first publication, else creation, as SQLite's index on that expression.
_SORT_KEYS: dict[Sort, Callable[[ContentItem], Any]] = {
    Sort.RELEVANCE: lambda item: (item.listed_at, item.id),  # then by score, stably
    Sort.NEWEST: lambda item: (item.listed_at, item.id),
    Sort.OLDEST: lambda item: (item.listed_at, item.id),
    Sort.TITLE: lambda item: (fold(item.title), item.id),
    Sort.MOST_VIEWED: lambda item: (item.views, item.id),
    Sort.MOST_LIKED: lambda item: (item.likes, item.id),
}
_DESCENDING = frozenset({Sort.RELEVANCE, Sort.NEWEST, Sort.MOST_VIEWED, Sort.MOST_LIKED})
