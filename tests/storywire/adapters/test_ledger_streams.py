"""Story records and events: written together, drained to the stream exactly once per id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import orjson
import pytest
import redis

from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.streams import RedisStreamSink
from storywire.events import ARTICLE_INGESTED, ARTICLE_INGESTED_V2, ARTICLE_INGESTED_V3, event_id
from storywire.models import Article
from storywire.stories import Assignment
from storywire.stories_ledger import Hold, Record, Release, Step
from tests.support.round_trips import counting_client, round_trips

T0 = datetime(2026, 11, 24, 8, tzinfo=UTC)


def _article(aid: str, outlet: str, minutes: int) -> Article:
    return Article(
        id=aid, source_id=outlet.lower(), outlet=outlet, url=f"https://{outlet}.com/{aid}",
        title=f"{outlet} headline", text="Body.", published=T0 + timedelta(minutes=minutes),
        content_hash=f"h{aid}",
    )  # fmt: skip


def _events(client: redis.Redis) -> list[dict[str, object]]:
    return [orjson.loads(f[b"event"]) for _, f in client.xrange("storywire.events")]


def test_story_events_credit_the_first_publisher(redis_client: redis.Redis) -> None:
    """A story created by a later-published article credits whoever published first."""
    ledger = RedisLedger(redis_client)
    ledger.record(_article("a1", "Reuters", 30), "st_1")
    ledger.record(_article("a2", "AlJazeera", 0), "st_1")
    sink = RedisStreamSink(redis_client, outbox_key=ledger.outbox_key)
    assert sink.drain_all(now=1.0) == 6
    types = [e["type"] for e in _events(redis_client)]
    assert types == [
        "storywire.story.created.v1", "storywire.article.ingested.v1",
        "storywire.article.ingested.v2",
        "storywire.story.updated.v1", "storywire.article.ingested.v1",
        "storywire.article.ingested.v2",
    ]  # fmt: skip
    last = _events(redis_client)[3]["data"]
    assert isinstance(last, dict)
    assert last["credited_outlet"]["outlet"] == "AlJazeera"
    assert [o["outlet"] for o in last["outlets"]] == ["AlJazeera", "Reuters"]
    assert last["article_count"] == 2


def test_redelivered_decision_is_sent_once(redis_client: redis.Redis) -> None:
    """Recording the same article twice queues the same event id; the stream gets it once."""
    ledger = RedisLedger(redis_client)
    sink = RedisStreamSink(redis_client, outbox_key=ledger.outbox_key)
    ledger.record(_article("a1", "Reuters", 0), "st_1")
    sink.drain_all(now=1.0)
    ledger.record(_article("a1", "Reuters", 0), "st_1")  # a retried task
    sink.drain_all(now=2.0)
    ids = [e["id"] for e in _events(redis_client)]
    assert len(ids) == len(set(ids)) == 3  # story.created, article.ingested v1 and v2
    assert ledger.outbox_length() == 0


def test_an_edit_that_changes_nothing_a_story_event_shows_announces_only_the_article(
    redis_client: redis.Redis,
) -> None:
    """A later article's edit (its title: not the headline, not its outlet's first) is an
    article.ingested of its new text, not a story.updated identical to the last but for its
    version; the edit is kept, and the next change is the next version. A headline's edit is
    a story.updated."""
    ledger = RedisLedger(redis_client)
    (created, *_) = ledger.record(_article("a1", "Reuters", 0), "st_1").events
    first = created.data["version"]
    ledger.record(_article("a2", "CBS", 5), "st_1")
    edit = replace(_article("a2", "CBS", 5), title="CBS headline, updated", content_hash="h2b")
    outcome = ledger.record(edit, "st_1")
    assert [e.type for e in outcome.events] == [ARTICLE_INGESTED, ARTICLE_INGESTED_V2]
    record = ledger.get("st_1")
    assert record is not None
    assert record.version == first + 1
    assert [m.title for m in record.members] == ["Reuters headline", "CBS headline, updated"]
    joined = ledger.record(_article("a3", "NPR", 9), "st_1")
    assert [(e.type, e.data["version"]) for e in joined.events[:1]] == [
        ("storywire.story.updated.v1", first + 2)
    ]
    headline = replace(_article("a1", "Reuters", 0), title="Reuters, updated", content_hash="h1b")
    (story, *_) = ledger.record(headline, "st_1").events
    assert (story.type, story.data["headline"], story.data["version"]) == (
        "storywire.story.updated.v1",
        "Reuters, updated",
        first + 3,
    )


def test_merge_moves_articles_and_aliases_the_absorbed_story(redis_client: redis.Redis) -> None:
    """Merging announces story.merged and later writes to the old id land in the survivor."""
    ledger = RedisLedger(redis_client)
    ledger.record(_article("a1", "Reuters", 0), "st_a")
    ledger.record(_article("a2", "CBS", 5), "st_b")
    outcome = ledger.record(_article("a3", "SCMP", 9), "st_a", absorbed=["st_b"])
    assert next(e.type for e in outcome.events) == "storywire.story.merged.v1"
    ledger.record(_article("a4", "NPR", 12), "st_b")
    record = ledger.get("st_a")
    assert record is not None
    assert sorted(m.article_id for m in record.members) == ["a1", "a2", "a3", "a4"]
    assert ledger.get("st_b") is None
    assert ledger.known_stories(["a2"]) == {"a2": "st_a"}


def test_a_merge_is_a_version_above_both_stories(redis_client: redis.Redis) -> None:
    """A consumer holding either story takes the merge as later than what it holds: the
    absorbed story, begun later, had the higher version."""
    times = iter([1_800_000_000.0, 1_800_000_060.0, 1_800_000_120.0])
    ledger = RedisLedger(redis_client, clock=lambda: next(times))
    (a, *_) = ledger.record(_article("a1", "Reuters", 0), "st_a").events
    (b, *_) = ledger.record(_article("a2", "CBS", 5), "st_b").events
    (merge, *_) = ledger.record(_article("a3", "SCMP", 9), "st_a", absorbed=["st_b"]).events
    assert b.data["version"] > a.data["version"]
    assert merge.data["story"]["version"] == b.data["version"] + 2  # the merge, then a3


def test_a_story_begun_again_after_its_record_was_lost_repeats_no_version(
    redis_client: redis.Redis,
) -> None:
    """Redis restarted without its data (or the retention passed and the story's first
    article came back): the story is made again under its deterministic id. Its versions began
    at 1 again, so its events had the ids and versions consumers already had: dropped as
    repeats, or older than the versions they held. Begun later, they are above those."""
    times = iter([1_800_000_000.0, 1_800_000_001.0, 1_800_003_600.0, 1_800_003_601.0])
    ledger = RedisLedger(redis_client, clock=lambda: next(times))
    before = [ledger.record(_article(a, o, m), "st_a").events[0] for a, o, m in _REPORTS]
    redis_client.flushdb()
    after = [ledger.record(_article(a, o, m), "st_a").events[0] for a, o, m in _REPORTS]
    assert [e.type for e in after] == [e.type for e in before]
    assert {e.id for e in after}.isdisjoint(e.id for e in before)
    assert min(e.data["version"] for e in after) > max(e.data["version"] for e in before)
    assert after[1].data["version"] == after[0].data["version"] + 1


_REPORTS = [("a1", "Reuters", 0), ("a2", "CBS", 5)]


def test_records_lapse_after_the_retention_and_each_write_renews_them(
    redis_client: redis.Redis,
) -> None:
    """Polling never stops: story records, aliases and article mappings carry the retention as
    their TTL (renewed by every write); without one they are kept for good."""
    ledger = RedisLedger(redis_client, retention=3600)
    ledger.record(_article("a1", "Reuters", 0), "st_a")
    ledger.record(_article("a2", "CBS", 5), "st_b")
    ledger.record(_article("a3", "SCMP", 9), "st_a", absorbed=["st_b"])
    keys = ["sw:story:st_a", "sw:alias:st_b", *(f"sw:article:a{i}" for i in (1, 2, 3))]
    assert all(0 < redis_client.ttl(key) <= 3600 for key in keys)
    redis_client.expire("sw:story:st_a", 10)
    ledger.record(_article("a4", "NPR", 12), "st_a")
    assert redis_client.ttl("sw:story:st_a") > 10  # renewed by the write
    kept = RedisLedger(redis_client, prefix="kept:")
    kept.record(_article("b1", "Reuters", 0), "st_c")
    assert redis_client.ttl("kept:story:st_c") == redis_client.ttl("kept:article:b1") == -1


def test_a_story_merged_away_before_its_first_record_takes_no_record_of_its_own(
    redis_client: redis.Redis,
) -> None:
    """The engine merged st_b into st_a while st_b's first article was still unrecorded (its
    worker died after the story store's commit): the retry's write lands in st_a, never in a
    record for st_b, which consumers would take for a live story of its own."""
    ledger = RedisLedger(redis_client)
    ledger.record(_article("a1", "Reuters", 0), "st_a")
    ledger.record(_article("a3", "SCMP", 9), "st_a", absorbed=["st_b"])
    ledger.record(_article("a2", "CBS", 5), "st_b")  # the retry: the engine's first answer
    assert ledger.get("st_b") is None
    record = ledger.get("st_a")
    assert record is not None
    assert sorted(m.article_id for m in record.members) == ["a1", "a2", "a3"]
    assert record.article_count == 3
    assert ledger.known_stories(["a2"]) == {"a2": "st_a"}


@pytest.mark.parametrize("race", ["merge", "join"])
def test_a_write_landing_between_read_and_write_is_read_again(
    redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch, race: str
) -> None:
    """Another worker writes after this batch read its keys and before it wrote: merges st_b
    into st_a (the batch must not bring st_b back as a story of its own), or adds an article
    to st_b (the batch must not write over it). The batch is refused and read again."""
    ledger = RedisLedger(redis_client)
    other = RedisLedger(redis_client)
    ledger.record(_article("a1", "Reuters", 0), "st_a")
    ledger.record(_article("a2", "CBS", 5), "st_b")
    read = RedisLedger._read
    reads: list[int] = []

    def read_then_race(self: RedisLedger, steps: Sequence[Step]) -> object:
        batch = read(self, steps)
        if self is ledger:
            if not reads:
                absorbed = ["st_b"] if race == "merge" else []
                other.record(_article("a3", "SCMP", 9), "st_a" if absorbed else "st_b", absorbed)
            reads.append(len(steps))
        return batch

    monkeypatch.setattr(RedisLedger, "_read", read_then_race)
    ledger.record(_article("a4", "NPR", 12), "st_b")
    assert reads == [1, 1]
    survivor = "st_a" if race == "merge" else "st_b"
    assert ledger.resolve("st_b") == survivor
    record = ledger.get(survivor)
    assert record is not None
    expected = ["a1", "a2", "a3", "a4"] if race == "merge" else ["a2", "a3", "a4"]
    assert sorted(m.article_id for m in record.members) == expected
    assert record.article_count == len(expected)


def test_an_edit_back_to_earlier_text_reaches_consumers(redis_client: redis.Redis) -> None:
    """Text h1, then an edit h2, then back to h1: consumers must end with the h1 text."""
    ledger = RedisLedger(redis_client)
    sink = RedisStreamSink(redis_client, outbox_key=ledger.outbox_key)
    first = _article("a1", "Reuters", 0)
    edited = replace(first, text="Body, corrected.", content_hash="h-edit")
    for version in (first, edited, first):
        ledger.record(version, "st_1")
        sink.drain_all(now=1.0)
    latest: dict[str, str] = {}
    seen: set[object] = set()
    for event in _events(redis_client):
        if event["type"] == "storywire.article.ingested.v1" and event["id"] not in seen:
            seen.add(event["id"])  # as the docs tell consumers: drop repeats by id
            data = event["data"]
            assert isinstance(data, dict)
            latest[data["article_id"]] = data["text"]
    assert latest == {"a1": "Body."}


def test_article_event_ids_follow_revisions_of_the_text(redis_client: redis.Redis) -> None:
    """A redelivery repeats the first id (the id a first version always had); every change
    of text, back to an earlier one included, is a new id."""
    ledger = RedisLedger(redis_client)
    first = _article("a1", "Reuters", 0)
    edited = replace(first, text="Body, corrected.", content_hash="h-edit")

    def ingested_id(version: Article) -> str:
        (event,) = [e for e in ledger.record(version, "st_1").events if e.type == ARTICLE_INGESTED]
        return event.id

    ids = [ingested_id(v) for v in (first, first, edited, edited, first)]
    assert ids[0] == ids[1] == event_id(ARTICLE_INGESTED, "a1", "ha1")
    assert ids[2] == ids[3]
    assert len({ids[0], ids[2], ids[4]}) == 3


def test_v3_carries_the_revision_of_the_text(redis_client: redis.Redis) -> None:
    """A consumer handling an article's events out of order keeps the highest revision: a
    redelivery repeats its revision, every change of text (back to an earlier one too) is
    one more."""
    ledger = RedisLedger(redis_client, article_versions=("v3",))
    first = _article("a1", "Reuters", 0)
    edited = replace(first, text="Body, corrected.", content_hash="h-edit")
    revisions = []
    for version in (first, first, edited, edited, first):
        (event,) = [
            e for e in ledger.record(version, "st_1").events if e.type == ARTICLE_INGESTED_V3
        ]
        revisions.append(event.data["revision"])
    assert revisions == [0, 0, 1, 1, 2]


def test_a_late_redelivery_does_not_move_the_last_fetch_time_back(
    redis_client: redis.Redis,
) -> None:
    """Texts fetched at 1, 2 and 3 (the third back to the first); then the batch of 1 comes
    again (the same text as the last: announced again, same id) and the batch of 2 after it:
    still older than the last recorded text, so nothing of it is recorded."""
    ledger = RedisLedger(redis_client)
    first = _article("a1", "Reuters", 0)
    edited = replace(first, text="Body, corrected.", content_hash="h-edit")

    def at(version: Article, hour: int) -> Article:
        return replace(version, fetched_at=T0 + timedelta(hours=hour))

    for version, hour in ((first, 1), (edited, 2), (first, 3), (first, 1)):
        ledger.record(at(version, hour), "st_1")
    assert ledger.record(at(edited, 2), "st_1").events == ()
    (record,) = ledger.all()
    assert record.members[0].summary == "Body."


def test_both_article_versions_are_queued_in_the_one_write_of_the_decision(
    redis_client: redis.Redis,
) -> None:
    """v1 and v2 of article.ingested go into the outbox by the same script as the story
    record: a crash publishes both or neither, never one alone."""
    ledger = RedisLedger(redis_client)
    write = ledger._write_script
    calls: list[tuple[list[str], list[object]]] = []

    def recording(keys: list[str], args: list[object]) -> object:
        calls.append((keys, args))
        return write(keys, args)

    ledger._write_script = recording  # type: ignore[assignment]
    ledger.record(replace(_article("a1", "Reuters", 0), image="https://r.example/a.jpg"), "st_1")
    ((keys, args),) = calls
    assert "sw:story:st_1" in keys
    pushed = [bytes(a) for a in args if isinstance(a, bytes) and a.startswith(b"ev_")]
    kinds = [item.split(b"|")[1].decode() for item in pushed]
    assert kinds == ["storywire.story.created.v1", ARTICLE_INGESTED, ARTICLE_INGESTED_V2]
    assert [r.split(b"|")[0] for r in redis_client.lrange(ledger.outbox_key, 0, -1)] == [
        item.split(b"|")[0] for item in pushed
    ]


@pytest.mark.parametrize(
    ("versions", "kinds"),
    [
        (("v1",), [ARTICLE_INGESTED]),
        (("v2",), [ARTICLE_INGESTED_V2]),
        (("v1", "v2"), [ARTICLE_INGESTED, ARTICLE_INGESTED_V2]),
        (("v1", "v2", "v3"), [ARTICLE_INGESTED, ARTICLE_INGESTED_V2, ARTICLE_INGESTED_V3]),
        (("v3",), [ARTICLE_INGESTED_V3]),
    ],
)
def test_the_ledger_queues_the_article_versions_it_is_given(
    redis_client: redis.Redis, versions: tuple[str, ...], kinds: list[str]
) -> None:
    ledger = RedisLedger(redis_client, article_versions=versions)
    outcome = ledger.record(_article("a1", "Reuters", 0), "st_1")
    assert [e.type for e in outcome.events][1:] == kinds
    with pytest.raises(ValueError, match="of \\['v1', 'v2', 'v3'\\]"):
        RedisLedger(redis_client, article_versions=("v4",))


def test_a_batch_is_one_read_and_one_write_however_many_articles(
    redis_client: redis.Redis,
) -> None:
    """40 articles of 8 stories, holds and a release among them: 2 round trips for each 32
    steps (WATCH and MULTI/EXEC took 5-6 an article), and the same records and events as
    writing them one by one."""

    def clock() -> float:
        return 1_800_000_000.0  # both make their stories at one time

    batched = RedisLedger(counting_client(redis_client), prefix="b:", clock=clock)
    single = RedisLedger(redis_client, prefix="s:", clock=clock)
    warm = _article("w", "Reuters", 0)
    for ledger in (batched, single):
        ledger.write([Record(warm, "st_w")])  # loads the scripts
    steps: list[Step] = [Hold(_article("h", "AP", 1), now=5.0)]
    steps += [Record(_article(f"a{i}", f"o{i}", i), f"st_{i % 8}") for i in range(38)]
    steps.append(Release("h", Assignment("st_3", False, None, ("st_4",), 0.5)))
    before = round_trips()
    outcomes = batched.write(steps)
    assert round_trips() - before == 4
    one_by_one = [single.write([step])[0] for step in steps]
    assert [o and o.story_id for o in outcomes] == [o and o.story_id for o in one_by_one]
    assert [o and [e.id for e in o.events] for o in outcomes] == [
        o and [e.id for e in o.events] for o in one_by_one
    ]
    for story in ("st_3", "st_5"):
        assert batched.get(story) == single.get(story)
    assert batched.resolve("st_4") == "st_3"
    assert batched.pending_count() == single.pending_count() == 0
