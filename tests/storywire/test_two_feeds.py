"""An outlet's item in two of its feeds is one article, whichever worker gets there first."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime

import orjson
import pytest
import redis

from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.adapters.redis_ledger import RedisLedger
from storywire.events import ARTICLE_INGESTED
from storywire.models import Article, Entry, Source
from storywire.processing import ProcessReport, process_entries
from storywire.stories import Params, RedisStoryStore, StoryEngine

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TOP = Source(id="top", url="https://wire.example/top.rss", outlet="Wire", domain="wire.example")
WORLD = Source(
    id="world", url="https://wire.example/world.rss", outlet="Wire", domain="wire.example"
)
ITEM = Entry(
    guid="q1",
    link="https://wire.example/2026/11/quake-sumatra?utm_source=rss",
    title="Quake off Sumatra",
    summary_html="",
    content_html="<p>A magnitude 6.1 earthquake struck off the coast of Sumatra on Tuesday.</p>",
    published=datetime(2026, 11, 25, 9, tzinfo=UTC),
)


class _CrashError(Exception):
    """The worker died here."""


class _MeetingLedger(RedisLedger):
    """A worker's ledger that waits, once it has matched its batch against the outlet's other
    feeds, until the other worker has too: both have read before either writes."""

    def __init__(self, client: redis.Redis, barrier: threading.Barrier) -> None:
        super().__init__(client)
        self._barrier = barrier

    def claim_same(
        self, linked: Sequence[Article], articles: Sequence[Article] = ()
    ) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
        found = super().claim_same(linked, articles)
        self._barrier.wait()
        return found


def _ingested(client: redis.Redis, ledger: RedisLedger) -> list[dict[str, object]]:
    events = [orjson.loads(i.split(b"|", 2)[2]) for i in client.lrange(ledger.outbox_key, 0, -1)]
    return [e["data"] for e in events if e["type"] == ARTICLE_INGESTED]


def test_two_workers_with_both_feeds_copies_at_once_make_one_article(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """Both feeds' batches are processed at the same instant by two workers (each its own
    client, engine and ledger): both match their item before either records it. The match is
    claimed atomically, so the loser takes the winner's id and the story has one article."""
    barrier = threading.Barrier(2, timeout=30)

    def work(source: Source) -> ProcessReport:
        client = redis.Redis.from_url(redis_server.url)
        try:
            engine = StoryEngine(RedisStoryStore.for_params(client, Params()))
            ledger = _MeetingLedger(client, barrier)
            return process_entries(
                source, [("g:q1", ITEM)], engine=engine, ledger=ledger, fetched_at=NOW
            )
        finally:
            client.close()

    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(work, [TOP, WORLD]))
    assert [r.articles for r in reports] == [1, 1]
    ledger = RedisLedger(redis_client)
    ingested = _ingested(redis_client, ledger)
    assert len({d["article_id"] for d in ingested}) == 1
    (story,) = ledger.all()
    assert story.article_count == 1
    assert len(story.members) == 1


def test_a_batch_retried_after_its_match_was_claimed_keeps_its_own_id(
    redis_client: redis.Redis,
) -> None:
    """The worker claimed the item's link for its article, then died before recording it: the
    retried batch gets its own id back (it is no copy of itself), and the other feed's copy
    then becomes that article."""
    engine = StoryEngine(RedisStoryStore.for_params(redis_client, Params()))

    class Dying(RedisLedger):
        def claim_same(
            self, linked: Sequence[Article], articles: Sequence[Article] = ()
        ) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
            super().claim_same(linked, articles)
            raise _CrashError

    with pytest.raises(_CrashError):
        process_entries(
            TOP, [("g:q1", ITEM)], engine=engine, ledger=Dying(redis_client), fetched_at=NOW
        )
    ledger = RedisLedger(redis_client)
    retry = process_entries(TOP, [("g:q1", ITEM)], engine=engine, ledger=ledger, fetched_at=NOW)
    other = process_entries(WORLD, [("g:q1", ITEM)], engine=engine, ledger=ledger, fetched_at=NOW)
    assert (retry.new, other.new, other.updated, other.repeated) == (1, 0, 0, 1)
    ingested = _ingested(redis_client, ledger)
    assert {(d["article_id"], d["source_id"]) for d in ingested} == {
        (ingested[0]["article_id"], "top")
    }
    (story,) = ledger.all()
    assert story.article_count == 1


def test_two_feeds_spelling_one_link_differently_are_one_article(
    redis_client: redis.Redis,
) -> None:
    """An article's url is its link as the outlet wrote it (http or https, www. or not), so
    the match between an outlet's feeds is made by the link's canonical URL, not by the url:
    one feed's http://www. spelling and the other's https:// one with a tracking parameter
    are one article, announced in the first feed's spelling (the second feed's copy is a
    repeat: its event has the announcement's id, which consumers drop)."""
    engine = StoryEngine(RedisStoryStore.for_params(redis_client, Params()))
    ledger = RedisLedger(redis_client)
    spelt = replace(ITEM, link="http://www.wire.example/2026/11/quake-sumatra/")
    first = process_entries(TOP, [("g:q1", spelt)], engine=engine, ledger=ledger, fetched_at=NOW)
    other = process_entries(WORLD, [("g:q1", ITEM)], engine=engine, ledger=ledger, fetched_at=NOW)
    assert (first.new, other.new, other.repeated) == (1, 0, 1)
    ingested = _ingested(redis_client, ledger)
    assert {(d["article_id"], d["source_id"]) for d in ingested} == {
        (ingested[0]["article_id"], "top")
    }
    assert ingested[0]["url"] == "http://www.wire.example/2026/11/quake-sumatra/"
