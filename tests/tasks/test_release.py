"""The release task on a real Redis: held articles are released on demand, and an article the
engine lost (its story store flushed) is still decided and announced, not pending for ever."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import redis

import tasks.process
import tasks.release
from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.identity import article_id
from storywire.models import Entry, Source
from storywire.settings import Settings
from storywire.stories import Params, RedisStoryStore, StoryEngine
from tasks.runtime import Runtime
from tests.tasks.fakes import CountingPublish

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
SOURCE = Source(id="wire", url="https://wire.example/feed", outlet="Wire", domain="wire.example")
# The hold bound: an article pending twice as long is healed. At 0.05 s the engine-lost test's
# first sweep had to come within 0.1 s of its hold, which a loaded host missed (healed early).
HOLD = 1.0


@pytest.fixture
def rt(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runtime]:
    runtime = Runtime(Settings(redis_url=redis_server.url, story_hold_seconds=HOLD))
    runtime.sources.upsert([SOURCE], now=0.0)
    # Every joining article is held, and no number of arrivals in these tests releases it.
    params = Params(defer_below=1.0, defer_arrivals=1000)
    runtime.engine = StoryEngine(RedisStoryStore.for_params(runtime.redis, params), params)
    for module in (tasks.process, tasks.release):
        monkeypatch.setattr(module, "runtime", lambda: runtime)
    yield runtime
    runtime.redis.close()


def _hold_one(rt: Runtime) -> str:
    """Process two articles of one story: the first starts it, the second is held."""
    entries = [
        Entry(guid=g, link=f"https://wire.example/{g}", title=t, summary_html="",
              content_html=f"<p>{t}. Heavy rain hit Valparaiso on Monday.</p>", published=NOW)
        for g, t in (("1", "Storm floods the coast of Chile"), ("2", "Chile storm floods coast"))
    ]  # fmt: skip
    items = [[f"g:{e.guid}", e.to_dict()] for e in entries]
    assert tasks.process.process.apply(args=(SOURCE.id, NOW.isoformat(), items)).successful()
    assert rt.ledger.pending_count() == 1
    return article_id(SOURCE.id, "g:2")


def test_release_all_records_the_held_article(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    published = CountingPublish()
    monkeypatch.setattr(tasks.release, "publish", published)
    held = _hold_one(rt)
    result = tasks.release.release.apply(kwargs={"older_than": 0.0})
    assert result.get() == 1
    assert rt.ledger.pending_count() == 0
    first = article_id(SOURCE.id, "g:1")
    known = rt.ledger.known_stories([first, held])
    assert known[held] == known[first]
    assert published.calls == 1
    assert int(rt.redis.hget("sw:metrics", "stories:held") or 0) == 1
    assert int(rt.redis.hget("sw:metrics", "stories:released") or 0) == 1


def test_an_article_the_engine_lost_is_decided_afresh(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The story store was flushed while an article was pending: once pending twice the hold
    bound, the sweep assigns it without holding and records it."""
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    monkeypatch.setattr(tasks.release, "publish", CountingPublish())
    held = _hold_one(rt)
    for key in rt.redis.scan_iter(match="storywire:stories:*"):
        rt.redis.delete(key)
    assert tasks.release.release.apply().get() == 0  # not pending long enough yet
    time.sleep(2 * HOLD + 0.05)
    assert tasks.release.release.apply().get() == 1
    assert rt.ledger.pending_count() == 0
    assert held in rt.ledger.known_stories([held])
    assert int(rt.redis.hget("sw:metrics", "stories:reassigned") or 0) == 1


def test_a_hold_bound_of_zero_turns_holding_off(redis_server: EmbeddedRedis) -> None:
    """STORYWIRE_STORY_HOLD_SECONDS=0: the workers' engine never holds."""
    off = Runtime(Settings(redis_url=redis_server.url, story_hold_seconds=0))
    on = Runtime(Settings(redis_url=redis_server.url))
    assert off.engine.params.defer_below == 0
    assert on.engine.params.defer_below == Params().defer_below > 0
    off.redis.close()
    on.redis.close()
