"""Grey-zone deferral: a weakly matching document is held and decided some arrivals later."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import orjson
import pytest
import redis

from storywire.stories import (
    Doc,
    LockLost,
    MemoryStoryStore,
    Params,
    RedisStoryStore,
    StoryEngine,
    cluster_file,
)
from storywire.stories.model import HeldDoc

from .conftest import labelled_docs

# Every join is grey (below 1.0): each document that would join is held for two arrivals.
HOLD_ALL = Params(defer_below=1.0, defer_arrivals=2)


def _docs() -> list[Doc]:
    return [d for _, d in labelled_docs()]


def _labels() -> dict[str, str]:
    return {d.id: label for label, d in labelled_docs()}


def test_a_grey_join_is_held_then_decided_two_arrivals_later() -> None:
    docs = _docs()  # d0 Chile, d1 Nepal, d2 Lane, d3 Chile, d4 Ray, d5 Nepal, ...
    engine = StoryEngine(MemoryStoryStore(), HOLD_ALL)
    first = engine.place_many(docs[:4])
    assert [a is None for a in first.assigned] == [False, False, False, True]
    assert first.released == []
    # d3 was the 4th arrival (number 3): due by number 5, decided before d5 is placed.
    later = engine.place_many(docs[4:6])
    assert [doc_id for doc_id, _ in later.released] == ["d3"]
    assert later.released_before == [1]
    chile = first.assigned[0]
    assert chile is not None
    assert later.released[0][1].story_id == chile.story_id
    assert not later.released[0][1].created


def test_defer_below_zero_never_holds() -> None:
    placed = StoryEngine(MemoryStoryStore(), replace(HOLD_ALL, defer_below=0.0)).place_many(_docs())
    assert None not in placed.assigned
    assert placed.released == []


def test_assign_many_never_holds_and_leaves_held_documents_held() -> None:
    store = MemoryStoryStore()
    engine = StoryEngine(store, HOLD_ALL)
    docs = _docs()
    engine.place_many(docs[:4])
    assert engine.holding("d3")
    assigned = engine.assign_many(docs[4:])
    assert len(assigned) == 4
    assert engine.holding("d3")
    assert engine.decided("d3") is None
    released = engine.release_held(0)
    assert [doc_id for doc_id, _ in released] == ["d3"]
    assert engine.decided("d3") == released[0][1]
    assert not engine.holding("d3")


def test_a_held_document_that_arrives_again_is_held_once() -> None:
    store = MemoryStoryStore()
    engine = StoryEngine(store, HOLD_ALL)
    docs = _docs()
    engine.place_many(docs[:4])
    again = engine.place_many([docs[3]])
    assert again.assigned == [None]
    assert list(store.held) == ["d3"]
    assert store.arrivals() == (4, 5)  # the redelivery is no new arrival
    assert engine.repeats == 1


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_held_document_that_arrives_again_unlike_itself_stays_held(
    kind: str, redis_client: redis.Redis
) -> None:
    """An edit of a held document (same id) that would now start a story of its own is still
    the held document: decided at once as well, its release would later decide it a second
    time (and the ledger record the held text over the edit's)."""
    store = MemoryStoryStore() if kind == "memory" else RedisStoryStore(redis_client)
    engine = StoryEngine(store, HOLD_ALL)
    docs = _docs()
    engine.place_many(docs[:4])
    edit = replace(docs[3], title="Parliament passes budget in Oslo", text="Lawmakers voted.")
    again = engine.place_many([edit])
    assert again.assigned == [None]
    assert engine.holding("d3")
    assert engine.decided("d3") is None
    assert store.arrivals() == (4, 5)  # the edit is no new arrival
    assert store.live_stories() == 3


def test_release_held_decides_only_what_was_held_long_enough() -> None:
    now = [1000.0]
    engine = StoryEngine(
        MemoryStoryStore(), replace(HOLD_ALL, defer_arrivals=100), clock=lambda: now[0]
    )
    docs = _docs()
    engine.place_many(docs[:4])  # d3 held at 1000
    now[0] = 1030.0
    engine.place_many(docs[4:6])  # d5 (Nepal) held at 1030
    now[0] = 1070.0
    assert [d for d, _ in engine.release_held(60)] == ["d3"]
    assert engine.holding("d5")
    assert [d for d, _ in engine.release_held(0)] == ["d5"]


def test_every_document_ends_in_its_event_when_all_joins_are_deferred() -> None:
    """Holding changes when a document is decided, not what it can join: the labelled set
    still splits by event, each event one story."""
    engine = StoryEngine(MemoryStoryStore(), HOLD_ALL)
    docs = _docs()
    placed = engine.place_many(docs)
    stories = {d.id: a.story_id for d, a in zip(docs, placed.assigned, strict=True) if a}
    stories.update((d, a.story_id) for d, a in [*placed.released, *engine.release_held(0)])
    labels = _labels()
    by_event: dict[str, set[str]] = {}
    for doc_id, story in stories.items():
        by_event.setdefault(labels[doc_id], set()).add(story)
    assert len(stories) == len(docs)
    assert all(len(s) == 1 for s in by_event.values())
    assert len({s for ss in by_event.values() for s in ss}) == len(by_event)


def test_a_release_interrupted_after_its_commit_gives_the_same_answer_once() -> None:
    """A worker that loses the lock between a release's commit and its unhold leaves the
    document held; the retry finds the record and gives the same answer, reported once."""
    store = MemoryStoryStore()
    engine = StoryEngine(store, HOLD_ALL)
    docs = _docs()
    engine.place_many(docs[:4])
    real = store.unhold
    calls: list[str] = []

    def lost_once(doc_id: str) -> None:
        calls.append(doc_id)
        if len(calls) == 1:
            raise LockLost("ran out")
        real(doc_id)

    store.unhold = lost_once  # type: ignore[method-assign]
    later = engine.place_many(docs[4:6])
    assert calls == ["d3", "d3"]
    assert [d for d, _ in later.released] == ["d3"]
    assert engine.decided("d3") == later.released[0][1]
    assert store.n_docs == 5  # d3 committed once (d0, d1, d2, d4 and d3; d5 is held)


def test_releases_made_before_a_lost_lock_keep_their_place() -> None:
    """Two held documents fall due at once; the first is released, then the lock is lost at
    the second, which another worker releases meanwhile. The first release stands and is
    reported, so it must also say which document it came before: the process stage pairs
    the two lists strictly, and a short one failed the whole batch after its commits."""
    store = MemoryStoryStore()
    engine = StoryEngine(store, HOLD_ALL)
    docs = _docs()
    engine.place_many(docs[:4])  # d3 held, due by arrival 5
    engine.place_many([docs[5]])  # d5 held, due by arrival 6
    engine.assign_many([docs[4]])  # arrival 5: both due now
    assert store.arrivals() == (6, 5)
    real = store.unhold
    calls: list[str] = []

    def released_by_another_worker_then_lost(doc_id: str) -> None:
        calls.append(doc_id)
        real(doc_id)  # d5: the other worker, now holding the lock, released it
        if len(calls) == 2:
            raise LockLost("ran out")

    store.unhold = released_by_another_worker_then_lost  # type: ignore[method-assign]
    placed = engine.place_many([docs[6]])
    assert calls == ["d3", "d5"]
    assert [doc_id for doc_id, _ in placed.released] == ["d3"]
    assert placed.released_before == [0]


def test_redis_holds_and_releases_as_memory_does(redis_client: redis.Redis) -> None:
    memory, shared = MemoryStoryStore(), RedisStoryStore(redis_client)
    docs = _docs()
    got = []
    for store in (memory, shared):
        engine = StoryEngine(store, HOLD_ALL)
        got.append(
            (engine.place_many(docs[:5]), engine.place_many(docs[5:]), engine.release_held(0))
        )
    assert got[0] == got[1]
    _, later, at_end = got[0]
    assert later.released  # by count
    assert at_end  # and what was left at the end
    assert memory.arrivals() == shared.arrivals() == (8, None)
    assert not redis_client.keys("storywire:stories:h:*")
    ids = list(memory.stories)
    assert shared.load(ids) == memory.load(ids)


def test_a_held_redis_document_survives_its_worker(redis_client: redis.Redis) -> None:
    """The held document lives in Redis, not in the worker: another engine releases it."""
    docs = _docs()
    StoryEngine(RedisStoryStore(redis_client), HOLD_ALL).place_many(docs[:4])
    other = StoryEngine(RedisStoryStore(redis_client), HOLD_ALL)
    assert other.holding("d3")
    released = other.release_held(0)
    assert [(d, a.created) for d, a in released] == [("d3", False)]


def test_cluster_file_writes_held_documents_with_their_later_story(tmp_path: Path) -> None:
    docs = _docs()
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [
        {"id": d.id, "title": d.title, "text": d.text, "date": d.published.isoformat()}
        for d in docs
        if d.published is not None
    ]
    src.write_bytes(b"\n".join(map(orjson.dumps, rows)) + b"\n")
    report = cluster_file(src, dst, StoryEngine(MemoryStoryStore(), HOLD_ALL), progress=False)
    out = [orjson.loads(line) for line in dst.read_bytes().splitlines()]
    assert report.clustered == len(docs)
    assert report.held == 4  # d3, d5, d6, d7: every join
    assert [r["id"] for r in out] == [d.id for d in docs]
    assert all(r["story"] for r in out)
    labels = _labels()
    pairs = {(labels[r["id"]], r["story"]) for r in out}
    assert len(pairs) == len(set(labels.values())) == len({s for _, s in pairs})


@pytest.mark.parametrize("older_than", [0.0, 60.0])
def test_nothing_held_nothing_released(older_than: float) -> None:
    assert StoryEngine(MemoryStoryStore(), HOLD_ALL).release_held(older_than) == []


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_held_document_keeps_whether_its_time_was_given(
    kind: str, redis_client: redis.Redis
) -> None:
    """Its release decides whether it came before a copy of it by that (``Doc.dated``)."""
    store = MemoryStoryStore() if kind == "memory" else RedisStoryStore(redis_client)
    doc = replace(_docs()[0], dated=False)
    with store.locked():
        store.hold(HeldDoc(doc, 1, 0.0, StoryEngine(store).features(doc)))
        (held,), _ = store.due(1, 0.0)
    assert held.doc.dated is False
    assert held.doc.published == doc.published


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_held_document_keeps_its_headline_and_link_hashes(
    kind: str, redis_client: redis.Redis
) -> None:
    """Its release tells the next edition of an outlet's series by them (``Params``,
    ``edition_gap_hours``); the held text is not kept to compute them again."""
    store = MemoryStoryStore() if kind == "memory" else RedisStoryStore(redis_client)
    doc = replace(
        _docs()[0],
        title="Powerball winning numbers for Monday, Sept. 14",
        url="https://example.com/lottery/powerball-winning-numbers-monday-jackpot-b1234.html",
    )
    features = StoryEngine(store).features(doc)
    assert features.title_shape
    assert features.title_key
    assert features.link_shape
    assert features.link_key
    with store.locked():
        store.hold(HeldDoc(doc, 1, 0.0, features))
        (held,), _ = store.due(1, 0.0)
    kept = held.features
    assert (kept.title_shape, kept.title_key, kept.link_shape, kept.link_key) == (
        features.title_shape,
        features.title_key,
        features.link_shape,
        features.link_key,
    )
