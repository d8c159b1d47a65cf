"""Per-domain politeness in Redis: a shared token bucket with reservations, and blocks."""

from __future__ import annotations

import redis

from storywire.adapters.politeness import Budget, DomainPoliteness, Grant


def test_burst_then_reserved_slots_at_the_domain_rate(redis_client: redis.Redis) -> None:
    """A burst goes at once; the next callers get reserved slots one interval apart each."""
    polite = DomainPoliteness(redis_client, Budget(requests_per_minute=60.0, burst=3))
    assert [polite.acquire("a.com", now=100.0) for _ in range(3)] == [Grant(0.0)] * 3
    waits = [polite.acquire("a.com", now=100.0) for _ in range(3)]
    assert [round(g.wait, 6) for g in waits] == [1.0, 2.0, 3.0]
    assert all(g.reserved for g in waits)
    assert polite.acquire("b.com", now=100.0) == Grant(0.0)
    # Reserved slots were paid for: the next free token comes after them.
    assert round(polite.acquire("a.com", now=101.5).wait, 6) == 2.5


def test_prepaid_callers_go_without_taking_another_token(redis_client: redis.Redis) -> None:
    """A caller back at its reserved time goes at once and leaves the bucket alone."""
    polite = DomainPoliteness(redis_client, Budget(requests_per_minute=60.0, burst=1))
    assert polite.acquire("p.com", now=0.0) == Grant(0.0)
    slot = polite.acquire("p.com", now=0.0)
    assert slot.reserved
    assert polite.acquire("p.com", prepaid=True, now=slot.wait) == Grant(0.0)
    assert round(polite.acquire("p.com", now=2.0).wait, 6) == 0.0


def test_reservation_queue_is_bounded(redis_client: redis.Redis) -> None:
    """Past ``queue`` reserved slots, callers wait without reserving."""
    polite = DomainPoliteness(redis_client, Budget(requests_per_minute=60.0, burst=1, queue=2))
    polite.acquire("q.com", now=0.0)
    grants = [polite.acquire("q.com", now=0.0) for _ in range(4)]
    assert [g.reserved for g in grants] == [True, True, False, False]


def test_budget_is_shared_between_workers(redis_client: redis.Redis) -> None:
    """Two workers (two clients, two script objects) draw from one bucket."""
    budget = Budget(requests_per_minute=6.0, burst=2)
    other = redis.Redis(connection_pool=redis_client.connection_pool)
    first = DomainPoliteness(redis_client, budget)
    second = DomainPoliteness(other, budget)
    assert first.acquire("x.com", now=0.0).wait == 0.0
    assert second.acquire("x.com", now=0.0).wait == 0.0
    assert first.acquire("x.com", now=0.0).wait > 0
    assert second.acquire("x.com", now=0.0).wait > 0


def test_block_stops_a_domain_even_for_prepaid_callers(redis_client: redis.Redis) -> None:
    """After a 429/503 Retry-After every source of the domain waits; the longer block wins."""
    polite = DomainPoliteness(redis_client, Budget(requests_per_minute=600.0, burst=10))
    polite.block("slow.com", 300.0, now=1000.0)
    polite.block("slow.com", 10.0, now=1000.0)
    assert polite.acquire("slow.com", now=1100.0) == Grant(200.0)
    # A prepaid caller keeps what it paid: paced from the block's end, still prepaid.
    assert polite.acquire("slow.com", prepaid=True, now=1100.0) == Grant(200.0, True, True)
    assert polite.acquire("slow.com", paced=True, now=1250.0) == Grant(50.0, True, True)
    assert polite.acquire("fast.com", now=1100.0) == Grant(0.0)
    assert polite.acquire("slow.com", now=1301.0) == Grant(0.0)


def test_prepaid_callers_go_at_the_domains_pace(redis_client: redis.Redis) -> None:
    """Prepaid callers that come together (late, behind a backlog) get the domain's burst at
    once, then a time each one spacing apart; back at that time, they go without asking."""
    polite = DomainPoliteness(redis_client, Budget(requests_per_minute=60.0, burst=2))
    grants = [polite.acquire("p.com", prepaid=True, now=50.0) for _ in range(5)]
    assert grants == [Grant(0.0), Grant(0.0), Grant(1.0, True, True), Grant(2.0, True, True),
                      Grant(3.0, True, True)]  # fmt: skip
    assert polite.acquire("p.com", paced=True, now=51.0) == Grant(0.0)
    # The paced ones are paid for: the bucket's own callers are not held up by them.
    assert polite.acquire("p.com", now=51.0) == Grant(0.0)


def test_server_clock_is_used_when_no_time_is_given(redis_client: redis.Redis) -> None:
    """Workers with skewed clocks agree: without ``now`` the script reads Redis's TIME."""
    polite = DomainPoliteness(redis_client, Budget(requests_per_minute=1.0, burst=1))
    assert polite.acquire("clock.com").wait == 0.0
    assert 55.0 < polite.acquire("clock.com").wait <= 60.0


def test_a_crawl_delay_lets_one_request_through_per_delay_for_every_worker(
    redis_client: redis.Redis,
) -> None:
    """robots.txt's Crawl-delay, per origin and shared: a second worker's page waits it out."""
    one = DomainPoliteness(redis_client, Budget())
    two = DomainPoliteness(redis_client, Budget())
    assert one.spaced("https://a.test", 0.2)
    assert not two.spaced("https://a.test", 0.2)
    assert two.spaced("https://b.test", 0.2)  # another origin, its own delay
    assert 0 < redis_client.pttl("sw:crawl_delay:https://a.test") <= 200


def test_a_block_keeps_its_length_when_the_clock_steps_back(redis_client: redis.Redis) -> None:
    """A block is a time on the server's clock: stepped back an hour (NTP correcting a clock
    that ran ahead, a VM moved), a 60 s block held the domain, every feed of the outlet, for an
    hour and a minute. It lasts at most its own length from the step; a block set after it,
    and the bucket, go on as before."""
    polite = DomainPoliteness(redis_client, Budget(requests_per_minute=60.0, burst=2))
    polite.block("d.com", 60.0, now=10_000.0)
    assert polite.acquire("d.com", now=10_010.0).wait == 50.0
    stepped = 10_010.0 - 3600.0
    assert polite.acquire("d.com", now=stepped).wait == 60.0
    assert polite.acquire("d.com", now=stepped + 30.0).wait == 30.0
    assert polite.blocked_for("d.com", now=stepped + 30.0) == 30.0
    assert polite.acquire("d.com", now=stepped + 61.0) == Grant(0.0)
    assert polite.block("d.com", 600.0, now=stepped + 62.0) == stepped + 662.0
    assert polite.blocked_for("d.com", now=stepped + 62.0) == 600.0
    # A block an older version wrote (its time alone) still holds, as long as it did; and the
    # time stays a number, which an older version's worker reads beside this one.
    redis_client.set("sw:domain_block:old.com", "10060")
    assert polite.acquire("old.com", now=10_000.0).wait == 60.0
    assert polite.blocked_for("old.com", now=10_000.0) == 60.0
    assert float(redis_client.get("sw:domain_block:d.com") or b"") == stepped + 662.0
