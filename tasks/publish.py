"""publish: drain the outbox into the event stream."""

from __future__ import annotations

import time
from typing import Any

from celery import Task

from tasks.common import TRANSIENT, log
from tasks.options import PUBLISH, task
from tasks.runtime import runtime


@task(PUBLISH)
def publish(self: Task[Any, Any]) -> int:
    """Drain the outbox into the event stream (exactly once per event id)."""
    rt = runtime()
    try:
        moved = rt.sink.drain_all(now=time.time())
    except TRANSIENT as exc:
        raise self.retry(exc=exc) from exc
    if moved:
        log.info("publish", events=moved, stream=rt.sink.stream)
    return moved
