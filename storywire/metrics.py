"""Prometheus exposition of the service's state: pure rendering of samples into text format.

Metrics are derived from the shared state in Redis (queues, schedule, outbox, stream) plus a few
counters the stages increment there, so one exporter sees every worker process at once, whatever
pool or host they run in, and nothing needs a multiprocess registry.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

# name → (type, help); every sample rendered must be declared here.
METRICS: dict[str, tuple[str, str]] = {
    "storywire_sources": ("gauge", "Sources registered, by state."),
    "storywire_sources_in_flight": ("gauge", "Sources claimed by a fetch that has not finished."),
    "storywire_sources_overdue": (
        "gauge",
        "Sources past their due time and not yet claimed: polling is behind its schedule.",
    ),
    "storywire_poll_delay_seconds": (
        "gauge",
        "How long the most overdue source has waited past its due time (0: none is overdue).",
    ),
    "storywire_queue_depth": ("gauge", "Tasks waiting in each Celery queue."),
    "storywire_outbox_events": ("gauge", "Events decided but not yet published."),
    "storywire_stream_events": ("gauge", "Events held in the event stream."),
    "storywire_fetch_total": (
        "counter",
        "Polls by outcome (ok, not_modified, or an error reason); damped: entries a poll held"
        " back as flapping (returned to an earlier version, not yet confirmed).",
    ),
    "storywire_entries_total": (
        "counter",
        "Feed entries polls listed, by the entry-level dedup decision (sent: new or changed, to"
        " processing; unchanged: seen with this content, dropped; damped: a revert held back).",
    ),
    "storywire_articles_total": (
        "counter",
        "Articles processed, by kind (new, updated, rejected; repeat: its text recorded already,"
        " as when a batch is handed out again; dropped: the batch's source was "
        "removed before it was processed).",
    ),
    "storywire_articles_truncated_total": (
        "counter",
        "New or updated articles whose entry's HTML was cut at the per-entry cap (1 MiB), by the"
        " part cut; counted in storywire_articles_total as well.",
    ),
    "storywire_stories_total": (
        "counter",
        "Story decisions, by kind (created: stories started, copy: articles recorded as copies,"
        " merged: stories absorbed, as their events announce them, releases included; joined;"
        " held, released, healed, reassigned; late: dated more than a window before the stream).",
    ),
    "storywire_publish_lag_seconds": (
        "gauge",
        "How long the oldest event in the outbox has waited unpublished, as this exporter's"
        " scrapes saw it (0: the outbox is empty or moving).",
    ),
    "storywire_fulltext_pages_total": (
        "counter",
        "Article pages of full-text sources, by outcome (fetched; failed: the feed's text kept;"
        " reused: a page's earlier text stood in).",
    ),
    "storywire_fulltext_failures_total": (
        "counter",
        "Article pages of full-text sources that gave no usable text, by reason.",
    ),
    "storywire_pending_articles": ("gauge", "Held articles waiting for their story."),
    "storywire_tasks_poisoned_total": (
        "counter",
        "Task messages set aside after too many deliveries (each run killed its worker).",
    ),
    "storywire_poisoned_tasks": (
        "gauge",
        "Task messages set aside and not yet requeued or dropped (storywire poisoned).",
    ),
    "storywire_events_parked_total": (
        "counter",
        "Events the sink's broker refused for good, set aside from the outbox, by reason"
        " (too_large: over the broker's max message size; refused: another refusal of the"
        " message itself).",
    ),
    "storywire_parked_events": (
        "gauge",
        "Events set aside from the outbox and not yet replayed or dropped (storywire parked).",
    ),
    "storywire_beat_last_send_timestamp_seconds": (
        "gauge",
        "When the beat last sent a scheduled task (Unix time): it sends one every 10 s at least.",
    ),
    "storywire_up": ("gauge", "1 when the exporter reached Redis."),
}

# The beat sends drain-outbox every 10 s (workers.app): a minute without a send is six missed
# ticks, a beat that is wedged, lost its broker, or is gone, not one that is merely slow.
BEAT_MAX_AGE = 60.0


def beat_stale(last_send: float | None, *, now: float, max_age: float = BEAT_MAX_AGE) -> str | None:
    """Why the beat looks stopped, or None while its last send is recent."""
    if last_send is None:
        return "the beat has sent nothing yet"
    age = now - last_send
    if age > max_age:
        return f"the beat last sent a task {age:.0f} s ago (more than {max_age:g} s)"
    if -age > max_age:
        # Written before the host clock stepped back: a live beat has written over it since
        # (it sends every few seconds, on a clock of its own: workers.beat_clock), so a beat
        # that stopped then passed for alive until the clock caught up, an hour for an hour.
        return (
            f"the beat's last send is {-age:.0f} s in the future (the clock stepped back) "
            "and it has sent nothing since"
        )
    return None


class OutboxWatch:
    """The publish lag: how long the event at the outbox's head has been there. Outbox items
    carry no time of their own (their format is the drain scripts' contract), so the head
    is timed from the first scrape that saw it: a publisher that keeps up moves it between
    scrapes (0), a stalled one leaves it, and the lag grows with the stall. It starts from 0
    when the exporter starts, and may be short by up to one scrape interval."""

    def __init__(self) -> None:
        self._head: bytes | None = None
        self._since = 0.0

    def lag(self, head: bytes | None, now: float) -> float:
        """Seconds ``head`` (the outbox's first item, None when empty) has been first."""
        if head is None:
            self._head = None
            return 0.0
        if head != self._head:
            self._head, self._since = head, now
        return max(0.0, now - self._since)


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    value: float
    labels: dict[str, str] = field(default_factory=dict)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    # Every digit: `:g` keeps six, so a counter past a million would stop moving for rate().
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    exact = float(value).is_integer() and abs(value) < 2**53
    return str(int(value)) if exact else repr(float(value))


def render(samples: Iterable[Sample]) -> str:
    """Prometheus text format 0.0.4, metrics in declaration order, samples grouped by name."""
    by_name: dict[str, list[Sample]] = {}
    for sample in samples:
        if sample.name not in METRICS:
            raise ValueError(f"undeclared metric {sample.name}")
        by_name.setdefault(sample.name, []).append(sample)
    lines: list[str] = []
    for name, (kind, help_text) in METRICS.items():
        if name not in by_name:
            continue
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for sample in by_name[name]:
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(sample.labels.items()))
            value = _number(sample.value)
            lines.append(f"{name}{{{labels}}} {value}" if labels else f"{name} {value}")
    return "\n".join(lines) + "\n"
