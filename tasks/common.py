"""What every task module shares: the logger and the errors worth a retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kombu.exceptions
import redis
import structlog
from celery import Task
from celery.exceptions import Reject, Retry
from celery.utils.time import get_exponential_backoff_interval

from storywire.adapters.redis_ledger import LedgerBusy
from storywire.stories import LockLost

log = structlog.get_logger("storywire")
# Redis hiccups are worth a retry with backoff; anything else is a bug or bad input, logged.
# So is the story lock: not acquired within its wait (LockError), or lost to a stall more often
# than the engine retries by itself (LockLost): nothing half-written, the batch runs again.
# A message the broker could not take (kombu's OperationalError: the broker is away, or it is
# the Redis that just restarted) is one too, and a ledger write other workers kept beating to
# its stories (LedgerBusy): what it had not written comes again with the batch. So is a Redis at
# its maxmemory under noeviction (OutOfMemoryError): it refuses writes until memory is freed; a
# script refused at its first write wrote nothing, and what a batch wrote before is written once.
TRANSIENT = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.OutOfMemoryError,
    redis.exceptions.LockError,
    LockLost,
    LedgerBusy,
    kombu.exceptions.OperationalError,
)


def refuses_writes(exc: redis.ResponseError) -> bool:
    """Redis answering but refusing writes for a while: its disk full or unwritable (MISCONF,
    which redis-py raises as a bare ResponseError), its maxmemory reached under noeviction
    (OOM), or the address a replica's after a failover (READONLY). An outage like one that
    does not answer; any other error reply is a bug, not worth a retry."""
    refused = (redis.exceptions.OutOfMemoryError, redis.exceptions.ReadOnlyError)
    # A pipeline puts "Command # 1 (INCRBY …) of pipeline caused error: " before the reply.
    reply = str(exc).rpartition(" of pipeline caused error: ")[2]
    return isinstance(exc, refused) or reply.startswith("MISCONF ")


def retry_later(task: Task[Any, Any], exc: Exception) -> Retry:
    """``task.retry`` after the jittered exponential backoff the task was declared with
    (``tasks.options.task`` sets ``retry_backoff`` and ``retry_backoff_max`` on it).

    Celery applies ``retry_backoff`` only to ``autoretry_for``; a bare ``self.retry`` waits its
    fixed ``default_retry_delay`` (3 minutes), every failed task returning at the same moment.
    """
    declared: Any = task  # celery-types does not declare the attributes shared_task sets
    countdown = get_exponential_backoff_interval(
        factor=int(declared.retry_backoff),
        retries=task.request.retries,
        maximum=declared.retry_backoff_max,
        full_jitter=True,
    )
    try:
        return task.retry(exc=exc, countdown=countdown)
    except Reject as refused:
        # The retry message could not be sent: the broker is down too (by default it is the
        # same Redis). Celery then rejects without requeueing, which acknowledges the message:
        # gone for good once the broker is back to take that. Requeued instead, it runs again
        # then (or, if the broker is still away, Redis redelivers it after the visibility
        # timeout, as any unacknowledged message).
        raise Reject(refused.args[0], requeue=True) from exc


def nudge(wake_publisher: Callable[[], object]) -> None:
    """Ask for a publish now, if the broker takes the message: the events wait in the outbox
    either way, and the beat's drain-outbox (every 10 s) sends them. Failing the task for it
    would only run its work again."""
    try:
        wake_publisher()
    except kombu.exceptions.OperationalError as exc:
        log.warning("publish.not_woken", error=str(exc))
