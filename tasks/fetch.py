"""fetch: one poll of one source; new or changed entries go to process in batches."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any

import xxhash
from celery import Task

from storywire.adapters.politeness import Budget, DomainPoliteness
from storywire.adapters.redis_ledger import outbox_item
from storywire.fetching import PollConfig, poll
from storywire.identity import entry_keys
from storywire.models import Entry
from storywire.settings import Settings
from tasks.common import TRANSIENT, log
from tasks.options import FETCH, task
from tasks.process import process
from tasks.publish import publish
from tasks.runtime import Runtime, runtime

BATCH = 50  # entries per process task: big enough to amortise a task, small enough to retry

_politeness: tuple[Runtime, DomainPoliteness] | None = None


def poll_config(settings: Settings) -> PollConfig:
    return PollConfig(
        disable_after=settings.disable_after_hours * 3600.0,
        disable_min_failures=settings.disable_min_failures,
        unconditional_every=settings.unconditional_every,
        unconditional_after=settings.unconditional_after_hours * 3600.0,
        redirect_confirmations=settings.redirect_confirmations,
    )


def politeness(rt: Runtime) -> DomainPoliteness:
    """One per runtime (so per process): the scripts are registered once."""
    global _politeness  # noqa: PLW0603 - cached beside the per-process runtime
    if _politeness is None or _politeness[0] is not rt:
        budget = Budget(rt.settings.domain_requests_per_minute, rt.settings.domain_burst)
        _politeness = (rt, DomainPoliteness(rt.redis, budget))
    return _politeness[1]


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
    try:
        wait = politeness(rt).acquire(source.domain)
        if wait > 0:
            # Over the domain's budget: try again a little later, spread so deferred sources
            # of one domain do not all come back in the same second. Not a failure.
            until = now + wait + random.uniform(0.0, min(wait, 30.0))
            rt.sources.defer(source_id, until)
            bound.info("fetch.deferred", domain=source.domain, wait=round(until - now, 1))
            return
    except TRANSIENT as exc:
        raise self.retry(exc=exc) from exc
    result = poll(source, state, rt.fetcher, rt.fetch_policy, now=now,
                  config=poll_config(rt.settings))  # fmt: skip
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
        if result.domain_retry_after:
            politeness(rt).block(source.domain, result.domain_retry_after)
        if result.moved_to:
            rt.sources.set_url(source_id, result.moved_to)
            bound.info("fetch.moved", old=source.url, new=result.moved_to)
        rt.sources.finish(source_id, result.state, next_poll=result.next_poll, counts=result.counts)
    except TRANSIENT as exc:
        raise self.retry(exc=exc) from exc
    bound.info(
        "fetch",
        outcome=result.outcome,
        status=result.state.last_status,
        entries=len(items),
        new_or_changed=len(fresh),
        warning=result.warning,
        unconditional=result.unconditional,
        next_poll_in=round(result.next_poll - now, 1) if result.next_poll else None,
        failures=result.state.consecutive_failures,
    )


def _raw_hash(entry: Entry) -> str:
    # Cheap change detector before cleaning: the process stage decides what really changed.
    raw = "\x1f".join((entry.title, entry.summary_html, entry.content_html))
    return xxhash.xxh3_64_hexdigest(raw.encode("utf-8", "surrogatepass"))
