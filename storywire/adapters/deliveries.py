"""Deliveries of task messages, counted, and the poisoned messages set aside (Redis, no Celery).

Tasks are acknowledged late and rejected back to their queue when their worker process is lost,
so a message whose processing kills the process (an OOM kill, a segfault in a C library) would
come back forever, killing a worker each time. Each delivery counts itself here under its
message's key; the tasks (tasks/poison.py) refuse a message delivered too often and set it aside
in a list, with what it takes to send it again (`storywire poisoned`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import orjson
import redis

DELIVERIES_PREFIX = "sw:deliveries:"
POISONED_KEY = "sw:poisoned"
# A count outlives any redelivery loop by far, and a message acknowledged with its count left
# behind (a hard time limit) costs a small key for a day.
COUNT_FOR = 86_400
KEEP = 1000  # messages set aside; older ones are still in the worker logs


def count_delivery(client: redis.Redis, delivery: str) -> int:
    """This delivery's number: 1 the first time a message arrives, 2 when it came back..."""
    pipe = client.pipeline(transaction=False)
    pipe.incr(DELIVERIES_PREFIX + delivery)
    pipe.expire(DELIVERIES_PREFIX + delivery, COUNT_FOR)
    return int(pipe.execute()[0])


def forget_delivery(client: redis.Redis, delivery: str) -> None:
    """The message ran to an end (acknowledged, or re-sent as a retry): no count to keep."""
    client.delete(DELIVERIES_PREFIX + delivery)


def set_aside(client: redis.Redis, record: Mapping[str, Any]) -> None:
    pipe = client.pipeline(transaction=False)
    pipe.rpush(POISONED_KEY, orjson.dumps(record))
    pipe.ltrim(POISONED_KEY, -KEEP, -1)
    pipe.execute()


def poisoned(client: redis.Redis) -> list[dict[str, Any]]:
    """The messages set aside, oldest first."""
    return [orjson.loads(raw) for raw in _raw(client)]


def remove(client: redis.Redis, task_id: str) -> bool:
    """Take the message with this id off the list; False when it is not there (any more)."""
    for raw in _raw(client):
        if orjson.loads(raw)["id"] == task_id:
            return bool(client.lrem(POISONED_KEY, 1, raw.decode()))  # orjson writes UTF-8
    return False


def _raw(client: redis.Redis) -> list[bytes]:
    return cast(list[bytes], client.lrange(POISONED_KEY, 0, -1))


def brief(args: list[Any]) -> list[Any]:
    """Arguments as a log line or a listing shows them: a batch of ``[key, entry]`` pairs (the
    process task's) by its keys, the rest (source ids, times) as they are."""
    return [_keys(arg) for arg in args]


def _keys(arg: Any) -> Any:
    pairs = (
        isinstance(arg, list)
        and arg
        and all(isinstance(item, list) and len(item) == 2 for item in arg)
    )
    return [item[0] for item in arg] if pairs else arg
