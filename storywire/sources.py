"""Sources: loading the operators' list and deciding when each feed is polled next (pure)."""

from __future__ import annotations

import random
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storywire.models import Source
from storywire.urls import registrable_domain

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class SourceConfigError(ValueError):
    """The sources file is malformed; the message names the entry and the field."""


def load_sources(path: Path, *, base_url: str | None = None) -> list[Source]:
    """Read a sources TOML file (``[[source]]`` tables).

    Entries with ``path`` instead of ``url`` are recorded feeds, resolved against ``base_url``
    (the demo's local server) and allowed to reach a private address.
    """
    with path.open("rb") as handle:
        doc = tomllib.load(handle)
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
        raw = dict(given)
        source_id = str(raw.get("id", ""))
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
        url = str(raw.get("url", ""))
        if not url.startswith(("http://", "https://")):
            raise SourceConfigError(f"{where} ({source_id}): url must be http(s), got {url!r}")
        raw.setdefault("outlet", source_id)
        raw.setdefault("domain", registrable_domain(url))
        try:
            sources.append(Source.from_dict(raw))
        except (TypeError, ValueError) as exc:
            raise SourceConfigError(f"{where} ({source_id}): {exc}") from exc
    return sources


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


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What one poll taught us about a feed, the input to the next-poll decision."""

    ok: bool
    new_entries: int = 0
    not_modified: bool = False
    retry_after: float | None = None
    feed_ttl: float | None = None
    consecutive_failures: int = 0


def next_interval(
    source: Source, outcome: PollOutcome, previous: float | None, rng: random.Random | None = None
) -> float:
    """Seconds until the next poll.

    Feeds that keep producing get polled faster, quiet ones back off gently, failing ones back
    off exponentially (capped: a feed is never silently abandoned), and servers' own hints win
    when they ask for more patience. Jitter of ±10% keeps polls of many sources from aligning.
    """
    rng = rng or random.Random()
    base = previous if previous is not None else source.min_interval
    if not outcome.ok:
        interval = source.min_interval * 2 ** min(outcome.consecutive_failures, 10)
    elif outcome.new_entries > 0:
        interval = base / 2
    else:
        interval = base * 1.5
    interval = min(max(interval, source.min_interval), source.max_interval)
    for hint in (outcome.retry_after, outcome.feed_ttl):
        if hint is not None:
            interval = max(interval, min(hint, source.max_interval))
    return float(interval * rng.uniform(0.9, 1.1))
