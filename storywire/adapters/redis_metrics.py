"""Counters the stages increment in Redis, and the snapshot an exporter turns into metrics."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import cast

import redis

from storywire.adapters.deliveries import POISONED_KEY
from storywire.adapters.parked import parked_key
from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.metrics import OutboxWatch, Sample

COUNTERS_KEY = "sw:metrics"
BEAT_KEY = "sw:beat"  # when the beat last sent a task (Unix time)
QUEUES = ("dispatch", "fetch", "process", "publish")


def count(client: redis.Redis, increments: Mapping[str, int]) -> None:
    """Add to counters named ``metric:label`` (e.g. ``fetch:ok``); one round trip."""
    pipe = client.pipeline(transaction=False)
    for name, amount in increments.items():
        if amount:
            pipe.hincrby(COUNTERS_KEY, name, amount)
    pipe.execute()


def beat_sent(client: redis.Redis, now: float) -> None:
    """Note that the beat sent a task at ``now``: its liveness (``storywire health beat``)."""
    client.set(BEAT_KEY, repr(now))


def last_beat_send(client: redis.Redis) -> float | None:
    """When the beat last sent a task, or None if it never did."""
    raw = client.get(BEAT_KEY)
    return None if raw is None else float(cast(bytes, raw))


_COUNTER_METRICS = {
    "fetch": ("storywire_fetch_total", "outcome"),
    "entries": ("storywire_entries_total", "decision"),
    "articles": ("storywire_articles_total", "kind"),
    "truncated": ("storywire_articles_truncated_total", "part"),
    "stories": ("storywire_stories_total", "kind"),
    "poisoned": ("storywire_tasks_poisoned_total", "task"),
    "parked": ("storywire_events_parked_total", "reason"),
    "fulltext": ("storywire_fulltext_pages_total", "outcome"),
    "fulltext_failed": ("storywire_fulltext_failures_total", "reason"),
}


def snapshot(
    client: redis.Redis,
    *,
    stream: str,
    queues: Sequence[str] = QUEUES,
    broker: redis.Redis | None = None,
    outbox: OutboxWatch | None = None,
) -> list[Sample]:
    """Everything the exporter reports; key names stay with the stores that own them. The
    queues are read in ``broker``, the Celery broker's Redis when it is not ``client``
    (STORYWIRE_BROKER_URL): read in ``client``, their depth was always 0. ``outbox`` times
    the outbox's head across calls (the publish lag); kept by the exporter between scrapes."""
    pipe = client.pipeline(transaction=False)
    queued = pipe if broker is None else broker.pipeline(transaction=False)
    for queue in queues:
        queued.llen(queue)
    depths: list[int] = []
    if broker is not None:
        try:
            depths = queued.execute()
        except redis.RedisError:
            # A broker's Redis away said storywire_up 0 and dropped every metric, though the
            # service's Redis answers: only the depths it alone knows are left out (as AMQP's).
            queues = ()
    pipe.exists(stream)
    pipe.hgetall(COUNTERS_KEY)
    pipe.llen(POISONED_KEY)
    pipe.get(BEAT_KEY)
    ledger = RedisLedger(client)
    pipe.llen(ledger.outbox_key)
    pipe.lindex(ledger.outbox_key, 0)
    pipe.xlen(parked_key(ledger.outbox_key))
    values = pipe.execute()
    if broker is None:
        depths, values = values[: len(queues)], values[len(queues) :]
    has_stream, counters, set_aside, beat, waiting, head, parked = values
    now = time.time()
    lag = (outbox or OutboxWatch()).lag(cast(bytes | None, head), now)
    store = RedisSourceStore(client)
    sources = store.counts()
    overdue, delay = store.overdue(now)
    registered, scheduled = sources["sources"], sources["scheduled"]
    in_flight = sources["in_flight"]
    samples = [Sample("storywire_up", 1.0)]
    samples += [
        Sample("storywire_queue_depth", float(d), {"queue": q})
        for q, d in zip(queues, depths, strict=True)
    ]
    samples += [
        Sample("storywire_sources", float(scheduled), {"state": "scheduled"}),
        Sample("storywire_sources", float(registered - scheduled), {"state": "unscheduled"}),
        Sample("storywire_sources_in_flight", float(in_flight)),
        Sample("storywire_sources_overdue", float(overdue)),
        Sample("storywire_poll_delay_seconds", delay),
        Sample("storywire_outbox_events", float(waiting)),
        Sample("storywire_publish_lag_seconds", lag),
        Sample("storywire_pending_articles", float(ledger.pending_count())),
        Sample("storywire_stream_events", float(client.xlen(stream) if has_stream else 0)),
        Sample("storywire_poisoned_tasks", float(set_aside)),
        Sample("storywire_parked_events", float(parked)),
    ]
    if beat is not None:
        samples.append(Sample("storywire_beat_last_send_timestamp_seconds", float(beat)))
    for raw_name, raw_value in sorted(cast(dict[bytes, bytes], counters).items()):
        group, _, label = raw_name.decode().partition(":")
        if group in _COUNTER_METRICS:
            metric, label_name = _COUNTER_METRICS[group]
            samples.append(Sample(metric, float(raw_value), {label_name: label}))
    return samples
