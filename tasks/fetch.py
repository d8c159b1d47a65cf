"""fetch: one poll of one source; new or changed entries go to process in batches."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import xxhash
from celery import Task

from storywire.adapters.redis_ledger import outbox_item
from storywire.fetching import poll
from storywire.identity import entry_keys
from storywire.models import Entry
from tasks.common import TRANSIENT, log
from tasks.options import FETCH, task
from tasks.process import process
from tasks.publish import publish
from tasks.runtime import runtime

BATCH = 50  # entries per process task: big enough to amortise a task, small enough to retry


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
