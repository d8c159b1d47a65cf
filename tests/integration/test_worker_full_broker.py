"""A worker whose broker Redis reached its maxmemory under noeviction: the message it takes
off a queue is kept until Redis has room, as docs/operations.md (Outages) says."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery

from storywire.adapters.embedded_redis import embedded_redis
from tests.integration.test_worker_broker_restart import ROOT, _wait
from tests.support.processes import reap

pytestmark = pytest.mark.integration


@pytest.mark.timeout(90)
def test_a_worker_that_takes_a_message_from_a_full_redis_keeps_it_until_there_is_room(
    tmp_path: Path,
) -> None:
    """BRPOP takes a message off its queue even from a full Redis (it frees memory); kombu
    then records it among the unacknowledged, a write the full Redis refused. The worker
    exited ("Unrecoverable error: server:OutOfMemoryError") with the message neither queued
    nor unacknowledged: lost, and each restart of the worker lost the next one."""
    log = tmp_path / "worker.log"
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url, socket_timeout=2)
        worker = _worker(server.url, log)
        sender = Celery(broker=server.url)
        try:
            assert _wait(lambda: "ready" in log.read_text(), 30), log.read_text()
            # Stopped, the worker's BRPOP is still served: the message waits in its socket,
            # read once the Redis is full.
            worker.send_signal(signal.SIGSTOP)
            # A poll sent ahead to its due time: the worker holds it, unacknowledged.
            sender.send_task("storywire.fetch", args=["gone"], queue="fetch", countdown=300)
            assert _wait(lambda: client.llen("fetch") == 0, 10)
            _fill(client)
            worker.send_signal(signal.SIGCONT)
            time.sleep(3)
            assert worker.poll() is None, log.read_text()[-3000:]
            assert "broker.out_of_memory" in log.read_text()

            client.config_set("maxmemory", 0)
            assert _wait(lambda: client.hlen("unacked") == 1, 20), log.read_text()[-3000:]
            assert worker.poll() is None, log.read_text()[-3000:]
        finally:
            sender.close()
            client.close()
            reap(worker)
    assert "Unrecoverable error" not in log.read_text()


@pytest.mark.timeout(90)
def test_a_worker_whose_task_meets_a_full_redis_lives_and_the_task_waits_unacknowledged(
    tmp_path: Path,
) -> None:
    """A task that meets the full Redis is retried; its retry cannot be sent to the same full
    Redis, so it is rejected back to its queue, and putting it back is a write refused too.
    The worker exited ("Unrecoverable error: server:OutOfMemoryError"), and a restarted one
    died again on the next. The message stays among the unacknowledged, given back after the
    visibility timeout, and the worker goes on."""
    log = tmp_path / "worker.log"
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url, socket_timeout=2)
        worker = _worker(server.url, log)
        sender = Celery(broker=server.url)
        try:
            assert _wait(lambda: "ready" in log.read_text(), 30), log.read_text()
            sender.send_task("storywire.fetch", args=["gone"], queue="fetch", countdown=3)
            assert _wait(lambda: client.hlen("unacked") == 1, 10), log.read_text()
            _fill(client)
            assert _wait(lambda: "broker.out_of_memory" in log.read_text(), 20), log.read_text()
            time.sleep(1)
            assert worker.poll() is None, log.read_text()[-3000:]
            client.config_set("maxmemory", 0)
            assert client.hlen("unacked") == 1
            assert worker.poll() is None, log.read_text()[-3000:]
        finally:
            sender.close()
            client.close()
            reap(worker)
    assert "Unrecoverable error" not in log.read_text()


def _worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    """A worker of the fetch queue on the Redis at ``url``, its output in ``log``."""
    env = {**os.environ, "STORYWIRE_REDIS_URL": url, "STORYWIRE_LOG_FORMAT": "json",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    command = [sys.executable, "-m", "celery", "--quiet", "-A", "workers.app", "worker",
               "--queues", "fetch", "--pool", "threads", "--concurrency", "1",
               "--without-gossip", "--without-mingle"]  # fmt: skip
    with log.open("wb") as sink:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=sink, stderr=sink)


def _fill(client: redis.Redis) -> None:
    """The Redis past its maxmemory, evicting nothing: every write that takes memory fails."""
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", int(client.info("memory")["used_memory"]) // 2)
