"""A ledger batch written while other workers keep writing to its story: it gets through, and
when it cannot, the process task retries it instead of acknowledging it away."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

import tasks.process
from storywire.adapters import redis_ledger
from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.adapters.redis_ledger import LedgerBusy, RedisLedger
from storywire.identity import article_id
from storywire.models import Article, Entry, Source
from storywire.settings import Settings
from storywire.stories_ledger import Record, Step
from tasks.runtime import Runtime
from tests.tasks.fakes import CountingPublish

T0 = datetime(2026, 11, 24, 8, tzinfo=UTC)


def _article(aid: str, outlet: str, minutes: int) -> Article:
    return Article(
        id=aid, source_id=outlet.lower(), outlet=outlet, url=f"https://{outlet}.com/{aid}",
        title=f"{outlet} headline", text="Body.", published=T0 + timedelta(minutes=minutes),
        content_hash=f"h{aid}",
    )  # fmt: skip


def _others_write_every(
    monkeypatch: pytest.MonkeyPatch, client: redis.Redis, steps: int, story: str
) -> list[str]:
    """Other workers add an article to ``story`` each time this worker has applied ``steps``
    steps since its last read: a batch whose work outlasts their rhythm always finds its
    story changed when it comes to write, a short one does not."""
    other = RedisLedger(client)
    written: list[str] = []
    apply = redis_ledger._Batch.apply
    applied: dict[int, int] = {}

    def apply_while_others_write(batch: redis_ledger._Batch, step: Step) -> object:
        outcome = apply(batch, step)
        if batch._l is not other:
            done = applied[id(batch)] = applied.get(id(batch), 0) + 1
            if done % steps == 0:
                aid = f"o{len(written)}"
                other.record(_article(aid, "AP", len(written)), story)
                written.append(aid)
        return outcome

    monkeypatch.setattr(redis_ledger._Batch, "apply", apply_while_others_write)
    return written


def test_a_batch_on_a_story_others_keep_writing_gets_through(
    redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """32 articles of a busy story: other workers write to it every 4 steps' worth of work.
    The whole batch kept conflicting until it gave up (RuntimeError after 50 tries, and the
    process task, taking that for a bug, acknowledged the batch: its articles, placed by the
    story engine, were never announced); smaller writes get through."""
    ledger = RedisLedger(redis_client)
    ledger.record(_article("first", "Reuters", 0), "st_hot")
    written = _others_write_every(monkeypatch, redis_client, 4, "st_hot")
    steps: list[Step] = [Record(_article(f"b{i}", "BBC", 10 + i), "st_hot") for i in range(32)]
    outcomes = ledger.write(steps)
    assert [o and o.story_id for o in outcomes] == ["st_hot"] * 32
    record = ledger.get("st_hot")
    assert record is not None
    ids = {m.article_id for m in record.members}
    assert {f"b{i}" for i in range(32)} <= ids
    assert set(written) <= ids
    assert record.article_count == 1 + 32 + len(written)


def test_a_ledger_that_cannot_get_a_write_in_says_so_as_a_transient_error(
    redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Others write during every step's work: even one step at a time never gets in. The
    write gives up with ``LedgerBusy``, which the task retries, having written nothing."""
    ledger = RedisLedger(redis_client)
    ledger.record(_article("first", "Reuters", 0), "st_hot")
    _others_write_every(monkeypatch, redis_client, 1, "st_hot")
    with pytest.raises(LedgerBusy):
        ledger.write([Record(_article("b0", "BBC", 10), "st_hot")])
    assert ledger.known_stories(["b0"]) == {}


NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
SOURCE = Source(id="wire", url="https://wire.example/feed", outlet="Wire", domain="wire.example")


@pytest.fixture
def rt(redis_server: EmbeddedRedis, redis_client: redis.Redis) -> Iterator[Runtime]:
    runtime = Runtime(Settings(redis_url=redis_server.url))
    runtime.sources.upsert([SOURCE], now=0.0)
    yield runtime
    runtime.redis.close()


def test_a_batch_the_ledger_was_too_busy_for_is_retried_and_recorded(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ledger gives up once (``LedgerBusy``): the task retries the batch (eagerly here),
    the story engine answers the redelivery as it first decided, and every article is
    recorded."""
    write = RedisLedger.write
    busy = [1]

    def busy_once(self: RedisLedger, steps: list[Step]) -> object:
        if busy:
            busy.pop()
            raise LedgerBusy("ledger write of 2 steps: gave up after 50 conflicts")
        return write(self, steps)

    monkeypatch.setattr(RedisLedger, "write", busy_once)
    monkeypatch.setattr(tasks.process, "runtime", lambda: rt)
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    entries = [
        Entry(guid=g, link=f"https://wire.example/{g}", title=t, summary_html="",
              content_html=f"<p>{t}.</p>", published=NOW)
        for g, t in (("1", "Storm floods the coast of Chile"), ("2", "Chile storm: coast flooded"))
    ]  # fmt: skip
    items = [[f"g:{e.guid}", e.to_dict()] for e in entries]

    result = tasks.process.process.apply(args=(SOURCE.id, NOW.isoformat(), items))

    assert result.successful()
    assert not busy
    known = rt.ledger.known_stories([article_id(SOURCE.id, f"g:{e.guid}") for e in entries])
    assert len(known) == 2
