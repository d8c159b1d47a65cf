"""One hot story in Redis: what adding its Nth article costs, as the story grows.

    .venv/bin/python bench/hot_story.py                      # articles 10, 100, 1,000, 5,000
    .venv/bin/python bench/hot_story.py --points 10,100,1000 --redis redis://127.0.0.1:6379/11

A war or an election takes thousands of articles over days, all one story. Each article's
commit rewrites the story's state in the story store (``P:s:<id>``) and its record in the
ledger (``sw:story:<id>``); this measures, at each point, for the next few articles: the time
of the assignment (store) or the ledger write, the bytes sent to Redis, the round trips, and the
size of the key rewritten. The store's story is grown through the engine, one article at a time
(articles share the event's words and each brings a few of its own, as real coverage does). The
ledger is measured with 20 outlets and with a new outlet for every article (a record keeps each
outlet's first article: its worst case); its record is seeded to N-1 members, then written
through ``RedisLedger.record``.

A private redis-server is started for the run; with ``--redis`` that Redis is used instead,
everything under a private key prefix (``hotstory-bench:``), deleted at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
import redis
from cluster_synth import vocabulary

from storywire.adapters.embedded_redis import embedded_redis
from storywire.adapters.redis_ledger import RedisLedger
from storywire.models import Article
from storywire.stories import Doc, Params, StoryEngine
from storywire.stories.redis_store import RedisStoryStore
from storywire.stories_ledger import Member, StoryRecord, _bounded

PREFIX = "hotstory-bench:"
T0 = datetime(2026, 3, 1, tzinfo=UTC)
CORE = (
    "Russian forces shelled Kharkiv overnight as Ukraine's army held the line near "
    "Zaporizhzhia, President Zelensky said, while NATO ministers met in Brussels."
)


class _Counting(redis.Connection):
    sent = 0
    bytes = 0

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        _Counting.sent += 1
        chunks = command if isinstance(command, list) else [command]
        _Counting.bytes += sum(len(c) for c in chunks)
        super().send_packed_command(command, check_health)  # type: ignore[no-untyped-call]


def _client(url: str) -> redis.Redis:
    like = redis.Redis.from_url(url)
    kwargs = like.connection_pool.connection_kwargs
    return redis.Redis(connection_pool=redis.ConnectionPool(connection_class=_Counting, **kwargs))


def _server_usec(client: redis.Redis) -> int:
    """Microseconds Redis spent in commands so far (INFO itself left out): what a shared host's
    load does not blur, as it does the wall time."""
    stats = cast(dict[str, dict[str, Any]], client.info("commandstats"))
    return sum(int(v["usec"]) for k, v in stats.items() if k != "cmdstat_info")


def _measure(fn: Any, client: redis.Redis) -> tuple[float, int, int, float, int]:
    usec = _server_usec(client)
    sent, size = _Counting.sent, _Counting.bytes
    cpu, t = time.process_time(), time.perf_counter()
    fn()
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    trips, size = _Counting.sent - sent, _Counting.bytes - size
    return wall, trips, size, cpu, _server_usec(client) - usec


def _row(label: str, n: int, rows: list[Any], key_bytes: int, extra: str) -> None:
    ms = statistics.median(r[0] for r in rows) * 1000
    trips = statistics.median(r[1] for r in rows)
    sent = statistics.median(r[2] for r in rows)
    cpu = statistics.median(r[3] for r in rows) * 1000
    server = statistics.median(r[4] for r in rows) / 1000
    print(
        f"{label:<22} article {n:>5}: {ms:7.2f} ms wall ({cpu:5.2f} client CPU, {server:5.2f} "
        f"Redis)  {trips:2.0f} round trips  {sent / 1024:7.1f} KB sent  "
        f"key {key_bytes / 1024:7.1f} KB  {extra}",
        flush=True,
    )


def _doc(i: int, rng: random.Random, vocab: Any) -> Doc:
    own = " ".join(rng.sample(vocab.names, 3) + vocab.sample(rng, 40))
    return Doc(
        id=f"hot-{i}",
        title=f"Kharkiv shelled as Ukraine war goes on: {' '.join(rng.sample(vocab.names, 2))}",
        text=f"{CORE} {own}.",
        published=T0 + timedelta(seconds=30 * i),
        outlet=f"outlet{i % 20}",
    )


def store_curve(url: str, points: list[int], sample: int) -> None:
    client = _client(url)
    params = replace(Params(), defer_below=0.0)  # every article decided at once
    store = RedisStoryStore.for_params(client, params, prefix=PREFIX + "stories")
    engine = StoryEngine(store, params)
    rng, vocab = random.Random(7), vocabulary(size=20_000, names=5_000)
    story: str | None = None
    joined = 0
    i = 0
    for n in points:
        while i < n - 1:
            i += 1
            got = engine.assign(_doc(i, rng, vocab))
            story = story or got.story_id
            joined += got.story_id == story
        rows = []
        for _ in range(sample):
            i += 1
            doc = _doc(i, rng, vocab)
            rows.append(_measure(lambda doc=doc: engine.assign(doc), client))
            joined += engine.decided(doc.id).story_id == story  # type: ignore[union-attr]
        state = engine.story(story or "")
        key = client.strlen(f"{PREFIX}stories:s:{story}")
        indexed = client.hlen(f"{PREFIX}stories:k:{story}") or len(
            orjson.loads(cast(bytes, client.get(f"{PREFIX}stories:s:{story}"))).get("k", ())
        )  # the set of index keys, or before it the state's list of them
        extra = f"size {state.size if state else 0}, index keys {indexed}"
        _row("story store", n, rows, int(key), extra + f", joined {joined}/{i}")


def _article(i: int, outlets: int | None) -> Article:
    outlet = f"outlet{i % outlets}" if outlets else f"outlet{i}"
    return Article(
        id=f"ar_hot{outlets}_{i}",
        source_id=outlet,
        outlet=outlet,
        url=f"https://{outlet}.example/war/{i}",
        title=f"Kharkiv shelled as Ukraine war goes on, report {i}",
        text=CORE + " " + "More to follow on the front line. " * 12,
        published=T0 + timedelta(seconds=30 * i),
        content_hash=f"h{i}",
        language="en",
        entities=("Kharkiv", "Ukraine", "Zelensky", "NATO", "Brussels", f"Town{i}"),
    )


def ledger_curve(url: str, points: list[int], sample: int, outlets: int | None) -> None:
    client = _client(url)
    ledger = RedisLedger(client, prefix=PREFIX + "sw:", retention=30 * 86400)
    label = f"ledger, {outlets} outlets" if outlets else "ledger, outlet/article"
    for n in points:
        story = f"st_hot{n}_{outlets}"
        # Seeded as with_article would leave it: bounded members (every outlet's first, then
        # the most recent), the exact count.
        members = _bounded(tuple(Member.of(_article(i, outlets)) for i in range(1, n)))
        record = StoryRecord(story, members, version=n - 1, article_count=n - 1)
        client.set(f"{PREFIX}sw:story:{story}", orjson.dumps(record.to_dict()))
        rows = []
        for k in range(sample):
            article = _article(n + k, outlets)
            rows.append(_measure(lambda a=article, s=story: ledger.record(a, s), client))
        client.delete(ledger.outbox_key)
        got = ledger.get(story)
        key = client.strlen(f"{PREFIX}sw:story:{story}")
        extra = f"members {len(got.members) if got else 0}, count {got.article_count if got else 0}"
        _row(label, n, rows, int(key), extra)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--redis", help="a Redis URL (default: a private redis-server)")
    ap.add_argument("--points", default="10,100,1000,5000")
    ap.add_argument("--sample", type=int, default=5, help="articles measured at each point")
    ap.add_argument("--skip-store", action="store_true")
    ap.add_argument("--skip-ledger", action="store_true")
    args = ap.parse_args(argv)
    points = sorted(int(p) for p in args.points.split(","))
    if args.redis:
        run(args.redis, points, args)
    else:
        with embedded_redis() as server:
            run(server.url, points, args)
    return 0


def run(url: str, points: list[int], args: argparse.Namespace) -> None:
    cleanup = redis.Redis.from_url(url)
    try:
        if not args.skip_store:
            store_curve(url, points, args.sample)
        if not args.skip_ledger:
            ledger_curve(url, points, args.sample, 20)
            ledger_curve(url, points, args.sample, None)
    finally:
        for key in cleanup.scan_iter(match=PREFIX + "*", count=1000):
            cleanup.delete(key)


if __name__ == "__main__":
    sys.exit(main())
