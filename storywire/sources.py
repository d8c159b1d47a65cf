"""Sources: loading the operators' list and deciding when each feed is polled next (pure)."""

from __future__ import annotations

import math
import random
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from storywire.models import Source
from storywire.urls import is_public, literal_address, registrable_domain

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# What a [[source]] table may hold; `path` and `format` are the recorded feeds' (docs/seeds.md).
# Anything else is a misspelling, which would otherwise be dropped in silence.
_KEYS = frozenset({"id", "url", "outlet", "domain", "allow_private", "min_interval",
                   "max_interval", "full_text", "rules", "path", "format", "timezone",
                   "folder"})  # fmt: skip


class SourceConfigError(ValueError):
    """The sources file is malformed; the message names the entry and the field."""


class PrivateHostError(SourceConfigError):
    """A source without ``allow_private`` whose URL's host is a loopback or private address by
    its spelling alone: the fetch stage's guard would refuse every poll of it."""


def load_sources(path: Path, *, base_url: str | None = None) -> list[Source]:
    """Read a sources TOML file (``[[source]]`` tables).

    Entries with ``path`` instead of ``url`` are recorded feeds, resolved against ``base_url``
    (the demo's local server) and allowed to reach a private address.
    """
    with path.open("rb") as handle:
        try:
            doc = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise SourceConfigError(f"{path}: not TOML: {exc}") from exc
    stray = sorted(doc.keys() - {"source"})
    if stray:
        raise SourceConfigError(
            f"{path}: unknown table {stray[0]!r}: sources are [[source]] tables"
        )
    raw_sources = doc.get("source")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise SourceConfigError(f"{path}: no [[source]] entries")
    return parse_sources(raw_sources, base_url=base_url, origin=str(path))


def parse_sources(
    raw_sources: Sequence[dict[str, Any]], *, base_url: str | None = None, origin: str = "sources"
) -> list[Source]:
    sources: list[Source] = []
    seen: set[str] = set()
    for index, given in enumerate(raw_sources, start=1):
        where = f"{origin}: source #{index}"
        if not isinstance(given, dict):
            raise SourceConfigError(f"{where}: must be a table, got {given!r}")
        raw = dict(given)
        source_id = str(raw.get("id", ""))
        unknown = sorted(raw.keys() - _KEYS)
        if unknown:
            raise SourceConfigError(
                f"{where} ({source_id}): unknown key {unknown[0]!r}; "
                f"known: {', '.join(sorted(_KEYS))}"
            )
        rules = raw.get("rules", [])
        if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
            raise SourceConfigError(f"{where}: rules must be a list of tables, got {rules!r}")
        if not _ID.match(source_id):
            raise SourceConfigError(f"{where}: id {source_id!r} must match {_ID.pattern}")
        if source_id in seen:
            raise SourceConfigError(f"{where}: duplicate id {source_id!r}")
        seen.add(source_id)
        if "url" not in raw and "path" in raw:
            if base_url is None:
                raise SourceConfigError(f"{where}: 'path' needs a base URL (recorded feeds)")
            raw["url"] = f"{base_url.rstrip('/')}/{str(raw['path']).lstrip('/')}"
            raw.setdefault("allow_private", True)
        for flag in ("allow_private", "full_text"):
            # bool("false") is True: a quoted or numeric flag would open private addresses.
            if not isinstance(raw.get(flag, False), bool):
                raise SourceConfigError(
                    f"{where} ({source_id}): {flag} must be true or false, got {raw[flag]!r}"
                )
        url = str(raw.get("url", ""))
        _check_url(url, f"{where} ({source_id})", allow_private=raw.get("allow_private", False))
        raw.setdefault("outlet", source_id)
        raw.setdefault("domain", registrable_domain(url))
        try:
            source = Source.from_dict(raw)
        except (TypeError, ValueError) as exc:
            raise SourceConfigError(f"{where} ({source_id}): {exc}") from exc
        problem = (
            _interval_problem(source) or _folder_problem(source.folder) or _text_problem(source)
        )
        if problem:
            raise SourceConfigError(f"{where} ({source_id}): {problem}")
        sources.append(source)
    return sources


# What XML 1.0 cannot hold, not even as a character reference: C0 controls but tab, newline
# and carriage return, lone surrogates, U+FFFE and U+FFFF. A name with one made `sources
# export-opml` fail with a traceback, exporting none of the sources.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text_problem(source: Source) -> str | None:
    for name in ("outlet", "domain", "folder"):
        value = getattr(source, name)
        if value is not None and (bad := _NOT_XML.search(value)):
            return f"{name} holds the control character {bad.group()!r}, which OPML cannot carry"
    return None


def _folder_problem(folder: object) -> str | None:
    # An empty or padded name would come back as another folder from an OPML export.
    if folder is None or (
        isinstance(folder, str) and all(p and p == p.strip() for p in folder.split("/"))
    ):
        return None
    return f"folder must be names joined with '/', got {folder!r}"


def _check_url(url: str, where: str, *, allow_private: bool) -> None:
    problem = _url_problem(url)
    if problem:
        raise SourceConfigError(f"{where}: url {problem}, got {url!r}")
    problem = None if allow_private else _private_host(url)
    if problem:
        raise PrivateHostError(
            f"{where}: url host {problem}; only a source with allow_private may poll it"
        )


def _url_problem(url: str) -> str | None:
    # A URL without a host, or one urllib cannot split, would fail on every poll instead.
    if not url.startswith(("http://", "https://")):
        return "must be http(s)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as exc:
        return f"is malformed ({exc})"
    if not parts.hostname or any(c.isspace() for c in parts.netloc):
        return "has no valid host"
    return None


def _private_host(url: str) -> str | None:
    # The spelling only, never DNS: a name may not resolve from the operator's box, and the
    # fetch stage checks every address a name resolves to anyway. localhost names are loopback
    # whatever a resolver says (RFC 6761).
    host = urlsplit(url).hostname or ""
    name = host.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return f"{host} is a loopback name"
    address = literal_address(host)
    if address is not None and not is_public(address):
        return f"{host} is not a public address"
    return None


def _interval_problem(source: Source) -> str | None:
    # Zero or negative polls the feed on every dispatch; NaN makes no schedule at all.
    lo, hi = source.min_interval, source.max_interval
    if not (math.isfinite(lo) and lo > 0 and math.isfinite(hi) and hi > 0):
        return f"min_interval and max_interval must be seconds above 0, got {lo:g} and {hi:g}"
    if lo > hi:
        return f"min_interval {lo:g} is above max_interval {hi:g}"
    return None


@dataclass(frozen=True, slots=True)
class SourceState:
    """The health record operators read: how polling of one source is going."""

    etag: str | None = None
    last_modified: str | None = None
    interval: float | None = None
    last_status: int | None = None
    last_outcome: str | None = None
    consecutive_failures: int = 0
    failing_since: float | None = None
    last_error: str | None = None
    last_success: float | None = None
    last_attempt: float | None = None
    entries_seen: int = 0
    polls: int = 0
    disabled_reason: str | None = None
    # Appended fields: older records without them read back with these defaults.
    rate_gap: float | None = None  # EWMA of seconds between the feed's entries
    newest_entry: float | None = None  # newest publish time seen (epoch s)
    last_unconditional: float | None = None  # last fetch sent without validators
    redirect_url: str | None = None  # permanent-redirect target seen on recent polls
    redirect_count: int = 0  # consecutive polls that redirected permanently to it
    last_warning: str | None = None  # last bozo/encoding warning of a feed that still parsed
    disabled_at: float | None = None
    undated_keys: str | None = None  # digest of the keys of the last poll's undated entries
    # The URL the operator gave, when confirmed permanent redirects moved the source from it.
    moved_from: str | None = None


def relocated(source: Source, url: str) -> Source:
    """``source`` at ``url``: a politeness domain that was its old URL's own (the default)
    follows the new URL, one an operator set stays. A feed moved to another site kept the old
    site's budget: polled under a domain it no longer touches, beside that site's feeds."""
    own = source.domain == registrable_domain(source.url)
    return replace(source, url=url, domain=registrable_domain(url) if own else source.domain)


# What a source's health record holds of its URL's own answers: the validators and the run of
# permanent redirects its server sent, the digest of its undated entries, and the failure run
# with its backoff (the interval it grew) and the disabling it led to. Another URL shares none
# of it (an old ETag sent to it may be answered 304, hiding its entries), so a source given a
# new URL by an operator starts these afresh, due now; what the record tells of the outlet
# (its pace and newest entry, counters, last outcome and error) stays.
URL_BOUND = ("etag", "last_modified", "redirect_url", "redirect_count", "undated_keys",
             "consecutive_failures", "failing_since", "interval", "disabled_reason",
             "disabled_at", "moved_from")  # fmt: skip


# Statuses whose Retry-After may hold a failing source past its max_interval (up to a day).
RETRY_AFTER_STATUSES = (429, 503)


def tightened_poll(source: Source, state: SourceState, old_max: float, now: float) -> float | None:
    """The latest next poll of ``source`` once an operator lowered its ``max_interval`` from
    ``old_max``: the new bound after its last poll, not before ``now``. None when the bound
    was not lowered, or when a server asked the failing source to wait (Retry-After), which
    may exceed it. Without this, the next poll stayed where the old bound had put it."""
    if source.max_interval >= old_max:
        return None
    if state.consecutive_failures and state.last_status in RETRY_AFTER_STATUSES:
        return None
    last = state.last_attempt if state.last_attempt is not None else now
    return max(now, last + source.max_interval)


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What one poll taught us about a feed, the input to the next-poll decision."""

    ok: bool
    new_entries: int = 0
    not_modified: bool = False
    retry_after: float | None = None  # Retry-After, seconds
    feed_ttl: float | None = None  # <ttl> or <sy:updatePeriod>/<sy:updateFrequency>, seconds
    cache_for: float | None = None  # Cache-Control max-age or Expires, seconds
    consecutive_failures: int = 0
    rate_gap: float | None = None  # the feed's estimated seconds between new entries


# A server may ask for patience beyond a source's max_interval, but never more than a day.
RETRY_AFTER_CAP = 86400.0
QUIET_GROWTH = 1.25  # a poll with nothing new stretches the interval by this much
JITTER = 0.1


def next_interval(
    source: Source, outcome: PollOutcome, previous: float | None, rng: random.Random | None = None
) -> float:
    """Seconds until the next poll.

    A healthy feed is polled about twice per expected new entry (half its estimated gap between
    entries); a poll with nothing new stretches the interval gently; failing feeds back off
    exponentially, capped at ``max_interval`` (a feed is never silently abandoned). Everything
    stays within the source's min/max. Server hints (Retry-After, ``<ttl>``/``sy:`` periods,
    Cache-Control max-age/Expires) are floors the interval never undercuts, even after the
    ±10% jitter that keeps polls of many sources from aligning; a floor that wins gets up to
    10% above it, so sources given one hint do not align on it either.
    """
    rng = rng or random.Random()
    lo, hi = source.min_interval, max(source.max_interval, source.min_interval)
    base = previous if previous is not None else lo
    if not outcome.ok:
        interval = lo * 2 ** min(outcome.consecutive_failures, 16)
    else:
        target = outcome.rate_gap / 2 if outcome.rate_gap else base
        quiet = outcome.not_modified or outcome.new_entries == 0
        interval = max(target, base * QUIET_GROWTH) if quiet else target
    interval = min(max(interval, lo), hi)
    floor = 0.0
    for hint in (outcome.feed_ttl, outcome.cache_for):
        if hint is not None and hint > 0:
            floor = max(floor, min(hint, hi))
    if outcome.retry_after is not None and outcome.retry_after > 0:
        floor = max(floor, min(outcome.retry_after, max(hi, RETRY_AFTER_CAP)))
    jittered = interval * rng.uniform(1 - JITTER, 1 + JITTER)
    if jittered >= floor:
        return float(jittered)
    # A floor that wins is spread above itself: sources given one hint (every WordPress feed's
    # hourly sy:updatePeriod, a CDN's max-age, an outlet's Retry-After) and first polled
    # together were polled in the same second at exactly it, poll after poll.
    return float(floor * rng.uniform(1, 1 + JITTER))


def fell_back(published: float, now: float) -> bool:
    """Whether an entry's time is the fetch time ``parse_feed`` gives an entry without a date
    of its own (or with one in the future): no news of when the feed publishes."""
    return published >= now - 1.0


def update_rate(
    previous_gap: float | None,
    published: Sequence[float],
    newest_seen: float | None,
    now: float,
    *,
    alpha: float = 0.3,
) -> tuple[float | None, float | None]:
    """Fold one snapshot's entry times into the EWMA of the gap between entries.

    The snapshot's own spacing (span / (n - 1)) is the observation; a feed that has been silent
    for longer than that is observed at the silence instead, so a dying feed slows down. Times
    that fell back to the fetch time carry no information and are dropped.
    Returns (new gap estimate, newest entry time).
    """
    times = sorted({t for t in published if not fell_back(t, now)}, reverse=True)
    newest = max([*times[:1], *([newest_seen] if newest_seen else [])], default=None)
    observed: float | None = None
    if len(times) >= 2:
        observed = (times[0] - times[-1]) / (len(times) - 1)
    if newest is not None and observed is not None:
        observed = max(observed, (now - newest) / 2)
    if observed is None or observed <= 0:
        return previous_gap, newest
    if previous_gap is None:
        return observed, newest
    return alpha * observed + (1 - alpha) * previous_gap, newest


_PERIODS = {"hourly": 3600.0, "daily": 86400.0, "weekly": 604800.0, "monthly": 2629800.0,
            "yearly": 31557600.0}  # fmt: skip


def syndication_period(period: str | None, frequency: str | None) -> float | None:
    """``<sy:updatePeriod>``/``<sy:updateFrequency>`` as seconds between updates."""
    if not period:
        return None
    seconds = _PERIODS.get(period.strip().lower())
    if seconds is None:
        return None
    try:
        times = max(1, int(str(frequency).strip())) if frequency else 1
    except ValueError:
        times = 1
    return seconds / times
