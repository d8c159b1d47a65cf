"""Source scheduling in Redis: atomic claims, leases that expire, state that round-trips."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import redis

from storywire.adapters.redis_sources import RESCHEDULE_SLICE, Claim, RedisSourceStore
from storywire.models import Source
from storywire.seen import SeenRecord, decode, encode
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
    first = store.claim_due(now=100.0, lease=60.0, cap=3).claimed
    second = store.claim_due(now=100.0, lease=60.0, cap=3).claimed
    assert len(first) == 3
    assert second == []
    store.finish(first[0], SourceState(), next_poll=500.0)
    assert len(store.claim_due(now=101.0, lease=60.0, cap=3).claimed) == 1


def test_expired_lease_makes_a_source_due_again(redis_client: redis.Redis) -> None:
    """A fetch that died without finishing does not lose its source: the lease runs out."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(1), now=100.0)
    assert store.claim_due(now=100.0, lease=60.0, cap=10).claimed == ["s0"]
    assert store.claim_due(now=150.0, lease=60.0, cap=10).claimed == []
    assert store.claim_due(now=161.0, lease=60.0, cap=10).claimed == ["s0"]


def test_leases_that_run_out_in_a_row_are_counted_and_back_the_source_off(
    redis_client: redis.Redis,
) -> None:
    """A fetch that never finishes (its worker killed by the feed, or hung) is seen: each lapse
    is counted on the source and named by the claim; the first is polled again at once (a
    worker restarted under it), each further one in a row waits twice as long, so a feed that
    kills its worker cannot do it every lease; a finished poll ends the run."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(1), now=100.0)
    assert store.claim_due(now=100.0, lease=60.0, cap=10) == Claim(["s0"], [])
    assert store.claim_due(now=161.0, lease=60.0, cap=10) == Claim(["s0"], ["s0"])
    assert store.claim_due(now=222.0, lease=60.0, cap=10) == Claim([], ["s0"])
    assert store.next_poll("s0") == 222.0 + 60.0
    assert store.claim_due(now=282.0, lease=60.0, cap=10) == Claim(["s0"], [])
    assert store.claim_due(now=343.0, lease=60.0, cap=10) == Claim([], ["s0"])
    assert store.next_poll("s0") == 343.0 + 120.0
    assert store.outcomes("s0") == {"lease_lapsed": 3}
    store.claim_due(now=463.0, lease=60.0, cap=10)
    store.finish("s0", SourceState(polls=1), next_poll=500.0, counts=("ok",))
    assert store.claim_due(now=500.0, lease=60.0, cap=10) == Claim(["s0"], [])
    assert store.claim_due(now=561.0, lease=60.0, cap=10) == Claim(["s0"], ["s0"])


def test_a_claim_ahead_takes_what_falls_due_by_then_with_its_time_and_a_lease_from_then(
    redis_client: redis.Redis,
) -> None:
    """``ahead``: the sources due before the next dispatch are claimed now, with their due
    times so each is fetched at its own; their lease runs from the end of the window, and a
    lapse in a row still waits a lease before the next claim."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(3), now=100.0)
    redis_client.zadd("sw:due", {"s1": 110.0, "s2": 140.0})
    assert store.claim_due(now=100.0, lease=60.0, cap=10, ahead=30.0) == Claim(
        ["s0", "s1"], [], {"s1": 110.0}
    )
    assert redis_client.zscore("sw:inflight", "s1") == 100.0 + 30.0 + 60.0
    assert store.claim_due(now=191.0, lease=60.0, cap=10, ahead=30.0).claimed == [
        "s2", "s0", "s1"
    ]  # fmt: skip
    # s2's first lapse is polled again at once; s0's second in a row waits a lease.
    assert store.claim_due(now=282.0, lease=60.0, cap=10, ahead=30.0).claimed == ["s2"]
    assert store.next_poll("s0") == 282.0 + 60.0


def test_a_lease_running_out_between_dispatches_is_a_lapse_whatever_their_cadence(
    redis_client: redis.Redis,
) -> None:
    """Dispatches come every ``ahead`` seconds, so a lease always ends within the window a
    dispatch claims ahead: the source whose fetch died was claimed again as merely due, the
    lapse never counted nor logged, and a feed that kills its worker was polled again at
    every lease, never backed off. A source under a lease is claimed only once the lease has
    run out, as a lapse."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(2), now=100.0)
    redis_client.zadd("sw:due", {"s1": 10_000.0})
    lapsed: list[str] = []
    claims: list[float] = []
    for now in range(100, 1000, 30):  # the beat's cadence; every fetch sent dies
        claim = store.claim_due(now=float(now), lease=60.0, cap=10, ahead=30.0)
        lapsed += claim.lapsed
        claims += [float(now)] * len(claim.claimed)
    # Leases end at 190, 280, 400, 580 and 880: the first lapse is claimed at once, the next
    # due a lease (60 s) after it, then 120, 240 s (each claimed by the dispatch before).
    assert claims == [100.0, 190.0, 310.0, 490.0, 790.0], claims
    assert lapsed == ["s0"] * 5
    assert store.outcomes("s0") == {"lease_lapsed": 5}
    assert store.outcomes("s1") == {}


def test_a_host_clock_stepped_back_delays_no_poll_and_no_lapse(redis_client: redis.Redis) -> None:
    """Due times and leases are epoch times: a clock stepped back an hour (NTP correcting a
    clock that ran ahead) left every poll an hour late, and a fetch that died under its
    lease was polled again an hour late too. A claim that finds its time more than
    CLOCK_STEP before an earlier claim's moves what is scheduled after it back by the step:
    each source keeps the wait it was given. A smaller step (a dispatch that ran late) is
    left alone."""
    t, hour = 1_000_000.0, 3600.0
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(3), now=t)
    assert store.claim_due(now=t, lease=60.0, cap=10).claimed == ["s0", "s1", "s2"]
    store.finish("s0", SourceState(), next_poll=t + 600.0, lease_until=t + 60.0)
    store.finish("s1", SourceState(), next_poll=t + 30.0, lease_until=t + 60.0)
    # s2's fetch is in flight (or died) under its lease, t + 60; then the clock steps back.
    now = t - hour
    assert store.claim_due(now=now, lease=60.0, cap=10) == Claim([], [], {}, hour)
    assert store.next_poll("s0") == now + 600.0
    assert store.next_poll("s1") == now + 30.0
    assert store.claim_due(now=now + 30.0, lease=60.0, cap=10).claimed == ["s1"]
    assert store.claim_due(now=now + 61.0, lease=60.0, cap=10) == Claim(["s2"], ["s2"])
    for source_id, lease_until in (("s1", now + 90.0), ("s2", now + 121.0)):
        store.finish(source_id, SourceState(), next_poll=now + 5000.0, lease_until=lease_until)
    assert store.claim_due(now=now + 600.0, lease=60.0, cap=10).claimed == ["s0"]
    # s0's fetch finishes under the claim it was sent for, whatever the clock did
    assert store.finish("s0", SourceState(), next_poll=now + 900.0, lease_until=now + 660.0)
    # A claim that runs a little behind the last one (a late dispatch) moves nothing.
    assert store.claim_due(now=now + 500.0, lease=60.0, cap=10) == Claim([], [])
    assert store.next_poll("s0") == now + 900.0


def test_upsert_keeps_schedule_and_state_round_trips(redis_client: redis.Redis) -> None:
    """Re-registering a known source keeps its due time; the health record survives Redis."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(1), now=100.0)
    state = SourceState(etag='"e"', consecutive_failures=2, last_error="timeout: slow")
    store.finish("s0", state, next_poll=900.0)
    store.upsert(_sources(1), now=200.0)
    assert store.next_poll("s0") == 900.0
    assert store.state("s0") == state


def test_seen_records_read_back_what_mark_seen_stored(redis_client: redis.Redis) -> None:
    """Each entry's record comes back as stored, histories included; an entry never stored
    has none; a hash stored before histories existed reads as a history of one."""
    store = RedisSourceStore(redis_client)
    flapping = encode(SeenRecord("2", ("1", "0"), pending="1", streak=2))
    store.mark_seen("s0", {"a": "1", "b": flapping}, now=0.0)
    redis_client.hset("sw:seen:s0", "legacy", "9f86d081884c7d65")  # as an older version wrote
    stored = store.seen_records("s0", ["a", "b", "c", "legacy"])
    assert stored == {"a": "1", "b": flapping, "legacy": "9f86d081884c7d65"}
    assert decode(stored["legacy"]) == SeenRecord("9f86d081884c7d65")
    assert store.seen_records("s0", []) == {}


def test_seen_records_of_a_whole_poll_is_one_command(redis_client: redis.Redis) -> None:
    """Fifty entries' records in one HMGET: histories cost no extra round trip."""
    store = RedisSourceStore(redis_client)
    store.mark_seen("s0", {f"e{n}": f"{n},{n + 1}" for n in range(50)}, now=0.0)
    redis_client.config_resetstat()
    assert len(store.seen_records("s0", [f"e{n}" for n in range(50)])) == 50
    stats = redis_client.info("commandstats")
    calls = {name: v["calls"] for name, v in stats.items() if "config" not in name}
    assert calls == {"cmdstat_hmget": 1}


def test_keys_of_entries_long_gone_from_the_feed_are_forgotten(redis_client: redis.Redis) -> None:
    """A key no poll has listed for the retention goes (so a never-ending poll does not grow a
    source's keys by every entry it ever carried); a key still listed stays however old; a poll
    that listed nothing (a 304) forgets nothing."""
    store = RedisSourceStore(redis_client)
    day = 86400.0
    store.mark_seen("s0", {"old": "1", "kept": "2"}, now=0.0, forget_after=30 * day)
    for when in (10 * day, 20 * day, 29 * day):  # "kept" is still in the feed, "old" left it
        assert store.mark_seen("s0", {}, listed=["kept"], now=when, forget_after=30 * day) == 0
    assert store.mark_seen("s0", {}, now=45 * day, forget_after=30 * day) == 0  # a 304
    assert store.mark_seen("s0", {"new": "3"}, listed=["kept"], now=45 * day,
                           forget_after=30 * day) == 1  # fmt: skip
    assert set(store.seen_records("s0", ["old", "kept", "new"])) == {"kept", "new"}
    assert redis_client.zrange("sw:seenat:s0", 0, -1) == [b"kept", b"new"]
    store.mark_seen("s0", {}, listed=["kept"], now=100 * day)  # no retention: nothing goes
    assert store.seen_records("s0", ["new"]) == {"new": "3"}


def test_keys_remembered_before_stamps_existed_are_forgotten_too(
    redis_client: redis.Redis,
) -> None:
    """A store written before listings were stamped holds entries with no stamp: the first
    poll starts their clock, so they go a retention later unless the feed lists them again."""
    store = RedisSourceStore(redis_client)
    day = 86400.0
    redis_client.hset("sw:seen:s0", mapping={"legacy": "1", "back": "2"})  # no sw:seenat
    assert store.mark_seen("s0", {"new": "3"}, now=10 * day, forget_after=30 * day) == 0
    assert store.mark_seen("s0", {}, listed=["back"], now=35 * day, forget_after=30 * day) == 0
    assert store.mark_seen("s0", {}, listed=["back"], now=41 * day, forget_after=30 * day) == 2
    assert store.seen_records("s0", ["legacy", "back", "new"]) == {"back": "2"}


def test_outcomes_are_counted_and_deferral_is_not_a_failure(redis_client: redis.Redis) -> None:
    """Each poll's outcomes add to the source's counters; a deferral releases the lease only."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(1), now=100.0)
    store.claim_due(now=100.0, lease=60.0, cap=10)
    store.finish("s0", SourceState(polls=1), next_poll=200.0, counts=("ok", "warning"))
    store.claim_due(now=200.0, lease=60.0, cap=10)
    store.defer("s0", 230.0)
    assert store.outcomes("s0") == {"deferred": 1, "ok": 1, "warning": 1}
    assert store.next_poll("s0") == 230.0
    assert store.state("s0").consecutive_failures == 0
    assert store.claim_due(now=231.0, lease=60.0, cap=10).claimed == ["s0"]


def test_a_source_given_a_new_url_starts_what_the_old_url_taught_afresh(
    redis_client: redis.Redis,
) -> None:
    """Loading a file (or `sources add`) that gives a known source another URL kept the old
    URL's record: its ETag and Last-Modified went to the new URL (whose 304 would hide its
    entries), its redirect run went on, and its failure run, backoff and disabling held the new
    URL back. Now the new URL is due now, with none of those; what the record tells of the
    outlet (its pace, newest entry, counters, history) stays."""
    store = RedisSourceStore(redis_client)
    (source,) = _sources(1)
    store.upsert([source], now=100.0)
    learnt = SourceState(etag='"old"', last_modified="Mon, 01 Jan 2026 00:00:00 GMT",
                         interval=21600.0, consecutive_failures=30, failing_since=1.0,
                         last_error="http_404: HTTP 404", last_outcome="http_404", polls=90,
                         entries_seen=400, rate_gap=3600.0, newest_entry=50.0,
                         redirect_url="https://x0.com/elsewhere", redirect_count=2,
                         disabled_reason="failing for 80 h", disabled_at=90.0,
                         undated_keys="abc", last_success=5.0)  # fmt: skip
    store.finish("s0", learnt, next_poll=None)
    redis_client.hset("sw:lapses", "s0", 2)  # a run of leases that ran out, before the disable
    moved = replace(source, url="https://x0.com/new-feed")
    assert store.upsert([moved], now=200.0) == {"s0": source.url}
    assert store.get("s0") == moved
    assert store.next_poll("s0") == 200.0
    assert store.state("s0") == replace(
        learnt, etag=None, last_modified=None, interval=None, consecutive_failures=0,
        failing_since=None, redirect_url=None, redirect_count=0, disabled_reason=None,
        disabled_at=None, undated_keys=None,
    )  # fmt: skip
    # a fresh run of leases: the next lapse is the first, polled again at once
    assert store.claim_due(now=200.0, lease=60.0, cap=10).claimed == ["s0"]
    assert store.claim_due(now=261.0, lease=60.0, cap=10) == Claim(["s0"], ["s0"])
    # the same URL again changes nothing
    store.finish("s0", replace(learnt, disabled_reason=None), next_poll=900.0)
    assert store.upsert([moved], now=300.0) == {}
    assert store.next_poll("s0") == 900.0
    assert store.state("s0").etag == '"old"'


def test_a_lowered_max_interval_brings_a_distant_next_poll_within_it(
    redis_client: redis.Redis,
) -> None:
    """An operator who lowers a source's max_interval (`sources add ID URL --max-interval
    600`, a sources file) wants it polled that often: its next poll stayed where the old
    bound put it, hours away. It comes at most the new bound after the last poll (at once
    when that is past); a poll sooner stays, a raised bound changes nothing, a source under a
    claim keeps its lease, and a server's Retry-After (a failing 429 or 503) keeps its wait."""
    store = RedisSourceStore(redis_client)
    sources = _sources(4)
    store.upsert(sources, now=0.0)
    quiet = SourceState(last_attempt=100.0, interval=18000.0, last_outcome="ok")
    for source in sources:
        store.finish(source.id, quiet, next_poll=18100.0)
    told_to_wait = replace(quiet, consecutive_failures=1, last_status=429,
                           last_outcome="http_429")  # fmt: skip
    store.finish("s2", told_to_wait, next_poll=80000.0)
    store.claim_due(now=18100.0 - 30.0, lease=300.0, cap=1, ahead=30.0)  # s0 (first by id)
    lowered = [replace(s, max_interval=600.0) for s in sources]
    store.upsert(lowered, now=160.0)
    assert [store.next_poll(s.id) for s in sources] == [18400.0, 700.0, 80000.0, 700.0]
    store.finish("s1", quiet, next_poll=18100.0)
    store.finish("s3", quiet, next_poll=400.0)
    store.upsert([replace(s, max_interval=60.0) for s in sources[1:2]], now=1000.0)
    assert store.next_poll("s1") == 1000.0  # its last poll's bound is past: due now
    store.upsert([replace(s, max_interval=900.0) for s in sources[3:]], now=1000.0)
    store.upsert(lowered[3:], now=1000.0)  # the same bound again
    assert store.next_poll("s3") == 400.0


def test_disable_and_enable(redis_client: redis.Redis) -> None:
    """A disabled source is unscheduled with its reason; enabling makes it due now, clean."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(1), now=100.0)
    store.finish("s0", SourceState(consecutive_failures=30, failing_since=1.0), next_poll=500.0)
    assert store.disable("s0", "operator: feed retired", now=150.0)
    assert store.next_poll("s0") is None
    assert store.state("s0").disabled_reason == "operator: feed retired"
    assert store.enable("s0", now=160.0)
    state = store.state("s0")
    assert (state.disabled_reason, state.consecutive_failures, state.failing_since) == (
        None, 0, None,
    )  # fmt: skip
    assert store.next_poll("s0") == 160.0
    assert not store.enable("nope", now=1.0)


def test_set_url_keeps_state(redis_client: redis.Redis) -> None:
    """A confirmed permanent redirect changes the URL and nothing else."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(1), now=100.0)
    store.finish("s0", SourceState(etag='"e"'), next_poll=500.0)
    moved = store.set_url("s0", "https://new.example/feed")
    assert moved is not None
    assert store.get("s0") == moved
    assert store.state("s0").etag == '"e"'
    assert store.next_poll("s0") == 500.0


def test_a_deferral_does_not_end_a_run_of_lapsed_leases(redis_client: redis.Redis) -> None:
    """A deferral polls nothing, so it proves nothing about the feed: a feed whose fetches kill
    their worker spends its domain's budget on the redeliveries, and the next run is deferred.
    Were that to end the run, such a feed would never be backed off."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(1), now=100.0)
    store.claim_due(now=100.0, lease=60.0, cap=10)
    assert store.claim_due(now=161.0, lease=60.0, cap=10) == Claim(["s0"], ["s0"])
    store.defer("s0", 170.0)
    assert store.claim_due(now=170.0, lease=60.0, cap=10) == Claim(["s0"], [])
    assert store.claim_due(now=231.0, lease=60.0, cap=10) == Claim([], ["s0"])
    assert store.next_poll("s0") == 231.0 + 60.0


def test_letting_go_of_a_skipped_source_undoes_no_enable_and_no_addition(
    redis_client: redis.Redis,
) -> None:
    """A fetch lets go of the source it skipped: a removed one leaves the schedule even when a
    late poll put it back, while one enabled since the fetch looked stays due."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(2), now=100.0)
    store.claim_due(now=100.0, lease=60.0, cap=10)
    store.remove("s0")
    store.finish("s0", SourceState(polls=1), next_poll=200.0)  # a poll that ended after it
    store.let_go("s0")
    store.disable("s1", "by operator", now=100.0)
    store.enable("s1", now=110.0)
    store.let_go("s1")
    assert (store.next_poll("s0"), store.next_poll("s1")) == (None, 110.0)
    assert store.claim_due(now=300.0, lease=60.0, cap=10) == Claim(["s1"], [])


def test_a_deferral_or_a_finish_after_a_removal_leaves_nothing_of_the_source(
    redis_client: redis.Redis,
) -> None:
    """A fetch that ends after its source was removed (deferred for its domain's budget, or
    polled) wrote its outcome counts, reservation and health record back under the removed
    id, where nothing would ever remove them."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(2), now=100.0)
    store.claim_due(now=100.0, lease=60.0, cap=10)
    store.remove("s0")
    store.remove("s1")
    store.defer("s0", 170.0, reserved=True)
    store.defer("s0", 171.0, paced=True)
    store.mark_seen("s1", {"k": "h"}, now=100.0, forget_after=10.0)
    store.finish("s1", SourceState(polls=1), next_poll=200.0, counts=("ok",))
    # Left: only the claim's answer, kept a minute, and the time of the latest claim.
    left = [k for k in redis_client.scan_iter() if not k.startswith(b"sw:claim:")]
    assert left == [b"sw:clock"]


def test_a_claim_sent_again_after_its_reply_was_lost_hands_out_the_same_sources(
    redis_client: redis.Redis,
) -> None:
    """redis-py runs a script again when the connection drops before its reply (a reset, a
    Redis restart). The second run found the first's sources under lease and returned none:
    no fetch was sent for them, and they waited out their lease as fetches that died."""
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(3), now=100.0)
    redis_client.zadd("sw:inflight", {"s2": 90.0})  # a lease that ran out, for the lapsed list
    redis_client.zadd("sw:due", {"s2": 90.0})
    first = store.claim_due(now=100.0, lease=60.0, cap=10, token="beat-1")
    again = store.claim_due(now=100.0, lease=60.0, cap=10, token="beat-1")
    assert first == again == Claim(["s2", "s0", "s1"], ["s2"])
    assert store.outcomes("s2") == {"lease_lapsed": 1}  # counted once
    assert store.claim_due(now=100.0, lease=60.0, cap=10) == Claim([], [])  # a new claim


def _calls(client: redis.Redis, command: str) -> int:
    """How many times Redis ran ``command`` since the last CONFIG RESETSTAT, scripts' calls
    included (a script's work is what other clients wait behind)."""
    stats = cast(dict[str, Any], client.info("commandstats")).get(f"cmdstat_{command}")
    return int(stats["calls"]) if stats else 0


def test_the_search_for_lost_sources_reads_a_bounded_slice_per_call(
    redis_client: redis.Redis,
) -> None:
    """With one source disabled the schedule holds fewer sources than are known, and every
    dispatch scanned all of them in one script: 250 ms at 100k sources, every 30 s, during
    which Redis served no worker. Each call now reads one slice; a source that lost its due
    time is found within one sweep of the slices, a disabled one is never put back."""
    n = 20_000
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(n), now=0.0)
    store.disable("s7", "gone", now=0.0)
    redis_client.zrem("sw:due", "s12345")
    calls, found = 0, []
    while not found:
        redis_client.config_resetstat()
        sweep = store.reschedule_lost(now=5.0)
        calls += 1
        assert _calls(redis_client, "zscore") <= 2 * RESCHEDULE_SLICE + 200
        assert _calls(redis_client, "hkeys") == 0
        assert sweep.known == n
        found = sweep.back
        assert calls <= n // RESCHEDULE_SLICE + 1
    assert found == ["s12345"]
    assert store.next_poll("s12345") == 5.0
    for _ in range(n // RESCHEDULE_SLICE + 2):
        assert store.reschedule_lost(now=6.0).back == []
    assert store.next_poll("s7") is None


def test_registering_thousands_of_sources_is_a_command_per_thousand_not_per_source(
    redis_client: redis.Redis,
) -> None:
    """Loading a sources file sent two commands per source in one MULTI: Redis served no one
    else until all of them (200k commands at 100k sources) had run. Now two HSETs (the
    configs, the index of feeds) and one ZADD per thousand, outside a transaction; known
    sources still keep their schedule."""
    n = 2500
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(1), now=1.0)
    store.finish("s0", SourceState(polls=1), next_poll=900.0)
    redis_client.config_resetstat()
    assert store.upsert(_sources(n), now=5.0) == {}
    assert _calls(redis_client, "hset") <= 6
    assert _calls(redis_client, "zadd") <= 3
    assert _calls(redis_client, "multi") == 0
    assert store.next_poll("s0") == 900.0
    assert store.next_poll(f"s{n - 1}") == 5.0
    assert [s.id for s in store.all()] == sorted(s.id for s in _sources(n))
    assert store.get("s42") == _sources(43)[42]


def test_reading_every_source_holds_redis_for_a_slice_at_a_time(redis_client: redis.Redis) -> None:
    """`sources list` and the OPML commands read every source: one HGETALL,
    which held Redis for 80 ms at 100k sources (a 20 MB reply). Now HSCAN slices, each about
    a thousand sources; what comes back is every source once, sorted by id."""
    n = 2500
    store = RedisSourceStore(redis_client)
    store.upsert(_sources(n), now=0.0)
    redis_client.config_resetstat()
    got = store.all()
    assert _calls(redis_client, "hgetall") == 0
    assert _calls(redis_client, "hscan") >= 2
    assert got == sorted(_sources(n), key=lambda s: s.id)
