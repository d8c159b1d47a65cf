"""RedisStoryStore: same decisions as the in-memory store, safe under concurrent workers."""

from __future__ import annotations

import math
import multiprocessing
import random
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson
import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storywire.stories import (
    Doc,
    LockLost,
    MemoryStoryStore,
    Params,
    RedisStoryStore,
    StoryEngine,
)
from tests.support.round_trips import counting_client, round_trips
from tests.support.stall import stall_before_commit, stall_until_lost

from .conftest import MERGE_PARAMS, T0, bridged_docs, labelled_docs

_HELD = "storywire:stories:held"


def _contract_sequence() -> list[Doc]:
    """Joins, a wire copy, a copy that arrives after its later-published republication, a
    redelivery, undated docs and expiry, in one stream."""
    docs = [d for _, d in labelled_docs()]
    copy = replace(docs[0], id="wire-copy", title=docs[0].title + " (AP)", outlet="ap.example")
    # Published two hours before docs[1], which arrived first: the original of that group.
    first = replace(
        docs[1], id="wire-first", outlet="wire.example", published=T0 - timedelta(hours=1)
    )
    echo = replace(docs[1], id="echo", outlet="echo.example", published=T0 + timedelta(hours=9))
    late = replace(docs[3], id="late", published=T0 + timedelta(hours=200))
    undated = replace(docs[4], id="undated", published=None)
    return [
        *docs, copy, first, echo, first, docs[2], late, undated,
        replace(docs[5], id="later", published=None),
    ]  # fmt: skip


def test_memory_and_redis_stores_make_identical_assignments(redis_client: redis.Redis) -> None:
    """The in-memory store is a faithful twin: one sequence, identical assignments and state."""
    params = Params()
    clock = (T0 + timedelta(hours=300)).timestamp
    memory = MemoryStoryStore(posting_cap=params.posting_cap)
    shared = RedisStoryStore(redis_client, posting_cap=params.posting_cap)
    seq = _contract_sequence()
    a = [StoryEngine(memory, params, clock=clock).assign(d) for d in seq]
    engine = StoryEngine(shared, params, clock=clock)
    b = [engine.assign(d) for d in seq[:5]] + engine.assign_many(seq[5:])
    assert a == b
    assert any(x.copy_of for x in a)
    assert [x.copied for x in a if x.copied] == [("d1",), ("d1",)]  # and its redelivery
    assert a[seq.index(next(d for d in seq if d.id == "echo"))].copy_of == "wire-first"
    assert memory.live_stories() == shared.live_stories()
    assert memory.clock() == shared.clock()
    assert memory.latest() == shared.latest()
    ids = list(memory.stories)
    assert shared.load(ids) == memory.load(ids)


def test_memory_and_redis_stores_merge_identically(redis_client: redis.Redis) -> None:
    """Merges (story.merged) come out the same from both stores, absorbed state gone from both."""
    memory = MemoryStoryStore()
    shared = RedisStoryStore(redis_client)
    a = StoryEngine(memory, MERGE_PARAMS).assign_many(bridged_docs())
    b = StoryEngine(shared, MERGE_PARAMS).assign_many(bridged_docs())
    assert a == b
    gone = [m for x in a for m in x.merged]
    assert gone
    assert shared.load(gone) == {}
    assert not redis_client.zscore("storywire:stories:live", gone[0])
    ids = list(memory.stories)
    assert shared.load(ids) == memory.load(ids)


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_copy_of_an_article_whose_story_merged_away_is_a_copy_in_the_survivor(
    redis_client: redis.Redis, kind: str
) -> None:
    """The original's record still names the absorbed story: the copy follows the merge."""
    store = MemoryStoryStore() if kind == "memory" else RedisStoryStore(redis_client)
    engine = StoryEngine(store, MERGE_PARAMS)
    placed = engine.assign_many(bridged_docs())
    (gone,) = (m for a in placed for m in a.merged)
    original = next(
        d for d, a in zip(bridged_docs(), placed, strict=True) if a.created and a.story_id == gone
    )
    survivor = placed[-1].story_id
    copy = replace(
        original,
        id="wire-copy",
        title=original.title + " (AP)",
        published=original.published + timedelta(hours=4),  # type: ignore[operator]
        outlet="ap.example",
    )
    got = engine.assign(copy)
    assert got.copy_of == original.id
    assert got.story_id == survivor
    assert not got.created


LATER = timedelta(hours=200)


def test_merge_aliases_expire_with_the_absorbed_story_in_both_stores(
    redis_client: redis.Redis,
) -> None:
    stores = (MemoryStoryStore(clock_rank=1), RedisStoryStore(redis_client, clock_rank=1))
    for store in stores:
        engine = StoryEngine(store, MERGE_PARAMS)
        placed = engine.assign_many(bridged_docs())
        (gone,) = (m for a in placed for m in a.merged)
        assert store.absorber(gone) == placed[-1].story_id
        for i in range(2):  # the first moves the clock on, the second's assignment expires
            engine.assign(replace(bridged_docs()[0], id=f"later{i}", published=T0 + LATER))
        assert store.absorber(gone) is None
    assert not redis_client.exists("storywire:stories:alias", "storywire:stories:aliased")


def test_documents_of_thousands_of_features_count_alike_in_both_stores(
    redis_client: redis.Redis,
) -> None:
    """A document's terms go to the scripts as one argument and are read and counted there in
    chunks (Lua's unpack() takes a few thousand values): 9,000 distinct features, with every
    body word counting, get the same assignment and document frequencies in both stores."""
    params = Params(body_words=0)
    vocab = [f"w{i:05d}" for i in range(13_500)]
    docs = [
        Doc("big-1", "Lighthouse keepers strike", " ".join(vocab[:9000]), T0),
        Doc("big-2", "Lighthouse keepers strike on", " ".join(vocab[4500:]), T0),
    ]
    memory = MemoryStoryStore(posting_cap=params.posting_cap)
    shared = RedisStoryStore(redis_client, posting_cap=params.posting_cap)
    alone = StoryEngine(memory, params).assign_many(docs)
    assert StoryEngine(shared, params).assign_many(docs) == alone
    terms = ["lighthouse", *vocab[4000:5000], *vocab[-10:]]
    n_docs, df, *_ = shared.stats("big-3", terms, [])
    assert (n_docs, df) == memory.stats("big-3", terms, [])[:2]
    assert df[:3] == [2, 1, 1]


def test_redis_store_expires_stories(redis_client: redis.Redis) -> None:
    """Stories older than the window leave Redis (state, index and live set)."""
    store = RedisStoryStore(redis_client, clock_rank=1)  # the clock follows the latest document
    engine = StoryEngine(store, Params(window_hours=72))
    docs = [d for _, d in labelled_docs()]
    first = engine.assign(docs[0])
    engine.assign(replace(docs[1], published=T0 + timedelta(hours=100)))
    # The clock is the latest document committed before an assignment: the next one evicts.
    engine.assign(replace(docs[2], published=T0 + timedelta(hours=100)))
    assert store.load([first.story_id]) == {}
    assert store.live_stories() == 2
    assert not redis_client.exists(f"storywire:stories:d:{docs[0].id}")


def test_document_frequencies_forget_old_generations_in_both_stores(
    redis_client: redis.Redis,
) -> None:
    """Two generations of document frequencies are kept; older words are forgotten alike."""
    params = Params(window_hours=24, df_generation_hours=48)
    docs = [d for _, d in labelled_docs()]
    # Generations start at 0 h and rotate when the clock (the latest document before an
    # assignment) reaches 60 h and 120 h, checked every window / 8 of it: at the end the counts
    # cover the documents of 90, 120 and 150 h.
    hours = (0, 30, 60, 90, 120, 150)
    timed = [
        replace(d, published=T0 + timedelta(hours=h)) for d, h in zip(docs, hours, strict=False)
    ]
    features = StoryEngine(MemoryStoryStore()).features
    only_first = set(features(timed[0]).terms).difference(*(features(d).terms for d in timed[2:]))
    assert only_first
    terms = [*sorted(only_first), "earthquake"]
    results = []
    for store in (MemoryStoryStore(clock_rank=1), RedisStoryStore(redis_client, clock_rank=1)):
        engine = StoryEngine(store, params)
        for doc in timed:
            engine.assign(doc)
        results.append(store.stats("nobody", terms, [])[:2])
    assert results[0] == results[1]
    n_docs, df = results[0]
    assert n_docs == 3
    assert df[:-1] == [0] * len(only_first)


def test_a_backlog_of_expired_stories_drains_in_batches(redis_client: redis.Redis) -> None:
    """After a long pause every old story is due at once: each assignment evicts at most
    ``expire_batch`` of them (the lock is never held for one giant sweep), and the backlog is
    gone a few assignments later, alike in both stores."""
    params = Params(expire_batch=3)
    old = [
        Doc(id=f"old{i}", title=f"Story {word} one", text="", published=T0)
        for i, word in enumerate(["Oslo", "Quito", "Hanoi", "Dakar", "Lima", "Riga", "Accra"])
    ]
    later = T0 + timedelta(hours=500)
    new = [
        Doc(id=f"new{i}", title=f"Story {word} two", text="", published=later)
        for i, word in enumerate(["Sofia", "Perth", "Tunis", "Cairo"])
    ]
    live = []
    for store in (MemoryStoryStore(clock_rank=1), RedisStoryStore(redis_client, clock_rank=1)):
        engine = StoryEngine(store, params)
        engine.assign_many(old)
        counts = []
        for doc in new:
            engine.assign(doc)
            counts.append(store.live_stories())
        live.append(counts)
    # The first new one still sees the old clock; then 7 old stories go: 3 with the second new
    # one, 3 with the third, the last with the fourth.
    assert live[0] == live[1] == [8, 6, 4, 4]


def test_documents_leave_with_their_window_when_stories_take_many_in_both_stores(
    redis_client: redis.Redis,
) -> None:
    """Every story here takes five documents, so each sweep has more documents than stories to
    evict. A sweep evicts at most ``expire_batch`` of each, and was taken as complete when
    fewer than that many *stories* went: the documents beyond the batch stayed in ``P:docs``
    (and the memory store's records) for good, a few more every sweep, without end. Now what
    is kept stays within about a window of documents, however long the stream."""
    params = Params(window_hours=8, expire_batch=3)  # a sweep every hour of the stream
    rng = random.Random(5)
    vocab = ["".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
             for _ in range(3000)]  # fmt: skip
    docs = []
    for hour in range(40):  # a new event an hour, five outlets each
        words = rng.sample(vocab, 12)
        docs += [
            Doc(
                id=f"h{hour}-{n}",
                title=" ".join(rng.sample(words, 6)).capitalize(),
                text=" ".join(rng.choice(words) for _ in range(40)),
                published=T0 + timedelta(hours=hour, minutes=10 * n),
                outlet=f"outlet{n}.example",
                url=f"https://outlet{n}.example/{hour}",
            )
            for n in range(5)
        ]
    memory = MemoryStoryStore(clock_rank=1)
    shared = RedisStoryStore(redis_client, clock_rank=1)
    engines = (StoryEngine(memory, params), StoryEngine(shared, params))
    kept: list[list[int]] = [[], []]
    for start in range(0, len(docs), 5):
        for engine in engines:
            engine.assign_many(docs[start : start + 5])
        kept[0].append(len(memory.docs))
        kept[1].append(redis_client.zcard("storywire:stories:docs"))
    assert kept[0] == kept[1]
    window = 5 * (8 + 1 + 1)  # the window's hours, the hour a sweep waits, the hour in progress
    assert max(kept[1]) <= window
    assert len(redis_client.keys("storywire:stories:d:*")) <= window


def test_a_backlog_drains_oldest_last_seen_first_in_both_stores(redis_client: redis.Redis) -> None:
    """A story that took a later article is evicted at its last article's time, not its
    first's: with a batch of one, both stores evict Nepal (5 h), then Lane (7 h), and keep
    Chile (0 h and 10 h); the memory store evicted Chile first, so a late Lane report joined
    Lane there and started a story in Redis."""
    params = Params(expire_batch=1)
    docs = [d for _, d in labelled_docs()]

    def at(doc: Doc, hours: int) -> Doc:
        return replace(doc, published=T0 + timedelta(hours=hours))

    # Chile 0 h and 10 h, Nepal 5 h, Lane 7 h; a jump to 200 h; then a late Lane report (8 h).
    seq = [at(docs[0], 0), at(docs[1], 5), at(docs[2], 7), at(docs[3], 10)]
    seq += [at(docs[4], 200), at(docs[7], 200), at(docs[6], 8)]
    memory = MemoryStoryStore(clock_rank=1)
    shared = RedisStoryStore(redis_client, clock_rank=1)
    a = StoryEngine(memory, params).assign_many(seq)
    b = StoryEngine(shared, params).assign_many(seq)
    assert a == b
    assert a[-1].created  # Lane went before the late report came
    assert set(memory.stories) == {
        s.decode() for s in redis_client.zrange("storywire:stories:live", 0, -1)
    }
    assert a[0].story_id in memory.stories


def _name(i: int) -> str:
    """A made-up place name of letters only, one per ``i``: a feature no other article has."""
    letters = ""
    while True:
        i, r = divmod(i, 26)
        letters += "bcdfghjklmnpqrstvwxzaeiouy"[r]
        if not i:
            return f"Vel{letters}ovo"


def _hot_story(n: int) -> list[Doc]:
    """One event's coverage, each report naming a few places no other names (as a war's do):
    every article brings index features of its own."""
    core = (
        "Russian forces shelled Kharkiv overnight as Ukraine's army held the line near "
        "Zaporizhzhia, President Zelensky said, while NATO ministers met in Brussels."
    )
    return [
        Doc(
            id=f"hot{i}",
            title=f"Kharkiv shelled as Ukraine war goes on near {_name(3 * i)}",
            text=f"{core} Fighting near {_name(3 * i + 1)} and {_name(3 * i + 2)} went on.",
            published=T0 + timedelta(minutes=i),
            outlet=f"outlet{i % 7}.example",
        )
        for i in range(n)
    ]


def test_a_hot_story_rewrites_a_state_of_bounded_size(redis_client: redis.Redis) -> None:
    """A story taking thousands of articles (a war, an election) kept every index feature it
    was ever indexed under in its state, rewritten whole with each article and read back as
    a candidate by every article near it: 5,000 articles made it 130 KB and a commit 134 KB
    sent. The features it is indexed under live in a key of their own, which a commit adds
    to: the state is the size of its centroid however long the story runs, and evicting the
    story still takes it out of every posting list."""
    store = RedisStoryStore(redis_client, clock_rank=1)
    engine = StoryEngine(store, Params(defer_below=0.0))
    sizes = {}
    docs = _hot_story(240)
    story = engine.assign(docs[0]).story_id
    for n, doc in enumerate(docs[1:], start=2):
        assert engine.assign(doc).story_id == story
        if n in (60, 240):
            sizes[n] = redis_client.strlen(f"storywire:stories:s:{story}")
    assert sizes[240] <= sizes[60] * 1.05, sizes
    indexed = [k for k in redis_client.scan_iter("storywire:stories:i:*")
               if redis_client.zscore(k, story) is not None]  # fmt: skip
    assert len(indexed) > 300  # each article's own places are among its index features
    later = T0 + timedelta(hours=200)
    for i in range(2):  # the first moves the clock on, the second's assignment evicts
        engine.assign(Doc(f"later{i}", "Lighthouse keepers strike in Oslo", "", later))
    assert store.load([story]) == {}
    assert not [k for k in indexed if redis_client.zscore(k, story) is not None]
    assert not redis_client.keys(f"storywire:stories:k:{story}")


def _as_before_p_k(client: redis.Redis, *, half: bool) -> None:
    """Rewrite every story as the store wrote it before ``P:k``: its index keys in its JSON
    (``half``: half of them, the rest left in the set, as a rollback to that version and back
    leaves a story that took articles in both)."""
    for key in client.scan_iter("storywire:stories:s:*"):
        story = key.decode().rsplit(":", 1)[1]
        state = orjson.loads(cast(bytes, client.get(key)))
        assert state["k"] == []  # which that version reads
        posted = sorted(m.decode() for m in client.hkeys(f"storywire:stories:k:{story}"))
        state["k"] = posted[::2] if half else posted
        assert state["k"]
        client.set(key, orjson.dumps(state))
        client.delete(f"storywire:stories:k:{story}")
        if half:
            client.hset(f"storywire:stories:k:{story}", mapping=dict.fromkeys(posted[1::2], ""))


def _index(client: redis.Redis) -> dict[str, list[str]]:
    return {
        key.decode().split(":i:", 1)[1]: [m.decode() for m in client.zrange(key, 0, -1)]
        for key in client.scan_iter("storywire:stories:i:*")
        if client.zcard(key)
    }


@pytest.mark.parametrize("half", [False, True], ids=["upgraded", "rolled-back-and-forth"])
def test_stories_that_list_their_index_keys_in_their_state_merge_and_leave_whole(
    redis_client: redis.Redis, half: bool
) -> None:
    """Stories live across the upgrade list their index keys in their JSON: a merge still
    takes the absorbed one out of every list and puts the survivor in, and eviction takes both
    out of every list, as the memory store does."""
    docs = bridged_docs()
    later = [replace(docs[0], id=f"later{i}", published=T0 + LATER) for i in range(2)]
    memory = MemoryStoryStore(clock_rank=1)
    shared = RedisStoryStore(redis_client, clock_rank=1)
    engines = [StoryEngine(memory, MERGE_PARAMS), StoryEngine(shared, MERGE_PARAMS)]
    placed = [e.assign_many(docs[:2]) for e in engines]
    assert placed[0] == placed[1]
    _as_before_p_k(redis_client, half=half)
    placed = [e.assign_many(docs[2:]) for e in engines]
    assert placed[0] == placed[1]
    assert [m for a in placed[0] for m in a.merged]
    assert _index(redis_client) == {k: list(v) for k, v in memory.index.items()}
    survivor = placed[0][-1].story_id
    assert {m.decode() for m in redis_client.hkeys(f"storywire:stories:k:{survivor}")} == set(
        memory.story_keys[survivor]
    )
    _as_before_p_k(redis_client, half=half)
    assert [e.assign_many(later) for e in engines][1][-1].story_id not in (survivor,)
    assert _index(redis_client) == {k: list(v) for k, v in memory.index.items()}
    assert survivor not in {s for v in memory.index.values() for s in v}


_WORDS = ["quake", "Chile", "Nepal", "rehab", "Malibu", "4.6", "37", "pirates", "Aden", "navy"]
_random_docs = st.lists(
    st.tuples(
        st.lists(st.sampled_from(_WORDS), min_size=0, max_size=8),  # title
        st.lists(st.sampled_from(_WORDS), min_size=0, max_size=30),  # body
        st.one_of(st.none(), st.integers(0, 200)),  # hours after T0, or undated
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=_random_docs, merge=st.booleans(), defer=st.booleans(), cap=st.sampled_from([2, 32]))
def test_memory_and_redis_stores_agree_on_random_streams(
    redis_client: redis.Redis,
    raw: list[tuple[list[str], list[str], int | None]],
    merge: bool,
    defer: bool,
    cap: int,
) -> None:
    """Any stream (joins, copies, merges, redeliveries, expiry, undated documents, documents
    held and released, times out of order and equal, full posting lists) gets the same
    assignments and leaves the same stories and posting lists in both stores."""
    redis_client.flushdb()
    docs = [
        Doc(
            id=f"d{i % 20}",  # ids repeat past 20: redeliveries
            title=" ".join(title),
            text=" ".join(body),
            published=None if hours is None else T0 + timedelta(hours=hours),
        )
        for i, (title, body, hours) in enumerate(raw)
    ]
    params = replace(MERGE_PARAMS if merge else Params(), posting_cap=cap)
    clock = (T0 + timedelta(hours=100)).timestamp
    memory = MemoryStoryStore(posting_cap=params.posting_cap, clock_rank=3)
    shared = RedisStoryStore(redis_client, posting_cap=params.posting_cap, clock_rank=3)
    if defer:
        # Every join held (and due three arrivals later); what is left, released at the end.
        params = replace(params, defer_below=1.0, defer_arrivals=3)
        engines = [StoryEngine(s, params, clock=clock) for s in (memory, shared)]
        placed = [e.place_many(docs[:9]) for e in engines]
        assert placed[0] == placed[1]
        placed = [e.place_many(docs[9:]) for e in engines]
        assert placed[0] == placed[1]
        assert redis_client.zcard(_HELD) == len(memory.held)
        assert all(shared.is_held(doc_id) for doc_id in memory.held)
        assert engines[0].release_held(0) == engines[1].release_held(0)
        assert not memory.held
        assert not redis_client.exists(_HELD)
    else:
        a = StoryEngine(memory, params, clock=clock).assign_many(docs)
        b = StoryEngine(shared, params, clock=clock).assign_many(docs)
        assert a == b
    assert memory.arrivals() == shared.arrivals()
    assert memory.clock() == shared.clock()
    assert memory.latest() == shared.latest()
    assert memory.swept() == shared.swept()
    kept = redis_client.zrange("storywire:stories:docs", 0, -1, withscores=True)
    assert {d.decode(): t for d, t in kept} == {k: v[2] for k, v in memory.docs.items()}
    ids = list(memory.stories)
    assert shared.load(ids) == memory.load(ids)
    assert shared.live_stories() == memory.live_stories()
    assert redis_client.hlen("storywire:stories:alias") == len(memory.aliases)
    assert {gone: shared.absorber(gone) for gone in memory.aliases} == memory.aliases
    keys = sorted(memory.index)
    assert shared.postings(keys, -math.inf) == memory.postings(keys, -math.inf)
    since = clock() - 72 * 3600.0
    assert shared.postings(keys, since) == memory.postings(keys, since)
    for query in (keys, keys[:10], keys[-3:]):
        assert shared.votes(query, since) == memory.votes(query, since)
        votes = memory.votes(query, -math.inf)
        ranked = sorted(sorted(votes), key=votes.__getitem__, reverse=True)[:4]
        with shared.locked():
            assert shared.votes(query, -math.inf, prefetch=3, barred=ranked[:1]) == votes
            assert shared.load(ranked) == memory.load(ranked)  # three read ahead, one not


# -- concurrency ----------------------------------------------------------------------------

_VOCAB = [f"w{i:04d}" for i in range(4000)]
_PLACES = ["Oslo", "Quito", "Hanoi", "Dakar", "Lima", "Riga", "Accra", "Sofia", "Perth", "Tunis"]


def _separated_docs(n_stories: int = 10, per_story: int = 5, seed: int = 3) -> list[Doc]:
    """Well-separated synthetic stories (disjoint vocabularies), interleaved at random."""
    rng = random.Random(seed)
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    docs: list[Doc] = []
    for s in range(n_stories):
        words = _VOCAB[s * 300 : (s + 1) * 300]
        place = _PLACES[s % len(_PLACES)]
        for k in range(per_story):
            body = " ".join(rng.choice(words[:60]) for _ in range(120))
            title = f"{place} {' '.join(rng.sample(words[:20], 6))}"
            docs.append(
                Doc(
                    id=f"s{s}-{k}",
                    title=title,
                    text=f"{place} {body}",
                    published=t0 + timedelta(minutes=s * 3 + k),
                )
            )
    rng.shuffle(docs)
    return docs


def _partition(ids: list[str], stories: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for i in ids:
        groups.setdefault(stories[i], set()).add(i)
    return {frozenset(g) for g in groups.values()}


# Every join held and due three arrivals later: each worker's later arrivals release what
# the others held.
_HOLD_ALL = Params(defer_below=1.0, defer_arrivals=3)


def _worker(
    url: str, docs: list[Doc], hold: bool, out: multiprocessing.Queue[list[tuple[str, str]]]
) -> None:
    client = redis.Redis.from_url(url)
    decided: list[tuple[str, str]] = []
    if hold:
        engine = StoryEngine(RedisStoryStore(client), _HOLD_ALL)
        for doc in docs:
            placed = engine.place_many([doc])
            decided += [(doc.id, a.story_id) for a in placed.assigned if a is not None]
            decided += [(doc_id, a.story_id) for doc_id, a in placed.released]
    else:
        engine = StoryEngine(RedisStoryStore(client))
        decided = [(d.id, engine.assign(d).story_id) for d in docs]
    out.put(decided)
    client.close()


@pytest.mark.parametrize("hold", [False, True], ids=["at-once", "holding"])
def test_concurrent_processes_give_sequential_partition(
    redis_client: redis.Redis, hold: bool
) -> None:
    """Four worker processes sharing Redis produce the partition one sequential run produces;
    with holding, too, each document decided exactly once, whichever worker released it."""
    docs = _separated_docs()
    sequential = StoryEngine(MemoryStoryStore()).assign_many(docs)
    expected = _partition(
        [d.id for d in docs], {d.id: a.story_id for d, a in zip(docs, sequential, strict=True)}
    )
    assert len(expected) == 10

    url = "redis://{host}:{port}/{db}".format(**redis_client.connection_pool.connection_kwargs)
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[list[tuple[str, str]]] = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, docs[i::4], hold, out)) for i in range(4)]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    decided = [pair for chunk in results for pair in chunk]
    if hold:
        rest = StoryEngine(RedisStoryStore(redis_client), _HOLD_ALL).release_held(0)
        decided += [(doc_id, a.story_id) for doc_id, a in rest]
        # A document's worker is known by its place in ``docs``: some worker decided one
        # that another worker held.
        worker_of = {d.id: i % 4 for i, d in enumerate(docs)}
        assert any(len({worker_of[doc_id] for doc_id, _ in chunk}) > 1 for chunk in results)
    assert sorted(doc_id for doc_id, _ in decided) == sorted(d.id for d in docs)
    assert _partition([d.id for d in docs], dict(decided)) == expected


def test_concurrent_threads_give_sequential_partition(redis_client: redis.Redis) -> None:
    """Threads racing on the first articles of each new story still leave one story per event."""
    docs = _separated_docs(seed=5)
    sequential = StoryEngine(MemoryStoryStore()).assign_many(docs)
    expected = _partition(
        [d.id for d in docs], {d.id: a.story_id for d, a in zip(docs, sequential, strict=True)}
    )
    got: dict[str, str] = {}
    barrier = threading.Barrier(4)

    def run(chunk: list[Doc]) -> None:
        engine = StoryEngine(RedisStoryStore(redis_client))
        barrier.wait()
        for d in chunk:
            got[d.id] = engine.assign(d).story_id

    threads = [threading.Thread(target=run, args=(docs[i::4],)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert _partition([d.id for d in docs], got) == expected


# -- fencing: a worker that stalls past the lock's timeout --------------------------------------


def test_a_commit_after_the_lock_ran_out_raises_lock_lost_and_writes_nothing(
    redis_client: redis.Redis,
) -> None:
    """Worker 1 reads under the lock, stalls past the timeout; worker 2 takes the lock and
    starts the story; worker 1's commit (made on stale reads: it would start a second story for
    the same event) raises LockLost and leaves exactly worker 2's state behind."""
    docs = [d for _, d in labelled_docs()]
    slow = RedisStoryStore(redis_client)
    fast = RedisStoryStore(redis_client)
    slow_engine, fast_engine = StoryEngine(slow), StoryEngine(fast)
    other = stall_before_commit(redis_client, slow, lambda: fast_engine.assign(docs[3]))
    with pytest.raises(LockLost), slow.locked():
        slow_engine._assign_locked(docs[0], slow_engine.features(docs[0]))
    assert len(other) == 1
    alone = MemoryStoryStore()
    assert StoryEngine(alone).assign(docs[3]) == other[0]
    ids = list(alone.stories)
    assert slow.load(ids) == alone.load(ids)
    assert slow.live_stories() == 1
    assert int(redis_client.get("storywire:stories:n") or 0) == 1
    assert slow.stats(docs[0].id, [], [])[3] is None  # worker 1's document not recorded
    assert not redis_client.exists(slow.lock_key)  # and its exit did not touch the lock


def test_a_worker_that_lost_the_lock_assigns_the_document_again(redis_client: redis.Redis) -> None:
    """The engine retries the refused document under a fresh lock: it joins the story worker 2
    started meanwhile, exactly as if the two had come one after the other."""
    docs = [d for _, d in labelled_docs()]
    slow = RedisStoryStore(redis_client)
    fast_engine = StoryEngine(RedisStoryStore(redis_client))
    other = stall_before_commit(redis_client, slow, lambda: fast_engine.assign(docs[3]))
    got = StoryEngine(slow).assign_many([docs[0], docs[1]])
    sequential = MemoryStoryStore()
    engine = StoryEngine(sequential)
    assert [engine.assign(docs[3]), *engine.assign_many([docs[0], docs[1]])] == [*other, *got]
    assert not got[0].created
    ids = list(sequential.stories)
    assert slow.load(ids) == sequential.load(ids)
    assert slow.live_stories() == sequential.live_stories() == 2


def test_the_engine_gives_up_after_lock_retries_with_nothing_half_written(
    redis_client: redis.Redis,
) -> None:
    """A worker that stalls on every attempt raises LockLost after ``lock_retries`` fresh
    locks (the task then retries the batch); every refused commit wrote nothing."""
    docs = [d for _, d in labelled_docs()]
    slow = RedisStoryStore(redis_client)
    fast_engine = StoryEngine(RedisStoryStore(redis_client))
    others = iter(docs[3:])
    other = stall_before_commit(
        redis_client, slow, lambda: fast_engine.assign(next(others)), times=100
    )
    with pytest.raises(LockLost):
        StoryEngine(slow, Params(lock_retries=2)).assign(docs[0])
    assert len(other) == 3
    assert int(redis_client.get("storywire:stories:n") or 0) == 3
    assert slow.stats(docs[0].id, [], [])[3] is None


def test_eviction_and_rotation_are_fenced_too(redis_client: redis.Redis) -> None:
    """Every write made under the lock checks it: a stale worker's eviction batch and
    frequency rotation raise LockLost and change nothing; reads need no lock."""
    docs = [d for _, d in labelled_docs()]
    fast = RedisStoryStore(redis_client)
    first = StoryEngine(fast).assign(docs[0])
    started = redis_client.get("storywire:stories:dfstart")
    slow = RedisStoryStore(redis_client)
    with slow.locked():
        stall_until_lost(redis_client, slow)
        with fast.locked():
            with pytest.raises(LockLost):
                slow.expire(T0.timestamp() + 1e9, limit=100)
            with pytest.raises(LockLost):
                slow.rotate_frequencies(T0.timestamp() + 1e9, 1.0)
            assert slow.live_stories() == 1
            assert slow.load([first.story_id])
            assert redis_client.get("storywire:stories:dfstart") == started
            assert redis_client.exists("storywire:stories:df")
            assert not redis_client.exists("storywire:stories:df:old")
    # worker 2 still held its lock while worker 1 left its own: it released only its own.
    assert not redis_client.exists(slow.lock_key)


def test_writes_outside_the_lock_are_refused(redis_client: redis.Redis) -> None:
    """A write with no lock held is a bug in the caller, not a lost lock."""
    with pytest.raises(RuntimeError, match="locked"):
        RedisStoryStore(redis_client).rotate_frequencies(0.0, 1.0)


def test_a_store_for_params_takes_their_window_cap_and_lock_timeout(
    redis_client: redis.Redis,
) -> None:
    params = Params(window_hours=5.0, posting_cap=7, lock_timeout=2.5)
    store = RedisStoryStore.for_params(redis_client, params, prefix="p")
    assert (store.ttl, store.posting_cap, store.lock_timeout, store.lock_key) == (
        36_000,
        7,
        2.5,
        "p:lock",
    )


def test_a_commit_sent_again_after_a_lost_reply_counts_once(redis_client: redis.Redis) -> None:
    """redis-py retries a script whose reply a dropped connection lost: the second run of an
    applied commit must not count the document, its words and its arrival twice."""
    store = RedisStoryStore(redis_client)
    engine = StoryEngine(store)
    sent: list[Any] = []
    commit = store.commit

    def twice(change: Any) -> None:
        sent.append(change)
        commit(change)
        commit(change)  # as the retry after a lost reply runs it

    store.commit = twice  # type: ignore[method-assign]
    docs = [d for _, d in labelled_docs()][:3]
    engine.assign_many(docs)
    assert int(redis_client.get("storywire:stories:n") or 0) == len(docs)
    assert store.arrivals()[0] == len(docs)
    twin = MemoryStoryStore()
    StoryEngine(twin).assign_many(docs)
    assert store.stats("x", sorted(twin.df), [])[1] == [twin.df[t] for t in sorted(twin.df)]


class _Recording(redis.Redis):
    """A client that notes the name of each command it sends (scripts are EVALSHA)."""

    sent: list[tuple[str, str]]

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.sent.append((str(args[0]).upper(), str(args[1]) if len(args) > 1 else ""))
        return super().execute_command(*args, **options)


def test_copies_and_holds_are_read_with_the_stats_in_one_round_trip(
    redis_client: redis.Redis,
) -> None:
    """Under the lock every round trip waits for every worker: the records of the documents
    sharing a copy key, and whether the document is held, come back with the stats script
    (no MGET nor ZSCORE of their own), and the assignments are the memory store's."""
    params = replace(Params(), defer_below=1.0, defer_arrivals=3)
    docs = [d for _, d in labelled_docs()]
    copies = [replace(d, id=f"{d.id}-copy", outlet="wire.example") for d in docs[:4]]
    stream = [*docs, *copies, docs[0]]  # the last: a redelivery of a document held
    clock = (T0 + timedelta(hours=100)).timestamp
    memory = StoryEngine(MemoryStoryStore(), params, clock=clock).place_many(stream)
    client = _Recording(connection_pool=redis_client.connection_pool)
    client.sent = []
    store = RedisStoryStore(client)
    shared = StoryEngine(store, params, clock=clock).place_many(stream)
    assert shared == memory
    assert any(a is not None and a.copy_of for a in shared.assigned)
    sent = [name for name, _ in client.sent]
    assert "ZSCORE" not in sent
    # MGETs are of candidate stories' states (":s:"), never of documents' records (":d:").
    assert [key for name, key in client.sent if name == "MGET" and ":d:" in key] == []
    assert sent.count("EVALSHA") >= len(stream)


def test_taking_the_lock_reads_what_is_asked_once_per_lock(redis_client: redis.Redis) -> None:
    """Every round trip under the lock waits for every worker: taking it also reads the clock,
    the latest time, the sweep's horizon and the arrivals, so a lock is two round trips (take,
    release) however many of them are asked; the arrivals are read again after a write."""
    store = RedisStoryStore(counting_client(redis_client))
    engine = StoryEngine(store, Params(), clock=(T0 + timedelta(hours=100)).timestamp)
    engine.place_many([d for _, d in labelled_docs()][:3])  # some state; loads the scripts
    before = round_trips()
    with store.locked():
        read = (store.clock(), store.latest(), store.swept(), store.arrivals())
    assert round_trips() - before == 2
    fresh = RedisStoryStore(redis_client)
    with fresh.locked():
        assert read[0] == fresh.clock() > 0
        assert read[1:3] == (fresh.latest(), fresh.swept())
        assert read[3] == fresh.arrivals() == fresh.arrivals() == (3, None)


def test_candidate_states_come_with_the_votes(redis_client: redis.Redis) -> None:
    """The votes script returns the states of the stories the engine then loads: no MGET of
    its own for a document that is no copy. A load of stories it did not read ahead (a server
    whose locale orders tied ids otherwise than Python does) reads them."""
    docs = [d for _, d in labelled_docs()]
    client = _Recording(connection_pool=redis_client.connection_pool)
    client.sent = []
    store = RedisStoryStore(client)
    clock = (T0 + timedelta(hours=100)).timestamp
    memory = StoryEngine(MemoryStoryStore(), Params(), clock=clock).assign_many(docs)
    assert StoryEngine(store, Params(), clock=clock).assign_many(docs) == memory
    assert not any(a.copy_of for a in memory)
    assert [key for name, key in client.sent if name == "MGET"] == []
    joined = {a.story_id for a in memory if not a.created}
    with store.locked():
        votes = store.votes(["earthquake", "chile"], 0.0, prefetch=1)
        ahead = set(cast(dict[str, Any], store._held.prefetched))
        assert len(ahead) == 1
        assert ahead <= set(votes)
        loaded = store.load(sorted(joined))
    assert set(loaded) == joined
    assert [key for name, key in client.sent if name == "MGET"] != []
