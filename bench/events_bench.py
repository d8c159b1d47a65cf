"""Events end to end: outbox → stream (the sink) and stream → service (Consumer with acks).

    .venv/bin/python bench/events_bench.py                  # 50k events of ~1 KB, 3 rounds
    .venv/bin/python bench/events_bench.py --events 20000 --rounds 1
    .venv/bin/python bench/events_bench.py --amqp           # also the AMQP sink (RabbitMQ :5672)

A private real redis-server is started for the run. Each round fills the outbox with real
``story.updated`` events (untimed: that is the process stage's cost), then times

* publish: ``RedisStreamSink.drain_all`` (one Lua script per 500 events, skipping sent ids),
  against the floor: redis-py ``XADD MAXLEN ~`` of the same fields, pipelined by 500;
* consume: ``Consumer`` iterated with ``msg.ack()`` per event (raw, and with ``msg.event``
  decoded as a service would), against the floor: ``XREADGROUP COUNT 500`` + one ``XACK``
  of the batch's ids.

End to end is events / (publish time + consume time). Medians over the rounds are printed.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from storywire import events
from storywire.adapters.consumer import Consumer
from storywire.adapters.embedded_redis import embedded_redis
from storywire.adapters.redis_ledger import outbox_item
from storywire.adapters.streams import RedisStreamSink
from storywire.models import Article
from storywire.stories_ledger import StoryRecord, with_article

BATCH = 500
T0 = datetime(2026, 11, 24, 8, tzinfo=UTC)


def sample_items(n: int) -> list[bytes]:
    """``n`` outbox items: story.updated events of ~1 KB with distinct ids."""
    record = StoryRecord(id="st_bench")
    for k, outlet in enumerate(["Reuters", "Al Jazeera", "CBS News", "SCMP"]):
        article = Article(
            id=f"a{k}", source_id=outlet.lower().replace(" ", ""), outlet=outlet,
            url=f"https://{outlet.lower().replace(' ', '')}.example/world/2026/11/24/story-{k}",
            title="Ukraine and Russia agree to a prisoner exchange after talks in Istanbul",
            text="Negotiators met for six hours on Monday. " * 4,
            published=T0 + timedelta(minutes=7 * k), content_hash=f"h{k}",
            entities=("Ukraine", "Russia", "Istanbul", "Zelensky", "Kremlin"),
        )  # fmt: skip
        record, _ = with_article(record, article)
    template = events.story_changed(record, created=False)
    return [
        outbox_item(
            events.CloudEvent(
                id=events.event_id(template.type, str(i)), type=template.type,
                subject=template.subject, time=template.time, data=template.data,
            )
        )
        for i in range(n)
    ]  # fmt: skip


def fill_outbox(client: redis.Redis, items: list[bytes]) -> None:
    pipe = client.pipeline(transaction=False)
    for start in range(0, len(items), BATCH):
        pipe.rpush("sw:outbox", *items[start : start + BATCH])
    pipe.execute()


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ours_publish(client: redis.Redis) -> int:
    return RedisStreamSink(client, outbox_key="sw:outbox").drain_all(now=time.time(), batch=BATCH)


def floor_publish(client: redis.Redis, items: list[bytes]) -> None:
    pipe = client.pipeline(transaction=False)
    for i, item in enumerate(items):
        event_id, etype, body = item.split(b"|", 2)
        pipe.xadd(
            "floor.events", {"id": event_id, "type": etype, "event": body},
            maxlen=1_000_000, approximate=True,
        )  # fmt: skip
        if i % BATCH == BATCH - 1:
            pipe.execute()
    pipe.execute()


def ours_consume(client: redis.Redis, n: int, *, decode: bool) -> None:
    consumer = Consumer(
        client, group=f"bench-{decode}", name="c", start="0", count=BATCH, block_ms=100,
        stop_when_idle=True,
    )  # fmt: skip
    seen = 0
    for msg in consumer:
        if decode:
            _ = msg.event
        msg.ack()
        seen += 1
    assert seen == n, (seen, n)


def floor_consume(client: redis.Redis, n: int) -> None:
    client.xgroup_create("floor.events", "floor", id="0")
    seen = 0
    while True:
        reply: Any = client.xreadgroup("floor", "c", {"floor.events": ">"}, count=BATCH, block=100)
        if not reply:
            break
        entries = reply[0][1]
        client.xack("floor.events", "floor", *(sid for sid, _ in entries))
        seen += len(entries)
    assert seen == n, (seen, n)


def amqp_round(client: redis.Redis, items: list[bytes]) -> tuple[float, float] | None:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        return None
    import pika  # type: ignore[import-untyped]  # noqa: PLC0415 - only with --amqp

    from storywire.adapters.amqp import AmqpSink  # noqa: PLC0415 - only with --amqp

    url = "amqp://guest:guest@127.0.0.1:5672/%2F"
    exchange = "storywire.bench"
    client.delete("sw:outbox", "sw:sent")
    fill_outbox(client, items)
    sink = AmqpSink(client, outbox_key="sw:outbox", url=url, exchange=exchange)
    ours = timed(lambda: sink.drain_all(now=time.time(), batch=BATCH))
    sink.close()
    conn = pika.BlockingConnection(pika.URLParameters(url))
    channel = conn.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    channel.confirm_delivery()

    def raw() -> None:
        for item in items:
            event_id, etype, body = item.split(b"|", 2)
            props = pika.BasicProperties(message_id=event_id.decode(), delivery_mode=2)
            channel.basic_publish(exchange, etype.decode(), body, props)

    floor = timed(raw)
    channel.exchange_delete(exchange)
    conn.close()
    return ours, floor


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--amqp", action="store_true", help="also time the AMQP sink")
    args = parser.parse_args()
    n = args.events
    items = sample_items(n)
    size = sum(len(i) for i in items) / n
    print(f"{n:,} events of {size:,.0f} bytes, batches of {BATCH}, {args.rounds} rounds")
    rows: dict[str, list[float]] = {}
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url)
        for _ in range(args.rounds):
            client.flushdb()
            fill_outbox(client, items)
            rows.setdefault("publish ours", []).append(timed(lambda: ours_publish(client)))
            rows.setdefault("publish floor", []).append(timed(lambda: floor_publish(client, items)))
            rows.setdefault("consume ours", []).append(
                timed(lambda: ours_consume(client, n, decode=False))
            )
            rows.setdefault("consume ours+decode", []).append(
                timed(lambda: ours_consume(client, n, decode=True))
            )
            rows.setdefault("consume floor", []).append(timed(lambda: floor_consume(client, n)))
            if args.amqp:
                got = amqp_round(client, items[: min(n, 10_000)])
                if got is not None:
                    rows.setdefault("amqp publish ours", []).append(got[0])
                    rows.setdefault("amqp publish floor", []).append(got[1])
        client.close()
    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"\n{'step':<24}{'events/s':>12}{'us/event':>10}{'vs floor':>10}")
    for key, seconds in med.items():
        count = min(n, 10_000) if key.startswith("amqp") else n
        floor_key = key.split(" ")[0] + " floor" if "amqp" not in key else "amqp publish floor"
        ratio = seconds / med[floor_key] if floor_key in med else 1.0
        print(f"{key:<24}{count / seconds:>12,.0f}{1e6 * seconds / count:>10.1f}{ratio:>9.2f}x")
    ours = med["publish ours"] + med["consume ours+decode"]
    floor = med["publish floor"] + med["consume floor"]
    print(
        f"\nend to end (publish + consume with decode and ack): {n / ours:,.0f} events/s, "
        f"floor {n / floor:,.0f} events/s: {ours / floor:.2f}x the floor's time (target <= 2x)"
    )


if __name__ == "__main__":
    main()
