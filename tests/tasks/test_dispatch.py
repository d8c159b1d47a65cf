"""The dispatch task on a real Redis: due sources go to the fetch queue, and fetches that never
finished (their leases ran out) are counted and logged, not silently handed out again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry as RedisRetry
from structlog.testing import capture_logs

import tasks.dispatch
from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis
from storywire.adapters.redis_metrics import COUNTERS_KEY
from storywire.adapters.redis_sources import RESCHEDULE_SLICE
from storywire.models import Source
from storywire.settings import Settings
from tasks.runtime import Runtime

SOURCE = Source(id="wire", url="https://wire.example/feed", outlet="Wire", domain="wire.example")


Sent = list[tuple[str, float | None]]


@pytest.fixture
def sent(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Sent]:
    """Each fetch the dispatch sends: its source and its countdown (None: at once)."""
    runtime = Runtime(Settings(redis_url=redis_server.url))
    runtime.sources.upsert([SOURCE], now=0.0)
    monkeypatch.setattr(tasks.dispatch, "runtime", lambda: runtime)
    out: Sent = []

    def apply_async(args: tuple[str, float], countdown: float | None = None) -> None:
        out.append((args[0], countdown))

    monkeypatch.setattr(tasks.dispatch.fetch, "apply_async", apply_async)
    yield out
    runtime.redis.close()


def _ids(sent: Sent) -> list[str]:
    return [source_id for source_id, _ in sent]


def test_a_lease_that_ran_out_is_counted_and_its_source_polled_again(
    sent: Sent, redis_client: redis.Redis
) -> None:
    task: Any = tasks.dispatch.dispatch
    assert task.run() == 1
    assert _ids(sent) == ["wire"]
    redis_client.zadd("sw:inflight", {"wire": 1.0})  # the lease ran out: the fetch never ended
    redis_client.zadd("sw:due", {"wire": 1.0})
    assert task.run() == 1
    assert _ids(sent) == ["wire", "wire"]
    assert redis_client.hget(COUNTERS_KEY, "fetch:lease_lapsed") == b"1"
    assert redis_client.hget("sw:outcomes:wire", "lease_lapsed") == b"1"


def test_sources_whose_due_times_were_lost_are_polled_again_disabled_ones_not(
    sent: Sent, redis_client: redis.Redis
) -> None:
    """Redis restarted from an older snapshot, an eviction or a stray DEL took the schedule
    (``sw:due``) but not the sources: no fetch would ever set their due times again, so they
    were never polled again. Disabled sources stay off the schedule; a source in flight keeps
    its lease."""
    runtime = tasks.dispatch.runtime()
    more = [Source(id=i, url=f"https://{i}.example/feed", outlet=i, domain=f"{i}.example")
            for i in ("off", "busy")]  # fmt: skip
    runtime.sources.upsert(more, now=0.0)
    runtime.sources.disable("off", "gone for good", now=0.0)
    redis_client.zadd("sw:inflight", {"busy": 9e12})
    redis_client.delete("sw:due")
    task: Any = tasks.dispatch.dispatch

    with capture_logs() as logs:
        assert task.run() == 1
    assert _ids(sent) == ["wire"]
    assert [e["sources"] for e in logs if e["event"] == "dispatch.rescheduled"] == [["wire"]]
    assert task.run() == 0  # now on the schedule again (under its lease): nothing put back twice
    assert runtime.sources.next_poll("off") is None


def test_a_redis_without_any_source_is_reported_by_every_dispatch(
    sent: Sent, redis_client: redis.Redis
) -> None:
    """Redis restarted without its data: the beat sends dispatches that find nothing, and
    (without a `storywire run` to load the file again) only a log line can tell."""
    redis_client.flushdb()
    task: Any = tasks.dispatch.dispatch
    with capture_logs() as logs:
        assert task.run() == 0
    assert [e["log_level"] for e in logs if e["event"] == "dispatch.no_sources"] == ["warning"]


@pytest.mark.timeout(60)
def test_claims_the_broker_would_not_take_go_back_on_the_schedule(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fetch for a claimed source could not be sent (the broker away): the dispatch failed
    with a traceback, and the source stayed claimed until its lease lapsed, counted as a fetch
    that died. Now it is due again at once, with one warning."""
    runtime = Runtime(Settings(redis_url=redis_server.url))
    runtime.sources.upsert([SOURCE], now=0.0)
    monkeypatch.setattr(tasks.dispatch, "runtime", lambda: runtime)
    with embedded_redis() as broker:
        dead_broker = broker.url
    app = tasks.dispatch.dispatch.app
    monkeypatch.setitem(app.conf, "broker_url", dead_broker)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    task: Any = tasks.dispatch.dispatch
    before = time.time()
    with capture_logs() as logs:
        assert task.run() == 0
    assert [e["event"] for e in logs if e["log_level"] == "warning"] == ["dispatch.not_sent"]
    assert redis_client.zcard("sw:inflight") == 0
    assert before <= (runtime.sources.next_poll("wire") or 0) <= time.time()
    assert task.run() == 0  # the broker is still away; the source is due all the same
    assert runtime.sources.outcomes("wire") == {"not_sent": 2}
    runtime.redis.close()


def test_a_dispatch_that_finds_redis_down_is_one_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    with embedded_redis() as gone:
        runtime = Runtime(Settings(redis_url=gone.url))
    runtime.redis = redis.Redis.from_url(gone.url, retry=RedisRetry(NoBackoff(), 0))
    monkeypatch.setattr(tasks.dispatch, "runtime", lambda: runtime)
    task: Any = tasks.dispatch.dispatch
    with capture_logs() as logs:
        assert task.run() == 0
    assert [e["event"] for e in logs] == ["dispatch.unavailable"]


def test_a_schedule_lost_whole_comes_back_in_one_dispatch_slice_by_slice(
    sent: Sent, redis_client: redis.Redis
) -> None:
    """The search for lost sources reads one slice per script; once a dispatch finds one it
    reads on to the end of the sweep (other clients served between slices), so a schedule
    evicted or deleted whole is back at once, not one slice per dispatch."""
    runtime = tasks.dispatch.runtime()
    n = 3 * RESCHEDULE_SLICE
    more = [Source(id=f"s{i}", url=f"https://s{i}.example/feed", outlet="S", domain="s.example")
            for i in range(n)]  # fmt: skip
    runtime.sources.upsert(more, now=0.0)
    runtime.sources.disable("s1", "gone for good", now=0.0)
    redis_client.delete("sw:due")
    task: Any = tasks.dispatch.dispatch
    with capture_logs() as logs:
        task.run()
    assert [e["count"] for e in logs if e["event"] == "dispatch.rescheduled"] == [n]  # + wire - s1
    assert redis_client.zcard("sw:due") == n
    assert runtime.sources.next_poll("s1") is None


def test_sources_due_before_the_next_dispatch_are_fetched_at_their_own_time(
    sent: Sent, redis_client: redis.Redis
) -> None:
    """Thirty feeds of one outlet deferred to reserved slots 2 s apart were all due at the next
    dispatch (every 30 s) and fetched together: 15 requests at once to a domain allowed 5 at a
    time. A dispatch now claims what falls due before the next one and sends each fetch to
    run at its due time."""
    now = time.time()
    runtime = tasks.dispatch.runtime()
    slots = {f"slot{i}": now + 2.0 * i for i in range(1, 15)}  # within the 30 s interval
    later = Source(id="later", url="https://later.example/feed", outlet="L", domain="l.example")
    more = [Source(id=i, url=f"https://o.example/{i}", outlet="O", domain="o.example")
            for i in slots]  # fmt: skip
    runtime.sources.upsert([*more, later], now=0.0)
    redis_client.zadd("sw:due", {**slots, "later": now + 45.0})
    task: Any = tasks.dispatch.dispatch
    assert task.run() == 15
    countdowns = dict(sent)
    assert countdowns.pop("wire") is None  # due already: at once
    assert sorted(countdowns) == sorted(slots)
    for source_id, countdown in countdowns.items():
        assert countdown == pytest.approx(slots[source_id] - now, abs=1.0)
    assert runtime.sources.next_poll("later") == pytest.approx(now + 45.0)  # the next dispatch's


def test_a_dispatch_that_leaves_due_sources_behind_says_so(
    sent: Sent, redis_server: EmbeddedRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More sources due than the in-flight cap lets out: the rest wait for later dispatches,
    polled less often than their intervals. The dispatch names how many and how late."""
    runtime = Runtime(Settings(redis_url=redis_server.url, max_in_flight=2))
    monkeypatch.setattr(tasks.dispatch, "runtime", lambda: runtime)
    others = [Source(id=f"s{i}", url=f"https://s{i}.example/feed", outlet="S", domain="s.example")
              for i in range(4)]  # fmt: skip
    runtime.sources.upsert(others, now=0.0)
    task: Any = tasks.dispatch.dispatch
    with capture_logs() as logs:
        assert task.run() == 2
    (behind,) = [e for e in logs if e["event"] == "dispatch.behind"]
    assert behind["log_level"] == "warning"
    assert behind["overdue"] == 3
    assert behind["longest_wait"] > time.time() - 60
    assert behind["max_in_flight"] == 2
    with capture_logs() as logs:
        runtime.sources.finish("wire", runtime.sources.state("wire"), next_poll=time.time() + 600)
        for other in others:
            runtime.sources.finish(other.id, runtime.sources.state(other.id),
                                   next_poll=time.time() + 600)  # fmt: skip
        assert task.run() == 0
    assert not [e for e in logs if e["event"] == "dispatch.behind"]
    runtime.redis.close()
