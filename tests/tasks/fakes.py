"""Stand-ins the task tests patch in for Celery calls they only count."""

from __future__ import annotations


class CountingPublish:
    """``publish`` as the tasks use it: ``.delay()`` queues a drain; here it is only counted."""

    def __init__(self) -> None:
        self.calls = 0

    def delay(self) -> None:
        self.calls += 1
