"""Tasks against a Redis that went away (a real redis-server, stopped): what they were given is
retried or left where the next run finds it, never acknowledged into nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery import states
from celery.app.trace import build_tracer
from celery.exceptions import Reject, Retry
from redis.backoff import NoBackoff
from redis.retry import Retry as RedisRetry
from structlog.testing import capture_logs

import tasks.fetch
import tasks.poison
import tasks.process
from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis
from storywire.models import Entry, Source
from storywire.settings import Settings
from tasks.runtime import Runtime
from tests.support.httpserver import Reply, http_server
from tests.tasks.fakes import CountingPublish

SOURCE = Source(id="wire", url="https://wire.example/feed", outlet="Wire", domain="wire.example")
ENTRY = {"guid": "1", "link": "https://wire.example/1", "title": "Storm floods Chile",
         "summary_html": "", "content_html": "<p>Storm floods Chile.</p>", "published": None,
         "author": None, "outlet": None}  # fmt: skip
ARGS = [SOURCE.id, "2026-11-25T12:00:00+00:00", [["g:1", ENTRY]]]
REJECTED = states.REJECTED


@pytest.fixture
def gone() -> Iterator[Runtime]:
    """A runtime whose Redis held the source, then stopped (connections are refused)."""
    with embedded_redis() as server:
        rt = Runtime(Settings(redis_url=server.url))
        rt.sources.upsert([SOURCE], now=0.0)
        rt.redis.close()
    # redis-py's own retries would only make the test wait: the task's reaction is the point.
    rt.redis = redis.Redis.from_url(server.url, retry=RedisRetry(NoBackoff(), 0))
    yield rt
    rt.redis.close()


def _run_expecting_retry(task: Any, *args: Any) -> list[BaseException]:
    """Run ``task``'s body as a worker would (retries=0); what it asked to retry with."""
    asked: list[BaseException] = []

    def retry(*, exc: BaseException, countdown: float | None = None, **_: Any) -> Retry:
        asked.append(exc)
        return Retry(exc=exc)

    task.push_request(retries=0)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(task, "retry", retry)
            with pytest.raises(Retry):
                task.run(*args)
    finally:
        task.pop_request()
    return asked


def test_a_process_batch_that_meets_redis_down_is_retried_not_dropped(
    gone: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fetch stage marked these entries seen when it sent them: a batch that failed (and
    was acknowledged) would never come again. Its first Redis call, reading the source, raised
    ConnectionError out of the task."""
    monkeypatch.setattr(tasks.process, "runtime", lambda: gone)
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    entry = Entry(guid="1", link="https://wire.example/1", title="Storm floods Chile",
                  summary_html="", content_html="<p>Storm floods Chile.</p>", published=None)  # fmt: skip
    asked = _run_expecting_retry(
        tasks.process.process, SOURCE.id, "2026-11-25T12:00:00+00:00", [["g:1", entry.to_dict()]]
    )
    assert len(asked) == 1
    assert isinstance(asked[0], redis.ConnectionError)


@pytest.mark.timeout(60)
def test_a_message_whose_retry_cannot_be_sent_goes_back_to_its_queue(
    gone: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis, broker and state at once, went away under a running batch: the retry message
    could not be sent either, and Celery rejected the batch without requeueing it, which
    acknowledges it (dropped for good once Redis is back to take the acknowledgement)."""
    task: Any = tasks.process.process
    for module in (tasks.poison, tasks.process):
        monkeypatch.setattr(module, "runtime", lambda: gone)
    assert gone.settings.redis_url is not None
    _send_to(task, gone.settings.redis_url, monkeypatch)
    request = {"id": "batch-1", "retries": 0, "delivery_info": {"routing_key": "process"}}

    outcome = build_tracer(task.name, task, eager=False, app=task.app)("batch-1", ARGS, {}, request)

    assert outcome.info.state == REJECTED
    raised = outcome.retval.exception
    rejected = getattr(raised, "exc", raised)  # the worker's traceback wrapper, if any
    assert isinstance(rejected, Reject)
    assert rejected.requeue


@pytest.mark.timeout(60)
def test_a_batch_still_meeting_the_outage_after_many_retries_is_retried_again(
    gone: Runtime, redis_server: EmbeddedRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Redis outage longer than a few retries' backoff (about two minutes) while the broker
    stays up (a separate STORYWIRE_BROKER_URL): on its sixth delivery Celery's max_retries made
    the retry raise the ConnectionError instead, the batch failed and was acknowledged, and
    its entries, marked seen by the fetch, never came again. Now it waits for Redis."""
    task: Any = tasks.process.process
    for module in (tasks.poison, tasks.process):
        monkeypatch.setattr(module, "runtime", lambda: gone)
    _send_to(task, redis_server.url, monkeypatch)
    broker = redis.Redis.from_url(redis_server.url)
    # Celery's default for a task, five retries, was the process task's: the sixth failed it.
    request = {"id": "batch-1", "retries": 6, "delivery_info": {"routing_key": "process"}}

    outcome = build_tracer(task.name, task, eager=False, app=task.app)("batch-1", ARGS, {}, request)

    assert outcome.info is not None
    assert outcome.info.state == states.RETRY
    # The retry, countdown and all, waits on the broker (in the test app's default queue).
    queued = [k for k in broker.scan_iter() if broker.type(k) == b"list"]
    assert sum(broker.llen(k) for k in queued) == 1
    broker.close()


FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>a</guid><title>Harbour strike in Oslo</title><link>https://x.com/a</link></item>
</channel></rss>"""


@pytest.mark.timeout(60)
def test_a_fetch_whose_batch_the_broker_cannot_take_is_retried_with_its_lease_kept(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis blinked (or a separate broker is away) while a fetch sent its entries: kombu's
    OperationalError is no redis.ConnectionError, so the fetch failed with a traceback, and its
    source waited for its lease to lapse (counted as a fetch that died). Now it is retried; the
    entries it could not send are not marked seen, so the retry sends them."""
    rt = Runtime(Settings(redis_url=redis_server.url))
    task: Any = tasks.fetch.fetch
    monkeypatch.setattr(tasks.fetch, "runtime", lambda: rt)
    _send_to_a_dead_broker(task, monkeypatch)
    with http_server({"/f": lambda _: Reply(200, FEED)}) as base:
        source = Source(id="s", url=base + "/f", outlet="S", domain="s.test", allow_private=True)
        rt.sources.upsert([source], now=0.0)
        asked = _run_expecting_retry(task, "s")
    assert len(asked) == 1
    assert redis_client.hlen("sw:seen:s") == 0  # not marked seen: the retry sends it
    rt.fetcher.close()
    rt.redis.close()


@pytest.mark.timeout(60)
def test_a_batch_recorded_while_the_broker_is_away_ends_well_its_events_in_the_outbox(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nudge to publish after the commit failed the task with a traceback (and a retry
    ran the whole batch again); the beat's drain sends what waits in the outbox anyway."""
    rt = Runtime(Settings(redis_url=redis_server.url))
    rt.sources.upsert([SOURCE], now=0.0)
    monkeypatch.setattr(tasks.process, "runtime", lambda: rt)
    task: Any = tasks.process.process
    _send_to_a_dead_broker(task, monkeypatch)
    task.push_request(retries=0)
    try:
        with capture_logs() as logs:
            task.run(*ARGS)
    finally:
        task.pop_request()
    assert [e["event"] for e in logs if e["log_level"] == "warning"] == ["publish.not_woken"]
    assert redis_client.llen(rt.ledger.outbox_key) > 0
    rt.redis.close()


def _send_to_a_dead_broker(task: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the app's producer at a broker that has gone: every send fails as in an outage."""
    with embedded_redis() as broker:
        dead_broker = broker.url
    _send_to(task, dead_broker, monkeypatch)


def _send_to(task: Any, broker_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the app's producer send to ``broker_url``: the connection pools of earlier tests
    point elsewhere, so they go too."""
    app = task.app
    monkeypatch.setitem(app.conf, "broker_url", broker_url)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
