"""The background prior's cache file: a later process loads the very table a fresh build makes,
and a file that is stale, corrupt, truncated or cannot be written costs a rebuild, never a
wrong table or an error."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from storywire.stories import background, features, tablecache
from storywire.stories.background import have_background
from storywire.stories.tablecache import TableCache, cache_dir

from .patching import features_patched


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache directory for this test; the prior is loaded afresh in and after it."""
    where = tmp_path / "cache"
    monkeypatch.setenv("STORYWIRE_CACHE_DIR", str(where))
    background._load.cache_clear()
    yield where
    background._load.cache_clear()


@pytest.mark.skipif(not have_background(), reason="wordfreq not installed")
def test_the_cached_prior_is_the_freshly_built_one(own_cache: Path) -> None:
    built = background._load()
    shapes = dict(background._NUMBERS_SHAPES)
    (written,) = own_cache.glob("prior-*.bin")
    inode = written.stat().st_ino

    background._load.cache_clear()
    background._NUMBERS_SHAPES.clear()
    loaded = background._load()

    assert written.stat().st_ino == inode, "read, not rebuilt and replaced"
    assert loaded is not built
    assert list(loaded) == list(built)
    assert [v.hex() for v in loaded.values()] == [v.hex() for v in built.values()]
    assert all(sys.intern(k) is k for k in loaded), "keys interned: identity-fast lookups"
    assert shapes == background._NUMBERS_SHAPES
    assert len(shapes) > 50


@pytest.mark.skipif(not have_background(), reason="wordfreq not installed")
@pytest.mark.parametrize(
    ("name", "cached"), [("spellings", features.us_spellings), ("he-rates", features._he_rates)]
)
def test_features_tables_cached_are_the_freshly_built_ones(
    own_cache: Path, name: str, cached: Any
) -> None:
    """The spelling fold's and the Hebrew stemmer's tables, built at start-up as the prior is,
    come from their own files the same as built."""
    cached.cache_clear()
    try:
        built = cached()
        (written,) = own_cache.glob(f"{name}-*.bin")
        cached.cache_clear()
        loaded = cached()
    finally:
        cached.cache_clear()
    assert loaded is not built
    assert list(loaded.items()) == list(built.items())
    assert len(loaded) > 20
    assert written.exists()


@pytest.mark.skipif(not have_background(), reason="wordfreq not installed")
def test_a_patched_rule_neither_reads_nor_writes_the_file(own_cache: Path) -> None:
    """The key covers the modules' source, not what a test sets at run time."""
    with features_patched((background, "_SCRIPT_LANGS", ())):
        assert "москв" not in background._load()
    assert not list(own_cache.glob("prior-*")), "features' own tables may be cached, not this"


def _module(tmp_path: Path, source: str = "RULE = 1\n") -> ModuleType:
    path = tmp_path / "rules.py"
    path.write_text(source)
    module = ModuleType("rules")
    module.__file__ = str(path)
    module.RULE = 1  # type: ignore[attr-defined]
    return module


class _Builds:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> tuple[dict[str, float], dict[str, float]]:
        self.count += 1
        return {sys.intern("quake"): 1e-5, sys.intern("der"): 3e-3}, {"0000": 1e-4}


@pytest.fixture
def table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TableCache:
    monkeypatch.setenv("STORYWIRE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(tablecache, "version", lambda _: "3.1.1")
    return TableCache("prior", [_module(tmp_path)], ["wordfreq"])


def test_a_second_load_reads_the_file(table: TableCache) -> None:
    build = _Builds()
    first, second = table.get(build), table.get(build)
    assert build.count == 1
    assert second == first
    assert table.path().stat().st_mode & 0o777 == 0o644, "readable by other users of the dir"
    assert all(sys.intern(k) is k for k in second[0])


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-3] + bytes([data[-3] ^ 1]) + data[-2:], id="bit-flip"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"garbage" * 20, id="garbage"),
    ],
)
def test_a_damaged_file_is_rebuilt_and_replaced(table: TableCache, damage: object) -> None:
    build = _Builds()
    want = table.get(build)
    path = table.path()
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert table.get(build) == want
    assert build.count == 2
    assert table.get(build) == want
    assert build.count == 2, "the rebuilt file is whole again"


def test_another_wordfreq_version_rebuilds(
    table: TableCache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _Builds()
    table.get(build)
    monkeypatch.setattr(tablecache, "version", lambda _: "3.2.0")
    other = TableCache("prior", [_module(tmp_path)], ["wordfreq"])
    assert other.key() != table.key()
    other.get(build)
    assert build.count == 2
    assert len(list((tmp_path / "cache").glob("prior-*.bin"))) == 2


def test_changed_source_rebuilds(table: TableCache, tmp_path: Path) -> None:
    build = _Builds()
    table.get(build)
    other = TableCache("prior", [_module(tmp_path, "RULE = 2\n")], ["wordfreq"])
    other.get(build)
    assert build.count == 2


def test_a_rebound_global_bypasses_the_file(table: TableCache, tmp_path: Path) -> None:
    build = _Builds()
    (module,) = table._modules
    module.RULE = 2  # type: ignore[attr-defined]
    table.get(build)
    assert not (tmp_path / "cache").exists()
    module.RULE = 1  # type: ignore[attr-defined]
    table.get(build)
    table.get(build)
    assert build.count == 2


def test_an_unwritable_directory_builds_quietly(
    table: TableCache,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A read-only home in a container; a file where the directory would be works as root too."""
    (tmp_path / "home").write_text("")
    monkeypatch.setenv("STORYWIRE_CACHE_DIR", str(tmp_path / "home" / "cache"))
    build = _Builds()
    with caplog.at_level(logging.DEBUG):
        assert table.get(build) == table.get(build)
    assert build.count == 2
    assert all(r.levelno <= logging.DEBUG for r in caplog.records)
    assert len(caplog.records) <= 2


def test_concurrent_writers_leave_one_whole_file(table: TableCache, tmp_path: Path) -> None:
    """Process workers starting at once each build and write; none reads a partial file."""
    build = _Builds()
    want = build()

    def slow() -> tuple[dict[str, float], dict[str, float]]:
        time.sleep(0.05)
        return build()

    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(table.get(slow))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [want] * 6
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [table.path().name]
    count = build.count
    assert table.get(build) == want
    assert build.count == count


def test_unused_files_of_other_keys_are_pruned(table: TableCache, tmp_path: Path) -> None:
    build = _Builds()
    table.get(build)
    old = tmp_path / "cache" / "prior-0123456789abcdef0123.bin"
    recent = tmp_path / "cache" / "prior-fedcba9876543210fedc.bin"
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    month_ago = time.time() - 31 * 86400
    os.utime(old, (month_ago, month_ago))
    table.path().unlink()
    table.get(build)
    assert not old.exists()
    assert recent.exists()


def test_the_directory_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYWIRE_CACHE_DIR", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "a"
    monkeypatch.delenv("STORYWIRE_CACHE_DIR")
    assert cache_dir() == tmp_path / "xdg" / "storywire"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "storywire"


def test_without_readable_source_the_table_is_built_each_time(tmp_path: Path) -> None:
    """A .pyc-only install has nothing to key the file by: no file, no error."""
    module = _module(tmp_path)
    module.__file__ = str(tmp_path / "gone.py")
    table = TableCache("prior", [module], [])
    build = _Builds()
    assert table.get(build) == table.get(build)
    assert build.count == 2
