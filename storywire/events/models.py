"""Typed data of every event type; the JSON Schemas in ``schemas/`` are generated from these."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated

from storywire.events.envelope import CloudEvent, event_id
from storywire.models import Article, iso
from storywire.stories_ledger import StoryRecord

ARTICLE_INGESTED = "storywire.article.ingested.v1"
STORY_CREATED = "storywire.story.created.v1"
STORY_UPDATED = "storywire.story.updated.v1"
STORY_MERGED = "storywire.story.merged.v1"
SOURCE_FAILED = "storywire.source.failed.v1"
EVENT_TYPES = (ARTICLE_INGESTED, STORY_CREATED, STORY_UPDATED, STORY_MERGED, SOURCE_FAILED)


class Format(str):
    """A JSON Schema ``format`` for a string field; the schema generator reads it from Annotated."""


# RFC 3339 in UTC with a Z suffix, as ``storywire.models.iso`` writes it.
Timestamp = Annotated[str, Format("date-time")]


@dataclass(frozen=True, slots=True)
class ArticleData:
    """One normalised article and the story it belongs to."""

    article_id: str
    story_id: str
    source_id: str
    outlet: str
    url: str
    title: str
    text: str
    published: Timestamp
    content_hash: str
    author: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class OutletData:
    """One outlet that reported a story: its first article's URL and publication time."""

    outlet: str
    source_id: str
    url: str
    published: Timestamp


@dataclass(frozen=True, slots=True)
class StoryData:
    """What a story says now: headline, summary, credited outlet and every outlet."""

    story_id: str
    headline: str
    summary: str
    language: str | None
    first_seen: Timestamp
    last_updated: Timestamp
    credited_outlet: OutletData
    outlets: list[OutletData]
    article_count: int
    top_entities: list[str]
    version: int


@dataclass(frozen=True, slots=True)
class StoryMergedData:
    """Stories found to be one: ``merged_story_ids`` end here, ``story`` lives on."""

    story_id: str
    merged_story_ids: list[str]
    story: StoryData


@dataclass(frozen=True, slots=True)
class SourceFailedData:
    """A source disabled after failing for days."""

    source_id: str
    url: str
    reason: str
    consecutive_failures: int
    failing_since: Timestamp


# The typed ``data`` of each event type: the schema generator and the validators start here.
DATA_MODELS: dict[str, type] = {
    ARTICLE_INGESTED: ArticleData,
    STORY_CREATED: StoryData,
    STORY_UPDATED: StoryData,
    STORY_MERGED: StoryMergedData,
    SOURCE_FAILED: SourceFailedData,
}


def article_ingested(article: Article, story_id: str) -> CloudEvent:
    data = ArticleData(
        article_id=article.id,
        story_id=story_id,
        source_id=article.source_id,
        outlet=article.outlet,
        url=article.url,
        title=article.title,
        text=article.text,
        published=iso(article.published),
        content_hash=article.content_hash,
        author=article.author,
        language=article.language,
    )
    return CloudEvent(
        id=event_id(ARTICLE_INGESTED, article.id, article.content_hash),
        type=ARTICLE_INGESTED,
        subject=article.id,
        time=article.published,
        data=asdict(data),
    )


def story_data(record: StoryRecord) -> StoryData:
    def outlet(member_index: int) -> OutletData:
        m = record.outlets[member_index]
        return OutletData(
            outlet=m.outlet, source_id=m.source_id, url=m.url, published=iso(m.published)
        )

    return StoryData(
        story_id=record.id,
        headline=record.headline,
        summary=record.summary,
        language=record.language,
        first_seen=iso(record.first_seen),
        last_updated=iso(record.last_updated),
        credited_outlet=outlet(0),
        outlets=[outlet(i) for i in range(len(record.outlets))],
        article_count=len(record.members),
        top_entities=record.top_entities,
        version=record.version,
    )


def story_changed(record: StoryRecord, *, created: bool) -> CloudEvent:
    kind = STORY_CREATED if created else STORY_UPDATED
    return CloudEvent(
        id=event_id(kind, record.id, str(record.version)),
        type=kind,
        subject=record.id,
        time=record.last_updated,
        data=asdict(story_data(record)),
    )


def story_merged(record: StoryRecord, absorbed: list[str]) -> CloudEvent:
    data = StoryMergedData(story_id=record.id, merged_story_ids=absorbed, story=story_data(record))
    return CloudEvent(
        id=event_id(STORY_MERGED, record.id, str(record.version), *absorbed),
        type=STORY_MERGED,
        subject=record.id,
        time=record.last_updated,
        data=asdict(data),
    )


def source_failed(
    source_id: str, url: str, reason: str, *, failures: int, since: datetime, now: datetime
) -> CloudEvent:
    data = SourceFailedData(
        source_id=source_id,
        url=url,
        reason=reason,
        consecutive_failures=failures,
        failing_since=iso(since),
    )
    return CloudEvent(
        id=event_id(SOURCE_FAILED, source_id, iso(since)),
        type=SOURCE_FAILED,
        subject=source_id,
        time=now,
        data=asdict(data),
    )
