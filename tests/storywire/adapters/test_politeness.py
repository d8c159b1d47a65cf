"""Per-domain politeness in Redis: a shared token bucket and Retry-After blocks."""

from __future__ import annotations

import redis

from storywire.adapters.politeness import Budget, DomainPoliteness


def test_burst_then_spacing_per_domain(redis_client: redis.Redis) -> None:
    """A burst goes at once; the next request waits 1/rate; other domains are unaffected."""
    polite = DomainPoliteness(redis_client, Budget(requests_per_minute=60.0, burst=3))
    assert [polite.acquire("a.com", now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = polite.acquire("a.com", now=100.0)
    assert 0.9 <= wait <= 1.0
    assert polite.acquire("b.com", now=100.0) == 0.0
    assert polite.acquire("a.com", now=101.5) == 0.0


def test_budget_is_shared_between_workers(redis_client: redis.Redis) -> None:
    """Two workers (two clients, two script objects) draw from one bucket."""
    budget = Budget(requests_per_minute=6.0, burst=2)
    other = redis.Redis(connection_pool=redis_client.connection_pool)
    first = DomainPoliteness(redis_client, budget)
    second = DomainPoliteness(other, budget)
    assert first.acquire("x.com", now=0.0) == 0.0
    assert second.acquire("x.com", now=0.0) == 0.0
    assert first.acquire("x.com", now=0.0) > 0
    assert second.acquire("x.com", now=0.0) > 0


def test_block_stops_a_domain_and_the_longer_block_wins(redis_client: redis.Redis) -> None:
    """After a 429/503 Retry-After, every source of the domain waits; a shorter one can't shorten."""
    polite = DomainPoliteness(redis_client, Budget(requests_per_minute=600.0, burst=10))
    polite.block("slow.com", 300.0, now=1000.0)
    polite.block("slow.com", 10.0, now=1000.0)
    assert polite.acquire("slow.com", now=1100.0) == 200.0
    assert polite.acquire("fast.com", now=1100.0) == 0.0
    assert polite.acquire("slow.com", now=1301.0) == 0.0


def test_server_clock_is_used_when_no_time_is_given(redis_client: redis.Redis) -> None:
    """Workers with skewed clocks agree: without ``now`` the script reads Redis's TIME."""
    polite = DomainPoliteness(redis_client, Budget(requests_per_minute=1.0, burst=1))
    assert polite.acquire("clock.com") == 0.0
    assert 55.0 < polite.acquire("clock.com") <= 60.0
