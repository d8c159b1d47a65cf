"""publish: drain the outbox into the configured sink (Redis Stream or AMQP exchange)."""

from __future__ import annotations

import time
from typing import Any

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded

from storywire.adapters.streams import SinkUnavailableError
from tasks.common import TRANSIENT, log, retry_later
from tasks.options import PUBLISH, task
from tasks.runtime import runtime


@task(PUBLISH)
def publish(self: Task[Any, Any]) -> int:
    """Drain the outbox into the sink (once per event id; AMQP: same id on a redelivery)."""
    target = runtime().sink
    try:
        moved = target.drain_all(now=time.time())
    except (*TRANSIENT, SinkUnavailableError, SoftTimeLimitExceeded) as exc:
        # Cut short, the drain left what it had not confirmed in the outbox (the AMQP sink
        # drops a channel interrupted mid-publish): a retry sends it.
        raise retry_later(self, exc) from exc
    finally:
        # Parked by this drain even if a later event cut it short: the parked stream and the
        # metric have them; this line says which and why.
        for event in target.take_parked():
            log.error(
                "publish.parked",
                event_id=event.event_id,
                type=event.type,
                bytes=event.size,
                reason=event.reason,
                sink=event.target,
                replay=f"storywire parked replay {event.event_id}",
            )
    if moved:
        log.info("publish", events=moved, sink=target.target)
    return moved
