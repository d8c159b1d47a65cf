"""Value types that flow between the pipeline stages.

Every type here is plain data with a lossless ``to_dict``/``from_dict`` pair so Celery (JSON only)
can carry it between processes.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_info(name: object) -> ZoneInfo:
    """The IANA zone ``name``; ValueError, naming it, for anything that is not one."""
    try:
        if isinstance(name, str) and name == name.strip() and name:
            return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise ValueError(f"timezone {name!r} is not an IANA time zone name (such as Asia/Shanghai)")


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as an aware UTC datetime; naive input is taken to be UTC already."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def iso(dt: datetime) -> str:
    """RFC 3339 with a ``Z`` suffix, the form every event and log line uses."""
    return utc(dt).isoformat().replace("+00:00", "Z")


# RFC 3339 §5.6: a leap second, "23:59:60", which datetime cannot hold.
_LEAP_SECOND = re.compile(r"(?<=\d\d:\d\d:)60(?=[.,+-]|$)")


def parse_iso(text: str) -> datetime:
    """An ISO 8601 time as UTC. As RFC 3339 allows, "z" may be lowercase, and a leap second
    is read as the second before it (23:59:59): refused, it lost a document dated by it."""
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        return utc(datetime.fromisoformat(text))
    except ValueError:
        leap = _LEAP_SECOND.sub("59", text, count=1)
        if leap == text:
            raise
        return utc(datetime.fromisoformat(leap))


@dataclass(frozen=True, slots=True)
class Source:
    """A feed we poll, as configured by an operator."""

    id: str
    url: str
    outlet: str
    domain: str
    allow_private: bool = False
    min_interval: float = 300.0
    max_interval: float = 21600.0
    # Operators' extra boilerplate rules for this source's HTML (see storywire.clean.rules).
    rules: tuple[tuple[tuple[str, str], ...], ...] = ()
    full_text: bool = False  # fetch each teaser entry's page and extract its main text
    # IANA name of the outlet's local time, in which feed dates without a zone are read.
    timezone: str | None = None
    # The operator's folder for it, names joined with "/" ("News/World"), as OPML nests them.
    folder: str | None = None

    def __post_init__(self) -> None:
        from storywire.clean import parse_rules  # noqa: PLC0415 - models stay import-light

        parse_rules([dict(rule) for rule in self.rules])  # a bad rule fails at load, not later
        if self.timezone is not None:
            zone_info(self.timezone)

    @property
    def zone(self) -> ZoneInfo | None:
        return zone_info(self.timezone) if self.timezone is not None else None

    def to_dict(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["rules"] = [dict(rule) for rule in self.rules]
        return raw

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Source:
        return cls(
            id=str(raw["id"]),
            url=str(raw["url"]),
            outlet=str(raw["outlet"]),
            domain=str(raw["domain"]),
            allow_private=bool(raw.get("allow_private", SOURCE_DEFAULTS["allow_private"])),
            min_interval=float(raw.get("min_interval", SOURCE_DEFAULTS["min_interval"])),
            max_interval=float(raw.get("max_interval", SOURCE_DEFAULTS["max_interval"])),
            rules=tuple(tuple(sorted(dict(rule).items())) for rule in raw.get("rules", ())),
            full_text=bool(raw.get("full_text", SOURCE_DEFAULTS["full_text"])),
            timezone=raw.get("timezone"),
            folder=raw.get("folder"),
        )


# What a source has when not told otherwise, as the class writes it (a slotted class keeps no
# defaults as attributes): for reading stored sources and for `sources add --help`.
SOURCE_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Source)}


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a parsed feed, before cleaning: what the feed said, nothing derived."""

    guid: str | None
    link: str | None
    title: str
    summary_html: str
    content_html: str
    published: datetime | None
    author: str | None = None
    # The item's own outlet when the feed names one (RSS <source>: Google News, aggregators).
    outlet: str | None = None
    # The language declared for the entry, its own else its feed's (ISO 639-1): what an article
    # too short for detection is in.
    language: str | None = None
    # The lead image the feed names for the entry (media:content, media:thumbnail, an image
    # enclosure, itunes:image, JSON Feed image): absolute http(s), else None. An image of the
    # content HTML is the process stage's to find (storywire.processing.build_article). A
    # full-text source's entry that names none takes its page's (storywire.fulltext).
    image: str | None = None
    # The feed's own categories for the entry, normalised (storywire.feeds.entry_categories).
    categories: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["published"] = iso(self.published) if self.published else None
        raw["categories"] = list(self.categories)
        return raw

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Entry:
        published = raw.get("published")
        return cls(
            guid=raw.get("guid"),
            link=raw.get("link"),
            title=str(raw.get("title", "")),
            summary_html=str(raw.get("summary_html", "")),
            content_html=str(raw.get("content_html", "")),
            published=parse_iso(published) if published else None,
            author=raw.get("author"),
            outlet=raw.get("outlet"),
            language=raw.get("language"),
            # Messages queued before entries carried these have neither.
            image=raw.get("image"),
            categories=tuple(raw.get("categories", ())),
        )


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned, identified entry: what downstream services receive."""

    id: str
    source_id: str
    outlet: str
    url: str
    title: str
    text: str
    published: datetime
    content_hash: str
    author: str | None = None
    language: str | None = None
    entities: tuple[str, ...] = field(default=())
    lead: str = ""  # the first sentences, for notifications and previews
    html: str | None = None  # sanitised HTML for re-publishing (allow-list, absolute links)
    # Absolute http(s) URL of the lead image: the feed's own, else the content's first real one.
    image: str | None = None
    # The feed's categories for the entry: trimmed, deduplicated, bounded (docs/events.md).
    categories: tuple[str, ...] = field(default=())
    # When the poll that brought this text ran: a batch retried after a later poll's edit was
    # recorded must not record its older text over it (the ledger compares them). Not published.
    fetched_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["published"] = iso(self.published)
        raw["entities"] = list(self.entities)
        raw["categories"] = list(self.categories)
        raw["fetched_at"] = iso(self.fetched_at) if self.fetched_at else None
        return raw

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Article:
        return cls(
            id=str(raw["id"]),
            source_id=str(raw["source_id"]),
            outlet=str(raw["outlet"]),
            url=str(raw["url"]),
            title=str(raw["title"]),
            text=str(raw["text"]),
            published=parse_iso(str(raw["published"])),
            content_hash=str(raw["content_hash"]),
            author=raw.get("author"),
            language=raw.get("language"),
            entities=tuple(raw.get("entities", ())),
            lead=str(raw.get("lead", "")),
            html=raw.get("html"),
            # Ledger and pending records written before articles carried these have neither.
            image=raw.get("image"),
            categories=tuple(raw.get("categories", ())),
            fetched_at=parse_iso(raw["fetched_at"]) if raw.get("fetched_at") else None,
        )
