"""A worker that stalls past its story lock's timeout (what a long GC pause or SIGSTOP does)."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

from storywire.stories import RedisStoryStore
from storywire.stories.model import Commit


def stall_until_lost(client: redis.Redis, store: RedisStoryStore) -> None:
    """Stand still until the store's lock has run out."""
    deadline = time.monotonic() + 10
    while client.exists(store.lock_key):
        assert time.monotonic() < deadline
        time.sleep(0.01)


def stall_before_commit(
    client: redis.Redis, slow: RedisStoryStore, meanwhile: Callable[[], object], times: int = 1
) -> list[object]:
    """Make ``slow``'s next ``times`` commits stall until its lock runs out, ``meanwhile`` (the
    other worker) run, and only then the commit be attempted; returns what meanwhile returned."""
    real = slow.commit
    done: list[object] = []

    def stalled(change: Commit) -> None:
        if len(done) < times:
            stall_until_lost(client, slow)
            done.append(meanwhile())
        real(change)

    slow.commit = stalled  # type: ignore[method-assign]
    return done
