"""A Redis that answers but refuses writes for a while (its disk full, its maxmemory reached, a
replica after a failover) is an outage like one that does not answer: a task that meets it is
retried (docs/operations.md, Outages), and a process batch is never acknowledged into nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from celery import Celery

from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis
from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.models import Entry, Source
from tests.support.processes import reap

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _disk_full(server: EmbeddedRedis, client: redis.Redis) -> Callable[[], None]:
    """MISCONF, as when the disk under its data fills: a snapshot that cannot be written (here
    a directory where the file goes) stops writes until one is."""
    blocker = server.directory / "dump.rdb"
    (blocker / "in-the-way").mkdir(parents=True)
    client.config_set("save", "3600 1")
    client.bgsave()
    _wait(lambda: client.info("persistence")["rdb_last_bgsave_status"] == "err", 10)

    def lift() -> None:
        shutil.rmtree(blocker)
        client.bgsave()

    return lift


def _maxmemory(server: EmbeddedRedis, client: redis.Redis) -> Callable[[], None]:
    """OOM: maxmemory reached under noeviction, the policy a Celery broker needs."""
    client.config_set("maxmemory", max(1, int(client.info("memory")["used_memory"]) // 2))
    return lambda: client.config_set("maxmemory", 0)


def _replica(server: EmbeddedRedis, client: redis.Redis) -> Callable[[], None]:
    """READONLY: the address now names a replica, as after a failover."""
    client.replicaof("127.0.0.1", "1")
    return lambda: client.replicaof("NO", "ONE")


def _wait(check: Callable[[], object], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.timeout(150)
def test_a_process_batch_that_meets_a_redis_refusing_writes_is_retried_not_lost(
    tmp_path: Path,
) -> None:
    """Seen with the data directory's disk full: "Task storywire.process[…] raised unexpected:
    server:ResponseError" (MISCONF; OOM at maxmemory, READONLY after a failover alike), the
    message acknowledged, and the batch's articles, marked seen by their fetch, never
    published. The state's Redis refuses writes here, the broker's takes them."""
    log = tmp_path / "worker.log"
    with embedded_redis() as state, embedded_redis() as broker:
        client = redis.Redis.from_url(state.url, socket_timeout=5)
        RedisSourceStore(client).upsert(
            [Source(id="s1", url="https://example.com/feed", outlet="Example",
                    domain="example.com")],
            now=time.time(),
        )  # fmt: skip
        outbox = RedisLedger(client).outbox_key
        env = {**os.environ, "STORYWIRE_REDIS_URL": state.url, "STORYWIRE_BROKER_URL": broker.url,
               "STORYWIRE_LOG_FORMAT": "json", "STORYWIRE_STORY_HOLD_SECONDS": "0",
               "PYTHONPATH": str(ROOT)}  # fmt: skip
        command = [sys.executable, "-m", "celery", "--quiet", "-A", "workers.app", "worker",
                   "--queues", "process", "--pool", "prefork", "--concurrency", "1",
                   "--without-gossip", "--without-mingle"]  # fmt: skip
        with log.open("wb") as sink:
            worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=sink, stderr=sink)
        sender = Celery(broker=broker.url)
        try:
            assert _wait(lambda: b"ready." in log.read_bytes(), 60), log.read_text()
            for n, refuse in enumerate((_disk_full, _maxmemory, _replica)):
                lift = refuse(state, client)
                entry = Entry(guid=f"g{n}", link=f"https://example.com/{n}",
                              title=f"Council approves bridge number {n} over the river",
                              summary_html="<p>The council approved a new bridge on Tuesday, "
                              "officials said, after a long debate.</p>",
                              content_html="", published=datetime.now(UTC))  # fmt: skip
                # Its first run meets the refusal; lifted then, before the backoff grows long.
                task_id = sender.send_task(
                    "storywire.process",
                    args=["s1", datetime.now(UTC).isoformat(), [[f"k{n}", entry.to_dict()]]],
                    queue="process",
                ).id
                met = f"{task_id}] re".encode()  # "retry:", or "raised unexpected"
                assert _wait(lambda met=met: met in log.read_bytes(), 30), log.read_text()[-4000:]
                lift()
                published = lambda n=n: any(  # noqa: E731
                    f"https://example.com/{n}".encode() in item
                    for item in client.lrange(outbox, 0, -1)
                )
                assert _wait(published, 45), (refuse.__name__, log.read_text()[-4000:])
        finally:
            sender.close()
            client.close()
            reap(worker)
    assert "raised unexpected" not in log.read_text()
