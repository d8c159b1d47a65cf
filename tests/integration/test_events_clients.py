"""The AMQP sink read by the clients downstream engineers use, as docs/events.md tells them:
pika and kombu consumers on their own queues bound with topic wildcards, each message read by
the official CloudEvents SDK. Against the real RabbitMQ on 127.0.0.1:5672."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kombu
import kombu.serialization
import orjson
import pika  # type: ignore[import-untyped]
import pytest
import redis

from storywire.adapters.amqp import AmqpSink
from storywire.adapters.redis_ledger import outbox_item
from storywire.events import STORY_CREATED, STORY_MERGED, STORY_UPDATED
from tests.support.cloudevents_spec import every_event_type, sdk_read_amqp, spec_problems

pytestmark = pytest.mark.integration

EVENTS_DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def _until(done: Callable[[], bool], step: Callable[[], None], what: str) -> None:
    """Run ``step`` until ``done``; the deadline only turns a hang into a failure."""
    deadline = time.monotonic() + 30
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        step()


def _publish_every_type(client: redis.Redis, amqp_url: str, exchange: str) -> list[bytes]:
    published = every_event_type()
    client.rpush("sw:outbox", *(outbox_item(e) for e in published))
    sink = AmqpSink(client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange)
    assert sink.drain_all(now=time.time()) == len(published)
    sink.close()
    return [e.to_json() for e in published]


def test_a_pika_consumer_binding_storywire_story_hash_reads_every_story_event(
    redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """The documented pika consumer: declare the exchange as the sink does, bind a queue with
    ``storywire.story.#``, consume; each message is structured-mode CloudEvents JSON."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = conn.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, exchange, routing_key="storywire.story.#")
    got: list[tuple[Any, Any, bytes]] = []

    def on_message(ch: Any, method: Any, props: Any, body: bytes) -> None:
        got.append((method, props, body))
        ch.basic_ack(method.delivery_tag)

    channel.basic_consume(queue, on_message)
    bodies = _publish_every_type(redis_client, amqp_url, exchange)
    stories = [b for b in bodies if orjson.loads(b)["type"].startswith("storywire.story.")]
    _until(lambda: len(got) >= len(stories), lambda: conn.process_data_events(1), "stories")
    assert [body for _, _, body in got] == stories
    for method, props, body in got:
        doc = orjson.loads(body)
        assert spec_problems(doc) == []
        assert method.routing_key == doc["type"] == props.type
        assert props.message_id == doc["id"]
        assert props.content_type == "application/cloudevents+json"
        assert props.delivery_mode == 2
        assert props.headers is None  # structured mode: no cloudEvents: properties
        event = sdk_read_amqp(props.content_type, props.headers, body)
        assert event.get_id() == doc["id"]
        assert event.get_data() == doc["data"]
    assert {orjson.loads(b)["type"] for b in stories} == {
        STORY_CREATED, STORY_UPDATED, STORY_MERGED,
    }  # fmt: skip
    conn.close()


def _documented_block(language: str, containing: str) -> str:
    """The fenced ``language`` block of docs/events.md that contains ``containing``, dedented."""
    pattern = rf"^( *)```{language}\n(.*?)^\1```$"
    for match in re.finditer(pattern, EVENTS_DOC.read_text(), re.MULTILINE | re.DOTALL):
        if containing in match[2]:
            indent = len(match[1])
            return "".join(line[indent:] for line in match[2].splitlines(keepends=True))
    raise AssertionError(f"docs/events.md has no {language} block with {containing!r}")


def test_the_documented_alternate_exchange_keeps_every_event_nobody_bound(
    redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """The operator's set-up docs/events.md gives for unrouted events, run as printed (names
    made the test's own): every event type, bound by no queue, lands in the alternate
    exchange's queue. As the docs said it before ("binds a queue to storywire.unrouted"), the
    binding failed with NOT_FOUND, and the exchange declared with pika's default type (direct)
    kept none of them."""
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("no rabbitmqctl to set the policy with")
    unrouted = f"{exchange}.unrouted"
    policy = (
        _documented_block("sh", "rabbitmqctl set_policy")
        .replace("storywire-unrouted", f"{exchange}-policy")
        .replace(r"storywire\.events", re.escape(exchange))
        .replace("storywire.unrouted", unrouted)
    )
    setup = _documented_block("python", '"storywire.unrouted"').replace(
        "storywire.unrouted", unrouted
    )
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = conn.channel()
    subprocess.run(["sh", "-c", policy], check=True, capture_output=True, timeout=60)
    try:
        exec(setup, {"channel": channel})  # noqa: S102 - our own documentation
        bodies = _publish_every_type(redis_client, amqp_url, exchange)
        kept: list[bytes] = []
        _until(
            lambda: len(kept) >= len(bodies),
            lambda: kept.extend(
                body
                for _, _, body in [channel.basic_get(unrouted, auto_ack=True)]
                if body is not None
            ),
            "the unrouted events",
        )
        assert kept == bodies
    finally:
        subprocess.run(
            ["rabbitmqctl", "clear_policy", f"{exchange}-policy"], check=False, capture_output=True
        )
        channel.queue_delete(unrouted)
        channel.exchange_delete(unrouted)
        conn.close()


@pytest.fixture
def cloudevents_serializer() -> Any:
    """kombu decodes a body only for a registered content type: the documented registration."""
    kombu.serialization.register(
        "cloudevents", json.dumps, json.loads,
        content_type="application/cloudevents+json", content_encoding="utf-8",
    )  # fmt: skip
    yield "cloudevents"
    kombu.serialization.registry.unregister("cloudevents")


def test_a_kombu_consumer_binding_a_created_wildcard_gets_decoded_events(
    redis_client: redis.Redis, amqp_url: str, exchange: str, cloudevents_serializer: str
) -> None:
    """kombu with ``storywire.*.created.v1``: its Exchange defaults match the sink's (durable
    topic), and with the serializer registered the callback gets the event as a dict."""
    topic = kombu.Exchange(exchange, type="topic")
    queue = kombu.Queue("", topic, routing_key="storywire.*.created.v1", exclusive=True)
    got: list[tuple[Any, Any]] = []

    def on_message(body: Any, message: Any) -> None:
        got.append((body, message))
        message.ack()

    with kombu.Connection(amqp_url) as conn:
        consumer = kombu.Consumer(
            conn, [queue], callbacks=[on_message], accept=[cloudevents_serializer]
        )
        consumer.consume()  # declares the exchange, the queue and its binding
        bodies = _publish_every_type(redis_client, amqp_url, exchange)
        created = [b for b in bodies if orjson.loads(b)["type"] == STORY_CREATED]
        _until(lambda: len(got) >= len(created), lambda: _drain(conn), "story.created")
        consumer.cancel()
    assert [message.body for _, message in got] == created
    for body, message in got:
        assert body == orjson.loads(message.body)
        assert message.delivery_info["routing_key"] == body["type"] == STORY_CREATED
        assert message.properties["message_id"] == body["id"]
        assert (
            sdk_read_amqp(message.content_type, message.headers, message.body).get_data()
            == (body["data"])
        )


def test_kombu_refuses_the_events_under_accept_json(
    redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """Why the docs name the serializer: kombu's usual ``accept=["json"]`` refuses our content
    type (application/cloudevents+json, as the binding requires), rather than decode it."""
    topic = kombu.Exchange(exchange, type="topic")
    queue = kombu.Queue("", topic, routing_key="#", exclusive=True)
    with kombu.Connection(amqp_url) as conn:
        consumer = kombu.Consumer(conn, [queue], callbacks=[lambda b, m: None], accept=["json"])
        consumer.consume()
        _publish_every_type(redis_client, amqp_url, exchange)
        with pytest.raises(kombu.exceptions.ContentDisallowed):
            _until(lambda: False, lambda: _drain(conn), "a refusal")


def _drain(conn: Any) -> None:
    with contextlib.suppress(TimeoutError):  # a quiet second: the caller's loop decides
        conn.drain_events(timeout=1)
