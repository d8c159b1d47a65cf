"""Source scheduling at feed-poller scale: 10k and 100k sources in one Redis.

    .venv/bin/python bench/dispatch_bench.py                    # 10k and 100k sources
    .venv/bin/python bench/dispatch_bench.py --sizes 2000 --load 500 --rounds 5

A private real redis-server is started for the run. For each size, every source registered and
given a health record, one of them disabled (so the schedule holds fewer sources than are known,
as it does in any real deployment), and all of them due at once, it times

* dispatch: the Redis side of one dispatch (``reschedule_lost`` and ``claim_due`` of 200), the
  claimed ones then due again (untimed), p50/p99 over ``--rounds`` dispatches; against the
  baseline in the same run: the search for lost sources as one script over all sources (what
  every dispatch ran before it read a slice per script);
* the longest Redis was held by one script of each (commandstats: the time every other client,
  workers and the ledger, waits behind it);
* memory per source (INFO used_memory before/after): registered, and with a health record.

Then, at ``--load`` sources, ``sources load`` of a sources file and ``sources list``, against
one round trip per source (what ``list`` did, and a load without a pipeline).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storywire.adapters.embedded_redis import embedded_redis  # noqa: E402
from storywire.adapters.redis_sources import RedisSourceStore  # noqa: E402
from storywire.models import Source  # noqa: E402
from storywire.sources import SourceState  # noqa: E402
from workers.commands.sources import do_list, do_load  # noqa: E402

CAP = 200  # STORYWIRE_MAX_IN_FLIGHT's default
LEASE = 300.0

# The search for lost sources as it was: every source, in one script, on each dispatch once any
# source was off the schedule.
FULL_SCAN = """
local known = redis.call('HLEN', KEYS[1])
if known <= redis.call('ZCARD', KEYS[2]) then return {{}, known} end
local back = {}
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
  if not redis.call('ZSCORE', KEYS[2], id) and not redis.call('ZSCORE', KEYS[3], id) then
    local reason = redis.call('HGET', ARGV[2] .. id, 'disabled_reason')
    if not reason or reason == 'null' then
      redis.call('ZADD', KEYS[2], ARGV[1], id)
      back[#back + 1] = id
    end
  end
end
return {back, known}
"""

STATE = SourceState(
    etag='"5f1c-abc"', last_modified="Tue, 24 Nov 2026 08:00:00 GMT", interval=900.0,
    last_status=200, last_outcome="ok", last_success=1.8e9, last_attempt=1.8e9,
    entries_seen=120, polls=40, rate_gap=1800.0, newest_entry=1.8e9,
)  # fmt: skip


def sources(n: int) -> list[Source]:
    return [
        Source(id=f"s{i:06}", url=f"https://news{i}.example.com/rss.xml", outlet=f"Outlet {i}",
               domain=f"news{i}.example.com")
        for i in range(n)
    ]  # fmt: skip


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def script_usec(client: redis.Redis) -> dict[str, float]:
    """From the slowlog (everything logged): Redis's own time per call of the search for lost
    sources (the script whose first key is the sources hash), and the longest any one command
    or script held Redis."""
    entries = client.slowlog_get(100_000)
    search = [
        int(e["duration"])
        for e in entries
        if e["command"].startswith(b"EVALSHA") and b" sw:sources " in e["command"]
    ]
    longest = max((int(e["duration"]) for e in entries), default=0)
    return {"per_call": statistics.mean(search) if search else 0.0, "longest": float(longest)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def prepare(client: redis.Redis, n: int) -> tuple[RedisSourceStore, dict[str, float]]:
    """n sources registered, each with a health record, one disabled, every one due now."""
    client.flushdb()
    store = RedisSourceStore(client)
    before = used_memory(client)
    listed = sources(n)
    upsert = timed(lambda: store.upsert(listed, now=0.0))
    registered = used_memory(client)
    pipe = client.pipeline(transaction=False)
    record: dict[Any, Any] = store_mapping(STATE)
    for source in listed:
        pipe.hset(f"sw:state:{source.id}", mapping=record)
        pipe.hincrby(f"sw:outcomes:{source.id}", "ok", 40)
    pipe.execute()
    with_state = used_memory(client)
    store.disable(listed[1].id, "gone", now=0.0)
    return store, {
        "upsert_s": upsert,
        "bytes_registered": (registered - before) / n,
        "bytes_with_state": (with_state - before) / n,
    }


def store_mapping(state: SourceState) -> dict[str, bytes]:
    import orjson  # noqa: PLC0415 - as RedisSourceStore.finish writes a record

    return {k: orjson.dumps(getattr(state, k)) for k in state.__dataclass_fields__}


def dispatch_rounds(
    client: redis.Redis, store: RedisSourceStore, rounds: int, search: Callable[[float], Any]
) -> tuple[list[float], dict[str, float]]:
    """Times ``rounds`` dispatches (the search for lost sources, then the claim); the claimed
    sources finish at once (untimed), due again, so each claim finds many due."""
    client.config_set("slowlog-max-len", 100_000)
    client.config_set("slowlog-log-slower-than", 0)
    client.slowlog_reset()
    latencies = []
    for k in range(rounds):
        now = 10.0 + k
        start = time.perf_counter()
        search(now)
        claimed = store.claim_due(now=now, lease=LEASE, cap=CAP).claimed
        latencies.append(time.perf_counter() - start)
        if claimed:  # due again (after the ones never claimed): every claim finds CAP due
            pipe = client.pipeline(transaction=False)
            pipe.zrem("sw:inflight", *claimed)
            pipe.zadd("sw:due", dict.fromkeys(claimed, now))
            pipe.execute()
    usec = script_usec(client)
    client.config_set("slowlog-log-slower-than", 10_000)
    client.slowlog_reset()
    return latencies, usec


def scale_row(client: redis.Redis, n: int, rounds: int) -> dict[str, Any]:
    store, prep = prepare(client, n)
    ours, ours_usec = dispatch_rounds(
        client, store, rounds, lambda now: store.reschedule_lost(now=now)
    )
    full = client.register_script(FULL_SCAN)
    keys = ["sw:sources", "sw:due", "sw:inflight"]
    base_rounds = max(3, rounds // 10)  # each holds Redis for the whole scan
    base, base_usec = dispatch_rounds(
        client, store, base_rounds, lambda now: full(keys=keys, args=[now, "sw:state:"])
    )
    return {"n": n, "ours": ours, "ours_usec": ours_usec, "base": base, "base_usec": base_usec,
            **prep}  # fmt: skip


def naive_load(client: redis.Redis, listed: list[Source], now: float) -> None:
    """One round trip per command, no pipeline."""
    import orjson  # noqa: PLC0415

    for source in listed:
        client.hset("sw:sources", source.id, orjson.dumps(source.to_dict()))
        client.zadd("sw:due", {source.id: now}, nx=True)


def naive_list(store: RedisSourceStore) -> int:
    """What `sources list` did: the record and the due time of each source, one at a time."""
    return sum(1 for s in store.all() if (store.state(s.id), store.next_poll(s.id)))


def load_rows(client: redis.Redis, n: int) -> dict[str, float]:
    client.flushdb()
    store = RedisSourceStore(client)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sources.toml"
        path.write_text(
            "".join(
                f'[[source]]\nid = "s{i:06}"\nurl = "https://news{i}.example.com/rss.xml"\n\n'
                for i in range(n)
            )
        )
        load = timed(lambda: do_load(store, path, io.StringIO()))
        reload = timed(lambda: do_load(store, path, io.StringIO()))
    listed = store.all()
    listing = timed(lambda: do_list(store, io.StringIO()))
    base_list = timed(lambda: naive_list(store))
    client.flushdb()
    upsert = timed(lambda: store.upsert(listed, now=0.0))
    client.flushdb()
    base_upsert = timed(lambda: naive_load(client, listed, 0.0))
    return {"load": load, "reload": reload, "list": listing, "base_list": base_list,
            "upsert": upsert, "base_upsert": base_upsert}  # fmt: skip


def ms(seconds: float) -> str:
    return f"{1e3 * seconds:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="source counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=100, help="dispatches timed per size")
    parser.add_argument("--load", type=int, default=10_000, help="sources in the loaded file")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url)
        rows = [scale_row(client, n, args.rounds) for n in sizes]
        loads = load_rows(client, args.load)
        client.close()
    print(f"dispatch: search for lost sources + claim of {CAP}, all sources due, one disabled")
    print(
        f"{'sources':>9} {'':<10} {'p50 ms':>8} {'p99 ms':>8} {'search us/call':>15} "
        f"{'longest block ms':>17}"
    )
    for row in rows:
        for name, lat, usec in (("slices", row["ours"], row["ours_usec"]),
                                ("full scan", row["base"], row["base_usec"])):  # fmt: skip
            print(
                f"{row['n']:>9,} {name:<10} {ms(statistics.median(lat)):>8} "
                f"{ms(percentile(lat, 0.99)):>8} {usec['per_call']:>15,.0f} "
                f"{usec['longest'] / 1e3:>17,.1f}"
            )
        ratio = row["base_usec"]["longest"] / max(row["ours_usec"]["longest"], 1.0)
        print(f"{'':>9} longest block: {ratio:.0f}x shorter than the full scan")
    print("\nmemory per source (INFO used_memory)")
    for row in rows:
        print(
            f"{row['n']:>9,} registered {row['bytes_registered']:,.0f} B, with a health record "
            f"{row['bytes_with_state']:,.0f} B (seen-entry keys not included)"
        )
    n = args.load
    print(f"\nsources commands at {n:,} sources")
    for label, ours, base, how in (
        (f"load of a {n:,}-source file", "load", "", ""),
        ("load again, all known", "reload", "", ""),
        ("upsert alone", "upsert", "base_upsert", "one round trip per command"),
        ("list", "list", "base_list", "one round trip per source"),
    ):
        line = f"  {label:<30} {ms(loads[ours]):>9} ms"
        if base:
            line += f"; {how} {ms(loads[base])} ms: {loads[base] / loads[ours]:.0f}x"
        print(line)


if __name__ == "__main__":
    main()
