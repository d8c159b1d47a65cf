"""release: the beat's sweep of held articles (time bound due, and healing; storywire.holding)."""

from __future__ import annotations

import time
from typing import Any

from celery import Task

from storywire.adapters.redis_metrics import count
from storywire.holding import sweep_held
from tasks.common import TRANSIENT, log, nudge, retry_later
from tasks.options import RELEASE, task
from tasks.publish import publish
from tasks.runtime import runtime


@task(RELEASE)
def release(self: Task[Any, Any], older_than: float | None = None) -> int:
    """Record the held articles due (held ``older_than`` seconds, by default the configured
    bound; 0: all of them) and heal those pending twice the bound; the number recorded."""
    rt = runtime()
    bound = rt.settings.story_hold_seconds
    try:
        report = sweep_held(
            rt.engine,
            rt.ledger,
            older_than=bound if older_than is None else older_than,
            heal_after=2 * bound,
            now=time.time(),
        )
    except TRANSIENT as exc:
        raise retry_later(self, exc) from exc
    count(
        rt.redis,
        {
            "stories:released": report.released,
            "stories:healed": report.healed,
            "stories:reassigned": report.reassigned,
            "stories:created": report.announced.created,
            "stories:copy": report.announced.copies,
            "stories:merged": report.announced.merged,
        },
    )
    if report.recorded:
        nudge(publish.delay)
    if report.recorded or report.waiting:
        log.info(
            "release",
            released=report.released,
            healed=report.healed,
            reassigned=report.reassigned,
            waiting=report.waiting,
        )
    if report.healed or report.reassigned:
        # Either side lost a step (a worker died mid-release, the story store was flushed).
        log.warning("release.healed", healed=report.healed, reassigned=report.reassigned)
    return report.recorded
