"""dispatch: the beat's task, handing due sources to the fetch queue."""

from __future__ import annotations

import time
from typing import Any

from celery import Task

from tasks.common import log
from tasks.fetch import fetch
from tasks.options import DISPATCH, task
from tasks.runtime import runtime


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
