"""The dispatch task on a real Redis: due sources go to the fetch queue, and fetches that never
finished (their leases ran out) are counted and logged, not silently handed out again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis

import tasks.dispatch
from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.adapters.redis_metrics import COUNTERS_KEY
from storywire.models import Source
from storywire.settings import Settings
from tasks.runtime import Runtime

SOURCE = Source(id="wire", url="https://wire.example/feed", outlet="Wire", domain="wire.example")


@pytest.fixture
def sent(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    runtime = Runtime(Settings(redis_url=redis_server.url))
    runtime.sources.upsert([SOURCE], now=0.0)
    monkeypatch.setattr(tasks.dispatch, "runtime", lambda: runtime)
    out: list[str] = []
    monkeypatch.setattr(
        tasks.dispatch.fetch, "delay", lambda source_id, _lease: out.append(source_id)
    )
    yield out
    runtime.redis.close()


def test_a_lease_that_ran_out_is_counted_and_its_source_polled_again(
    sent: list[str], redis_client: redis.Redis
) -> None:
    task: Any = tasks.dispatch.dispatch
    assert task.run() == 1
    assert sent == ["wire"]
    redis_client.zadd("sw:inflight", {"wire": 1.0})  # the lease ran out: the fetch never ended
    redis_client.zadd("sw:due", {"wire": 1.0})
    assert task.run() == 1
    assert sent == ["wire", "wire"]
    assert redis_client.hget(COUNTERS_KEY, "fetch:lease_lapsed") == b"1"
    assert redis_client.hget("sw:outcomes:wire", "lease_lapsed") == b"1"
