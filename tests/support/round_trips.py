"""A Redis client that counts its round trips: what code under a lock pays once per request."""

from __future__ import annotations

import redis


class _Counting(redis.Connection):
    sent = 0  # every connection of the class: requests sent (a command, a pipeline, a script)

    def send_packed_command(self, command: object, check_health: bool = True) -> None:
        _Counting.sent += 1
        super().send_packed_command(command, check_health)  # type: ignore[no-untyped-call]


def counting_client(like: redis.Redis) -> redis.Redis:
    """A client of ``like``'s server whose round trips ``round_trips()`` counts."""
    kwargs = like.connection_pool.connection_kwargs
    return redis.Redis(connection_pool=redis.ConnectionPool(connection_class=_Counting, **kwargs))


def round_trips() -> int:
    """Requests sent so far by every ``counting_client``."""
    return _Counting.sent
