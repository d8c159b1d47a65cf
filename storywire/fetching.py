"""One poll of one source: fetch, parse, and update its health record (the fetch stage's core).

I/O comes in through the ``Fetcher`` port, so this module decides and never touches a socket.
"""

from __future__ import annotations

import email.utils
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

import xxhash

from storywire.adapters.http import FetchError, FetchPolicy, FetchResult, header_number
from storywire.discovery import HtmlPage, html_page, html_page_title, listing
from storywire.events import CloudEvent, source_failed
from storywire.feeds import FeedError, parse_feed
from storywire.identity import entry_keys
from storywire.models import Entry, Source
from storywire.sources import (
    RETRY_AFTER_CAP,
    PollOutcome,
    SourceState,
    fell_back,
    next_interval,
    update_rate,
)
from storywire.urls import redacted_text, redacted_url

# A source is disabled only after failing this long *and* this often: days of errors, not three.
DISABLE_AFTER_SECONDS = 3 * 24 * 3600.0
DISABLE_MIN_FAILURES = 20
PERMANENT = (301, 308)
# 203 is a 200 passed through a transforming proxy or CDN: the same document, so the same
# feed. 226 is not here: it answers an RFC 3229 A-IM (delta) request, which we never send.
OK_STATUSES = (200, 203)
_STATUS_DETAILS = {304: "HTTP 304 to a request without validators (a server or cache bug)"}
# 429 without Retry-After still tells us the whole domain is overloaded: back off a minute.
DOMAIN_BACKOFF_DEFAULT = 60.0


@dataclass(frozen=True, slots=True)
class PollConfig:
    """The knobs of one poll, from Settings at the edge."""

    disable_after: float = DISABLE_AFTER_SECONDS
    disable_min_failures: int = DISABLE_MIN_FAILURES
    # Validators are left off every Nth poll and at least this often, so a server whose ETag
    # never changes (a broken validator) cannot hide new entries forever.
    unconditional_every: int = 24
    unconditional_after: float = 24 * 3600.0
    # A permanent redirect becomes the source's URL only after this many polls in a row saw it.
    redirect_confirmations: int = 3


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
    moved_to: str | None = None  # a confirmed permanent redirect: the source's new URL
    domain_retry_after: float | None = None  # the whole domain asked us to wait this long
    unconditional: bool = False
    fetched_from: str | None = None  # the final URL after redirects, when a response came

    @property
    def counts(self) -> tuple[str, ...]:
        """The outcome names this poll adds to the source's outcome counters."""
        extra = []
        if self.warning:
            extra.append("warning")
        if self.moved_to:
            extra.append("moved")
        if self.next_poll is None:
            extra.append("disabled")
        return (self.outcome, *extra)


def poll(  # noqa: PLR0911 - one exit per kind of outcome reads as the decision table it is
    source: Source,
    state: SourceState,
    fetcher: Fetcher,
    policy: FetchPolicy,
    *,
    now: float,
    rng: random.Random | None = None,
    config: PollConfig | None = None,
) -> PollResult:
    """Poll ``source`` once and decide what happens next; never raises for a feed's fault."""
    config = config or PollConfig()
    policy = replace(policy, allow_private=source.allow_private or policy.allow_private)
    attempt = replace(state, last_attempt=now, polls=state.polls + 1)
    conditional = _conditional(state, now, config)
    try:
        response = fetcher.fetch(
            source.url,
            policy,
            etag=state.etag if conditional else None,
            last_modified=state.last_modified if conditional else None,
        )
    except FetchError as exc:
        return _failed(source, attempt, reason=exc.reason, detail=exc.detail, now=now, rng=rng,
                       config=config)  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - a hostile feed must never kill the worker
        return _failed(source, attempt, reason="fetch_bug", detail=_describe(exc), now=now,
                       rng=rng, config=config)  # fmt: skip
    if not conditional and response.status in OK_STATUSES:
        attempt = replace(attempt, last_unconditional=now)
    # A 304 to a request that named no validator compared nothing (a server or cache bug): it
    # falls through to the failures as http_304, in the open rather than a quiet healthy poll.
    if response.status == 304 and conditional:
        return _succeeded(source, attempt, response=response, entries=(),
                          outcome="not_modified", ttl=None, now=now, rng=rng,
                          config=config)  # fmt: skip
    if response.status not in OK_STATUSES:
        retry_after = retry_after_seconds(response.headers, now)
        detail = _STATUS_DETAILS.get(response.status, f"HTTP {response.status}")
        title = html_page_title(response.body, response.headers.get("content-type", ""))
        if title is not None:
            detail = f"{detail}, an HTML page: {title!r}"
        result = _failed(source, attempt, reason=f"http_{response.status}", detail=detail,
                         now=now, rng=rng, config=config, retry_after=retry_after)  # fmt: skip
        return replace(result, domain_retry_after=domain_block(response, now))
    try:
        feed = parse_feed(
            response.body,
            now=datetime.fromtimestamp(now, tz=UTC),
            headers=response.headers,
            url=response.url,
            timezone=source.zone,
        )
    except FeedError as exc:
        # A challenge, login wall or parked domain answering 200 is not a broken feed: its own
        # outcome, with the page's title, tells the operator which it was; a site's page in
        # place of its feed, which feeds it advertises. The URL stays as the operator set it.
        page = _served_page(response)
        if page is not None:
            return _failed(source, attempt, reason="html_page", detail=_page_detail(source, page),
                           now=now, rng=rng, config=config)  # fmt: skip
        return _failed(source, attempt, reason="parse", detail=str(exc), now=now, rng=rng,
                       config=config)  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - a parser bug on odd bytes is this feed's outcome
        return _failed(source, attempt, reason="parse_bug", detail=_describe(exc), now=now,
                       rng=rng, config=config)  # fmt: skip
    ok = _succeeded(source, attempt, response=response, entries=feed.entries, outcome="ok",
                    ttl=feed.ttl_seconds, now=now, rng=rng, config=config)  # fmt: skip
    state_after = replace(ok.state, last_warning=feed.warning) if feed.warning else ok.state
    return replace(ok, state=state_after, warning=feed.warning, unconditional=not conditional,
                   fetched_from=response.url)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Discovery:
    """What a URL serves, as an operator adding it needs to know: a feed (neither field), an
    HTML page with the feeds it advertises, or why that could not be told."""

    page: HtmlPage | None = None
    problem: str | None = None  # "dns: …", "http_404", "parse: not a feed: …"


def discover(url: str, fetcher: Fetcher, policy: FetchPolicy, *, now: float) -> Discovery:
    """Fetch ``url`` once as a poll would (same port, policy and parse) and say what it is."""
    try:
        response = fetcher.fetch(url, policy)
    except FetchError as exc:
        return Discovery(
            problem=redacted_text(f"{exc.reason}: {' '.join(exc.detail.split())[:300]}")
        )
    except Exception as exc:  # noqa: BLE001 - as in a poll: an outcome, never a crash
        return Discovery(problem=f"fetch_bug: {_describe(exc)}")
    if response.status not in OK_STATUSES:
        return Discovery(problem=f"http_{response.status}")
    try:
        parse_feed(response.body, now=datetime.fromtimestamp(now, tz=UTC),
                   headers=response.headers, url=response.url)  # fmt: skip
    except FeedError as exc:
        page = _served_page(response)
        return Discovery(page=page) if page is not None else Discovery(problem=f"parse: {exc}")
    except Exception as exc:  # noqa: BLE001
        return Discovery(problem=f"parse_bug: {_describe(exc)}")
    return Discovery()


def _served_page(response: FetchResult) -> HtmlPage | None:
    """The HTML page a response that is no feed served, with the feeds it advertises."""
    return html_page(response.body, response.url,
                     content_type=response.headers.get("content-type", ""))  # fmt: skip


def _page_detail(source: Source, page: HtmlPage) -> str:
    detail = f"an HTML page, not a feed: {page.title!r}"
    if not page.feeds:
        return detail
    return f"{detail}; it advertises {listing(page.feeds)} (storywire sources add {source.id} URL)"


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]


def _conditional(state: SourceState, now: float, config: PollConfig) -> bool:
    if not (state.etag or state.last_modified):
        return False
    every = config.unconditional_every
    if every > 0 and (state.polls + 1) % every == 0:
        return False
    last = state.last_unconditional
    return last is not None and now - last < config.unconditional_after


def domain_block(response: FetchResult, now: float) -> float | None:
    """How long a 429 (or a 503 with Retry-After) asks the whole domain to wait, if it does.

    The same day's cap as a source's own wait: one endpoint asking for a year (or an
    overflowing number) must not silence every feed of the outlet for that long."""
    if response.status not in (429, 503):
        return None
    retry_after = retry_after_seconds(response.headers, now)
    if not retry_after and response.status == 503:
        return None
    return min(retry_after or DOMAIN_BACKOFF_DEFAULT, RETRY_AFTER_CAP)


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP date, a date read
    against the server's own clock (its Date) when it sent one, so clock skew cancels out as
    for Expires. Duplicated headers folded into one ("120, 120") give their longest wait."""
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = header_number(value)
    if seconds is not None:
        return seconds
    waits = [header_number(part) for part in value.split(",")]
    if all(wait is not None for wait in waits):
        return max(wait for wait in waits if wait is not None)
    server_now = _http_date(headers.get("date", ""))
    reference = now if server_now is None else server_now
    dates = _HTTP_DATE.findall(value) or [value.strip()]
    delays = [d for d in (_http_date_delta(when, reference) for when in dates) if d is not None]
    return max(delays, default=None)


# An IMF-fixdate (RFC 9110 5.6.7), found in a value that may fold several.
_HTTP_DATE = re.compile(r"[A-Za-z]{3},\s*\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+[\d:]{8}\s+GMT")


def _http_date_delta(value: str, now: float) -> float | None:
    when = _http_date(value)
    return None if when is None else max(0.0, when - now)


def _http_date(value: str) -> float | None:
    """An HTTP date as a Unix time, or None."""
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def cache_lifetime(headers: Mapping[str, str], now: float) -> float | None:
    """How long the server says this response stays fresh: max-age minus Age, else Expires."""
    cache_control = headers.get("cache-control", "")
    if "no-store" in cache_control.lower() or "no-cache" in cache_control.lower():
        return None
    match = _MAX_AGE.search(cache_control)
    if match:
        age = header_number(headers.get("age")) or 0
        return max(0.0, float(match.group(1)) - age)
    expires = headers.get("expires")
    if expires:
        # Relative to the server's clock when it sent one, so clock skew cancels out.
        date = headers.get("date")
        reference = _http_date_delta(date, 0.0) if date else None
        delta = _http_date_delta(expires, reference if reference is not None else now)
        return delta or None
    return None


def _undated_keys(entries: Sequence[Entry], now: float) -> str | None:
    """A digest of the keys of the entries without a date of their own, in any order; None
    when every entry has one."""
    undated = [e for e in entries if not e.published or fell_back(e.published.timestamp(), now)]
    if not undated:
        return None
    keys = "\x1f".join(sorted(set(entry_keys(undated))))
    return xxhash.xxh3_64_hexdigest(keys.encode("utf-8", "surrogatepass"))


def _permanent_target(redirects: tuple[tuple[int, str], ...]) -> str | None:
    """Where the chain's leading permanent hops lead; a temporary hop ends what may be stored."""
    target = None
    for status, url in redirects:
        if status not in PERMANENT:
            break
        target = url
    return target


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
    config: PollConfig,
) -> PollResult:
    gap, newest = state.rate_gap, state.newest_entry
    new_entries = 0
    undated = state.undated_keys
    if entries:
        times = [e.published.timestamp() for e in entries if e.published]
        # An entry without a date carries the fetch time, new by its date at every poll: a
        # feed of undated items that never changed stayed at min_interval for ever. They are
        # news only when the set of their keys differs from the last poll's (the fetch task's
        # seen-set still decides what goes on).
        undated = _undated_keys(entries, now)
        dated = [t for t in times if not fell_back(t, now)]
        new_entries = sum(1 for t in dated if newest is None or t > newest)
        new_entries += int(undated is not None and undated != state.undated_keys)
        gap, newest = update_rate(state.rate_gap, times, state.newest_entry, now)
    interval = next_interval(
        source,
        PollOutcome(
            ok=True,
            new_entries=new_entries,
            not_modified=outcome == "not_modified",
            feed_ttl=ttl,
            cache_for=cache_lifetime(response.headers, now),
            rate_gap=gap,
        ),
        state.interval,
        rng,
    )
    moved_to, redirect_url, redirect_count = None, None, 0
    target = _permanent_target(response.redirects)
    if target and target != source.url:
        redirect_count = state.redirect_count + 1 if target == state.redirect_url else 1
        redirect_url = target
        if redirect_count >= config.redirect_confirmations:
            moved_to, redirect_url, redirect_count = target, None, 0
    # A 200 vouches for its own validators only; a 304 need not repeat those it honoured.
    etag, last_modified = response.etag, response.last_modified
    if outcome == "not_modified":
        etag, last_modified = etag or state.etag, last_modified or state.last_modified
    new_state = replace(
        state,
        etag=etag,
        last_modified=last_modified,
        interval=interval,
        last_status=response.status,
        last_outcome=outcome,
        consecutive_failures=0,
        failing_since=None,
        last_success=now,
        entries_seen=state.entries_seen + len(entries),
        rate_gap=gap,
        newest_entry=newest,
        undated_keys=undated,
        redirect_url=redirect_url,
        redirect_count=redirect_count,
        moved_from=(state.moved_from or source.url) if moved_to else state.moved_from,
    )
    return PollResult(
        state=new_state, next_poll=now + interval, outcome=outcome, entries=entries,
        moved_to=moved_to,
    )  # fmt: skip


def _failed(
    source: Source,
    state: SourceState,
    *,
    reason: str,
    detail: str,
    now: float,
    rng: random.Random | None,
    config: PollConfig,
    retry_after: float | None = None,
) -> PollResult:
    failures = state.consecutive_failures + 1
    since = state.failing_since if state.failing_since is not None else now
    status = int(reason[5:]) if reason.startswith("http_") else None
    new_state = replace(
        state,
        consecutive_failures=failures,
        failing_since=since,
        last_outcome=reason,
        last_status=status,
        # Shown by `sources show` and every fetch line: a URL in an error (a redirect loop, a
        # bad Location) is the feed's, with the token of a paid feed.
        last_error=redacted_text(f"{reason}: {detail}")[:500],
    )
    if failures >= config.disable_min_failures and now - since >= config.disable_after:
        why = f"failing for {(now - since) / 3600:.0f} h ({failures} polls); last: {reason}"
        event = source_failed(
            source.id,
            redacted_url(source.url),  # consumers are told which feed, not its credentials
            why,
            failures=failures,
            since=datetime.fromtimestamp(since, tz=UTC),
            now=datetime.fromtimestamp(now, tz=UTC),
        )
        disabled = replace(new_state, disabled_reason=why, disabled_at=now)
        return PollResult(state=disabled, next_poll=None, outcome=reason, events=(event,))
    interval = next_interval(
        source,
        PollOutcome(ok=False, retry_after=retry_after, consecutive_failures=failures),
        state.interval,
        rng,
    )
    return PollResult(state=new_state, next_poll=now + interval, outcome=reason)
