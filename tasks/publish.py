"""publish: drain the outbox into the configured sink (Redis Stream or AMQP exchange)."""

from __future__ import annotations

import os
import time
from typing import Any

from celery import Task

from storywire.adapters.streams import Sink, SinkUnavailableError, build_sink
from tasks.common import TRANSIENT, log
from tasks.options import PUBLISH, task
from tasks.runtime import runtime

_sink: tuple[int, Sink] | None = None


def sink() -> Sink:
    """This process's sink, built once (a prefork child never reuses its parent's sockets)."""
    global _sink  # noqa: PLW0603 - one sink per process, like the runtime
    if _sink is None or _sink[0] != os.getpid():
        rt = runtime()
        _sink = (os.getpid(), build_sink(rt.settings, rt.redis, outbox_key=rt.ledger.outbox_key))
    return _sink[1]


@task(PUBLISH)
def publish(self: Task[Any, Any]) -> int:
    """Drain the outbox into the sink (once per event id; AMQP: same id on a redelivery)."""
    target = sink()
    try:
        moved = target.drain_all(now=time.time())
    except (*TRANSIENT, SinkUnavailableError) as exc:
        raise self.retry(exc=exc) from exc
    if moved:
        log.info("publish", events=moved, sink=target.target)
    return moved
