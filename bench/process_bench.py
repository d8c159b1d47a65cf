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
which CPU seconds on loopback do not show.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import redis

from storywire.adapters.embedded_redis import embedded_redis
from storywire.adapters.redis_ledger import RedisLedger
from storywire.feeds import parse_feed
from storywire.models import Entry, Source
from storywire.processing import process_entries
from storywire.stories import MemoryStoryStore, StoryEngine

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
    """Counts the requests sent: one per command, pipeline or script call."""

    sent = 0

    def send_packed_command(self, command: object, check_health: bool = True) -> None:
        CountingConnection.sent += 1
        super().send_packed_command(command, check_health)  # type: ignore[no-untyped-call]


def one_round(
    client: redis.Redis, work: list[tuple[Source, list[tuple[str, Entry]]]], setting: str
) -> tuple[float, float, int]:
    """Entries per CPU second, round trips an entry, events queued."""
    client.flushall()
    engine, books = StoryEngine(MemoryStoryStore()), ledger(client, setting)
    entries = sum(len(items) for _, items in work)
    sent = CountingConnection.sent
    start = time.process_time()
    for source, items in work:
        process_entries(source, items, engine=engine, ledger=books, fetched_at=NOW)
    rate = entries / (time.process_time() - start)
    trips = (CountingConnection.sent - sent) / entries
    return rate, trips, client.llen(books.outbox_key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
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
        one_round(client, work, settings[0])  # warm-up: the prior, imports, caches
        rates: dict[str, list[float]] = {s: [] for s in settings}
        queued: dict[str, int] = {}
        trips: dict[str, float] = {}
        for _ in range(args.rounds):
            for setting in settings:
                rate, trips[setting], queued[setting] = one_round(client, work, setting)
                rates[setting].append(rate)
        client.close()
    entries = sum(len(items) for _, items in work)
    base = statistics.median(rates[settings[0]])
    print(f"process stage, {entries} entries per round, median of {args.rounds} rounds")
    for setting in settings:
        rate = statistics.median(rates[setting])
        print(
            f"  {setting:<8} {rate:8.1f} entries/s per core  {1e3 / rate:6.3f} ms/entry  "
            f"{base / rate:5.3f}x the time of {settings[0]}  events queued {queued[setting]}  "
            f"Redis round trips {trips[setting]:.2f}/entry"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
