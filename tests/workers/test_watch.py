"""A child of `storywire run` ends when `run` does, even killed with SIGKILL; a worker started
by hand has no such watch."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import alive, reap
from workers.watch import SUPERVISOR, watch_supervisor

# The child: watches its supervisor, and on SIGTERM writes what it got and leaves.
CHILD = """
import signal, sys, time
from pathlib import Path
from workers.watch import watch_supervisor
def stop(signum, frame):
    Path(sys.argv[1]).write_text(signal.Signals(signum).name)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
watch_supervisor(every=0.1)
Path(sys.argv[1] + ".started").write_text("")
time.sleep(60)
"""

# The supervisor: starts the child with its own pid in the environment, says the child's pid.
SUPERVISOR_SCRIPT = """
import os, subprocess, sys, time
env = {**os.environ, sys.argv[2]: str(os.getpid())} if sys.argv[3] == "watched" else os.environ
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[4]], env=env)
print(child.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("started", ["watched", "by-hand"])
def test_a_child_ends_as_on_sigterm_when_its_supervisor_is_killed(
    started: str, tmp_path: Path
) -> None:
    got = tmp_path / "got"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR_SCRIPT, CHILD, SUPERVISOR, started, str(got)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    child = 0
    try:
        assert supervisor.stdout is not None
        child = int(supervisor.stdout.readline())
        deadline = time.monotonic() + 30
        while not Path(f"{got}.started").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Path(f"{got}.started").exists()
        supervisor.kill()
        supervisor.wait(timeout=10)
        deadline = time.monotonic() + 5
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        if started == "watched":
            assert not alive(child)
            assert got.read_text() == "SIGTERM"
        else:  # compose, systemd, k8s or a shell own it: it runs on
            assert alive(child)
            assert not got.exists()
    finally:
        reap(supervisor, child)


def test_without_a_supervisor_there_is_no_watch() -> None:
    assert watch_supervisor({}) is None
    assert watch_supervisor({SUPERVISOR: ""}) is None
