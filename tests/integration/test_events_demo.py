"""Every event the demo publishes is valid against its committed schema, and consumable."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, cast

import orjson
import pytest
import redis

from storywire import events
from storywire.adapters.consumer import Consumer
from storywire.events import schemas
from tests.integration.conftest import DemoRun

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
def demo_events(demo_run: DemoRun) -> tuple[redis.Redis, list[dict[str, Any]]]:
    """The shared demo run's stream events, in order."""
    assert demo_run.code == 0
    client = demo_run.client
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
