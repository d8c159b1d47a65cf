"""Starting and stopping the service's processes: one worker per queue and one beat."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from storywire.settings import Settings
from workers.watch import SUPERVISOR

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
        sys.executable, "-m", "celery", "-A", "workers.app", "worker",
        "--queues", ",".join(queues),
        "--hostname", f"{name or first}@%h",
        "--pool", pool,
        "--loglevel", settings.log_level,
        "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    if pool != "solo":
        command += ["--concurrency", str(concurrency)]
    return command


def beat_command(settings: Settings) -> list[str]:
    schedule = settings.data_dir / "celerybeat-schedule"
    return [
        sys.executable, "-m", "celery", "-A", "workers.app", "beat",
        "--schedule", str(schedule), "--loglevel", settings.log_level,
    ]  # fmt: skip


# The publish worker also serves the tiny dispatch queue: one process fewer to run by default.
SERVICE_WORKERS: tuple[tuple[str, ...], ...] = (("fetch",), ("process",), ("publish", "dispatch"))


@contextmanager
def service_processes(
    settings: Settings, env: Mapping[str, str], *, beat: bool = True, quiet_stdout: bool = False
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Run one worker per queue (and the beat) until the block ends, then stop them cleanly."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Each child ends with this process, even killed with SIGKILL (workers.watch).
    full_env = {**os.environ, **env, "PYTHONPATH": _pythonpath(), SUPERVISOR: str(os.getpid())}
    commands = [worker_command(q, settings) for q in SERVICE_WORKERS]
    if beat:
        commands.append(beat_command(settings))
    # Celery prints banners on stdout; a caller that owns stdout (the demo) sends them to stderr.
    stdout = sys.stderr if quiet_stdout else None
    procs = [
        subprocess.Popen(cmd, env=full_env, stdin=subprocess.DEVNULL, stdout=stdout)
        for cmd in commands
    ]
    try:
        yield procs
    finally:
        stop_all(procs)


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
