"""Story clustering speed: documents per second, cost per document vs live stories, memory.

    .venv/bin/python bench/cluster_speed.py            # 100k docs; 10k / 100k / 1M live stories
    .venv/bin/python bench/cluster_speed.py --quick    # 20k docs; 10k / 100k live stories
    .venv/bin/python bench/cluster_speed.py --docs 50000 --live 10000,100000
    .venv/bin/python bench/cluster_speed.py --docs 2000 --live "" --redis 5000
    .venv/bin/python bench/cluster_speed.py --docs 30000 --live "" --jobs 2   # wall, 2 processes

Synthetic documents come from ``cluster_synth`` (Zipfian 50k-word vocabulary, heavy-tailed story
sizes, 150-600-word bodies of which 47% are function words as in real news, names, dates that
advance so stories expire from the 72 h window; ``--content-only``: bodies without function
words, the stream of the figures before session 15, with 1.6x the features per document).
Throughput is ``cluster_file`` over a JSON-lines file with the in-memory store, one process;
the same file then goes through an indexed online TF-IDF centroid clusterer
(``cluster_baseline.tfidf_centroid`` with ``query_terms``) as the same-run baseline. Its
synthetic-label score is not a quality comparison: synthetic stories spread their topic words
evenly through whole bodies, where real news puts the event in the lead (the engine reads the
first 200 body words; with ``body_words=0`` it scores 1.000 here too). Quality is measured on
ECB+.
For the live-stories points the store is filled with synthetic live stories directly (as the
engine would leave them) and the time to assign a fixed set of fresh documents is measured.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from array import array
from pathlib import Path

import orjson
from cluster_baseline import tfidf_centroid
from cluster_metrics import score
from cluster_synth import FUNCTION_SHARE, T0, stories_stream, vocabulary

from storywire.stories import Doc, MemoryStoryStore, Params, StoryEngine, cluster_file
from storywire.stories.model import StoryState


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def throughput(n_docs: int, params: Params, share: float, jobs: int = 1) -> None:
    with tempfile.TemporaryDirectory(prefix="storywire-bench-") as tmp:
        src, dst = Path(tmp) / "docs.jsonl", Path(tmp) / "stories.jsonl"
        t = time.perf_counter()
        gold: dict[str, str] = {}
        with src.open("wb") as fh:
            for doc in stories_stream(n_docs, function_share=share):
                gold[doc.id] = str(doc.story)
                fh.write(orjson.dumps(doc.to_json()) + b"\n")
        mb = src.stat().st_size / 1e6
        print(f"generated {n_docs:,} docs ({mb:,.0f} MB) in {time.perf_counter() - t:.1f} s")
        store = MemoryStoryStore(posting_cap=params.posting_cap)
        engine = StoryEngine(store, params)
        t, cpu = time.perf_counter(), time.process_time()
        count = cluster_file(src, dst, engine, progress=sys.stderr.isatty()).clustered
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
        with dst.open("rb") as fh:
            predicted = {row["id"]: row["story"] for row in map(orjson.loads, fh)}
        print(
            f"cluster_file: {count:,} docs in {elapsed:.1f} s wall = {count / elapsed:,.0f} docs/s;"
            " "
            f"{cpu:.1f} s CPU = {count / cpu:,.0f} docs/s per core ({1e6 * cpu / count:,.0f} "
            f"us/doc); live stories at end {store.live_stories():,}; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print(f"  synthetic-label check: {score(gold, predicted).row()}")
        with src.open("rb") as fh:
            sample = [orjson.loads(line) for line in itertools.islice(fh, 2000)]
        sizes = [
            len(engine.features(Doc(r["id"], r["title"], r["text"], None)).terms) for r in sample
        ]
        # ECB+ development articles: 86 (those with 90+ content words in their first 200 words).
        mean = statistics.mean(sizes)
        print(f"  distinct features per document (first {len(sample):,}): {mean:.0f}")
        if jobs > 1:
            # The same file, features made by jobs - 1 more processes: wall clock, all cores.
            engine = StoryEngine(MemoryStoryStore(posting_cap=params.posting_cap), params)
            t = time.perf_counter()
            cluster_file(src, dst, engine, progress=False, jobs=jobs)
            wall = time.perf_counter() - t
            with dst.open("rb") as fh:
                same = {row["id"]: row["story"] for row in map(orjson.loads, fh)} == predicted
            print(
                f"  --jobs {jobs}: {count / wall:,.0f} docs/s wall ({elapsed / wall:.2f}x the one "
                f"process's {count / elapsed:,.0f}), same stories: {same}; {os.cpu_count()} cores"
            )
        baseline(src, gold, count / cpu)


def baseline(src: Path, gold: dict[str, str], ours: float) -> None:
    """The same file through an indexed online TF-IDF centroid clusterer, in this run."""
    with src.open("rb") as fh:
        rows = [orjson.loads(line) for line in fh]
    cpu = time.process_time()
    texts = ((r["id"], r["title"] + "\n" + r["text"]) for r in rows)
    predicted = tfidf_centroid(texts, query_terms=10)
    cpu = time.process_time() - cpu
    print(
        f"baseline (indexed online TF-IDF centroid, bench/cluster_baseline.py): "
        f"{len(rows) / cpu:,.0f} docs/s per core; storywire {ours / (len(rows) / cpu):.2f}x"
    )
    print(f"  synthetic-label check: {score(gold, predicted).row()}")


def fill_live(
    store: MemoryStoryStore,
    n: int,
    at: float,
    *,
    seed: int = 9,
    offset: int = 0,
    centroid_terms: int = Params().centroid_terms,
    index_terms: int = Params().index_terms,
) -> None:
    """Put ``n`` live stories into ``store`` as the engine would leave them (packed centroids of
    interned features, index entries under their top features), without clustering ``n``
    documents. Each story owns its tuples and arrays; feature strings are shared, as in a run."""
    rng = random.Random(seed)
    v = vocabulary()
    band = len(v.words) // 20
    # Topic words and names first (what a story is indexed under), then Zipfian filler.
    pool = [sys.intern(w) for w in v.words[band:]] + [sys.intern(x.lower()) for x in v.names]
    rng.shuffle(pool)
    filler = [sys.intern(w) for w in v.sample(rng, 200_000)]
    templates = [array("f", sorted((rng.random() for _ in range(centroid_terms)), reverse=True))]
    tail = centroid_terms - 24
    last = len(pool) - 24
    for i in range(offset, offset + n):
        j = rng.randrange(last)
        k = rng.randrange(len(filler) - tail)
        terms = tuple(dict.fromkeys(pool[j : j + 24] + filler[k : k + tail]))
        story = StoryState(
            id=f"st_fill{i:010d}",
            first_seen=at,
            last_seen=at,
            size=1 + int(rng.paretovariate(1.5)) % 50,
            c_terms=terms,
            c_weights=array("f", templates[0][: len(terms)]),
            e_terms=terms[:4],
            e_weights=array("f", (0.5, 0.5, 0.5, 0.5)),
        )
        store.stories[story.id] = story
        keys = store.story_keys[story.id] = dict.fromkeys(terms[:index_terms])
        for key in keys:
            store._post(key, story.id, at)


def per_doc_cost(live_points: list[int], params: Params, probe: int, share: float) -> None:
    fresh = [
        Doc(d.id, d.title, d.text, d.time, None, None)
        for d in stories_stream(probe + 5000, seed=77, function_share=share)
    ]
    warm, measured = fresh[:5000], fresh[5000:]
    for live in live_points:
        store = MemoryStoryStore(posting_cap=params.posting_cap)
        engine = StoryEngine(store, params)
        engine.assign_many(warm)  # realistic document frequencies
        gc.collect()
        before = rss_bytes()
        start = measured[0].published.timestamp() if measured[0].published else 0.0
        # tracemalloc counts exactly what the first stories allocate (RSS moves in arenas).
        sample = min(live, 20_000)
        tracemalloc.start()
        fill_live(store, sample, at=start, centroid_terms=params.centroid_terms)
        traced = tracemalloc.get_traced_memory()[0] / sample
        tracemalloc.stop()
        fill_live(
            store,
            live - sample,
            at=start,
            seed=10,
            offset=sample,
            centroid_terms=params.centroid_terms,
        )
        gc.collect()
        per_story = (rss_bytes() - before) / live
        feats = [engine.features(d) for d in measured]
        t = time.process_time()
        with store.locked():
            for d, f in zip(measured, feats, strict=True):
                engine._assign_locked(d, f)  # time the locked part alone
        locked = (time.process_time() - t) / len(measured)
        t = time.process_time()
        for d in measured:
            engine.features(d)
        feat = (time.process_time() - t) / len(measured)
        print(
            f"live stories {store.live_stories():>9,}: assign {1e6 * locked:6.0f} us/doc CPU "
            f"(+ features {1e6 * feat:4.0f} us/doc outside the lock); "
            f"memory per live story {traced:,.0f} B (tracemalloc), {per_story:,.0f} B (RSS delta)"
        )
        del store, engine
        gc.collect()


def redis_throughput(n_docs: int, params: Params, share: float) -> None:
    """The same engine over RedisStoryStore on a private redis-server: one process. The first
    batch warms up (background prior, scripts) and is not timed; the server's CPU comes from
    INFO, so client and server shares of a document's cost are both printed."""
    import redis  # noqa: PLC0415 - only this optional measurement needs a server

    from storywire.adapters.embedded_redis import embedded_redis  # noqa: PLC0415
    from storywire.stories import RedisStoryStore  # noqa: PLC0415

    docs = [
        Doc(d.id, d.title, d.text, d.time, None, None)
        for d in stories_stream(n_docs + 256, function_share=share)
    ]
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url)
        engine = StoryEngine(RedisStoryStore(client, posting_cap=params.posting_cap), params)
        engine.place_many(docs[:256])
        before = client.info("cpu")
        t, cpu = time.perf_counter(), time.process_time()
        held = 0
        # As the process task places a batch (holding grey-zone joins), then the rest released.
        for start in range(256, len(docs), 256):
            held += engine.place_many(docs[start : start + 256]).assigned.count(None)
        engine.release_held(0)
        elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
        after = client.info("cpu")
        client.close()
    served = sum(after[k] - before[k] for k in ("used_cpu_sys", "used_cpu_user"))
    print(
        f"RedisStoryStore: {n_docs:,} docs in {elapsed:.1f} s = {n_docs / elapsed:,.0f} docs/s "
        f"(one process, local redis-server, wall clock); per doc {1e6 * cpu / n_docs:,.0f} us "
        f"client CPU + {1e6 * served / n_docs:,.0f} us server CPU; {held:,} held and released"
    )


def host_probe() -> str:
    """Two yardsticks of the host, so figures from different hosts can be compared: a
    10M-step Python loop (compute) and a random lookup in a 1M-key string dict (memory latency,
    what the token, prior and frequency tables cost: the same code has run 1,000-3,000 docs/s
    per core on hosts these two numbers tell apart)."""
    t = time.perf_counter()
    for _ in range(10_000_000):
        pass
    loop = time.perf_counter() - t
    rng = random.Random(7)
    keys = [f"w{rng.random()}" for _ in range(1_000_000)]
    table = dict.fromkeys(keys, 0)
    probe = rng.choices(keys, k=1_000_000)
    t = time.perf_counter()
    for _ in map(table.get, probe):
        pass
    lookup = (time.perf_counter() - t) * 1e9 / len(probe)
    return f"host: 10M-step loop {loop:.2f} s, random lookup in a 1M-key dict {lookup:,.0f} ns"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000, help="0: skip the throughput run")
    parser.add_argument("--live", default="10000,100000,1000000", help="live-story points")
    parser.add_argument("--probe", type=int, default=4000, help="documents timed per point")
    parser.add_argument("--quick", action="store_true", help="20k docs, 10k and 100k live")
    parser.add_argument("--redis", type=int, default=0, metavar="N", help="also N docs via Redis")
    parser.add_argument(
        "--jobs", type=int, default=1, help="also time cluster_file with this many processes"
    )
    parser.add_argument(
        "--content-only", action="store_true", help="bodies without function words (pre-15)"
    )
    args = parser.parse_args(argv)
    share = 0.0 if args.content_only else FUNCTION_SHARE
    if args.quick:
        args.docs, args.live = 20_000, "10000,100000"
    params = Params()
    print(
        f"python {sys.version.split()[0]}, one process; start {T0:%Y-%m-%d}; "
        f"function words {share:.0%} of body words"
    )
    print(host_probe())
    if args.docs:
        throughput(args.docs, params, share, args.jobs)
    per_doc_cost([int(x) for x in args.live.split(",") if x], params, args.probe, share)
    if args.redis:
        redis_throughput(args.redis, params, share)
    return 0


if __name__ == "__main__":
    sys.exit(main())
