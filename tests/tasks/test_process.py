"""The process task on a real Redis: a batch whose story lock was lost is retried, not dropped;
the ledger it writes keeps records for the configured retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from celery.exceptions import SoftTimeLimitExceeded
from structlog.testing import capture_logs

import tasks.process
from storywire import processing
from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.adapters.redis_metrics import COUNTERS_KEY, snapshot
from storywire.identity import article_id
from storywire.metrics import Sample
from storywire.models import Entry, Source
from storywire.settings import Settings
from storywire.stories import Doc, Params, RedisStoryStore, StoryEngine
from tasks.runtime import Runtime
from tests.support.stall import stall_before_commit
from tests.tasks.fakes import CountingPublish

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
SOURCE = Source(id="wire", url="https://wire.example/feed", outlet="Wire", domain="wire.example")


@pytest.fixture
def rt(redis_server: EmbeddedRedis, redis_client: redis.Redis) -> Iterator[Runtime]:
    runtime = Runtime(Settings(redis_url=redis_server.url))
    runtime.sources.upsert([SOURCE], now=0.0)
    yield runtime
    runtime.redis.close()


def test_a_batch_whose_story_lock_was_lost_is_retried_and_recorded(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's first commit stalls past the lock's timeout while another worker assigns a
    document; with no retries left in the engine, LockLost reaches the task, which retries the
    batch (eagerly here): every article ends up in a story and in the ledger, none lost."""
    store = RedisStoryStore(rt.redis)
    rt.engine = StoryEngine(store, Params(lock_retries=0))
    other = StoryEngine(RedisStoryStore(rt.redis))
    stalls = stall_before_commit(
        rt.redis,
        store,
        lambda: other.assign(Doc("elsewhere", "Harbour strike in Oslo", "", NOW)).story_id,
    )
    published = CountingPublish()
    monkeypatch.setattr(tasks.process, "runtime", lambda: rt)
    monkeypatch.setattr(tasks.process, "publish", published)
    entries = [
        Entry(guid=g, link=f"https://wire.example/{g}", title=t, summary_html="",
              content_html=f"<p>{t}.</p>", published=NOW)
        for g, t in (("1", "Storm floods the coast of Chile"), ("2", "Chile storm: coast flooded"))
    ]  # fmt: skip
    items = [[f"g:{e.guid}", e.to_dict()] for e in entries]

    result = tasks.process.process.apply(args=(SOURCE.id, NOW.isoformat(), items))

    assert result.successful()
    assert len(stalls) == 1
    known = rt.ledger.known_stories([article_id(SOURCE.id, f"g:{e.guid}") for e in entries])
    assert len(known) == 2
    assert published.calls == 1
    assert int(rt.redis.get("storywire:stories:n") or 0) == 3  # two articles and the other's


def test_the_workers_ledger_keeps_records_for_the_configured_retention(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process task's ledger writes story records and article mappings with the retention
    of the settings as their TTL, so Redis does not grow with every article ever seen."""
    monkeypatch.setattr(tasks.process, "runtime", lambda: rt)
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    entry = Entry(guid="1", link="https://wire.example/1", title="Storm floods Chile",
                  summary_html="", content_html="<p>Storm floods Chile.</p>", published=NOW)  # fmt: skip
    result = tasks.process.process.apply(
        args=(SOURCE.id, NOW.isoformat(), [["g:1", entry.to_dict()]])
    )
    assert result.successful()
    aid = article_id(SOURCE.id, "g:1")
    story = rt.ledger.known_stories([aid])[aid]
    retention = Settings().retention
    assert retention is not None
    for key in (f"sw:article:{aid}", f"sw:story:{story}"):
        assert retention - 60 < rt.redis.ttl(key) <= retention


def test_a_batch_whose_source_was_removed_is_counted_as_dropped(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source removed between its fetch and the batch's processing: the entries cannot be
    attributed to an outlet, so they are dropped, and the articles metric says how many (a log
    line alone left them unaccounted for on the dashboards)."""
    published = CountingPublish()
    monkeypatch.setattr(tasks.process, "runtime", lambda: rt)
    monkeypatch.setattr(tasks.process, "publish", published)
    entry = Entry(guid="1", link="https://gone.example/1", title="Storm floods Chile",
                  summary_html="", content_html="<p>Storm floods Chile.</p>", published=NOW)  # fmt: skip
    items = [[f"g:{n}", entry.to_dict()] for n in range(3)]
    result = tasks.process.process.apply(args=("gone", NOW.isoformat(), items))
    assert result.successful()
    assert rt.redis.hget(COUNTERS_KEY, "articles:dropped") == b"3"
    assert published.calls == 0


def _counters(client: redis.Redis) -> dict[str, int]:
    return {k.decode(): int(v) for k, v in client.hgetall(COUNTERS_KEY).items()}


def _chile_batch() -> list[list[Any]]:
    entries = [
        Entry(guid=g, link=f"https://wire.example/{g}", title=t, summary_html="",
              content_html=f"<p>{t}. More on it later today.</p>", published=NOW)
        for g, t in (("1", "Storm floods the coast of Chile"), ("2", "Harbour strike in Oslo"),
                     ("3", "Election results in Peru"))
    ]  # fmt: skip
    return [[f"g:{e.guid}", e.to_dict()] for e in entries]


def test_a_batch_redelivered_while_it_runs_is_counted_once(
    redis_server: EmbeddedRedis, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The broker hands a batch out again while its first run is still going (the visibility
    timeout, a worker thought lost): both runs place the same articles, the ledger records
    them once and the sink sends each event once, but both counted them, so three new articles
    and three stories read as six and six. The run that wrote second counts repeats."""
    items = _chile_batch()
    other = Runtime(Settings(redis_url=redis_server.url))
    running = [rt]
    monkeypatch.setattr(tasks.process, "runtime", lambda: running[-1])
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    write = rt.ledger.write

    def the_redelivery_first(steps: Any) -> Any:
        # The first run has placed its articles; the redelivered copy runs whole meanwhile.
        running.append(other)
        try:
            again = tasks.process.process.apply(args=(SOURCE.id, NOW.isoformat(), items))
            assert again.successful()
        finally:
            running.pop()
        return write(steps)

    monkeypatch.setattr(rt.ledger, "write", the_redelivery_first)
    assert tasks.process.process.apply(args=(SOURCE.id, NOW.isoformat(), items)).successful()
    created = [i for i in rt.redis.lrange("sw:outbox", 0, -1) if b"|storywire.story.created" in i]
    assert len(created) == 3
    assert _counters(rt.redis) == {"articles:new": 3, "articles:repeat": 3, "stories:created": 3}
    other.redis.close()


def test_a_batch_redelivered_after_it_was_recorded_counts_nothing_again(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed after the ledger write and before its ack: the batch runs again and its
    articles, recorded with the same texts, are repeats, not updates (nor anything the
    stream shows)."""
    items = _chile_batch()
    monkeypatch.setattr(tasks.process, "runtime", lambda: rt)
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    for _ in range(2):
        assert tasks.process.process.apply(args=(SOURCE.id, NOW.isoformat(), items)).successful()
    assert _counters(rt.redis) == {"articles:new": 3, "articles:repeat": 3, "stories:created": 3}


def test_an_oversized_entry_is_counted_and_logged_as_truncated(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry whose HTML was cut at the per-entry cap is still an article (counted new), and
    the cut is counted (storywire_articles_truncated_total{part="html"}, outside the articles'
    kinds, which add up to the entries sent) and logged with its size."""
    monkeypatch.setattr(tasks.process, "runtime", lambda: rt)
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    monkeypatch.setattr(processing, "MAX_ENTRY_HTML", 2_000)
    html = "<p>Storm floods the coast of Chile.</p>" * 100
    entry = Entry(guid="1", link="https://wire.example/1", title="Storm floods Chile",
                  summary_html="", content_html=html, published=NOW)  # fmt: skip
    with capture_logs() as logs:
        result = tasks.process.process.apply(
            args=(SOURCE.id, NOW.isoformat(), [["g:1", entry.to_dict()]])
        )
    assert result.successful()
    assert rt.redis.hget(COUNTERS_KEY, "articles:new") == b"1"
    samples = snapshot(rt.redis, stream=rt.settings.stream)
    assert Sample("storywire_articles_truncated_total", 1.0, {"part": "html"}) in samples
    (line,) = [line for line in logs if line["event"] == "process.truncated"]
    assert (line["entry"], line["chars"]) == ("g:1", len(html))


class _Sent:
    """``process.delay`` as the task sends a batch again: recorded, not sent."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, source_id: str, fetched_at: str, items: list[list[Any]]) -> None:
        self.batches.append([key for key, _ in items])


def _items(n: int) -> list[list[Any]]:
    titles = ("Storm floods the coast of Chile", "Volcano erupts in Iceland",
              "Harbour strike in Oslo", "Wildfire near Athens")  # fmt: skip
    return [
        [f"g:{i}", Entry(guid=str(i), link=f"https://wire.example/{i}", title=titles[i],
                         summary_html="", content_html=f"<p>{titles[i]}.</p>",
                         published=NOW).to_dict()]
        for i in range(n)
    ]  # fmt: skip


def _out_of_time(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, items: list[list[Any]]
) -> tuple[_Sent, list[dict[str, Any]]]:
    sent = _Sent()
    monkeypatch.setattr(tasks.process, "runtime", lambda: rt)
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    monkeypatch.setattr(tasks.process.process, "delay", sent)
    with capture_logs() as logs:
        result = tasks.process.process.apply(args=(SOURCE.id, NOW.isoformat(), items))
    assert result.successful()
    return sent, logs


def test_a_batch_out_of_time_while_cleaning_sends_the_slow_entry_again_alone(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The soft time limit raised while one entry was cleaned rejected that entry and went on
    with the others in the minute left before the hard limit, which kills the process and
    acknowledges the message: the batch lost. Now nothing is written; the entry being cleaned
    goes again alone and the others together, each batch with a time limit of its own."""
    real = processing.build_article

    def build(source: Source, key: str, entry: Entry, **kwargs: Any) -> Any:
        if key == "g:1":
            raise SoftTimeLimitExceeded()
        return real(source, key, entry, **kwargs)

    monkeypatch.setattr(processing, "build_article", build)
    sent, logs = _out_of_time(rt, monkeypatch, _items(4))
    assert sent.batches == [["g:1"], ["g:0", "g:2", "g:3"]]
    assert rt.ledger.all() == []
    assert rt.redis.hget(COUNTERS_KEY, "articles:rejected") is None
    (line,) = [line for line in logs if line["event"] == "process.split"]
    assert (line["entries"], line["parts"], line["slow"]) == (4, [1, 3], "g:1")


def test_a_batch_out_of_time_after_cleaning_is_sent_again_in_halves(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit raised outside any entry (the engine waiting for the story lock, the ledger's
    write) failed the task: the batch, acknowledged, was lost. It goes again in two halves."""

    def slow_engine(*args: Any, **kwargs: Any) -> Any:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(rt.engine, "place_many", slow_engine)
    sent, _ = _out_of_time(rt, monkeypatch, _items(3))
    assert sent.batches == [["g:0"], ["g:1", "g:2"]]


def test_an_entry_out_of_time_alone_is_rejected_with_its_reason(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry that runs over the limit in a batch of its own is rejected: counted and
    logged with its reason, never sent again."""

    def build(*args: Any, **kwargs: Any) -> Any:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(processing, "build_article", build)
    sent, logs = _out_of_time(rt, monkeypatch, _items(1))
    assert sent.batches == []
    assert rt.redis.hget(COUNTERS_KEY, "articles:rejected") == b"1"
    (line,) = [line for line in logs if line["event"] == "process.rejected"]
    assert line["entry"] == "g:0"
    assert line["reason"].startswith("SoftTimeLimitExceeded: over the process task's time limit")
