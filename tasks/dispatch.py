"""dispatch: the beat's task, handing due sources to the fetch queue."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from typing import Any

import redis
from celery import Task

from storywire.adapters.redis_metrics import count
from storywire.adapters.redis_sources import RedisSourceStore
from tasks.common import TRANSIENT, log
from tasks.fetch import fetch
from tasks.options import DISPATCH, task
from tasks.runtime import runtime


@task(DISPATCH)
def dispatch(self: Task[Any, Any]) -> int:
    """Claim the sources that are due and send one fetch per source."""
    rt = runtime()
    now, lease = time.time(), rt.settings.lease_seconds
    # What falls due before the next dispatch is claimed now and fetched at its own time.
    ahead = rt.settings.dispatch_interval
    try:
        lost, known = _reschedule_lost(rt.sources, now=now)
        claimed, lapsed, later, stepped_back = rt.sources.claim_due(
            now=now, lease=lease, cap=rt.settings.max_in_flight, ahead=ahead
        )
    except TRANSIENT as exc:
        # No retry: the beat sends the next dispatch within its interval anyway.
        log.warning("dispatch.unavailable", error=str(exc))
        return 0
    if stepped_back:
        # The schedule moved back with the clock: each source keeps the wait it was given.
        log.warning("dispatch.clock_stepped_back", seconds=round(stepped_back, 1))
    if lost:
        # Only a finished poll sets a due time: without this they would never be polled again.
        log.warning("dispatch.rescheduled", sources=lost[:20], count=len(lost))
    if not known:
        # A deployment without `storywire run` reads no sources file: after a Redis that lost
        # its data (or before the first load) nothing is polled, and this line is the sign.
        log.warning("dispatch.no_sources", hint="storywire sources load [FILE]")
    sent = _send_fetches(rt.sources, claimed, later, now=now, lease_until=now + ahead + lease)
    with contextlib.suppress(*TRANSIENT):
        overdue, waited = rt.sources.overdue(now)
        if overdue:
            # Left for the next dispatch, as many again will be: a fleet past the claim cap's
            # polls an hour drifts later and later, each source polled less often than its
            # interval, and nothing else says so.
            log.warning("dispatch.behind", overdue=overdue, longest_wait=round(waited, 1),
                        max_in_flight=rt.settings.max_in_flight,
                        hint="raise STORYWIRE_MAX_IN_FLIGHT or add fetch workers")  # fmt: skip
    if lapsed:
        # Fetches that never finished: their workers died or hung (see `sources show`).
        with contextlib.suppress(redis.RedisError):
            count(rt.redis, {"fetch:lease_lapsed": len(lapsed)})
        log.warning("dispatch.lease_lapsed", sources=lapsed)
    if sent:
        log.info("dispatch", claimed=sent)
    return sent


def _reschedule_lost(sources: RedisSourceStore, *, now: float) -> tuple[list[str], int]:
    """One slice of the search for sources that lost their due time, and, once one is found,
    the rest of that sweep: a schedule is lost whole (a key evicted or deleted, a snapshot),
    and one slice per dispatch would bring 100k sources back over 50 minutes. Each slice is
    its own script, so workers and the ledger are served between them."""
    sweep = sources.reschedule_lost(now=now)
    lost = list(sweep.back)
    while lost and not sweep.done:
        sweep = sources.reschedule_lost(now=now)
        lost += sweep.back
    return lost, sweep.known


def _send_fetches(
    sources: RedisSourceStore,
    claimed: list[str],
    later: Mapping[str, float],
    *,
    now: float,
    lease_until: float,
) -> int:
    """One fetch per claimed source, each to run at its due time (``later``: those not due
    yet); how many went out. Those the broker would not take are put back on the schedule,
    due now: left claimed, each would wait out its lease and count as a fetch that died."""
    for sent, source_id in enumerate(claimed):
        try:
            # lease_until names the claim: a later one makes this fetch stale.
            due = later.get(source_id)
            fetch.apply_async((source_id, lease_until), countdown=due - now if due else None)
        except TRANSIENT as exc:
            unsent = claimed[sent:]
            with contextlib.suppress(redis.RedisError):
                for other in unsent:
                    sources.defer(other, now, reason="not_sent")
            log.warning("dispatch.not_sent", sources=len(unsent), error=str(exc))
            return sent
    return len(claimed)
