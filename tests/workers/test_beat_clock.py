"""The beat keeps dispatching when the host clock steps back, running or restarted.

Both clocks are the test's: the wall clock (Celery's own ``app.now`` and the beat clock's
anchor) and the monotonic clock, which a step of the wall clock leaves alone."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import celery.beat
import pytest

from workers import beat_clock
from workers.app import app, settings

START = datetime(2026, 3, 29, 0, 30, tzinfo=UTC).timestamp()  # a DST change in Europe, too
DISPATCH = "dispatch-due-sources"


class Clocks:
    def __init__(self) -> None:
        self.wall = START
        self.mono = 1000.0

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


@pytest.fixture
def clocks(monkeypatch: pytest.MonkeyPatch) -> Clocks:
    clocks = Clocks()
    monkeypatch.setattr(beat_clock, "_wall", lambda: clocks.wall)
    monkeypatch.setattr(beat_clock, "_monotonic", lambda: clocks.mono)
    monkeypatch.setattr(beat_clock, "_anchor", None)
    monkeypatch.setattr(app, "now", lambda: datetime.fromtimestamp(clocks.wall, tz=UTC))
    return clocks


def _recording(base: type[celery.beat.Scheduler], sent: list[tuple[str, float]],
               clocks: Clocks) -> type[celery.beat.Scheduler]:  # fmt: skip
    class Recording(base):  # type: ignore[valid-type, misc]
        def apply_entry(self, entry: Any, producer: Any = None) -> None:
            sent.append((entry.name, clocks.wall))

    return Recording


def _run(scheduler: celery.beat.Scheduler, clocks: Clocks, seconds: int) -> None:
    """The beat's loop, a second at a time: every entry due is sent, then time passes."""
    for _ in range(seconds):
        while scheduler.tick() == 0:
            pass
        clocks.advance(1.0)


def _dispatches(sent: list[tuple[str, float]], since: int = 0) -> int:
    """Dispatches among ``sent`` from its ``since``-th send on (a stepped clock's times are
    not in order)."""
    return sum(1 for name, _ in sent[since:] if name == DISPATCH)


def test_a_running_beat_keeps_dispatching_after_the_clock_steps_back(clocks: Clocks) -> None:
    sent: list[tuple[str, float]] = []
    beat = _recording(celery.beat.Scheduler, sent, clocks)(app, lazy=False)
    _run(beat, clocks, 120)
    assert _dispatches(sent) >= 3
    clocks.wall -= 3600.0  # NTP steps a clock that ran an hour ahead back
    stepped = len(sent)
    _run(beat, clocks, 120)
    # Before: nothing for an hour, until the wall clock was back where it had been.
    assert _dispatches(sent, stepped) >= 120 // settings.dispatch_interval - 1, sent[-5:]


def test_a_beat_restarted_after_the_clock_stepped_back_dispatches(
    clocks: Clocks, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The schedule file holds last runs an hour in the future of the stepped clock."""
    sent: list[tuple[str, float]] = []
    kind = _recording(celery.beat.PersistentScheduler, sent, clocks)
    schedule = str(tmp_path / "celerybeat-schedule")
    first = kind(app, schedule_filename=schedule, lazy=False)
    _run(first, clocks, 90)
    first.close()
    clocks.wall -= 3600.0
    clocks.mono += 5.0  # another process: its own monotonic clock and anchor
    monkeypatch.setattr(beat_clock, "_anchor", None)
    stepped = len(sent)
    second = kind(app, schedule_filename=schedule, lazy=False)
    try:
        _run(second, clocks, 120)
    finally:
        second.close()
    assert _dispatches(sent, stepped) >= 120 // settings.dispatch_interval - 1, sent[-5:]


def test_the_beat_dispatches_every_interval_when_the_clock_does_not_step(
    clocks: Clocks,
) -> None:
    sent: list[tuple[str, float]] = []
    beat = _recording(celery.beat.Scheduler, sent, clocks)(app, lazy=False)
    _run(beat, clocks, 300)
    times = [at for name, at in sent if name == DISPATCH]
    gaps = {round(b - a) for a, b in itertools.pairwise(times)}
    assert gaps == {round(settings.dispatch_interval)}, times
