"""Many feeds on one domain, past its politeness budget, beside feeds of many other domains.

    .venv/bin/python bench/domain_bench.py                    # 3,000 + 3,000 feeds, an hour
    .venv/bin/python bench/domain_bench.py --big 1000 --others 1000 --minutes 20

A simulated hour on a private real redis-server, with injected times: the dispatch every 30 s
(``claim_due`` of the default cap, each fetch sent for its due time) and each fetch
(``fetch_source``, every Redis step real, the HTTP answer a stand-in: 200 then 304). ``--big``
feeds share one domain whose budget (30 a minute) is below their polls (each every
``--interval`` s); ``--others`` feeds are 20 to a domain, well within theirs. Fetch workers are
taken as many as needed: what is measured is the schedule. Baseline in the same run: the
politeness of the previous release (at most 100 slots reserved ahead; a run more than a slot
after its slot paid again; prepaid runs unpaced).
"""

from __future__ import annotations

import argparse
import heapq
import random
import sys
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tasks.fetch  # noqa: E402
from storywire.adapters.embedded_redis import embedded_redis  # noqa: E402
from storywire.adapters.http import FetchResult  # noqa: E402
from storywire.adapters.politeness import Budget, DomainPoliteness, Grant  # noqa: E402
from storywire.adapters.redis_sources import RedisSourceStore, Reservation  # noqa: E402
from storywire.models import Source  # noqa: E402
from storywire.settings import Settings  # noqa: E402
from tasks.dispatch import _reschedule_lost  # noqa: E402
from tasks.fetch import fetch_source  # noqa: E402
from tasks.runtime import Runtime  # noqa: E402

FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><guid>a</guid><title>A</title><link>https://x.test/a</link></item>"
        b"</channel></rss>")  # fmt: skip

# The previous release's bucket: a prepaid run went at once (after a block), whatever came
# before it; no pace.
OLD_ACQUIRE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local queue = tonumber(ARGV[3])
local prepaid = ARGV[4] == '1'
local now = tonumber(ARGV[5])
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return {tostring(blocked - now), '0'} end
if prepaid then return {'0', '0'} end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait, reserved = 0, '0'
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
  if tokens - 1 >= -queue then
    tokens = tokens - 1
    reserved = '1'
  end
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
return {tostring(wait), reserved}
"""


class Clocked(DomainPoliteness):
    """The budget on the simulation's clock."""

    now = 0.0

    def acquire(self, domain: str, **given: Any) -> Grant:
        return super().acquire(domain, **{**given, "now": self.now})


class OldClocked(Clocked):
    def __init__(self, client: redis.Redis, budget: Budget) -> None:
        super().__init__(client, budget)
        self._acquire = client.register_script(OLD_ACQUIRE)


class OldStore(RedisSourceStore):
    """A run more than a slot (``late`` s) after its slot paid again, as it did."""

    late = 2.0

    def take_reservation(self, source_id: str, *, now: float) -> Reservation:
        slot = self._r.hget(self._key("reserved"), source_id)
        kept = super().take_reservation(source_id, now=now)
        on_time = slot is not None and now <= float(cast(bytes, slot)) + self.late
        return Reservation(prepaid=kept.prepaid and on_time)


class StandIn:
    def fetch(self, url: str, policy: Any, *, etag: str | None = None,
              last_modified: str | None = None) -> FetchResult:  # fmt: skip
        if etag:
            return FetchResult(304, url, b"", {"etag": etag})
        return FetchResult(200, url, FEED, {"etag": '"1"', "content-type": "application/rss+xml"})

    def close(self) -> None:
        return None


def simulate(url: str, args: argparse.Namespace, *, old: bool) -> dict[str, Any]:
    rt = Runtime(Settings(redis_url=url, max_in_flight=args.cap))
    rt.redis.flushdb()
    budget = Budget(rt.settings.domain_requests_per_minute, rt.settings.domain_burst,
                    queue=100 if old else None)  # fmt: skip
    polite = (OldClocked if old else Clocked)(rt.redis, budget)
    tasks.fetch.politeness = lambda _: polite  # type: ignore[assignment]
    rt.__dict__["fetcher"] = StandIn()
    if old:
        rt.__dict__["sources"] = OldStore(rt.redis)
    start = 1_000_000.0
    every = args.interval
    feeds = [Source(id=f"big-{n}", url=f"https://big.test/f{n}", outlet="big", domain="big.test",
                    min_interval=every, max_interval=every) for n in range(args.big)]  # fmt: skip
    feeds += [Source(id=f"other-{n}", url=f"https://o{n // 20}.test/f{n}", outlet=f"o{n // 20}",
                     domain=f"o{n // 20}.test", min_interval=every, max_interval=every)
              for n in range(args.others)]  # fmt: skip
    rt.sources.upsert(feeds, now=start)
    rng = random.Random(7)
    rt.redis.zadd("sw:due", {s.id: start + rng.uniform(0, every) for s in feeds})
    queue: list[tuple[float, int, str, float]] = []
    order = 0
    runs: Counter[str] = Counter()
    polls: Counter[str] = Counter()
    deferred = claims = 0
    end = start + args.minutes * 60
    now = start
    behind = 0.0

    def later(source_id: str, at: float, lease: float) -> None:
        nonlocal order
        order += 1
        heapq.heappush(queue, (at, order, source_id, lease))

    while now < end:
        while queue and queue[0][0] < now:
            at, _, source_id, lease = heapq.heappop(queue)
            polite.now = at
            kind = source_id.split("-")[0]

            def send_later(wait: float, lease: float, s: str = source_id, t: float = at) -> None:
                later(s, t + wait, lease)

            done = fetch_source(rt, source_id, now=at, send_entries=lambda *_: None,
                                wake_publisher=lambda: None, rng=rng, lease_until=lease,
                                send_later=send_later)  # fmt: skip
            runs[kind] += 1
            deferred += done.outcome == "deferred"
            polls[kind] += done.outcome in ("ok", "not_modified")
        polite.now = now
        _reschedule_lost(rt.sources, now=now)
        claim = rt.sources.claim_due(now=now, lease=rt.settings.lease_seconds, cap=args.cap,
                                     ahead=rt.settings.dispatch_interval)  # fmt: skip
        claims += len(claim.claimed)
        lease_until = now + rt.settings.dispatch_interval + rt.settings.lease_seconds
        for source_id in claim.claimed:
            later(source_id, claim.later.get(source_id, now), lease_until)
        overdue = cast(
            list[tuple[bytes, float]],
            rt.redis.zrangebyscore("sw:due", "-inf", f"({now!r}", withscores=True),
        )
        waits = [now - at for sid, at in overdue if sid.startswith(b"other")]
        behind = max(waits, default=0.0)
        now += rt.settings.dispatch_interval
    rt.redis.close()
    return {"polls": polls, "runs": runs, "deferred": deferred, "claims": claims,
            "behind": behind}  # fmt: skip


def _row(name: str, r: Mapping[str, Any]) -> str:
    return (f"{name:<10} {r['polls']['big']:>9,} {r['polls']['other']:>11,} {r['deferred']:>9,} "
            f"{sum(r['runs'].values()):>10,} {r['claims']:>9,} {r['behind']:>14.0f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--big", type=int, default=3000, help="feeds of the one big domain")
    parser.add_argument("--others", type=int, default=3000, help="feeds of other domains")
    parser.add_argument("--interval", type=float, default=1800.0, help="s between polls")
    parser.add_argument("--cap", type=int, default=200, help="STORYWIRE_MAX_IN_FLIGHT")
    parser.add_argument("--minutes", type=float, default=60.0)
    args = parser.parse_args()
    hours = args.minutes / 60
    print(f"{args.big:,} feeds of one domain (budget 30/min: {1800 * hours:,.0f} polls), "
          f"{args.others:,} of domains of 20 feeds; a poll every {args.interval:g} s "
          f"({(args.big + args.others) * args.minutes * 60 / args.interval:,.0f} polls wanted), "
          f"cap {args.cap}, {args.minutes:g} simulated minutes")  # fmt: skip
    print(f"{'':<10} {'big polls':>9} {'other polls':>11} {'deferred':>9} {'fetch runs':>10} "
          f"{'claims':>9} {'others behind s':>14}")  # fmt: skip
    with embedded_redis() as server:
        for name, old in (("before", True), ("now", False)):
            started = time.perf_counter()
            result = simulate(server.url, args, old=old)
            print(_row(name, result), f"  ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
