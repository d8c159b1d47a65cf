"""Held articles in the ledger: pending without events, released whole and exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import orjson
import redis

from storywire import events
from storywire.adapters.redis_ledger import Outcome, RedisLedger
from storywire.models import Article
from storywire.stories import Assignment

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _article(i: int, outlet: str = "Wire", *, title: str = "Storm hits the coast") -> Article:
    return Article(
        id=f"a{i}", source_id=outlet.lower(), outlet=outlet, url=f"https://{outlet}.example/a{i}",
        title=title, text="Body.", published=T0 + timedelta(minutes=i), content_hash=f"h{i}",
    )  # fmt: skip


def _joined(
    story_id: str, *, merged: tuple[str, ...] = (), copy_of: str | None = None
) -> Assignment:
    return Assignment(story_id=story_id, created=False, copy_of=copy_of, merged=merged, score=0.3)


def _outbox(client: redis.Redis, ledger: RedisLedger) -> list[tuple[str, dict[str, object]]]:
    items = client.lrange(ledger.outbox_key, 0, -1)
    return [
        (item.split(b"|", 2)[1].decode(), orjson.loads(item.split(b"|", 2)[2])["data"])
        for item in items
    ]


def test_a_held_article_is_pending_with_no_event_and_no_story(redis_client: redis.Redis) -> None:
    """Held: counted and listed by age, no story mapping (an edit must reach the engine again),
    nothing in the outbox; the JSON lives as long as the ledger's retention."""
    ledger = RedisLedger(redis_client, retention=3600)
    ledger.hold(_article(1), now=100.0)
    ledger.hold(_article(2), now=150.0)
    assert ledger.pending_count() == 2
    assert ledger.known_stories(["a1", "a2"]) == {}
    assert ledger.outbox_length() == 0
    assert ledger.pending(older_than=60.0, now=200.0) == ["a1"]
    assert ledger.pending(older_than=0.0, now=200.0) == ["a1", "a2"]
    assert ledger.pending(older_than=200.0, now=200.0) == []
    assert 0 < redis_client.ttl("sw:pending:a1") <= 3600
    assert ledger.pending_article("a1") == _article(1)


def test_an_edit_of_a_held_article_keeps_its_first_hold_time(redis_client: redis.Redis) -> None:
    """The edit's text is what gets released, but its age counts from the first hold, or a
    feed that keeps editing an entry would keep it pending for ever."""
    ledger = RedisLedger(redis_client)
    ledger.hold(_article(1), now=100.0)
    ledger.hold(_article(1, title="Storm hits the coast, two dead"), now=180.0)
    assert ledger.pending_count() == 1
    assert ledger.pending(older_than=90.0, now=190.0) == ["a1"]
    outcome = ledger.release("a1", _joined("st_x"))
    assert outcome is not None
    (ingested,) = [d for t, d in _outbox(redis_client, ledger) if t == events.ARTICLE_INGESTED]
    assert ingested["title"] == "Storm hits the coast, two dead"


def test_a_release_records_and_announces_as_record_would(redis_client: redis.Redis) -> None:
    """Released into a story that absorbs another, as a copy: the same events as ``record``
    with that assignment gives (merged, ingested, copied, with the same data), the article
    mapped to its story, and no pending keys left."""

    def clock() -> float:
        return 1_800_000_000.0  # both make their stories at one time

    held = RedisLedger(redis_client, "held:", clock=clock)
    plain = RedisLedger(redis_client, "plain:", clock=clock)
    for ledger in (held, plain):
        ledger.record(_article(1, "Reuters"), "st_a")
        ledger.record(_article(2, "CBS"), "st_b")
    held.hold(_article(3, "DW"), now=0.0)
    assignment = _joined("st_a", merged=("st_b",), copy_of="a1")

    outcome = held.release("a3", assignment)
    expected = plain.record(_article(3, "DW"), "st_a", ("st_b",), "a1")

    assert outcome is not None
    assert [e.type for e in outcome.events] == [e.type for e in expected.events] == [
        events.STORY_MERGED, events.ARTICLE_INGESTED, events.ARTICLE_INGESTED_V2,
        events.ARTICLE_COPIED,
    ]  # fmt: skip
    assert [e.data for e in outcome.events] == [e.data for e in expected.events]
    assert held.known_stories(["a3"]) == {"a3": "st_a"}
    assert held.resolve("st_b") == "st_a"
    assert held.pending_count() == 0
    assert not redis_client.exists("held:pending:a3")
    assert [t for t, _ in _outbox(redis_client, held)][-4:] == [e.type for e in outcome.events]


def test_a_release_of_nothing_pending_is_none(redis_client: redis.Redis) -> None:
    """Released twice (healing after a crash), or never held: None, and nothing written."""
    ledger = RedisLedger(redis_client)
    assert ledger.release("never", _joined("st_x")) is None
    ledger.hold(_article(1), now=0.0)
    assert ledger.release("a1", _joined("st_x")) is not None
    before = ledger.outbox_length()
    assert ledger.release("a1", _joined("st_y")) is None
    assert ledger.outbox_length() == before
    assert ledger.known_stories(["a1"]) == {"a1": "st_x"}


def test_an_index_entry_whose_article_expired_is_dropped(redis_client: redis.Redis) -> None:
    """The JSON lapsed (retention) but the sorted set kept the id: the release drops the id,
    or every sweep would find it again."""
    ledger = RedisLedger(redis_client)
    ledger.hold(_article(1), now=0.0)
    redis_client.delete("sw:pending:a1")
    assert ledger.release("a1", _joined("st_x")) is None
    assert ledger.pending_count() == 0


def test_concurrent_releases_of_one_article_record_it_once(redis_client: redis.Redis) -> None:
    """A sweep and a process call both release the same held article: one records it, the
    other gets None; one article.ingested, a count of one."""
    ledger = RedisLedger(redis_client)
    ledger.hold(_article(1), now=0.0)
    results: list[Outcome | None] = []
    barrier = threading.Barrier(8)

    def release() -> None:
        barrier.wait()
        results.append(ledger.release("a1", _joined("st_x")))  # a pipeline: its own connection

    threads = [threading.Thread(target=release) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for r in results if r is not None) == 1
    types = [t for t, _ in _outbox(redis_client, ledger)]
    assert types.count(events.ARTICLE_INGESTED) == 1
    record = ledger.get("st_x")
    assert record is not None
    assert record.article_count == 1


def test_a_held_article_released_as_the_original_of_an_earlier_arrival_announces_it_copied(
    redis_client: redis.Redis,
) -> None:
    """Decided at its release to be the original of a copy recorded before it (published
    earlier, arrived later), the held article's events are followed by the copy's
    article.copied, as a recorded one's are."""
    ledger = RedisLedger(redis_client)
    site, wire = _article(9, "Site"), _article(1)
    story = ledger.record(site, "st_1").story_id
    ledger.hold(wire)
    before = ledger.outbox_length()
    released = Assignment(story, created=False, copy_of=None, merged=(), score=1.0, copied=("a9",))
    assert ledger.release("a1", released) is not None
    kinds = [kind for kind, _ in _outbox(redis_client, ledger)[before:]]
    assert kinds == [
        events.STORY_UPDATED, events.ARTICLE_INGESTED, events.ARTICLE_INGESTED_V2,
        events.ARTICLE_COPIED,
    ]  # fmt: skip
    copied = _outbox(redis_client, ledger)[-1][1]
    assert (copied["article_id"], copied["copy_of"]) == ("a9", "a1")
    assert (copied["outlet"], copied["original_outlet"]) == ("Site", "Wire")
