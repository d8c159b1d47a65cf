"""The workers and beat that `storywire run` starts end when it does, however it ends.

Killed with SIGKILL (the OOM killer, `kill -9`, a container runtime's hard stop), `run` cannot
stop its children: they would go on polling feeds with no owner. So each child it starts gets
its pid in STORYWIRE_SUPERVISOR_PID and watches it from a daemon thread: once its parent is
another process (the orphan was adopted by init), it stops itself as `run` would have done,
SIGTERM (Celery's warm shutdown), then SIGKILL if that takes longer than `run` would wait.
A worker started by hand (compose, systemd, k8s) has no such variable and no watch.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Mapping

import structlog

SUPERVISOR = "STORYWIRE_SUPERVISOR_PID"
CHECK_EVERY = 1.0
# As long as `run` waits for a warm shutdown before it kills (workers.processes.stop_all).
STOP_TIMEOUT = 15.0


def watch_supervisor(
    environ: Mapping[str, str] = os.environ, *, every: float = CHECK_EVERY
) -> threading.Thread | None:
    """Start the watch when a supervisor started this process; the thread, else None."""
    raw = environ.get(SUPERVISOR, "")
    if not raw.isdigit():
        return None
    thread = threading.Thread(
        target=_watch, args=(int(raw), every), name="supervisor-watch", daemon=True
    )
    thread.start()
    return thread


def _watch(supervisor: int, every: float) -> None:
    # The parent, not the pid's liveness: a pid is reused, and an orphan's parent never
    # changes back. Gone before the watch began counts too.
    while os.getppid() == supervisor:
        time.sleep(every)
    structlog.get_logger("storywire").warning("supervisor.gone", supervisor=supervisor)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(STOP_TIMEOUT)
    os.kill(os.getpid(), signal.SIGKILL)
