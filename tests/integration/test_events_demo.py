"""Every event the demo publishes is valid against its committed schema, and consumable."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any, cast

import orjson
import pytest
import redis

from storywire import events
from storywire.adapters.consumer import Consumer
from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.events import schemas
from storywire.settings import Settings
from workers.demo import run_demo

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "seeds" / "recorded"
SCHEMAS = ROOT / "schemas"

pytestmark = pytest.mark.integration


def _validator(name: str) -> Any:
    import jsonschema  # type: ignore[import-untyped]  # noqa: PLC0415 - dev-only dependency

    doc = json.loads((SCHEMAS / f"{name}.json").read_text())
    cls = jsonschema.validators.validator_for(doc)
    return cls(doc, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def demo_events(
    redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory
) -> tuple[redis.Redis, list[dict[str, Any]]]:
    """Run the demo once on the private Redis; return the stream's events in order."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    settings = Settings(data_dir=tmp_path_factory.mktemp("events-demo"), log_format="json")
    assert run_demo(settings, RECORDED, redis_server.url, io.StringIO(), timeout=150.0) == 0
    entries = cast(list[tuple[bytes, dict[bytes, bytes]]], client.xrange("storywire.events"))
    return client, [orjson.loads(f[b"event"]) for _, f in entries]


@pytest.mark.timeout(240)
def test_every_demo_event_validates_against_its_schema(
    demo_events: tuple[redis.Redis, list[dict[str, Any]]],
) -> None:
    """Envelope and data of each published event match the committed, frozen schemas."""
    _, published = demo_events
    envelope = _validator(schemas.ENVELOPE)
    by_type = {t: _validator(t) for t in events.EVENT_TYPES}
    kinds = Counter(e["type"] for e in published)
    assert kinds[events.ARTICLE_INGESTED] > 10
    assert kinds[events.STORY_CREATED] > 0
    assert kinds[events.STORY_UPDATED] > 0
    for event in published:
        envelope.validate(event)
        assert event["dataschema"] == schemas.schema_uri(event["type"])
        by_type[event["type"]].validate(event["data"])


@pytest.mark.timeout(240)
def test_a_consumer_group_reads_the_demo_once_with_acks(
    demo_events: tuple[redis.Redis, list[dict[str, Any]]],
) -> None:
    """A group from 0 gets every demo event once, in stream order; acked, nothing pending."""
    client, published = demo_events
    consumer = Consumer(client, group="demo-reader", start="0", block_ms=10, stop_when_idle=True)
    seen = []
    for msg in consumer:
        seen.append(msg.event.id)
        msg.ack()
    assert seen == [e["id"] for e in published]
    assert client.xpending("storywire.events", "demo-reader")["pending"] == 0
