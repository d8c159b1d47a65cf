"""Process checks shared by the tests that start, kill and orphan real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import suppress
from pathlib import Path
from typing import Any


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent (init, which may never reap it here, or a
    subreaper) to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    """The pids of the processes whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
    return found


def gone(pid: int, directory: Path, within: float = 10.0) -> bool:
    """Whether process ``pid`` has ended and ``directory`` is removed within the time."""
    deadline = time.monotonic() + within
    while alive(pid) or directory.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def reap(proc: subprocess.Popen[Any], *left: int) -> None:
    """A test's cleanup, whatever it got to: ``proc`` killed if it still runs and reaped, its
    stdout closed, and any of the ``left`` pids (0: none known) still alive killed."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()
    for pid in left:
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)
