"""The process task's soft time limit, fired in a real prefork worker outside any one entry's
cleaning (here: waiting for the story lock): every entry of the batch is still accounted for."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from storywire.adapters.embedded_redis import embedded_redis
from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.redis_metrics import COUNTERS_KEY
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.identity import article_id
from storywire.models import Entry, Source
from tests.support.processes import reap
from workers.app import app

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
SOURCE = Source(id="wire", url="https://wire.example/feed", outlet="Wire", domain="wire.example")
TITLES = (
    "Storm floods the coast of Chile",
    "Volcano erupts in Iceland",
    "Harbour strike in Oslo enters second week",
)

pytestmark = pytest.mark.integration


def _wait_for(predicate: Callable[[], object], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.timeout(90)
def test_a_batch_cut_short_by_the_soft_time_limit_outside_its_entries_is_not_lost(
    tmp_path: Path,
) -> None:
    """Another worker holds the story lock; the batch's soft time limit (2 s on this message)
    fires while it waits for it. That failed the task, whose message was acknowledged: the
    entries, marked seen by their fetch, were lost. Now every entry ends up as an article once
    the lock is free (or as a rejection with its reason): none vanish."""
    entries = [
        Entry(guid=str(n), link=f"https://wire.example/{n}", title=title, summary_html="",
              content_html=f"<p>{title}, officials said on Tuesday.</p>", published=NOW)
        for n, title in enumerate(TITLES)
    ]  # fmt: skip
    items = [[f"g:{e.guid}", e.to_dict()] for e in entries]
    log = tmp_path / "worker.log"
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url)
        RedisSourceStore(client).upsert([SOURCE], now=0.0)
        client.set("storywire:stories:lock", "another worker", px=60_000)
        env = {**os.environ, "STORYWIRE_REDIS_URL": server.url, "STORYWIRE_LOG_FORMAT": "json",
               "PYTHONPATH": str(ROOT)}  # fmt: skip
        with log.open("wb") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "--queues", "process",
                 "--pool", "prefork", "--concurrency", "1", "--without-gossip", "--without-mingle",
                 "--hostname", "softlimit@%h", "--loglevel", "WARNING"],
                env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            )  # fmt: skip
        try:
            with app.connection_for_write(server.url) as conn:
                app.send_task(
                    "storywire.process", args=[SOURCE.id, NOW.isoformat(), items],
                    queue="process", routing_key="process", exchange="storywire",
                    connection=conn, soft_time_limit=2, time_limit=30,
                )  # fmt: skip
            _wait_for(lambda: b"Soft time limit" in log.read_bytes(), 60, "no soft time limit")
            client.delete("storywire:stories:lock")
            ids = [article_id(SOURCE.id, key) for key, _ in items]
            ledger = RedisLedger(client)

            def accounted() -> int:
                rejected = int(client.hget(COUNTERS_KEY, "articles:rejected") or 0)
                return len(ledger.known_stories(ids)) + rejected

            # Waited for by outcome, not by an empty queue: kombu pops a message before it
            # files it as unacknowledged, and a poll between the two saw neither.
            _wait_for(lambda: accounted() == len(items), 30, "entries were lost")
            known = ledger.known_stories(ids)
            rejected = int(client.hget(COUNTERS_KEY, "articles:rejected") or 0)
            assert worker.poll() is None
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            reap(worker)
            client.close()
    assert len(known) + rejected == len(items), log.read_text()
    assert len(known) == len(items)
