"""Relevance of content to a search: one definition for every backend.

SQLite ranks with FTS5's ``bm25()`` over its trigram index; the DynamoDB adapter has no index
that scores, so it computes the same BM25 here, over the same columns, weights and tokens, and
both backends list the same items in the same order for the same data. BM25 as FTS5 computes
it (``fts5_aux.c``): for each query phrase, IDF = ln((N - n + 0.5) / (n + 0.5)) (at least
1e-6), times f·(k1 + 1) / (f + k1·(1 - b + b·D / avgdl)), where f is the phrase's hits in the
row with each hit weighted by its column, D the row's token count and avgdl the corpus mean.
The trigram tokenizer makes every three consecutive characters of a column a token, so a
column of L characters holds max(0, L - 2) tokens and a phrase's hits are the (overlapping)
occurrences of the word in it. FTS5 returns the negated sum (lower is better); so does this.

Words shorter than three characters cannot be in a trigram index: they filter, but do not
score. The arithmetic below is FTS5's, operation for operation, so that equal data gives
bit-for-bit equal scores; ties go to the newer item.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from services.domain.models import ContentItem

MIN_INDEXED_CHARS = 3
K1 = 1.2
B = 0.75
# The searchable columns in index order, and how much a hit in each counts:
# title > tags > summary > body; the author's name counts as body text.
COLUMNS = ("title", "summary", "body", "tags", "author_name")
WEIGHTS = (10.0, 2.5, 1.0, 5.0, 1.0)
_MIN_IDF = 1e-6


def indexed_terms(text: str) -> list[str]:
    """The words of a search that the index scores (three characters or more), in order."""
    return [term for term in text.split() if len(term) >= MIN_INDEXED_CHARS]


def columns_of(item: ContentItem) -> tuple[str, ...]:
    """The item's searchable text in ``COLUMNS`` order, folded as the index folds it."""
    tags = " ".join(item.tags)
    return tuple(text.lower() for text in (item.title, item.summary, item.body, tags,
                                           item.author_name))


def token_count(columns: Sequence[str]) -> int:
    return sum(max(0, len(text) - 2) for text in columns)


def occurrences(text: str, word: str) -> int:
    """Overlapping occurrences, as trigram phrase hits count them ("aaa" in "aaaa": 2)."""
    count, start = 0, text.find(word)
    while start >= 0:
        count += 1
        start = text.find(word, start + 1)
    return count


@dataclass(frozen=True)
class Corpus:
    """What BM25 needs to know about the whole index: rows, mean length, rows per word."""

    rows: int
    avg_tokens: float
    rows_with: dict[str, int]

    @classmethod
    def of(cls, rows: Sequence[Sequence[str]], terms: Sequence[str]) -> Corpus:
        words = {term.lower() for term in terms}
        total = sum(token_count(columns) for columns in rows)
        rows_with = {w: sum(1 for columns in rows if any(w in c for c in columns))
                     for w in words}
        return cls(len(rows), total / len(rows) if rows else 0.0, rows_with)

    def idf(self, word: str) -> float:
        hits = self.rows_with.get(word, 0)
        return max(math.log((self.rows - hits + 0.5) / (hits + 0.5)), _MIN_IDF)


def score(columns: Sequence[str], terms: Sequence[str], corpus: Corpus) -> float:
    """FTS5's ``bm25(content_fts, *WEIGHTS)`` for a row whose folded text is ``columns``
    (0.0 when no term is indexed)."""
    length = float(token_count(columns))
    total = 0.0
    for term in terms:
        word = term.lower()
        freq = 0.0
        for weight, text in zip(WEIGHTS, columns, strict=True):
            freq += weight * occurrences(text, word)
        total += corpus.idf(word) * (
            (freq * (K1 + 1.0)) / (freq + K1 * (1 - B + B * length / corpus.avg_tokens))
        )
    return -1.0 * total
