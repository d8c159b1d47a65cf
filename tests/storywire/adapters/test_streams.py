"""The Redis Stream sink's retention and the sink chosen by settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest
import redis

from storywire.adapters.redis_ledger import outbox_item
from storywire.adapters.streams import RedisStreamSink, build_sink
from storywire.events import CloudEvent
from storywire.settings import Settings

STREAM = "storywire.events"

Entries = list[tuple[bytes, dict[bytes, bytes]]]


def _xrange(client: redis.Redis, stream: str = STREAM) -> Entries:
    return cast(Entries, client.xrange(stream))


def _fill(client: redis.Redis, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        event = CloudEvent(
            id=f"ev_{i}", type="storywire.story.created.v1", subject="s",
            time=datetime(2026, 11, 24, tzinfo=UTC), data={},
        )  # fmt: skip
        client.rpush("sw:outbox", outbox_item(event))


def test_maxlen_retention_keeps_about_the_newest(redis_client: redis.Redis) -> None:
    """MAXLEN ~ trims old entries once the stream is well past its cap."""
    sink = RedisStreamSink(redis_client, outbox_key="sw:outbox", maxlen=100)
    _fill(redis_client, 1000)
    assert sink.drain_all(now=1_000.0, batch=50) == 1000
    assert 100 <= redis_client.xlen("storywire.events") < 300


def test_minid_retention_trims_by_age(redis_client: redis.Redis) -> None:
    """MINID ~ drops entries older than the configured age (ids carry their time in ms)."""
    sink = RedisStreamSink(
        redis_client, outbox_key="sw:outbox", retention="minid", max_age_seconds=60
    )
    for i in range(300):  # old entries, written with explicit ids one second apart
        redis_client.xadd("storywire.events", {"id": f"old{i}"}, id=f"{1_000_000 + i}-0")
    _fill(redis_client, 5)
    sink.drain_all(now=10_000.0)
    remaining = [f[b"id"] for _, f in _xrange(redis_client)]
    assert [r for r in remaining if not r.startswith(b"old")] == [
        f"ev_{i}".encode() for i in range(5)
    ]
    assert len(remaining) < 200  # ~: whole macro nodes go, most of the old ones


def test_unknown_retention_or_sink_is_refused(redis_client: redis.Redis) -> None:
    """A typo in STORYWIRE_STREAM_RETENTION or STORYWIRE_SINK fails loudly at start."""
    with pytest.raises(ValueError, match="retention"):
        RedisStreamSink(redis_client, outbox_key="o", retention="forever")
    with pytest.raises(ValueError, match="STORYWIRE_SINK"):
        build_sink(Settings(sink="kafka"), redis_client, outbox_key="o")


def test_settings_choose_the_sink(redis_client: redis.Redis) -> None:
    """STORYWIRE_SINK=redis (default) builds the stream sink with the configured stream."""
    settings = Settings.from_env({"STORYWIRE_STREAM": "s2", "STORYWIRE_STREAM_RETENTION": "minid"})
    sink = build_sink(settings, redis_client, outbox_key="sw:outbox")
    assert sink.target == "s2"
    amqp = build_sink(Settings(sink="amqp"), redis_client, outbox_key="sw:outbox")
    assert "storywire.events" in amqp.target
