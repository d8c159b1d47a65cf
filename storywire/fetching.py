"""One poll of one source: fetch, parse, and update its health record (the fetch stage's core).

I/O comes in through the ``Fetcher`` port, so this module decides and never touches a socket.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from storywire.adapters.http import FetchError, FetchPolicy, FetchResult
from storywire.events import CloudEvent, source_failed
from storywire.feeds import FeedError, parse_feed
from storywire.models import Entry, Source
from storywire.sources import PollOutcome, SourceState, next_interval

# A source is disabled only after failing this long *and* this often: days of errors, not three.
DISABLE_AFTER_SECONDS = 3 * 24 * 3600.0
DISABLE_MIN_FAILURES = 20


class Fetcher(Protocol):
    def fetch(
        self,
        url: str,
        policy: FetchPolicy,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult: ...


@dataclass(frozen=True, slots=True)
class PollResult:
    state: SourceState
    next_poll: float | None  # None: disabled
    outcome: str  # "ok", "not_modified" or an error reason
    entries: tuple[Entry, ...] = field(default=())
    warning: str | None = None
    events: tuple[CloudEvent, ...] = field(default=())


def poll(
    source: Source,
    state: SourceState,
    fetcher: Fetcher,
    policy: FetchPolicy,
    *,
    now: float,
    rng: random.Random | None = None,
    disable_after: float = DISABLE_AFTER_SECONDS,
) -> PollResult:
    """Poll ``source`` once and decide what happens next; never raises for a feed's fault."""
    policy = replace(policy, allow_private=source.allow_private or policy.allow_private)
    attempt = replace(state, last_attempt=now, polls=state.polls + 1)
    try:
        response = fetcher.fetch(
            source.url, policy, etag=state.etag, last_modified=state.last_modified
        )
    except FetchError as exc:
        return _failed(
            source, attempt, reason=exc.reason, detail=exc.detail, now=now, rng=rng,
            disable_after=disable_after,
        )  # fmt: skip
    if response.status == 304:
        return _succeeded(
            source, attempt, response=response, entries=(), outcome="not_modified", ttl=None,
            now=now, rng=rng,
        )  # fmt: skip
    if response.status != 200:
        retry_after = retry_after_seconds(response.headers, now)
        reason = f"http_{response.status}"
        return _failed(
            source, attempt, reason=reason, detail=f"HTTP {response.status}", now=now, rng=rng,
            disable_after=disable_after, retry_after=retry_after,
        )  # fmt: skip
    try:
        feed = parse_feed(
            response.body,
            now=datetime.fromtimestamp(now, tz=UTC),
            headers=response.headers,
            url=response.url,
        )
    except FeedError as exc:
        return _failed(
            source, attempt, reason="parse", detail=str(exc), now=now, rng=rng,
            disable_after=disable_after,
        )  # fmt: skip
    ok = _succeeded(
        source, attempt, response=response, entries=feed.entries, outcome="ok",
        ttl=feed.ttl_seconds, now=now, rng=rng,
    )  # fmt: skip
    return replace(ok, warning=feed.warning)


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP date."""
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def _succeeded(
    source: Source,
    state: SourceState,
    *,
    response: FetchResult,
    entries: tuple[Entry, ...],
    outcome: str,
    ttl: float | None,
    now: float,
    rng: random.Random | None,
) -> PollResult:
    interval = next_interval(
        source,
        PollOutcome(ok=True, new_entries=len(entries), not_modified=outcome == "not_modified",
                    feed_ttl=ttl),
        state.interval,
        rng,
    )  # fmt: skip
    new_state = replace(
        state,
        etag=response.etag or state.etag,
        last_modified=response.last_modified or state.last_modified,
        interval=interval,
        last_status=response.status,
        last_outcome=outcome,
        consecutive_failures=0,
        failing_since=None,
        last_success=now,
        entries_seen=state.entries_seen + len(entries),
    )
    return PollResult(state=new_state, next_poll=now + interval, outcome=outcome, entries=entries)


def _failed(
    source: Source,
    state: SourceState,
    *,
    reason: str,
    detail: str,
    now: float,
    rng: random.Random | None,
    disable_after: float,
    retry_after: float | None = None,
) -> PollResult:
    failures = state.consecutive_failures + 1
    since = state.failing_since or now
    status = int(reason[5:]) if reason.startswith("http_") else None
    new_state = replace(
        state,
        consecutive_failures=failures,
        failing_since=since,
        last_outcome=reason,
        last_status=status,
        last_error=f"{reason}: {detail}"[:500],
    )
    if failures >= DISABLE_MIN_FAILURES and now - since >= disable_after:
        why = f"failing for {(now - since) / 3600:.0f} h ({failures} polls); last: {reason}"
        event = source_failed(
            source.id,
            source.url,
            why,
            failures=failures,
            since=datetime.fromtimestamp(since, tz=UTC),
            now=datetime.fromtimestamp(now, tz=UTC),
        )
        disabled = replace(new_state, disabled_reason=why)
        return PollResult(state=disabled, next_poll=None, outcome=reason, events=(event,))
    interval = next_interval(
        source,
        PollOutcome(ok=False, retry_after=retry_after, consecutive_failures=failures),
        state.interval,
        rng,
    )
    return PollResult(state=new_state, next_poll=now + interval, outcome=reason)
