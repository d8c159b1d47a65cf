"""Every event the demo publishes is valid against its committed schema, and consumable."""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any, cast

import orjson
import pika  # type: ignore[import-untyped]
import pytest
import redis

from storywire import events
from storywire.adapters.amqp import AmqpSink
from storywire.adapters.consumer import Consumer
from storywire.events import schemas
from storywire.models import iso
from tests.integration.conftest import DemoRun
from tests.support.cloudevents_spec import sdk_read, sdk_read_amqp, spec_problems

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
def test_the_demo_publishes_each_article_decision_as_v1_and_v2(
    demo_events: tuple[redis.Redis, list[dict[str, Any]]],
) -> None:
    """By default (STORYWIRE_ARTICLE_EVENT_VERSIONS=v1,v2) every article.ingested v1 is followed
    at once by its v2: the same data plus the lead image and the feed's categories, which the
    recorded feeds give (CBS and SCMP images, NPR's JSON Feed image; the Guardian's, DW's and
    the others' categories)."""
    _, published = demo_events
    pairs = [
        (one, two)
        for one, two in itertools.pairwise(published)
        if one["type"] == events.ARTICLE_INGESTED
    ]
    assert len(pairs) == Counter(e["type"] for e in published)[events.ARTICLE_INGESTED_V2]
    for v1, v2 in pairs:
        assert v2["type"] == events.ARTICLE_INGESTED_V2
        assert v2["subject"] == v1["subject"]
        assert {k: v for k, v in v2["data"].items() if k not in ("image", "categories")} == v1[
            "data"
        ]
    data = [v2["data"] for _, v2 in pairs]
    imaged = {d["outlet"] for d in data if d["image"]}
    assert len(imaged) >= 3, imaged
    assert all(d["image"].startswith(("https://", "http://")) for d in data if d["image"])
    assert sum(1 for d in data if d["categories"]) > len(data) / 2


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


@pytest.mark.timeout(240)
def test_every_demo_event_is_a_cloudevent_the_sdk_reads_as_published(
    demo_events: tuple[redis.Redis, list[dict[str, Any]]],
) -> None:
    """Each stream entry's ``event`` keeps the CloudEvents 1.0 rules and reads back through
    the official SDK unchanged; no two entries share source and id (the sink sends an id once)."""
    client, published = demo_events
    for (_, fields), doc in zip(
        cast(list[tuple[bytes, dict[bytes, bytes]]], client.xrange("storywire.events")),
        published,
        strict=True,
    ):
        assert spec_problems(doc) == []
        read = sdk_read(fields[b"event"])
        assert iso(read.pop("time")) == doc["time"]
        assert read == {k: v for k, v in doc.items() if k != "time"}
    assert len({(e["source"], e["id"]) for e in published}) == len(published)


@pytest.mark.timeout(240)
def test_a_plain_redis_py_group_reads_the_documented_entry_fields(
    demo_events: tuple[redis.Redis, list[dict[str, Any]]],
) -> None:
    """Without our Consumer: XGROUP CREATE, XREADGROUP ``>``, XACK, as docs/events.md
    describes the entries (fields ``id``, ``type``, ``event``; ``id`` and ``type`` the event's)."""
    client, published = demo_events
    # A client of its own that decodes replies to str, as many services configure redis-py.
    pool = client.connection_pool
    plain = redis.Redis(
        connection_pool=redis.ConnectionPool(
            connection_class=pool.connection_class,
            **{**pool.connection_kwargs, "decode_responses": True},
        )
    )
    plain.xgroup_create("storywire.events", "plain-reader", id="0")
    seen: list[dict[str, Any]] = []
    while batch := plain.xreadgroup("plain-reader", "r1", {"storywire.events": ">"}, count=7):
        [(_, entries)] = batch
        for entry_id, fields in entries:
            assert set(fields) == {"id", "type", "event"}
            event = json.loads(fields["event"])
            assert (fields["id"], fields["type"]) == (event["id"], event["type"])
            seen.append(event)
            plain.xack("storywire.events", "plain-reader", entry_id)
    assert seen == published
    assert plain.xpending("storywire.events", "plain-reader")["pending"] == 0
    plain.close()


@pytest.mark.timeout(240)
def test_the_demo_events_through_amqp_reach_a_pika_consumer_as_the_stream_has_them(
    demo_events: tuple[redis.Redis, list[dict[str, Any]]],
    redis_client: redis.Redis,
    amqp_url: str,
    exchange: str,
) -> None:
    """The same events drained by the AMQP sink: a consumer bound with ``storywire.#`` gets
    every body byte for byte as the stream's ``event`` field, readable by the SDK's bindings."""
    client, _ = demo_events
    entries = cast(list[tuple[bytes, dict[bytes, bytes]]], client.xrange("storywire.events"))
    redis_client.rpush(
        "sw:outbox", *(f[b"id"] + b"|" + f[b"type"] + b"|" + f[b"event"] for _, f in entries)
    )
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = conn.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, exchange, routing_key="storywire.#")
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange)
    assert sink.drain_all(now=time.time()) == len(entries)
    sink.close()
    bodies = []
    while (got := channel.basic_get(queue, auto_ack=True))[0] is not None:
        _, props, body = got
        event = sdk_read_amqp(props.content_type, props.headers, body)
        assert (props.message_id, props.type) == (event.get_id(), event.get_type())
        bodies.append(body)
    assert bodies == [f[b"event"] for _, f in entries]
    conn.close()
