"""The four tasks of the flow: dispatch → fetch → process → publish."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import redis
import structlog
import xxhash
from celery import Task

from storywire.adapters.redis_ledger import outbox_item
from storywire.fetching import poll
from storywire.identity import entry_keys
from storywire.models import Entry
from storywire.processing import process_entries
from tasks.options import DISPATCH, FETCH, PROCESS, PUBLISH, task
from tasks.runtime import runtime

log = structlog.get_logger("storywire")
BATCH = 50  # entries per process task: big enough to amortise a task, small enough to retry
TRANSIENT = (redis.ConnectionError, redis.TimeoutError)


@task(DISPATCH)
def dispatch(self: Task[Any, Any]) -> int:
    """Claim the sources that are due and send one fetch per source."""
    rt = runtime()
    claimed = rt.sources.claim_due(
        now=time.time(), lease=rt.settings.lease_seconds, cap=rt.settings.max_in_flight
    )
    for source_id in claimed:
        fetch.delay(source_id)
    if claimed:
        log.info("dispatch", claimed=len(claimed))
    return len(claimed)


@task(FETCH)
def fetch(self: Task[Any, Any], source_id: str) -> None:
    """Poll one source; send its new or changed entries to ``process`` in batches."""
    rt = runtime()
    bound = log.bind(source_id=source_id)
    source = rt.sources.get(source_id)
    if source is None:
        bound.warning("fetch.unknown_source")
        return
    state = rt.sources.state(source_id)
    if state.disabled_reason:
        bound.info("fetch.skipped_disabled", reason=state.disabled_reason)
        return
    now = time.time()
    result = poll(source, state, rt.fetcher, rt.fetch_policy, now=now)
    items = list(zip(entry_keys(result.entries), result.entries, strict=True))
    raw_hashes = {key: _raw_hash(entry) for key, entry in items}
    try:
        changed = rt.sources.unseen(source_id, raw_hashes)
        fresh = [(key, entry) for key, entry in items if key in changed]
        fetched_at = datetime.fromtimestamp(now, tz=UTC).isoformat()
        for start in range(0, len(fresh), BATCH):
            chunk = fresh[start : start + BATCH]
            process.delay(source_id, fetched_at, [[k, e.to_dict()] for k, e in chunk])
        rt.sources.mark_seen(source_id, {k: raw_hashes[k] for k, _ in fresh})
        if result.events:
            rt.redis.rpush(rt.ledger.outbox_key, *(outbox_item(e) for e in result.events))
            publish.delay()
        rt.sources.finish(source_id, result.state, next_poll=result.next_poll)
    except TRANSIENT as exc:
        raise self.retry(exc=exc) from exc
    bound.info(
        "fetch",
        outcome=result.outcome,
        status=result.state.last_status,
        entries=len(items),
        new_or_changed=len(fresh),
        warning=result.warning,
        next_poll_in=round(result.next_poll - now, 1) if result.next_poll else None,
        failures=result.state.consecutive_failures,
    )


def _raw_hash(entry: Entry) -> str:
    # Cheap change detector before cleaning: the process stage decides what really changed.
    raw = "\x1f".join((entry.title, entry.summary_html, entry.content_html))
    return xxhash.xxh3_64_hexdigest(raw.encode("utf-8", "surrogatepass"))


@task(PROCESS)
def process(self: Task[Any, Any], source_id: str, fetched_at: str, items: list[list[Any]]) -> None:
    """Clean, identify and cluster a batch of one source's entries; queue their events."""
    rt = runtime()
    source = rt.sources.get(source_id)
    if source is None:
        log.warning("process.unknown_source", source_id=source_id, dropped=len(items))
        return
    entries = [(str(key), Entry.from_dict(raw)) for key, raw in items]
    try:
        report = process_entries(
            source,
            entries,
            engine=rt.engine,
            ledger=rt.ledger,
            fetched_at=datetime.fromisoformat(fetched_at),
        )
    except TRANSIENT as exc:
        raise self.retry(exc=exc) from exc
    publish.delay()
    log.info(
        "process",
        source_id=source_id,
        articles=report.articles,
        new=report.new,
        updated=report.updated,
        copies=report.copies,
        stories_created=report.stories_created,
        rejected=len(report.rejected),
    )
    for key, reason in report.rejected:
        log.warning("process.rejected", source_id=source_id, entry=key, reason=reason)


@task(PUBLISH)
def publish(self: Task[Any, Any]) -> int:
    """Drain the outbox into the event stream (exactly once per event id)."""
    rt = runtime()
    try:
        moved = rt.sink.drain_all(now=time.time())
    except TRANSIENT as exc:
        raise self.retry(exc=exc) from exc
    if moved:
        log.info("publish", events=moved, stream=rt.sink.stream)
    return moved
