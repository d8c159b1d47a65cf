"""One typed home for every task's name, queue, retries and limits.

Celery accepts any keyword on ``@task`` and silently ignores a misspelt one; going through this
dataclass makes a typo a type error instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from celery import shared_task

from storywire.settings import FETCH_TIME_LIMIT
from tasks.poison import guarded

F = TypeVar("F", bound=Callable[..., Any])

QUEUES = ("dispatch", "fetch", "process", "publish")
# Redis re-delivers an unacknowledged message after this long; every limit and retry delay stays
# below it, or a slow task would run twice at once.
VISIBILITY_TIMEOUT = 3600


@dataclass(frozen=True, slots=True)
class TaskOptions:
    name: str
    queue: str
    soft_time_limit: int
    time_limit: int
    max_retries: int | None = 5  # None: for as long as the outage lasts
    retry_backoff: int = 5
    retry_backoff_max: int = 600

    def __post_init__(self) -> None:
        if self.queue not in QUEUES:
            raise ValueError(f"{self.name}: unknown queue {self.queue!r}")
        if not self.soft_time_limit < self.time_limit < VISIBILITY_TIMEOUT:
            raise ValueError(f"{self.name}: need soft limit < hard limit < visibility timeout")
        if self.retry_backoff_max >= VISIBILITY_TIMEOUT:
            raise ValueError(f"{self.name}: retry delay must stay below the visibility timeout")


DISPATCH = TaskOptions("storywire.dispatch", "dispatch", soft_time_limit=20, time_limit=30)
# A fetch retries soon or not at all: its source's lease (5 min by default) lapses while a
# retry waits, and the next dispatch would poll the source a second time beside the retry.
# A lapsed lease loses nothing: the source comes due again then.
FETCH = TaskOptions(
    "storywire.fetch",
    "fetch",
    soft_time_limit=90,
    time_limit=FETCH_TIME_LIMIT,
    max_retries=3,
    retry_backoff_max=30,
)
# A process batch retries for as long as Redis is away: the fetch marked its entries seen when
# it sent them, so a batch that gave up (failed, acknowledged) would never come again. The waits
# grow to retry_backoff_max (10 minutes) and stay there.
PROCESS = TaskOptions(
    "storywire.process", "process", soft_time_limit=240, time_limit=300, max_retries=None
)
PUBLISH = TaskOptions("storywire.publish", "publish", soft_time_limit=50, time_limit=60)
# On the process queue: it takes the story lock as process does, so it scales with that queue.
RELEASE = TaskOptions("storywire.release", "process", soft_time_limit=240, time_limit=300)
ALL = (DISPATCH, FETCH, PROCESS, PUBLISH, RELEASE)


def task(options: TaskOptions) -> Callable[[F], Any]:
    """``shared_task`` with our defaults: late acks, JSON, no results, jittered backoff, and
    the delivery guard against poison messages (tasks.poison)."""
    declare = shared_task(
        name=options.name,
        bind=True,
        acks_late=True,
        reject_on_worker_lost=True,
        ignore_result=True,
        soft_time_limit=options.soft_time_limit,
        time_limit=options.time_limit,
        max_retries=options.max_retries,
        retry_backoff=options.retry_backoff,
        retry_backoff_max=options.retry_backoff_max,
        retry_jitter=True,
        serializer="json",
    )
    return lambda run: declare(guarded(run))
