"""The fetch stage's seen step per poll: the flap-damping rule against the hash compare it replaced.

    .venv/bin/python bench/seen_bench.py                      # 1,000 sources x 50 entries
    .venv/bin/python bench/seen_bench.py --sources 50 --rounds 2

A private real redis-server is started for the run. Every source's feed lists ``--entries``
entries; each round (one poll of every source) one entry is new, 2% of the entries are edited
(a version never seen), and on ``--flapping`` of the sources 3 entries alternate between two
versions (a stale replica). The inputs are made before any timing, the same for both.

* new: ``seen_records`` (one HMGET), ``storywire.seen.sift``, ``mark_seen`` of its writes;
* baseline, in the same run under its own key prefix: what the fetch task did before, HMGET
  and a compare of each hash with the stored one (the old ``unseen``), then ``mark_seen`` of
  the changed entries' hashes.

The two run poll by poll, interleaved, which goes first alternating. Printed: wall time per
poll (p50, p99; Redis round trips included) and the client's CPU time per poll, entries sent
to processing, and the bytes the seen hashes take in Redis (MEMORY USAGE).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import redis
import xxhash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storywire.adapters.embedded_redis import embedded_redis  # noqa: E402
from storywire.adapters.redis_sources import RedisSourceStore  # noqa: E402
from storywire.seen import sift  # noqa: E402

RETENTION = 30 * 86400.0
PREFIXES = {"baseline": "old:", "new": "new:"}
Poll = dict[str, str]  # entry key -> content hash
Step = Callable[[str, Poll, float], int]  # one poll's seen step; returns entries sent


def polls(sources: int, entries: int, rounds: int, flapping: float, seed: int) -> list[list[Poll]]:
    """Round r's poll of each source: the entries listed and their hashes."""
    rng = random.Random(seed)
    flappers = set(rng.sample(range(sources), round(sources * flapping)))
    version = [dict.fromkeys(range(entries + rounds + 1), 0) for _ in range(sources)]
    out: list[list[Poll]] = []
    for r in range(rounds + 1):  # round 0 fills the store, untimed
        this_round = []
        for s in range(sources):
            listed = range(r, r + entries)  # the feed rolls: one entry new per poll
            for n in listed:
                if r and rng.random() < 0.02:
                    version[s][n] += 1
            # On a flapping source, every 17th entry (3 of 50) alternates all its life.
            flip = "ab"[r % 2] if s in flappers and r > 0 else ""
            this_round.append({
                f"e{n}": _digest(f"{s}:{n}:{version[s][n]}{flip if n % 17 == 0 else ''}")
                for n in listed
            })  # fmt: skip
        out.append(this_round)
    return out


def _digest(text: str) -> str:
    return xxhash.xxh3_64_hexdigest(text.encode())


def new_step(client: redis.Redis) -> Step:
    store = RedisSourceStore(client, prefix="new:")

    def step(source_id: str, poll: Poll, now: float) -> int:
        stored = store.seen_records(source_id, poll)
        sifted = sift(stored, poll, confirmations=3)
        store.mark_seen(source_id, sifted.writes, listed=poll, now=now, forget_after=RETENTION)
        return len(sifted.forward)

    return step


def old_step(client: redis.Redis) -> Step:
    store = RedisSourceStore(client, prefix="old:")

    def step(source_id: str, poll: Poll, now: float) -> int:
        keys = list(poll)
        stored = cast(list[bytes | None], client.hmget(f"old:seen:{source_id}", keys))
        changed = [k for k, was in zip(keys, stored, strict=True) if was != poll[k].encode()]
        store.mark_seen(
            source_id, {k: poll[k] for k in changed}, listed=poll, now=now, forget_after=RETENTION
        )
        return len(changed)

    return step


def run_round(steps: dict[str, Step], round_polls: list[Poll], now: float) -> dict[str, Any]:
    """One poll of every source by each step, the steps interleaved poll by poll (their order
    alternating), so a busy neighbour on the machine slows both alike."""
    walls: dict[str, list[float]] = {name: [] for name in steps}
    cpus = dict.fromkeys(steps, 0.0)
    sent = dict.fromkeys(steps, 0)
    names = list(steps)
    for i, poll in enumerate(round_polls):
        for name in names if i % 2 else reversed(names):
            cpu, start = time.process_time(), time.perf_counter()
            sent[name] += steps[name](f"s{i}", poll, now)
            walls[name].append(time.perf_counter() - start)
            cpus[name] += time.process_time() - cpu
    return {"walls": walls, "cpu": cpus, "sent": sent}


def seen_bytes(client: redis.Redis, prefix: str, sources: int) -> float:
    pipe = client.pipeline(transaction=False)
    for i in range(sources):
        pipe.memory_usage(f"{prefix}seen:s{i}")
    return sum(v or 0 for v in pipe.execute()) / sources


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--flapping", type=float, default=0.1, help="share of flapping sources")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    inputs = polls(args.sources, args.entries, args.rounds, args.flapping, args.seed)
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url)
        stores = {"baseline": old_step(client), "new": new_step(client)}
        walls: dict[str, list[float]] = {name: [] for name in stores}
        cpu = dict.fromkeys(stores, 0.0)
        sent = dict.fromkeys(stores, 0)
        for r, round_polls in enumerate(inputs):
            done = run_round(stores, round_polls, now=1000.0 + 600 * r)
            for name in stores if r else ():  # round 0 fills the store
                walls[name] += done["walls"][name]
                cpu[name] += done["cpu"][name]
                sent[name] += done["sent"][name]
        memory = {name: seen_bytes(client, PREFIXES[name], args.sources) for name in stores}
        client.close()
    print(f"seen step per poll: {args.sources} sources x {args.entries} entries, "
          f"{args.rounds} rounds, {args.flapping:.0%} of sources flapping 3 entries")  # fmt: skip
    for name in ("new", "baseline"):
        print(f"  {name:8}  wall p50 {pct(walls[name], 0.5) * 1e6:7.1f} us  "
              f"p99 {pct(walls[name], 0.99) * 1e6:7.1f} us  "
              f"client CPU {cpu[name] / len(walls[name]) * 1e6:6.1f} us/poll  "
              f"sent {sent[name]:6}  seen hash {memory[name]:7.0f} B/source")  # fmt: skip
    ratio = pct(walls["new"], 0.5) / pct(walls["baseline"], 0.5)
    cpu_ratio = cpu["new"] / cpu["baseline"]
    print(f"  new / baseline: wall p50 {ratio:.2f}x, client CPU {cpu_ratio:.2f}x, "
          f"entries sent {sent['new'] / max(sent['baseline'], 1):.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
