"""A worker that stalls past its story lock's timeout (what a long GC pause or SIGSTOP does)."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

from storywire.stories import RedisStoryStore
from storywire.stories.model import Commit


def stall_until_lost(client: redis.Redis, store: RedisStoryStore) -> None:
    """Stand still until the store's lock has run out.

    The lock is made to run out here, its time to live (checked to be the store's lock
    timeout) cut to a millisecond: waited out, a timeout short enough for a quick test also
    ran out before the stall whenever a loaded host paused the work under the lock that
    long, and the test saw its lock lost somewhere else than where it stalls."""
    left = client.pttl(store.lock_key)
    assert 0 < left <= store.lock_timeout * 1000, left
    client.pexpire(store.lock_key, 1)
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
