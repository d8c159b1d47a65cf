"""dispatch: the beat's task, handing due sources to the fetch queue."""

from __future__ import annotations

import time
from typing import Any

from celery import Task

from storywire.adapters.redis_metrics import count
from tasks.common import log
from tasks.fetch import fetch
from tasks.options import DISPATCH, task
from tasks.runtime import runtime


@task(DISPATCH)
def dispatch(self: Task[Any, Any]) -> int:
    """Claim the sources that are due and send one fetch per source."""
    rt = runtime()
    now, lease = time.time(), rt.settings.lease_seconds
    lost, known = rt.sources.reschedule_lost(now=now)
    if lost:
        # Only a finished poll sets a due time: without this they would never be polled again.
        log.warning("dispatch.rescheduled", sources=lost[:20], count=len(lost))
    if not known:
        # A deployment without `storywire run` reads no sources file: after a Redis that lost
        # its data (or before the first load) nothing is polled, and this line is the sign.
        log.warning("dispatch.no_sources", hint="storywire sources load [FILE]")
    claimed, lapsed = rt.sources.claim_due(now=now, lease=lease, cap=rt.settings.max_in_flight)
    for source_id in claimed:
        fetch.delay(source_id, now + lease)  # which claim: a later one makes this fetch stale
    if lapsed:
        # Fetches that never finished: their workers died or hung (see `sources show`).
        count(rt.redis, {"fetch:lease_lapsed": len(lapsed)})
        log.warning("dispatch.lease_lapsed", sources=lapsed)
    if claimed:
        log.info("dispatch", claimed=len(claimed))
    return len(claimed)
