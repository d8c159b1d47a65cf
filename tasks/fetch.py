"""fetch: one poll of one source; new or changed entries go to process in batches.

The task only translates the message: ``fetch_source`` does the work against the runtime's
Redis and fetcher, with the two outgoing messages (entries to process, a nudge to publish)
passed in, so tests drive it on a real Redis without a broker.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import xxhash
from celery import Task

from storywire.adapters.politeness import Budget, DomainPoliteness, Grant
from storywire.adapters.redis_ledger import outbox_item
from storywire.adapters.redis_metrics import count
from storywire.adapters.redis_pages import RedisPageStore, RedisRobotsStore
from storywire.fetching import PollConfig, PollResult, poll
from storywire.fulltext import PAGE_KEPT, enrich, page_keys, robots_origins
from storywire.identity import stable_keys, unique_items
from storywire.models import Entry, Source
from storywire.seen import sift
from storywire.settings import Settings
from storywire.urls import redacted_url
from tasks.common import TRANSIENT, log, nudge, retry_later
from tasks.options import FETCH, task
from tasks.process import process
from tasks.publish import publish
from tasks.runtime import Runtime, runtime

BATCH = 50  # entries per process task: big enough to amortise a task, small enough to retry

SendEntries = Callable[[str, str, list[list[Any]]], object]
# Sends this source's fetch again: (countdown in seconds, the lease of its claim).
SendLater = Callable[[float, float], object]

_politeness: tuple[Runtime, DomainPoliteness] | None = None


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What ``fetch_source`` did, for the log line and the tests."""

    outcome: str  # a poll outcome, or "deferred", "disabled", "unknown_source"
    result: PollResult | None = None
    sent: int = 0
    wait: float = 0.0
    flapping: int = 0  # entries back to an earlier version, held (storywire.seen)


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


def fetch_source(
    rt: Runtime,
    source_id: str,
    *,
    now: float,
    send_entries: SendEntries,
    wake_publisher: Callable[[], object],
    rng: random.Random | None = None,
    lease_until: float | None = None,
    send_later: SendLater | None = None,
) -> FetchOutcome:
    """Poll one source unless its domain is over budget; record everything it taught us.

    ``lease_until``: the lease of the claim this fetch was sent for; a later claim of the
    source means a later dispatch sent another fetch, which polls it instead.
    ``send_later``: how a deferral due before the next dispatch is fetched at its time."""
    source = rt.sources.get(source_id)
    if source is None:
        rt.sources.let_go(source_id)
        return FetchOutcome("unknown_source")
    if lease_until is not None and rt.sources.claimed_since(source_id, lease_until):
        count(rt.redis, {"fetch:stale_claim": 1})
        return FetchOutcome("stale_claim")
    state = rt.sources.state(source_id)
    if state.disabled_reason:
        rt.sources.let_go(source_id)
        return FetchOutcome("disabled")
    reservation = rt.sources.take_reservation(source_id, now=now)
    grant = politeness(rt).acquire(source.domain, prepaid=reservation.prepaid,
                                   paced=reservation.paced)  # fmt: skip
    if grant.wait > 0:
        wait = grant.wait
        if not grant.reserved:
            # Blocked domain or full queue: spread the returns so they do not come together.
            wait += (rng or random).uniform(0.0, min(wait, 30.0))
        _defer(rt, source_id, now=now, wait=wait, grant=grant, send_later=send_later)
        count(rt.redis, {"fetch:deferred": 1})
        return FetchOutcome("deferred", wait=wait)
    result = poll(source, state, rt.fetcher, rt.fetch_policy, now=now, rng=rng,
                  config=poll_config(rt.settings))  # fmt: skip
    keys = stable_keys(result.entries, result.fetched_from, source.url)
    items = unique_items(keys, result.entries)
    raw_hashes = {key: _raw_hash(entry) for key, entry in items}
    stored = rt.sources.seen_records(source_id, raw_hashes)
    sifted = sift(stored, raw_hashes, confirmations=rt.settings.revert_confirmations)
    fresh = [(key, entry) for key, entry in items if key in sifted.forward]
    if source.full_text and fresh:
        fresh = _with_full_text(rt, source, fresh, now=now)
    fetched_at = datetime.fromtimestamp(now, tz=UTC).isoformat()
    for start in range(0, len(fresh), BATCH):
        chunk = fresh[start : start + BATCH]
        send_entries(source_id, fetched_at, [[k, e.to_dict()] for k, e in chunk])
    rt.sources.mark_seen(
        source_id,
        sifted.writes,
        listed=raw_hashes,
        now=now,
        forget_after=rt.settings.retention,
    )
    if result.events:
        rt.redis.rpush(rt.ledger.outbox_key, *(outbox_item(e) for e in result.events))
        wake_publisher()
    if result.domain_retry_after:
        politeness(rt).block(source.domain, result.domain_retry_after)
    if result.moved_to:
        rt.sources.set_url(source_id, result.moved_to)
        rt.sources.rebase_seen(source_id, source.url, result.moved_to)
    counts = [*result.counts, *["damped"] * sifted.held]
    released = rt.sources.finish(source_id, result.state, next_poll=result.next_poll,
                                 counts=counts, lease_until=lease_until, by_poll=True)  # fmt: skip
    # The service-wide counter behind storywire_fetch_total{outcome=...}: one per poll, and
    # the entries it held as flapping (storywire_fetch_total{outcome="damped"}); and the
    # entry-level dedup decision of each entry listed (storywire_entries_total{decision=...}).
    unchanged = len(items) - len(sifted.forward) - sifted.held
    count(rt.redis, {f"fetch:{result.outcome}": 1, "fetch:late_finish": int(not released),
                     "fetch:damped": sifted.held, "entries:sent": len(sifted.forward),
                     "entries:unchanged": unchanged, "entries:damped": sifted.held})  # fmt: skip
    return FetchOutcome(result.outcome, result=result, sent=len(fresh), flapping=sifted.held)


def _defer(
    rt: Runtime,
    source_id: str,
    *,
    now: float,
    wait: float,
    grant: Grant,
    send_later: SendLater | None,
) -> None:
    """Due again in ``wait`` s. A deferral due before the next dispatch keeps its claim and is
    sent for its time: put back on the schedule, the slots a domain's deferrals reserve 2 s
    apart were all past due at that dispatch, and fetched together, a burst of 15 where the
    domain allows 5 (the dispatch itself sends what falls due after it at its time)."""
    reserved, paced = grant.reserved, grant.paced
    if send_later is None or wait > rt.settings.dispatch_interval:
        rt.sources.defer(source_id, now + wait, reserved=reserved, paced=paced)
        return
    lease_until = now + wait + rt.settings.lease_seconds
    rt.sources.defer(source_id, now + wait, reserved=reserved, paced=paced,
                     lease_until=lease_until)  # fmt: skip
    try:
        send_later(wait, lease_until)
    except TRANSIENT:
        # The broker is away: back on the schedule, for a dispatch to send once it is back.
        rt.sources.defer(source_id, now + wait, reason="not_sent")


def _with_full_text(
    rt: Runtime, source: Source, fresh: list[tuple[str, Entry]], *, now: float
) -> list[tuple[str, Entry]]:
    """Teasers get their page's main text, each page paid from its own domain's budget."""
    entries = [entry for _, entry in fresh]
    store = RedisPageStore(rt.redis)
    robots = RedisRobotsStore(rt.redis)
    pages = enrich(
        source,
        entries,
        rt.fetcher,
        rt.fetch_policy,
        may_fetch=lambda domain: politeness(rt).acquire(domain, reserve=False).wait == 0,
        earlier=store.recall(page_keys(entries)),
        now=now,
        robots=robots.recall(robots_origins(entries)),
        may_crawl=politeness(rt).spaced,
    )
    store.keep(dict(pages.pages), now=now, seconds=PAGE_KEPT)
    robots.keep(dict(pages.robots))
    for domain, seconds in pages.blocked:
        politeness(rt).block(domain, seconds)
    reasons = Counter(reason for _, reason in pages.failed)
    counts = {f"fulltext_failed:{reason}": n for reason, n in reasons.items()}
    counts |= {"fulltext:fetched": pages.fetched, "fulltext:failed": len(pages.failed),
               "fulltext:reused": pages.reused}  # fmt: skip
    count(rt.redis, counts)
    if pages.fetched or pages.reused or pages.failed:
        # Which pages failed and why: a consent wall or a paywall shows here, per source.
        # Pages robots.txt refused are named by site: a site refuses all of a feed's pages.
        failures = [f"{reason} {redacted_url(link)}" for link, reason in pages.failed
                    if reason != "robots"]  # fmt: skip
        disallowed = {site: f"{n} page{'s' * (n > 1)} {why}" for site, n, why in pages.disallowed}
        log.info("fetch.full_text", source_id=source.id, fetched=pages.fetched,
                 reused=pages.reused, failed=dict(reasons), pages=failures,
                 robots=disallowed or None)  # fmt: skip
    return [(key, entry) for (key, _), entry in zip(fresh, pages.entries, strict=True)]


@task(FETCH)
def fetch(self: Task[Any, Any], source_id: str, lease_until: float | None = None) -> None:
    """Poll one source; send its new or changed entries to ``process`` in batches.
    ``lease_until`` names the claim it was sent for (messages sent before it existed have none)."""
    rt = runtime()
    now = time.time()
    try:
        done = fetch_source(
            rt,
            source_id,
            now=now,
            send_entries=process.delay,
            wake_publisher=lambda: nudge(publish.delay),
            lease_until=lease_until,
            send_later=lambda wait, lease: fetch.apply_async((source_id, lease), countdown=wait),
        )
    except TRANSIENT as exc:
        raise retry_later(self, exc) from exc
    bound = log.bind(source_id=source_id)
    result = done.result
    if result is None:
        bound.info("fetch." + done.outcome, wait=round(done.wait, 1) or None)
        return
    bound.info(
        "fetch",
        outcome=result.outcome,
        status=result.state.last_status,
        entries=len(result.entries),
        new_or_changed=done.sent,
        flapping=done.flapping,
        warning=result.warning,
        unconditional=result.unconditional,
        moved_to=redacted_url(result.moved_to) if result.moved_to else None,
        domain_retry_after=result.domain_retry_after,
        next_poll_in=round(result.next_poll - now, 1) if result.next_poll else None,
        failures=result.state.consecutive_failures,
        # Why it failed; a good poll leaves the record's old error in place, so none then.
        error=result.state.last_error if result.state.consecutive_failures else None,
    )


def _raw_hash(entry: Entry) -> str:
    # Cheap change detector before cleaning: the process stage decides what really changed.
    raw = "\x1f".join((entry.title, entry.summary_html, entry.content_html))
    return xxhash.xxh3_64_hexdigest(raw.encode("utf-8", "surrogatepass"))
