"""process: clean, identify and cluster a batch of one source's entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded

from storywire.adapters.redis_metrics import count
from storywire.models import Entry
from storywire.processing import (
    MAX_ENTRY_HTML,
    MAX_TITLE_CHARS,
    CleaningStopped,
    process_entries,
)
from tasks.common import TRANSIENT, log, nudge, retry_later
from tasks.options import PROCESS, task
from tasks.publish import publish
from tasks.runtime import runtime


@task(PROCESS)
def process(self: Task[Any, Any], source_id: str, fetched_at: str, items: list[list[Any]]) -> None:
    """Clean, identify and cluster a batch of one source's entries; queue their events."""
    rt = runtime()
    # Every Redis call is inside: fetch marked these entries seen when it sent them, so a batch
    # that failed on a Redis outage (and was acknowledged) would never be sent again. A retry
    # after the commit is harmless: the ledger and the story store record a batch once, and
    # the publisher sends an event id once.
    try:
        entries = [(str(key), Entry.from_dict(raw)) for key, raw in items]
        source = rt.sources.get(source_id)
        if source is None:
            # Removed since its fetch: no outlet to credit the entries to.
            log.warning("process.unknown_source", source_id=source_id, dropped=len(items))
            count(rt.redis, {"articles:dropped": len(items)})
            return
        report = process_entries(
            source,
            entries,
            engine=rt.engine,
            ledger=rt.ledger,
            fetched_at=datetime.fromisoformat(fetched_at),
            lead_chars=rt.settings.lead_chars,
            stop=(SoftTimeLimitExceeded,),
        )
        count(
            rt.redis,
            {
                "articles:new": report.new,
                "articles:updated": report.updated,
                "articles:repeat": report.repeated,
                "articles:rejected": len(report.rejected),
                # Not kinds of article: these are new or updated ones too.
                "truncated:html": sum(part == "html" for _, part, _ in report.truncated),
                "truncated:title": sum(part == "title" for _, part, _ in report.truncated),
                # Created, copies and merges as the ledger announced them, releases and
                # copies found later included: the new articles' own decisions missed those.
                "stories:created": report.announced.created,
                "stories:joined": report.joined,
                "stories:copy": report.announced.copies,
                "stories:merged": report.announced.merged,
                "stories:held": report.held,
                "stories:released": report.released,
                "stories:late": report.late,
            },
        )
    except TRANSIENT as exc:
        raise retry_later(self, exc) from exc
    except (SoftTimeLimitExceeded, CleaningStopped) as exc:
        slow = exc.key if isinstance(exc, CleaningStopped) else None
        try:
            _out_of_time(self, source_id, fetched_at, items, slow=slow)
        except TRANSIENT as down:
            raise retry_later(self, down) from down
        return
    nudge(publish.delay)
    log.info(
        "process",
        source_id=source_id,
        articles=report.articles,
        new=report.new,
        updated=report.updated,
        repeated=report.repeated,
        copies=report.copies,
        stories_created=report.stories_created,
        held=report.held,
        released=report.released,
        late=report.late,
        rejected=len(report.rejected),
        truncated=len(report.truncated),
    )
    for key, part, size in report.truncated:
        kept = MAX_ENTRY_HTML if part == "html" else MAX_TITLE_CHARS
        log.warning("process.truncated", source_id=source_id, entry=key, part=part, chars=size,
                    kept=kept)  # fmt: skip
    for key, reason in report.rejected:
        log.warning("process.rejected", source_id=source_id, entry=key, reason=reason)


def _out_of_time(
    task: Task[Any, Any],
    source_id: str,
    fetched_at: str,
    items: list[list[Any]],
    *,
    slow: str | None,
) -> None:
    """The soft time limit came before the batch was written. It failed the task, whose
    message was acknowledged, and its entries, marked seen by their fetch, were lost; and the
    minute left before the hard limit (which kills the process and acknowledges the message
    too) is no time to finish. So the entries are sent again in two batches, each with a time
    limit of its own: the entry being cleaned (``slow``) alone and the others, else each half.
    An entry over the limit alone is rejected with its reason. What the engine had decided
    before the limit comes back to it as a redelivery."""
    unique = [[key, raw] for key, raw in {str(key): raw for key, raw in items}.items()]
    if len(unique) == 1:
        limit = (task.request.timelimit or (None, None))[1] or PROCESS.soft_time_limit
        reason = f"SoftTimeLimitExceeded: over the process task's time limit ({limit} s)"
        count(runtime().redis, {"articles:rejected": 1})
        log.warning("process.rejected", source_id=source_id, entry=unique[0][0], reason=reason)
        return
    if slow is not None:
        parts = [[i for i in unique if i[0] == slow], [i for i in unique if i[0] != slow]]
    else:
        parts = [unique[: len(unique) // 2], unique[len(unique) // 2 :]]
    for part in parts:
        if part:
            task.delay(source_id, fetched_at, part)
    log.warning("process.split", source_id=source_id, entries=len(unique),
                parts=[len(part) for part in parts], slow=slow)  # fmt: skip
