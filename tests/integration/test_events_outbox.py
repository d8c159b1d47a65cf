"""An event decided is an event delivered: SIGKILL real publish workers, count the stream."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest
import redis
from celery import Celery

from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.adapters.redis_ledger import RedisLedger, outbox_item
from storywire.events import CloudEvent, event_id
from storywire.settings import Settings
from workers.processes import worker_command

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
N = 30_000


def _fill(client: redis.Redis, n: int) -> list[str]:
    ids = []
    pipe = client.pipeline(transaction=False)
    for i in range(n):
        event = CloudEvent(
            id=event_id("storywire.story.updated.v1", str(i)), type="storywire.story.updated.v1",
            subject=f"st_{i}", time=datetime(2026, 11, 24, tzinfo=UTC), data={"story_id": f"st_{i}"},
        )  # fmt: skip
        pipe.rpush("sw:outbox", outbox_item(event))
        ids.append(event.id)
        if i % 5000 == 4999:
            pipe.execute()
    pipe.execute()
    return ids


def _worker(server: EmbeddedRedis, name: str) -> subprocess.Popen[bytes]:
    settings = Settings(redis_url=server.url, log_format="json", log_level="WARNING")
    env = {**os.environ, **settings.env(), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(worker_command(["publish"], settings, name=name), env=env)


@pytest.mark.timeout(90)
def test_sigkill_mid_drain_neither_loses_nor_duplicates(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """A publish worker killed -9 while draining; the next one sends the rest; each id once."""
    ids = _fill(redis_client, N)
    ledger = RedisLedger(redis_client)
    celery = Celery(broker=redis_server.url)
    first = _worker(redis_server, "first")
    try:
        celery.send_task("storywire.publish", queue="publish")
        deadline = time.monotonic() + 30
        while ledger.outbox_length() == N and time.monotonic() < deadline:
            time.sleep(0.0005)
        first.send_signal(signal.SIGKILL)
        first.wait()
        left = ledger.outbox_length()
        assert 0 < left < N, f"the worker was not killed mid-drain ({left} left)"
        assert redis_client.xlen("storywire.events") == N - left  # nothing half-sent
        second = _worker(redis_server, "second")
        try:
            celery.send_task("storywire.publish", queue="publish")
            while ledger.outbox_length() and time.monotonic() < deadline + 30:
                time.sleep(0.05)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=15)
    finally:
        if first.poll() is None:
            first.kill()
        celery.close()
    entries = cast(list[tuple[bytes, dict[bytes, bytes]]], redis_client.xrange("storywire.events"))
    counts = Counter(f[b"id"].decode() for _, f in entries)
    assert set(counts) == set(ids)
    assert max(counts.values()) == 1


@pytest.mark.timeout(60)
def test_worker_killed_before_draining_leaves_events_for_the_next(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """Events decided while no publisher lives (it was killed -9) are sent by the next one."""
    dead = _worker(redis_server, "dead")
    time.sleep(0.5)
    dead.send_signal(signal.SIGKILL)
    dead.wait()
    ids = _fill(redis_client, 50)
    _fill(redis_client, 50)  # the same decisions queued again, as by a retried process task
    celery = Celery(broker=redis_server.url)
    worker = _worker(redis_server, "next")
    try:
        celery.send_task("storywire.publish", queue="publish")
        deadline = time.monotonic() + 30
        while redis_client.llen("sw:outbox") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)
        celery.close()
    entries = cast(list[tuple[bytes, dict[bytes, bytes]]], redis_client.xrange("storywire.events"))
    assert sorted(f[b"id"].decode() for _, f in entries) == sorted(ids)
