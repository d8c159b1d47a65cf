"""The delivery guard every task runs under (``tasks.options.task``).

A message whose run kills its worker process is rejected back to its queue (late acks,
reject_on_worker_lost) and would kill one worker after another, forever. Each delivery counts
itself in Redis (storywire.adapters.deliveries); a message delivered more often than
STORYWIRE_TASK_MAX_DELIVERIES is set aside with its arguments, logged and counted, and ends
without an error, so the worker acknowledges it. ``storywire poisoned`` lists, requeues or
drops what was set aside.

A message of another release is run too (a rolling deploy mixes releases on one broker): one
with arguments this release's task does not take runs without them (``_fitted``).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import redis
from celery import Task
from celery.exceptions import Reject

from storywire.adapters.deliveries import brief, count_delivery, forget_delivery, set_aside
from storywire.adapters.redis_metrics import count
from tasks.common import TRANSIENT, log, refuses_writes, retry_later
from tasks.runtime import runtime

F = TypeVar("F", bound=Callable[..., Any])


def guarded(run: F) -> F:
    """``run`` (a bound task's body), refused once its message was delivered too often."""
    fit = _fitted(run)

    @functools.wraps(run)
    def guard(self: Task[Any, Any], *args: Any, **kwargs: Any) -> Any:
        request = self.request
        if request.is_eager or not request.id:
            return run(self, *args, **kwargs)  # a direct or eager call: no broker, no redelivery
        # Caught here, once for every Redis call of every task, the delivery count's first:
        # failed and acknowledged, a process batch was lost for good (its fetch had marked its
        # entries seen).
        try:
            return deliver(self, *args, **kwargs)
        except redis.ResponseError as exc:
            if not refuses_writes(exc):
                raise
            raise retry_later(self, exc) from exc

    def deliver(self: Task[Any, Any], *args: Any, **kwargs: Any) -> Any:
        request = self.request
        rt = runtime()
        # A retry is a new message under the same id, so the retry number is part of the key.
        delivery = f"{request.id}:{request.retries}"
        try:
            times = count_delivery(rt.redis, delivery)
        except TRANSIENT as exc:
            raise retry_later(self, exc) from exc
        if times > rt.settings.task_max_deliveries:
            record = {
                "id": request.id, "task": self.name, "args": list(args), "kwargs": kwargs,
                "retries": request.retries, "deliveries": times,
                "at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            }  # fmt: skip
            try:
                _set_aside(rt.redis, record)
            except (*TRANSIENT, redis.ResponseError) as exc:
                if isinstance(exc, redis.ResponseError) and not refuses_writes(exc):
                    raise
                # Unrecorded, it must not be acknowledged into nothing: back to its queue, to
                # be set aside on a later delivery.
                raise Reject(exc, requeue=True) from exc
            return None
        # A run that returns or raises is acknowledged (or re-sent as a retry): its count goes.
        # One that ends the process (SystemExit, a kill, a crash) leaves it for the next.
        try:
            known, named = fit(self, args, kwargs)
            result = run(self, *known, **named)
        except Exception:
            _forget(rt.redis, delivery)
            raise
        _forget(rt.redis, delivery)
        return result

    return cast(F, guard)


def _fitted(
    run: Callable[..., Any],
) -> Callable[
    [Task[Any, Any], tuple[Any, ...], dict[str, Any]], tuple[tuple[Any, ...], dict[str, Any]]
]:
    """What a delivered message's arguments are for ``run``: the positional ones it takes and
    the keywords it knows. During a rolling deploy a newer release's worker or beat
    sends messages with an argument added since (a fetch's ``lease_until`` once), which this
    release failed with a TypeError: the message acknowledged, a fetch's poll lost until its
    lease lapsed, a process batch lost for good (its entries marked seen). Run without them, a
    message does what this release does. A worker's own calls (eager, direct) stay strict."""
    params = list(inspect.signature(run).parameters.values())[1:]  # after the bound task
    kinds = {p.kind for p in params}
    most = (
        None
        if inspect.Parameter.VAR_POSITIONAL in kinds
        else len([p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
    )
    names = (
        None
        if inspect.Parameter.VAR_KEYWORD in kinds
        else {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    )

    def fit(
        task: Task[Any, Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        extra = 0 if most is None else max(0, len(args) - most)
        unknown = [] if names is None else sorted(set(kwargs) - names)
        if extra or unknown:
            log.warning("task.arguments_ignored", task=task.name, extra_args=extra,
                        unknown_kwargs=unknown,
                        hint="sent by a newer release (a rolling deploy): docs/operations.md, "
                        "Upgrades and rollbacks")  # fmt: skip
        return args[: len(args) - extra], {k: v for k, v in kwargs.items() if k not in unknown}

    return fit


def _set_aside(client: redis.Redis, record: dict[str, Any]) -> None:
    set_aside(client, record)
    with contextlib.suppress(redis.RedisError):  # recorded already: the metric may miss one
        count(client, {f"poisoned:{record['task']}": 1})
    log.error("task.poisoned", task_id=record["id"], task=record["task"],
              deliveries=record["deliveries"], args=brief(record["args"]),
              kwargs=record["kwargs"])  # fmt: skip


def _forget(client: redis.Redis, delivery: str) -> None:
    # The message is done with either way; a count left behind only lapses a day later.
    with contextlib.suppress(redis.RedisError):
        forget_delivery(client, delivery)
