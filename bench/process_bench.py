"""The process stage on the recorded feeds: entries -> clean articles -> stories -> outbox.

    .venv/bin/python bench/process_bench.py [--copies 4] [--rounds 5]

Every entry of every recorded poll in seeds/recorded/ (parsed as the fetch stage parses it) is
copied ``--copies`` times under new keys and links, and each round runs
``storywire.processing.process_entries`` over all of them, source by source, on a fresh story
engine (in memory) and a private real redis-server's ledger (flushed), as the process task does.
Figures are entries per CPU-second of this process, median of ``--rounds`` rounds after one
warm-up round (the word-frequency prior loads then). Each round times every article-event
setting in turn, interleaved: ``v1`` (what was published before v2 existed) is the baseline of
``v1,v2`` (the default) and ``v2``. Against an older checkout, run the script with
``PYTHONPATH=<checkout>``: a ledger without the setting is timed once, as ``default``.

Round trips to Redis an entry are counted too (requests the client sent, a pipeline or a
script being one): on a Redis across a network each costs its round-trip time of wall time,
which CPU seconds on loopback do not show. ``--rtt-ms 0.5`` makes each request wait that long
before it is sent, as such a Redis would answer later, and the wall time an entry is printed
beside the CPU time; ``--stories redis`` keeps the story engine's state in the same Redis, as
the service does (default: in memory, the stage's own work alone).

    .venv/bin/python bench/process_bench.py --stories redis --rtt-ms 0.5 --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import redis

from storywire.adapters.embedded_redis import embedded_redis
from storywire.adapters.redis_ledger import RedisLedger
from storywire.feeds import parse_feed
from storywire.models import Entry, Source
from storywire.processing import process_entries
from storywire.stories import MemoryStoryStore, RedisStoryStore, StoryEngine

RECORDED = Path(__file__).resolve().parents[1] / "seeds" / "recorded"
NOW = datetime(2026, 11, 28, tzinfo=UTC)
SETTINGS = ("v1", "v1,v2", "v2")


def batches(copies: int) -> list[tuple[Source, list[tuple[str, Entry]]]]:
    """One batch per recorded poll and copy, as the fetch stage would send them."""
    out = []
    for path in sorted(RECORDED.glob("*/*.*")):
        name = path.parent.name
        url = f"https://{name}.example/feed"
        source = Source(id=name, url=url, outlet=name, domain=f"{name}.example")
        entries = parse_feed(path.read_bytes(), now=NOW, url=url).entries
        for copy in range(copies):
            items = [
                (f"{path.stem}-{copy}-{i}", replace(e, link=f"{e.link or url}?copy={copy}"))
                for i, e in enumerate(entries)
            ]
            out.append((source, items))
    return out


def ledger(client: redis.Redis, setting: str) -> RedisLedger:
    if setting == "default":
        return RedisLedger(client)
    return RedisLedger(client, article_versions=tuple(setting.split(",")))  # type: ignore[call-arg, unused-ignore]


class CountingConnection(redis.Connection):
    """Counts the requests sent (one per command, pipeline or script call), each after
    ``rtt`` seconds."""

    sent = 0
    rtt = 0.0

    def send_packed_command(self, command: object, check_health: bool = True) -> None:
        CountingConnection.sent += 1
        if self.rtt:
            time.sleep(self.rtt)
        super().send_packed_command(command, check_health)  # type: ignore[no-untyped-call]


@dataclass(frozen=True, slots=True)
class Round:
    rate: float  # entries per CPU second
    wall: float  # seconds an entry
    trips: float  # Redis round trips an entry
    queued: int  # events in the outbox


def one_round(
    client: redis.Redis,
    work: list[tuple[Source, list[tuple[str, Entry]]]],
    setting: str,
    stories: str,
) -> Round:
    client.flushall()
    store = RedisStoryStore(client) if stories == "redis" else MemoryStoryStore()
    engine, books = StoryEngine(store), ledger(client, setting)
    entries = sum(len(items) for _, items in work)
    sent = CountingConnection.sent
    start, wall = time.process_time(), time.perf_counter()
    for source, items in work:
        process_entries(source, items, engine=engine, ledger=books, fetched_at=NOW)
    rate = entries / (time.process_time() - start)
    wall = (time.perf_counter() - wall) / entries
    trips = (CountingConnection.sent - sent) / entries
    return Round(rate, wall, trips, client.llen(books.outbox_key))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rtt-ms", type=float, default=0.0)
    parser.add_argument("--stories", choices=("memory", "redis"), default="memory")
    args = parser.parse_args()
    work = batches(args.copies)
    with embedded_redis() as server:
        pool = redis.ConnectionPool.from_url(server.url, connection_class=CountingConnection)
        client = redis.Redis(connection_pool=pool)
        try:
            ledger(client, "v1")
            settings: tuple[str, ...] = SETTINGS
        except TypeError:  # a checkout from before STORYWIRE_ARTICLE_EVENT_VERSIONS
            settings = ("default",)
        one_round(client, work, settings[0], args.stories)  # warm-up: the prior, imports, caches
        CountingConnection.rtt = args.rtt_ms / 1e3
        rounds: dict[str, list[Round]] = {s: [] for s in settings}
        for _ in range(args.rounds):
            for setting in settings:
                rounds[setting].append(one_round(client, work, setting, args.stories))
        client.close()
    entries = sum(len(items) for _, items in work)
    base = statistics.median(r.rate for r in rounds[settings[0]])
    print(
        f"process stage, {entries} entries per round, median of {args.rounds} rounds; story "
        f"state in {args.stories}; each Redis request sent after {args.rtt_ms:g} ms"
    )
    for setting in settings:
        rate = statistics.median(r.rate for r in rounds[setting])
        wall = statistics.median(r.wall for r in rounds[setting])
        last = rounds[setting][-1]
        print(
            f"  {setting:<8} {rate:8.1f} entries/s per core  {1e3 / rate:6.3f} ms/entry  "
            f"{base / rate:5.3f}x the time of {settings[0]}  events queued {last.queued}  "
            f"Redis round trips {last.trips:.2f}/entry  wall {1e3 * wall:.3f} ms/entry"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
