"""`storywire run`'s keeper on a real redis-server: killed, it is started again with its data;
back without its data, the sources file is loaded into it again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from structlog.testing import capture_logs

from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.models import Source
from workers.keeper import RedisKeeper

SOURCES = [
    Source(id=i, url=f"https://{i}.example/feed", outlet=i, domain=f"{i}.example")
    for i in ("wire", "post")
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    with embedded_redis(directory=tmp_path / "redis", persist=True) as running:
        yield running


def _events(logs: list[dict[str, object]]) -> list[object]:
    return [e["event"] for e in logs]


def test_a_killed_embedded_redis_is_started_again_with_its_data(server: EmbeddedRedis) -> None:
    """Before, `storywire run` watched its workers only: with its redis-server killed they
    waited on it for ever, and nothing was polled again."""
    client = redis.Redis.from_url(server.url)
    client.config_set("appendfsync", "always")  # the kill must not race the once-a-second fsync
    RedisSourceStore(client).upsert(SOURCES, now=0.0)
    keeper = RedisKeeper(server.url, SOURCES, server=server)
    first = server.process
    first.kill()
    first.wait()
    with capture_logs() as logs:
        keeper.tend(now=0.0)
    assert _events(logs) == ["redis.exited", "redis.restarted"]
    assert server.process is not first
    assert server.process.poll() is None
    assert RedisSourceStore(client).next_poll("wire") == 0.0  # its schedule came back with it
    keeper.close()
    client.close()


def test_a_redis_back_without_its_data_gets_the_sources_file_again(
    server: EmbeddedRedis,
) -> None:
    client = redis.Redis.from_url(server.url)
    RedisSourceStore(client).upsert(SOURCES, now=0.0)  # as `storywire run` loaded them
    keeper = RedisKeeper(server.url, SOURCES, check_every=5.0)
    with capture_logs() as logs:
        keeper.tend(now=0.0)  # nothing to do
        client.flushall()
        keeper.tend(now=3.0)  # not yet due for a check
        assert not client.exists("sw:sources")
        keeper.tend(now=5.0)
    assert _events(logs) == ["run.sources_reloaded"]
    store = RedisSourceStore(client)
    assert [s.id for s in store.all()] == ["post", "wire"]
    assert store.next_poll("wire") is not None  # on the schedule: polled at the next dispatch
    keeper.close()
    client.close()


def test_an_unreachable_redis_is_one_line_per_outage(tmp_path: Path) -> None:
    with embedded_redis(directory=tmp_path / "gone") as gone:
        url = gone.url
    keeper = RedisKeeper(url, SOURCES, check_every=1.0)
    with capture_logs() as logs:
        for now in range(5):
            keeper.tend(now=float(now))
    assert _events(logs) == ["run.redis_unreachable"]
    keeper.close()
