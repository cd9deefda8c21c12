"""LocalBlobStore specifics: keys that escape the root, atomic writes, folder clean-up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.adapters.localfs import TEMP_PREFIX, LocalBlobStore
from services.errors import ValidationError


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "files")


def all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_the_root_is_created(tmp_path: Path) -> None:
    LocalBlobStore(tmp_path / "a" / "b")

    assert (tmp_path / "a" / "b").is_dir()


def test_blobs_live_under_the_root_at_their_key(store: LocalBlobStore) -> None:
    store.put("content/1/a.txt", b"x", "text/plain")

    assert (store.root / "content" / "1" / "a.txt").read_bytes() == b"x"


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "../outside.txt",
        "content/../../outside.txt",
        "content/..",
        "content/./a.txt",
        "content//a.txt",
        "content/",
        "..\\outside.txt",
        "a\x00b",
        ".",
    ],
)
def test_keys_that_could_leave_the_root_are_rejected(store: LocalBlobStore, key: str) -> None:
    for call in (
        lambda: store.put(key, b"x", "text/plain"),
        lambda: store.get(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
        lambda: store.url(key, "x", 60),
    ):
        with pytest.raises(ValidationError) as raised:
            call()
        assert raised.value.key == "errors.bad_key"
    assert not (store.root.parent / "outside.txt").exists()


def test_a_symlink_pointing_out_of_the_root_is_rejected(
    store: LocalBlobStore, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    (store.root / "content").mkdir()
    (store.root / "content" / "link").symlink_to(outside, target_is_directory=True)

    with pytest.raises(ValidationError):
        store.get("content/link/secret.txt")
    with pytest.raises(ValidationError):
        store.put("content/link/new.txt", b"x", "text/plain")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


def test_a_write_leaves_no_temporary_file(store: LocalBlobStore) -> None:
    store.put("content/1/a.txt", b"one", "text/plain")
    store.put("content/1/a.txt", b"two", "text/plain")

    assert all_files(store.root) == ["content", "content/1", "content/1/a.txt"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary_file(
    store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put("content/1/a.txt", b"old", "text/plain")

    def crash(src: str, dst: str) -> None:
        raise KeyboardInterrupt  # as if the process were stopped mid-write

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.put("content/1/a.txt", b"new", "text/plain")

    assert store.get("content/1/a.txt") == b"old"
    assert not any(p.name.startswith(TEMP_PREFIX) for p in store.root.rglob("*"))


def test_delete_removes_folders_left_empty_but_not_the_root(store: LocalBlobStore) -> None:
    store.put("content/1/a/x.txt", b"x", "text/plain")
    store.put("content/1/b.txt", b"b", "text/plain")

    store.delete("content/1/a/x.txt")
    assert all_files(store.root) == ["content", "content/1", "content/1/b.txt"]

    store.delete("content/1/b.txt")
    assert all_files(store.root) == []
    assert store.root.is_dir()


def test_url_is_none(store: LocalBlobStore) -> None:
    store.put("content/1/a.txt", b"x", "text/plain")

    assert store.url("content/1/a.txt", "a.txt", 60) is None


def test_list_keys_skips_temporary_files_and_symlinks(
    store: LocalBlobStore, tmp_path: Path
) -> None:
    store.put("content/a/1/x.txt", b"x", "text/plain")
    (store.root / "content" / "a" / "1" / ".tmp-half-written").write_bytes(b"half")
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"secret")
    (store.root / "content" / "link.txt").symlink_to(outside)

    assert list(store.list_keys()) == ["content/a/1/x.txt"]
