"""The two-character index: search words of one or two characters without a full scan.

FTS5's trigram tokenizer cannot match fewer than three characters, and Korean words are often
two (보안, 챗봇, 분석). Each content row is also indexed as its character pairs: every
character that is not white space, together with the next one if that is not white space
either (alone at the end of a word). A two-character word is then one token, and a
one-character word is every token it begins. ASCII letters are folded as ``LIKE`` folds them.
Tokens are the pairs' UTF-8 bytes in hex, so that the ``ascii`` tokenizer keeps each one
whole whatever characters it holds (punctuation included); UTF-8 is prefix-free, so a
character's hex is a prefix only of the tokens that begin with that character.

SQLite calls ``grams()`` from the triggers that keep the index, so every connection that writes
content must register it (``SqliteDatabase`` does; the sqlite3 shell cannot write content).
"""

from __future__ import annotations

import sqlite3
import string

FUNCTION = "df_grams"
MAX_CHARS = 2
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def fold(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def grams(text: str | None) -> str:
    """The index text of ``text``: its distinct character pairs as hex tokens."""
    if not text:
        return ""
    folded = fold(text)
    seen: dict[str, None] = {}
    for word in folded.split():
        for i in range(len(word)):
            seen.setdefault(word[i : i + 2].encode().hex(), None)
    return " ".join(seen)


def match(terms: list[str]) -> str:
    """An FTS5 query on the pair index for short ``terms`` (each of one or two characters),
    all of which must occur."""
    parts = []
    for term in terms:
        token = fold(term).encode().hex()
        parts.append(f'"{token}"' if len(term) == MAX_CHARS else f'"{token}" *')
    return " AND ".join(parts)


def register(conn: sqlite3.Connection) -> None:
    conn.create_function(FUNCTION, 1, grams, deterministic=True)
