"""An on-disk cache of a table built at start-up (the background prior: ~3 s CPU to build, ~0.2 s
to load), shared by every later process of the same code, Python and ``wordfreq``.

The file lives in ``STORYWIRE_CACHE_DIR``, else ``$XDG_CACHE_HOME/storywire``, else
``~/.cache/storywire``, and is named by a key over everything its contents could depend on: the
source bytes of the modules whose functions build it, the versions of the distributions given
(``wordfreq``, whose data ships in its wheel), the Python version and byte order. A different
key is a different file, so worktrees or virtualenvs of different code sharing one home cache
do not rebuild each other's file on every start; a file unused for ``_STALE_DAYS`` is removed
when another is written. A file whose header, key or checksum does not match (truncated,
corrupt, half-written by a crash) is rebuilt, never trusted. Without a usable directory (a
read-only home in a container) the table is built in memory as without the cache.

Format: ``marshal`` of the built value behind a 64-byte header (magic, full key, xxh3-128 of the
payload). Measured for the prior (244k str -> float, 5.4 MB): marshal loads in ~190 ms *with*
its keys interned (it writes interned strings as such and interns them on load), pickle in ~120
ms plus ~160 ms to intern, orjson ~110 ms plus ~170 ms to intern (8.4 MB); a string blob plus an
``array('d')`` ~170 ms with interning, for more code. marshal is Python-version specific, which
the key covers; it is unsafe on untrusted bytes, which the checksum keeps out (the directory is
the user's own, as their site-packages is).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import xxhash

_LOG = logging.getLogger(__name__)
_MAGIC = b"storywire-table\x01"  # 16 bytes; the last one is the format's version
_KEY = 32  # sha256
_SUM = 16  # xxh3-128 of the payload
_HEADER = len(_MAGIC) + _KEY + _SUM
_STALE_DAYS = 30


def cache_dir() -> Path:
    """``STORYWIRE_CACHE_DIR``, else ``$XDG_CACHE_HOME/storywire``, else ``~/.cache/storywire``."""
    if explicit := os.environ.get("STORYWIRE_CACHE_DIR"):
        return Path(explicit)
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        return Path(xdg) / "storywire"
    try:
        home = Path.home()
    except (RuntimeError, KeyError) as exc:  # no $HOME and no passwd entry (3.12 raises)
        raise OSError("no home directory") from exc
    if not home.is_absolute():  # 3.11 leaves "~" as it is: never a "~" directory in the cwd
        raise OSError("no home directory")
    return home / ".cache" / "storywire"


class TableCache:
    """``get(build)``: the table from the file when it is there and whole, else ``build()``'s
    (then written for the next process).

    Created at the end of the module that builds the table, it remembers the globals of
    ``modules`` as they are then: while any of them is rebound (a test's patch of a rule, a
    language list, a function), the file is neither read nor written, since its key, over
    the modules' source, cannot see the change."""

    def __init__(
        self, name: str, modules: Iterable[ModuleType], distributions: Iterable[str]
    ) -> None:
        self.name = name
        self._modules = tuple(modules)
        self._distributions = tuple(distributions)
        self._pristine = [(vars(m), dict(vars(m))) for m in self._modules]
        # Read now, just after the modules ran: a file edited while a process lives must not
        # name that process's table.
        try:
            self._sources: list[bytes] | None = [
                Path(cast(str, m.__file__)).read_bytes() for m in self._modules
            ]
        except (OSError, TypeError):  # a .pyc-only or frozen install: no key, no file
            self._sources = None
        self._key: bytes | None = None

    def key(self) -> bytes:
        if self._sources is None:
            raise OSError("the modules' source is not readable")
        if self._key is None:
            digest = hashlib.sha256()
            for part in (
                _MAGIC,
                self.name.encode(),
                sys.version.encode(),
                sys.byteorder.encode(),
                str(marshal.version).encode(),
                *(f"{d}=={version(d)}".encode() for d in self._distributions),
            ):
                digest.update(len(part).to_bytes(8, "little") + part)
            for source in self._sources:
                digest.update(len(source).to_bytes(8, "little") + source)
            self._key = digest.digest()
        return self._key

    def path(self) -> Path:
        return cache_dir() / f"{self.name}-{self.key().hex()[:20]}.bin"

    def patched(self) -> bool:
        return any(
            now.get(name) is not value
            for now, then in self._pristine
            for name, value in then.items()
        )

    def get(self, build: Callable[[], Any]) -> Any:
        if self.patched():
            return build()
        try:
            path = self.path()
        except OSError as exc:  # no home directory, no source to key it by
            _LOG.debug("table cache %s off: %s", self.name, exc)
            return build()
        value = self._read(path)
        if value is None:
            value = build()
            self._write(path, value)
        return value

    def _read(self, path: Path) -> Any:
        try:
            data = path.read_bytes()
        except OSError:  # not written yet, or unreadable: built and (re)written
            return None
        header, payload = data[:_HEADER], data[_HEADER:]
        if (
            len(header) != _HEADER
            or header[: len(_MAGIC)] != _MAGIC
            or header[len(_MAGIC) : len(_MAGIC) + _KEY] != self.key()
            or header[len(_MAGIC) + _KEY :] != xxhash.xxh3_128_digest(payload)
        ):
            _LOG.debug("table cache %s does not match, rebuilding", path)
            return None
        try:
            value = marshal.loads(payload)  # noqa: S302  # checksummed, written by this code
        except (EOFError, ValueError, TypeError):  # pragma: no cover - the checksum matched
            return None
        with contextlib.suppress(OSError):  # marks it used, against _prune (read-only: fine)
            os.utime(path)
        return value

    def _write(self, path: Path, value: Any) -> None:
        payload = marshal.dumps(value)
        data = _MAGIC + self.key() + xxhash.xxh3_128_digest(payload) + payload
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Concurrent writers (process workers starting at once) each write their own temp
            # file in the same directory and rename it over the name: a reader sees one whole
            # file or none, never a mix.
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                # mkstemp makes it 0600: word rates are no secret, and a directory shared by
                # users (an image built as root, run as another) serves them all.
                os.fchmod(fh.fileno(), 0o644)
                fh.write(data)
            os.replace(tmp, path)
            tmp = None
            self._prune(path)
        except OSError as exc:  # read-only home, full disk: the table is built, just not kept
            _LOG.debug("table cache %s not written: %s", path, exc)
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def _prune(self, kept: Path) -> None:
        """Remove this table's files of other keys (other code, wordfreq or Python) unused
        for ``_STALE_DAYS``, and temp files a killed writer left as long ago."""
        cutoff = time.time() - _STALE_DAYS * 86400
        for old in kept.parent.glob(f"*{self.name}-*"):
            if old != kept:
                with contextlib.suppress(OSError):  # another process pruned it first
                    if old.stat().st_mtime < cutoff:
                        old.unlink()
