"""Source scheduling in Redis: atomic claims, leases that expire, state that round-trips."""

from __future__ import annotations

import redis

from storywire.adapters.redis_sources import RedisSourceStore
from storywire.models import Source
from storywire.sources import SourceState


def _sources(n: int) -> list[Source]:
    return [
        Source(id=f"s{i}", url=f"https://x{i}.com/feed", outlet=f"X{i}", domain=f"x{i}.com")
        for i in range(n)
    ]


def test_claim_is_exclusive_and_capped(redis_client: redis.Redis) -> None:
    """Due sources are handed out once, at most ``cap`` in flight."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(5), now=100.0)
    first = store.claim_due(now=100.0, lease=60.0, cap=3)
    second = store.claim_due(now=100.0, lease=60.0, cap=3)
    assert len(first) == 3
    assert second == []
    store.finish(first[0], SourceState(), next_poll=500.0)
    assert len(store.claim_due(now=101.0, lease=60.0, cap=3)) == 1


def test_expired_lease_makes_a_source_due_again(redis_client: redis.Redis) -> None:
    """A fetch that died without finishing does not lose its source: the lease runs out."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(1), now=100.0)
    assert store.claim_due(now=100.0, lease=60.0, cap=10) == ["s0"]
    assert store.claim_due(now=150.0, lease=60.0, cap=10) == []
    assert store.claim_due(now=161.0, lease=60.0, cap=10) == ["s0"]


def test_upsert_keeps_schedule_and_state_round_trips(redis_client: redis.Redis) -> None:
    """Re-registering a known source keeps its due time; the health record survives Redis."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(1), now=100.0)
    state = SourceState(etag='"e"', consecutive_failures=2, last_error="timeout: slow")
    store.finish("s0", state, next_poll=900.0)
    store.upsert(_sources(1), now=200.0)
    assert store.next_poll("s0") == 900.0
    assert store.state("s0") == state


def test_unseen_reports_new_and_changed_entries(redis_client: redis.Redis) -> None:
    """Only entries with a new key or a changed hash come back."""
    store = RedisSourceStore(redis_client)
    store.mark_seen("s0", {"a": "1", "b": "2"})
    assert store.unseen("s0", {"a": "1", "b": "3", "c": "4"}) == {"b": "2", "c": None}
