"""Four real Celery process workers place the recorded articles exactly as one worker does, and
a read model built from their event stream alone is the ledger's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from storywire.adapters.consumer import Consumer
from storywire.adapters.embedded_redis import embedded_redis
from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.feeds import parse_feed
from storywire.identity import entry_keys
from storywire.models import Entry
from storywire.sources import load_sources
from storywire.urls import clean_link
from tests.support.read_model import (
    ReadModel,
    consumer_model,
    decode,
    differences,
    ledger_model,
)
from workers.app import app
from workers.demo import pipeline_idle, release_when_stalled

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "seeds" / "recorded"
NOW = datetime(2026, 11, 26, tzinfo=UTC)

pytestmark = pytest.mark.integration


def _recorded_entries() -> Iterator[tuple[str, str, Entry]]:
    """Every distinct recorded entry as (source id, entry key, entry), last poll's version."""
    latest: dict[tuple[str, str], Entry] = {}
    for feed_dir in sorted(p for p in RECORDED.iterdir() if p.is_dir()):
        for poll in sorted(feed_dir.iterdir(), key=lambda f: f.stem):
            entries = parse_feed(poll.read_bytes(), now=NOW).entries
            for key, entry in zip(entry_keys(entries), entries, strict=True):
                latest[(feed_dir.name, key)] = entry
    for (source_id, key), entry in sorted(latest.items(), key=lambda kv: kv[1].published or NOW):
        yield source_id, key, entry


def _place_all(concurrency: int, tmp: Path) -> dict[str, frozenset[str]]:
    """Send one process task per article to a worker of ``concurrency`` processes; the partition."""
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url)
        RedisSourceStore(client).upsert(
            load_sources(RECORDED / "sources.toml", base_url="http://127.0.0.1:9"), now=0
        )
        env = {**os.environ, "STORYWIRE_REDIS_URL": server.url, "STORYWIRE_LOG_FORMAT": "json"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "--queues", "process,publish",
             "--pool", "prefork", "--concurrency", str(concurrency), "--without-gossip", "--without-mingle",
             "--hostname", f"conc{concurrency}@%h", "--loglevel", "WARNING"],
            env=env, cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            with app.connection_for_write(server.url) as conn:
                for source_id, key, entry in _recorded_entries():
                    app.send_task(
                        "storywire.process",
                        args=[source_id, NOW.isoformat(), [[key, entry.to_dict()]]],
                        queue="process", routing_key="process", exchange="storywire", connection=conn,
                    )  # fmt: skip
            deadline = time.monotonic() + 90
            while not pipeline_idle(client) and time.monotonic() < deadline:
                # Holding is on (the defaults; these articles hold one). There is no beat:
                # what is still held once every task is done is released all at once, as the
                # demo does at the end of its stream. Releases then follow the arrival count
                # and that one final release, never the clock; a small
                # STORYWIRE_STORY_HOLD_SECONDS with a beat would release by time and make the
                # partition depend on how fast the workers happen to run.
                release_when_stalled(client, server.url)
                time.sleep(0.3)
            assert pipeline_idle(client), "process queue did not drain"
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        # A service that built its stories from the stream alone holds what the ledger does.
        view = ReadModel()
        with Consumer(client, group="read-model", start="0", block_ms=10, stop_when_idle=True) as c:
            for msg in c:
                view.apply(decode(msg.raw), msg.stream_id)
                msg.ack()
        assert differences(consumer_model(view), ledger_model(client)) == []
        ledger = RedisLedger(client)
        groups: dict[str, set[str]] = {}
        for record in ledger.all():
            groups[record.id] = {m.url for m in record.members}
        client.close()
    return {story: frozenset(urls) for story, urls in groups.items()}


@pytest.mark.timeout(240)
def test_four_workers_give_the_same_stories_as_one(tmp_path: Path) -> None:
    """Same partition with 1 and 4 prefork processes, and it is the expected one; with each,
    a consumer of the stream ends with the ledger's stories and placements."""
    one = set(_place_all(1, tmp_path).values())
    four = set(_place_all(4, tmp_path).values())
    expected = {
        frozenset(clean_link(link) for link in story["articles"])
        for story in tomllib.loads((RECORDED / "expected.toml").read_text())["story"]
    }
    assert one == four
    assert four == expected
