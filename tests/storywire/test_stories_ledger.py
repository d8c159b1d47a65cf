"""The story record behind story events: bounded however long a story runs, counts exact."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import orjson
import redis

from storywire import events
from storywire.adapters.redis_ledger import RedisLedger
from storywire.models import Article
from storywire.stories_ledger import MAX_MEMBERS, StoryRecord, merged, with_article

T0 = datetime(2026, 11, 1, tzinfo=UTC)
OUTLETS = ["Reuters", "CBS", "SCMP", "NPR", "DW"]


def _article(i: int, outlet: str | None = None, *, title: str = "headline") -> Article:
    outlet = outlet or OUTLETS[i % len(OUTLETS)]
    return Article(
        id=f"a{i}", source_id=outlet.lower(), outlet=outlet, url=f"https://{outlet}.com/a{i}",
        title=title, text="Body.", published=T0 + timedelta(minutes=i), content_hash=f"h{i}",
    )  # fmt: skip


def _grown(n: int, story_id: str = "st", start: int = 0) -> StoryRecord:
    record = StoryRecord(id=story_id)
    for i in range(start, start + n):
        record, changed = with_article(record, _article(i))
        assert changed
    return record


def test_a_long_running_story_keeps_a_bounded_record_and_an_exact_count() -> None:
    """1,000 articles: the record keeps MAX_MEMBERS (every outlet's first and the latest), the
    count and the outlets (each one's first article) stay exact."""
    record = _grown(1000)
    assert len(record.members) == MAX_MEMBERS
    assert record.article_count == 1000
    assert [m.article_id for m in record.outlets] == [f"a{i}" for i in range(len(OUTLETS))]
    assert record.credited.article_id == "a0"
    assert "a999" in {m.article_id for m in record.members}
    data = events.story_changed(record, created=False).data
    assert data["article_count"] == 1000
    size = len(orjson.dumps(record.to_dict()))
    assert size < 1.1 * len(orjson.dumps(_grown(MAX_MEMBERS).to_dict()))


def test_known_articles_do_not_count_twice() -> None:
    """A redelivered or edited article keeps the count; one no longer kept changes nothing."""
    record = _grown(MAX_MEMBERS + 50)
    again, changed = with_article(record, _article(10), known=True)  # trimmed long ago
    assert (again, changed) == (record, False)
    edited, changed = with_article(record, _article(MAX_MEMBERS + 40, title="edited"), known=True)
    assert changed
    assert edited.article_count == record.article_count


def test_merging_big_stories_adds_their_counts_and_stays_bounded() -> None:
    one, two = _grown(300, "st_1"), _grown(300, "st_2", start=300)
    both = merged(one, two)
    assert both.article_count == 600
    assert len(both.members) == MAX_MEMBERS


def test_a_record_written_before_the_count_counts_its_members() -> None:
    raw = _grown(3).to_dict()
    del raw["article_count"]
    assert StoryRecord.from_dict(raw).article_count == 3


def test_the_ledger_counts_a_redelivery_once(redis_client: redis.Redis) -> None:
    """Through Redis: a redelivered article, kept or trimmed, leaves the count alone and sends
    no story event."""
    ledger = RedisLedger(redis_client)
    for i in range(MAX_MEMBERS + 20):
        ledger.record(_article(i), "st")
    for i in (3, MAX_MEMBERS + 10):  # trimmed (not an outlet's first), kept
        outcome = ledger.record(_article(i), "st")
        assert [e.type for e in outcome.events] == [
            events.ARTICLE_INGESTED, events.ARTICLE_INGESTED_V2,
        ]  # fmt: skip
    record = ledger.get("st")
    assert record is not None
    assert record.article_count == MAX_MEMBERS + 20
    assert len(record.members) == MAX_MEMBERS


def test_top_entities_keep_the_articles_ranking_whatever_the_hash_seed() -> None:
    """Ties keep the articles' own order (most mentioned first) instead of a set's, which
    changed with each process's hash seed: a story of one article listed its names shuffled,
    and of more than ten kept a different ten in each worker."""
    names = tuple(f"Name {chr(ord('A') + i)}" for i in range(12))
    one = replace(_article(0), entities=names)
    record, _ = with_article(StoryRecord(id="st"), one)
    assert record.top_entities == list(names[:10])
    two = replace(_article(1), entities=("Name L", "Name K"))
    record, _ = with_article(record, two)
    assert record.top_entities == ["Name K", "Name L", *names[:8]]
