"""`storywire run`'s children: one that dies is started again; one that keeps dying at once
ends the service instead of looping."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from workers.processes import ChildFailingError, Children

DIES = [sys.executable, "-c", "raise SystemExit(3)"]
LIVES = [sys.executable, "-c", "import time; time.sleep(60)"]


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        proc.kill()
        proc.wait()


def _children(started: list[subprocess.Popen[bytes]], give_up: int) -> Children:
    def start(command: list[str]) -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen(command))
        return started[-1]

    return Children([("worker x", DIES), ("beat", LIVES)], start, quick=60.0, give_up=give_up)


def test_a_child_dying_at_once_waits_longer_each_time_then_ends_the_service(
    started: list[subprocess.Popen[bytes]],
) -> None:
    children = _children(started, give_up=3)
    t = time.monotonic()
    started[0].wait()
    children.tend(t + 1)  # found dead: starts again after 1 s
    assert len(started) == 2
    children.tend(t + 2.5)
    assert len(started) == 3
    started[-1].wait()
    children.tend(t + 3)  # dead again, quickly: 2 s this time
    children.tend(t + 4.5)
    assert len(started) == 3
    children.tend(t + 5)
    assert len(started) == 4
    started[-1].wait()
    with pytest.raises(ChildFailingError, match="worker x exited 3"):
        children.tend(t + 6)  # the third quick death in a row
    assert started[1].poll() is None  # the beat was never touched


def test_a_child_that_ran_a_while_is_started_again_at_once(
    started: list[subprocess.Popen[bytes]],
) -> None:
    children = _children(started, give_up=2)
    t = time.monotonic()
    for attempt in range(1, 4):  # never two quick deaths in a row: never given up
        started[0 if attempt == 1 else -1].wait()
        children.tend(t + 100 * attempt)
        assert len(started) == 2 + attempt
