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

import tasks.poison
import tasks.process
from storywire.adapters.embedded_redis import embedded_redis
from storywire.models import Entry, Source
from storywire.settings import Settings
from tasks.runtime import Runtime
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
    app = task.app
    monkeypatch.setitem(app.conf, "broker_url", gone.settings.redis_url)
    # The connection pools of earlier tests point elsewhere: this one's broker is the dead Redis.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    request = {"id": "batch-1", "retries": 0, "delivery_info": {"routing_key": "process"}}

    outcome = build_tracer(task.name, task, eager=False, app=app)("batch-1", ARGS, {}, request)

    assert outcome.info.state == REJECTED
    raised = outcome.retval.exception
    rejected = getattr(raised, "exc", raised)  # the worker's traceback wrapper, if any
    assert isinstance(rejected, Reject)
    assert rejected.requeue
