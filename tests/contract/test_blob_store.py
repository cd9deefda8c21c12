"""BlobStore contract: every adapter registered in conftest must pass all of these."""

from __future__ import annotations

import os
from typing import Any

import pytest

from services.errors import NotFound

KEY = "content/01HZX/01HZY/diagram.png"


def test_put_then_get_exists(blob_store: Any) -> None:
    blob_store.put(KEY, b"png bytes", "image/png")

    assert blob_store.get(KEY) == b"png bytes"
    assert blob_store.exists(KEY)


def test_binary_data_round_trips_exactly(blob_store: Any) -> None:
    data = bytes(range(256)) * 64 + os.urandom(4096) + b"\r\n\x00"
    blob_store.put(KEY, data, "application/octet-stream")

    assert blob_store.get(KEY) == data


def test_empty_blob(blob_store: Any) -> None:
    blob_store.put(KEY, b"", "text/plain")

    assert blob_store.get(KEY) == b""
    assert blob_store.exists(KEY)


def test_put_overwrites(blob_store: Any) -> None:
    blob_store.put(KEY, b"first version, longer", "text/plain")
    blob_store.put(KEY, b"second", "text/plain")

    assert blob_store.get(KEY) == b"second"


def test_keys_are_independent(blob_store: Any) -> None:
    blob_store.put("content/a/1/x.txt", b"a", "text/plain")
    blob_store.put("content/a/2/x.txt", b"b", "text/plain")
    blob_store.put("content/한글/파일 이름.txt", b"c", "text/plain")

    blob_store.delete("content/a/1/x.txt")

    assert not blob_store.exists("content/a/1/x.txt")
    assert blob_store.get("content/a/2/x.txt") == b"b"
    assert blob_store.get("content/한글/파일 이름.txt") == b"c"


def test_delete_removes(blob_store: Any) -> None:
    blob_store.put(KEY, b"x", "text/plain")

    blob_store.delete(KEY)

    assert not blob_store.exists(KEY)
    with pytest.raises(NotFound):
        blob_store.get(KEY)


def test_delete_missing_is_fine(blob_store: Any) -> None:
    blob_store.delete(KEY)
    blob_store.put(KEY, b"x", "text/plain")
    blob_store.delete(KEY)
    blob_store.delete(KEY)

    assert not blob_store.exists(KEY)


def test_get_missing_is_not_found(blob_store: Any) -> None:
    assert not blob_store.exists(KEY)
    with pytest.raises(NotFound):
        blob_store.get(KEY)


def test_a_key_prefix_is_not_a_blob(blob_store: Any) -> None:
    blob_store.put(KEY, b"x", "text/plain")

    assert not blob_store.exists("content/01HZX")
    with pytest.raises(NotFound):
        blob_store.get("content/01HZX")


def test_url_is_a_string_or_none(blob_store: Any) -> None:
    blob_store.put(KEY, b"x", "image/png")

    url = blob_store.url(KEY, "diagram.png", 60)

    assert url is None or (isinstance(url, str) and url.startswith(("http://", "https://")))


def test_list_keys_names_every_stored_blob_once(blob_store: Any) -> None:
    keys = {"content/a/1/x.txt", "content/a/2/y.png", "content/한글/파일 이름.txt", "other/z"}
    for key in keys:
        blob_store.put(key, b"x", "text/plain")
    blob_store.put("content/a/1/x.txt", b"again", "text/plain")  # overwritten: still one key
    blob_store.delete("other/z")

    assert sorted(blob_store.list_keys()) == sorted(keys - {"other/z"})
    assert sorted(blob_store.list_keys("content/a/")) == ["content/a/1/x.txt", "content/a/2/y.png"]


def test_list_keys_of_an_empty_store(blob_store: Any) -> None:
    assert list(blob_store.list_keys()) == []


def test_list_keys_pages_through_many_blobs(blob_store: Any) -> None:
    keys = {f"content/many/{n:04}.txt" for n in range(1005)}  # more than one S3 page (1,000)
    for key in keys:
        blob_store.put(key, b"", "text/plain")

    assert set(blob_store.list_keys("content/many/")) == keys
