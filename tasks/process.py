"""process: clean, identify and cluster a batch of one source's entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import Task

from storywire.adapters.redis_metrics import count
from storywire.models import Entry
from storywire.processing import MAX_ENTRY_HTML, process_entries
from tasks.common import TRANSIENT, log, nudge, retry_later
from tasks.options import PROCESS, task
from tasks.publish import publish
from tasks.runtime import runtime


@task(PROCESS)
def process(self: Task[Any, Any], source_id: str, fetched_at: str, items: list[list[Any]]) -> None:
    """Clean, identify and cluster a batch of one source's entries; queue their events."""
    rt = runtime()
    entries = [(str(key), Entry.from_dict(raw)) for key, raw in items]
    # Every Redis call is inside: fetch marked these entries seen when it sent them, so a batch
    # that failed on a Redis outage (and was acknowledged) would never be sent again. A retry
    # after the commit is harmless: the ledger and the story store record a batch once.
    try:
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
        )
        count(
            rt.redis,
            {
                "articles:new": report.new,
                "articles:updated": report.updated,
                "articles:repeat": report.repeated,
                "articles:rejected": len(report.rejected),
                # Not a kind of article: these are new or updated ones too.
                "truncated:html": len(report.truncated),
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
    for key, size in report.truncated:
        log.warning("process.truncated", source_id=source_id, entry=key, chars=size,
                    kept=MAX_ENTRY_HTML)  # fmt: skip
    for key, reason in report.rejected:
        log.warning("process.rejected", source_id=source_id, entry=key, reason=reason)
