"""Poison messages: a message whose processing kills its worker process comes back (late acks,
reject_on_worker_lost); past STORYWIRE_TASK_MAX_DELIVERIES deliveries it is set aside, with its
arguments, instead of killing one worker after another. Deliveries here go through the tracer a
worker runs each message with; a death is a SystemExit, which ends a worker's child just so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery.app.trace import build_tracer
from celery.exceptions import Reject, Retry

import tasks.poison
import tasks.process
import tasks.publish
from storywire.adapters.deliveries import POISONED_KEY, poisoned
from storywire.adapters.embedded_redis import EmbeddedRedis, free_port
from storywire.adapters.redis_metrics import COUNTERS_KEY
from storywire.settings import Settings
from tasks.runtime import Runtime
from tests.tasks.fakes import ARGS, SOURCE, CountingPublish


@pytest.fixture
def rt(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    runtime = Runtime(Settings(redis_url=redis_server.url, task_max_deliveries=3))
    runtime.sources.upsert([SOURCE], now=0.0)
    for module in (tasks.poison, tasks.process, tasks.publish):
        monkeypatch.setattr(module, "runtime", lambda: runtime)
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    yield runtime
    runtime.redis.close()


def _deliver(task: Any, task_id: str, args: list[Any], retries: int = 0) -> Any:
    """One delivery of one message, run as a worker runs it."""
    request = {"id": task_id, "retries": retries, "delivery_info": {"routing_key": "process"}}
    return build_tracer(task.name, task, eager=False, app=task.app)(task_id, args, {}, request)


def _dies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The batch kills the process that runs it (an OOM kill, a segfault in a C library)."""
    runs: list[int] = []

    def die(*_: Any, **__: Any) -> None:
        runs.append(1)
        raise SystemExit(137)

    monkeypatch.setattr(tasks.process, "process_entries", die)
    return runs


def test_a_message_delivered_past_the_cap_is_set_aside_with_its_arguments(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three deliveries die; the fourth is not run: recorded with its task, id and arguments,
    counted, and it ends without an error, so the worker acknowledges it."""
    runs = _dies(monkeypatch)
    for _ in range(3):
        with pytest.raises(SystemExit):
            _deliver(tasks.process.process, "t-1", ARGS)
    assert len(runs) == 3
    done = _deliver(tasks.process.process, "t-1", ARGS)
    assert len(runs) == 3
    assert done.retval is None
    assert done.info is None or done.info.state == "SUCCESS"
    (record,) = poisoned(rt.redis)
    assert record["id"] == "t-1"
    assert record["task"] == "storywire.process"
    assert record["args"] == ARGS
    assert record["kwargs"] == {}
    assert record["deliveries"] == 4
    assert rt.redis.hget(COUNTERS_KEY, "poisoned:storywire.process") == b"1"
    # Every later delivery of that message is set aside again rather than run.
    _deliver(tasks.process.process, "t-1", ARGS)
    assert len(runs) == 3
    assert rt.redis.llen(POISONED_KEY) == 2


def test_a_delivery_that_ends_leaves_no_count_and_a_retry_counts_afresh(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task that returns or raises is acknowledged (or re-sent as a retry, a new message under
    the same id), so only deaths add up: such a message runs as often as it is delivered."""
    for _ in range(5):
        _deliver(tasks.publish.publish, "p-1", [])
    assert rt.redis.keys("sw:deliveries:*") == []
    runs = _dies(monkeypatch)
    for retries in range(4):
        with pytest.raises(SystemExit):
            _deliver(tasks.process.process, "t-2", ARGS, retries=retries)
    assert len(runs) == 4
    assert poisoned(rt.redis) == []


def test_an_eager_or_direct_call_is_not_a_delivery(rt: Runtime) -> None:
    """``apply`` and a plain call never met a broker: nothing to count, nothing to refuse."""
    for _ in range(5):
        assert tasks.publish.publish.apply().successful()
    assert rt.redis.keys("sw:deliveries:*") == []


def test_a_redis_hiccup_before_the_count_is_retried_like_any_in_the_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The count is the first thing every delivery asks Redis; unreachable, the message comes
    back later with backoff, as the task's own Redis errors do, rather than failing for good."""
    down = Runtime(Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    monkeypatch.setattr(tasks.poison, "runtime", lambda: down)
    task: Any = tasks.publish.publish
    monkeypatch.setattr(task, "retry", lambda *, exc, **_: Retry(exc=exc))
    task.push_request(id="p-2", retries=0)
    try:
        with pytest.raises(Retry) as retried:
            task.run()
    finally:
        task.pop_request()
    assert isinstance(retried.value.exc, redis.ConnectionError)


def test_a_message_redis_cannot_set_aside_goes_back_to_its_queue(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the cap, with Redis failing as the message is set aside: rejected back to its queue
    (to be set aside on a later delivery), neither run nor acknowledged into nothing."""
    runs = _dies(monkeypatch)
    rt.redis.set("sw:deliveries:t-9:0", 3)

    def down(*_: Any) -> None:
        raise redis.ConnectionError("Redis restarting")

    monkeypatch.setattr(tasks.poison, "set_aside", down)
    task: Any = tasks.process.process
    task.push_request(id="t-9", retries=0)
    try:
        with pytest.raises(Reject) as rejected:
            task.run(*ARGS)
    finally:
        task.pop_request()
    assert rejected.value.requeue
    assert runs == []


@pytest.mark.parametrize(
    ("reply", "retried"),
    [
        (redis.ResponseError("MISCONF Errors writing to the AOF file: No space left on device"),
         True),
        (redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'."),
         True),
        (redis.exceptions.ReadOnlyError("You can't write against a read only replica."), True),
        (redis.ResponseError("Command # 1 (INCRBY sw:deliveries:t:0 1) of pipeline caused "
                             "error: MISCONF Redis is configured to save RDB snapshots, but it's "
                             "currently unable to persist to disk."), True),
        (redis.ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value"),
         False),
    ],
)  # fmt: skip
def test_a_redis_refusing_writes_is_retried_and_another_error_reply_is_not(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, reply: redis.ResponseError, retried: bool
) -> None:
    """A full disk, maxmemory or a failover's replica is an outage, whichever Redis call of the
    task meets it (acknowledged, a process batch was lost: its fetch marked it seen); any
    other error reply is a bug and fails the task, as before."""

    def refused(*_: Any, **__: Any) -> None:
        raise reply

    monkeypatch.setattr(tasks.process, "process_entries", refused)
    task: Any = tasks.process.process
    monkeypatch.setattr(task, "retry", lambda *, exc, **_: Retry(exc=exc))
    task.push_request(id="t-r", retries=0)
    try:
        with pytest.raises(Retry if retried else type(reply)) as raised:
            task.run(*ARGS)
    finally:
        task.pop_request()
    if retried:
        assert raised.value.exc is reply
