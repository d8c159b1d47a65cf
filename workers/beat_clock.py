"""The beat's clock: its periodic tasks keep their interval whatever the host clock does.

Celery's beat times its entries by the wall clock: each entry is due its interval after the
time it last ran, and its place in the beat's heap is a wall time too. A host clock stepped
back (NTP correcting a clock that ran ahead, a VM moved to another host or resumed from a
snapshot) put every entry's last run in the future: the beat sent no dispatch, no outbox
drain and no release sweep until the clock caught up, an hour of silence for an hour's step,
and the dispatch that moves the schedule back with the clock (``_CLAIM``) never ran.

Within one beat process the entries are timed by the monotonic clock, anchored at the wall
time the process started, so a step of the wall clock changes nothing there. A last run that
a schedule file (``--schedule``) holds from before a step back is in the future of the new
clock: it is due now, as an entry that never ran is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from celery.schedules import schedstate, schedule

# The wall time and the monotonic time when this process started (see ``steady_now``);
# module attributes so a test can stand in for both clocks.
_wall = time.time
_monotonic = time.monotonic
_anchor: tuple[float, float] | None = None


def steady_now() -> datetime:
    """Now as the beat reckons it: the process's start on the wall clock, plus the monotonic
    time since."""
    global _anchor  # noqa: PLW0603 - one anchor per process, taken at the first reading
    if _anchor is None:
        _anchor = (_wall(), _monotonic())
    wall, mono = _anchor
    return datetime.fromtimestamp(wall + (_monotonic() - mono), tz=UTC)


class every(schedule):  # noqa: N801 - read as Celery's own `schedule`, in the beat's table
    """Celery's interval schedule on the steady clock above; a last run in the future (a
    clock stepped back before this beat started) is due now."""

    def __init__(
        self,
        run_every: float | timedelta,
        relative: bool = False,
        nowfun: Callable[[], datetime] | None = None,
        app: Any = None,
    ) -> None:
        # Positional as Celery's own: a schedule file unpickles it so.
        super().__init__(run_every, relative, nowfun or steady_now, app)

    def is_due(self, last_run_at: datetime) -> schedstate:
        if self.maybe_make_aware(last_run_at) > self.maybe_make_aware(self.now()):
            return schedstate(is_due=True, next=self.seconds)
        return super().is_due(last_run_at)
