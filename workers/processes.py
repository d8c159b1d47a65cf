"""Starting and stopping the service's processes: one worker per queue and one beat."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import structlog

from storywire.settings import Settings
from workers.logging import renders_json
from workers.watch import SUPERVISOR

log = structlog.get_logger("storywire")

# Which pool suits each queue: fetch waits on sockets, process burns CPU.
POOLS = {"fetch": "threads", "process": "prefork", "publish": "threads", "dispatch": "solo"}


def worker_command(queues: Sequence[str], settings: Settings, name: str | None = None) -> list[str]:
    first = queues[0]
    concurrency = {
        "fetch": settings.fetch_concurrency,
        "process": settings.process_concurrency,
    }.get(first, 2)
    pool = POOLS.get(first, "prefork")
    command = [
        *_celery(settings), "-A", "workers.app", "worker",
        "--queues", ",".join(queues),
        "--hostname", f"{name or first}@%h",
        "--pool", pool,
        "--loglevel", settings.log_level,
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    if pool != "solo":
        command += ["--concurrency", str(concurrency)]
    return command


def _celery(settings: Settings) -> list[str]:
    # Celery prints its banner (and the beat its start) as plain text on stdout: in JSON the
    # log lines say all of it (the transport, with its password masked, in "Connected to").
    quiet = ["--quiet"] if renders_json(settings.log_format) else []
    return [sys.executable, "-m", "celery", *quiet]


def beat_command(settings: Settings) -> list[str]:
    schedule = settings.data_dir / "celerybeat-schedule"
    return [
        *_celery(settings), "-A", "workers.app", "beat",
        "--schedule", str(schedule), "--loglevel", settings.log_level,
    ]  # fmt: skip


# The publish worker also serves the tiny dispatch queue: one process fewer to run by default.
SERVICE_WORKERS: tuple[tuple[str, ...], ...] = (("fetch",), ("process",), ("publish", "dispatch"))


class ChildFailingError(Exception):
    """A child died soon after each of its last starts: starting it again will not help."""


@dataclass
class _Child:
    name: str  # "worker fetch", "beat": what the log lines call it
    command: list[str]
    proc: subprocess.Popen[bytes]
    started: float
    quick_deaths: int = 0  # in a row, each within ``quick`` of its start
    restart_at: float | None = None  # set while it is dead and waits to start again


class Children:
    """The service's processes, each started again when it dies: a worker killed for memory,
    a crash, an operator's SIGTERM to one of them. Before, one death stopped the whole
    service. A child that dies within ``quick`` seconds of its start waits 1, 2, 4… seconds
    (at most a minute) before its next start, and after ``give_up`` such deaths in a row
    ``tend`` raises ``ChildFailingError``: a start that fails itself (broken settings, a broken
    install) ends the service with its reason in the log, not in a loop."""

    def __init__(
        self,
        commands: Sequence[tuple[str, list[str]]],
        start: Callable[[list[str]], subprocess.Popen[bytes]],
        *,
        quick: float = 60.0,
        give_up: int = 5,
    ) -> None:
        self._start, self.quick, self.give_up = start, quick, give_up
        now = time.monotonic()
        self.children = [_Child(name, cmd, start(cmd), now) for name, cmd in commands]

    @property
    def procs(self) -> list[subprocess.Popen[bytes]]:
        return [child.proc for child in self.children]

    def tend(self, now: float | None = None) -> None:
        """Note each child that died, and start again each one whose pause is over."""
        now = time.monotonic() if now is None else now
        for child in self.children:
            code = child.proc.poll()
            if code is None:
                continue
            if child.restart_at is None:
                quick = now - child.started < self.quick
                child.quick_deaths = child.quick_deaths + 1 if quick else 0
                if child.quick_deaths >= self.give_up:
                    log.error("run.child_failing", child=child.name, code=code,
                              deaths=child.quick_deaths)  # fmt: skip
                    raise ChildFailingError(f"{child.name} exited {code}")
                pause = min(60.0, 2.0 ** (child.quick_deaths - 1)) if quick else 0.0
                log.error("run.child_exited", child=child.name, code=code, restart_in=pause)
                child.restart_at = now + pause
            if now >= child.restart_at:
                child.proc = self._start(child.command)
                child.started, child.restart_at = now, None
                log.info("run.child_restarted", child=child.name, pid=child.proc.pid)


@contextmanager
def service_processes(
    settings: Settings, env: Mapping[str, str], *, beat: bool = True, quiet_stdout: bool = False
) -> Iterator[Children]:
    """Run one worker per queue (and the beat) until the block ends, then stop them cleanly."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Each child ends with this process, even killed with SIGKILL (workers.watch).
    full_env = {**os.environ, **env, "PYTHONPATH": _pythonpath(), SUPERVISOR: str(os.getpid())}
    commands = [(f"worker {','.join(q)}", worker_command(q, settings)) for q in SERVICE_WORKERS]
    if beat:
        commands.append(("beat", beat_command(settings)))
    # Celery prints banners on stdout; a caller that owns stdout (the demo) sends them to stderr.
    stdout = sys.stderr if quiet_stdout else None

    def start(command: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, env=full_env, stdin=subprocess.DEVNULL, stdout=stdout)

    children = Children(commands, start)
    try:
        yield children
    finally:
        stop_all(children.procs)


def stop_all(procs: Sequence[subprocess.Popen[bytes]], timeout: float = 15.0) -> None:
    """Warm shutdown (SIGTERM lets workers finish their task), then SIGKILL what lingers."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _pythonpath() -> str:
    # Children import workers/tasks the same way this process did, installed or from a checkout.
    root = str(Path(__file__).resolve().parent.parent)
    existing = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{existing}" if existing else root
