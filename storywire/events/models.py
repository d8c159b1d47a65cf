"""Typed data of every event type; the JSON Schemas in ``schemas/`` are generated from these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any

from storywire.events.envelope import CloudEvent, event_id
from storywire.models import Article, iso
from storywire.stories_ledger import Member, StoryRecord

ARTICLE_INGESTED = "storywire.article.ingested.v1"
ARTICLE_INGESTED_V2 = "storywire.article.ingested.v2"
ARTICLE_INGESTED_V3 = "storywire.article.ingested.v3"
ARTICLE_COPIED = "storywire.article.copied.v1"
STORY_CREATED = "storywire.story.created.v1"
STORY_UPDATED = "storywire.story.updated.v1"
STORY_MERGED = "storywire.story.merged.v1"
SOURCE_FAILED = "storywire.source.failed.v1"
EVENT_TYPES = (
    ARTICLE_INGESTED,
    ARTICLE_INGESTED_V2,
    ARTICLE_INGESTED_V3,
    ARTICLE_COPIED,
    STORY_CREATED,
    STORY_UPDATED,
    STORY_MERGED,
    SOURCE_FAILED,
)
# The versions of article.ingested the process stage can publish, by the names
# STORYWIRE_ARTICLE_EVENT_VERSIONS takes; each decision writes those asked for together.
ARTICLE_VERSIONS: dict[str, str] = {
    "v1": ARTICLE_INGESTED,
    "v2": ARTICLE_INGESTED_V2,
    "v3": ARTICLE_INGESTED_V3,
}
# v1 and v2 while consumers move to v2; v3 is asked for (docs/events.md, "Versions of
# article.ingested").
DEFAULT_ARTICLE_VERSIONS = ("v1", "v2")


class Format(str):
    """A JSON Schema ``format`` for a string field; the schema generator reads it from Annotated."""


class Doc(str):
    """A field's description in the generated JSON Schema."""


# RFC 3339 in UTC with a Z suffix, as ``storywire.models.iso`` writes it.
Timestamp = Annotated[str, Format("date-time")]


@dataclass(frozen=True, slots=True)
class ArticleData:
    """One normalised article and the story it belongs to."""

    article_id: Annotated[str, Doc("Deterministic id of the article (stable across re-polls).")]
    story_id: Annotated[str, Doc("The story the article was placed in when ingested.")]
    source_id: Annotated[str, Doc("The feed it came from.")]
    outlet: Annotated[str, Doc("Publisher name, e.g. Reuters.")]
    url: Annotated[str, Doc("Canonical article URL (tracking parameters removed).")]
    title: str
    text: Annotated[str, Doc("Clean plain text: paragraphs separated by blank lines.")]
    published: Annotated[Timestamp, Doc("When the outlet published it.")]
    content_hash: Annotated[str, Doc("Hash of the clean text; changes when the article does.")]
    author: str | None
    language: str | None
    lead: Annotated[str, Doc("The first whole sentences of the text, for previews.")]
    entities: Annotated[list[str], Doc("Names the article is about, most mentioned first.")]
    html: Annotated[
        str | None,
        Doc("Sanitised HTML for re-publishing: p, a[href], em, strong, lists, blockquote, img."),
    ]


@dataclass(frozen=True, slots=True)
class ArticleDataV2(ArticleData):
    """One normalised article and the story it belongs to, with its lead image and the feed's
    categories (v1's fields, then these two)."""

    image: Annotated[
        str | None,
        Doc(
            "Absolute http(s) URL of the lead image: the feed's (media:content, media:thumbnail, "
            "an image enclosure, itunes:image, JSON Feed image), else the content's first; null "
            "when none."
        ),
    ]
    categories: Annotated[
        list[str],
        Doc(
            "The feed's own categories for the entry, in its order: trimmed, each spelling once "
            "(case-insensitively), at most 20 of at most 100 characters."
        ),
    ]


@dataclass(frozen=True, slots=True)
class ArticleDataV3(ArticleDataV2):
    """v2's article with its revision: which of the article's texts this is."""

    revision: Annotated[
        int,
        Doc(
            "How many times the article's text changed before this one (0: its first text). Of "
            "two events of one article_id, the higher revision is the later text; an equal one "
            "is the same text."
        ),
    ]


@dataclass(frozen=True, slots=True)
class ArticleCopiedData:
    """An article whose text repeats an earlier one's (syndicated wire copy, near-duplicate)."""

    article_id: Annotated[str, Doc("The copy (its article.ingested event came just before).")]
    copy_of: Annotated[str, Doc("article_id of the earlier article whose text it repeats.")]
    story_id: Annotated[str, Doc("The story both belong to.")]
    outlet: str
    url: str
    published: Timestamp
    original_outlet: Annotated[str | None, Doc("Outlet of the earlier article, when known.")]
    original_url: Annotated[str | None, Doc("URL of the earlier article, when known.")]


@dataclass(frozen=True, slots=True)
class OutletData:
    """One outlet that reported a story: its first article's URL and publication time."""

    outlet: str
    source_id: str
    url: Annotated[str, Doc("Canonical URL of this outlet's first article in the story.")]
    published: Annotated[Timestamp, Doc("When that article was published.")]


@dataclass(frozen=True, slots=True)
class StoryData:
    """What a story says now: headline, summary, credited outlet and every outlet."""

    story_id: Annotated[str, Doc("Stable story id, also the event subject.")]
    headline: Annotated[str, Doc("Title of the credited outlet's article.")]
    summary: Annotated[str, Doc("First paragraph of the credited article, at most ~300 chars.")]
    language: Annotated[str | None, Doc("Most common ISO 639-1 code among the articles.")]
    first_seen: Annotated[Timestamp, Doc("Publication time of the earliest article.")]
    last_updated: Annotated[Timestamp, Doc("Publication time of the latest article.")]
    credited_outlet: Annotated[OutletData, Doc("The outlet that published first.")]
    outlets: Annotated[list[OutletData], Doc("Every outlet once, in order of publication.")]
    article_count: Annotated[int, Doc("Articles in the story, all outlets together.")]
    top_entities: Annotated[list[str], Doc("Most mentioned names, most frequent first.")]
    version: Annotated[int, Doc("Grows with every change; a later version supersedes.")]


@dataclass(frozen=True, slots=True)
class StoryMergedData:
    """Stories found to be one: ``merged_story_ids`` end here, ``story`` lives on."""

    story_id: str
    merged_story_ids: Annotated[list[str], Doc("Story ids that end here; map them to story_id.")]
    story: Annotated[StoryData, Doc("The surviving story after the merge.")]


@dataclass(frozen=True, slots=True)
class SourceFailedData:
    """A source disabled after failing for days."""

    source_id: str
    url: str
    reason: Annotated[str, Doc("The last failure, e.g. timeout or HTTP 404.")]
    consecutive_failures: int
    failing_since: Annotated[Timestamp, Doc("Time of the first failure in this run.")]


# The typed ``data`` of each event type: the schema generator and the validators start here.
DATA_MODELS: dict[str, type] = {
    ARTICLE_INGESTED: ArticleData,
    ARTICLE_INGESTED_V2: ArticleDataV2,
    ARTICLE_INGESTED_V3: ArticleDataV3,
    ARTICLE_COPIED: ArticleCopiedData,
    STORY_CREATED: StoryData,
    STORY_UPDATED: StoryData,
    STORY_MERGED: StoryMergedData,
    SOURCE_FAILED: SourceFailedData,
}


def _revised(revision: int) -> tuple[str, ...]:
    return (str(revision),) if revision else ()


def article_ingested(article: Article, story_id: str, revision: int = 0) -> CloudEvent:
    """``revision``: how many times the article's text changed before (0: never), so that an
    edit back to an earlier text is a new event; the first revision keeps the id it always had."""
    return _ingested(ARTICLE_INGESTED, asdict(_article_data(article, story_id)), article, revision)


def article_ingested_v2(article: Article, story_id: str, revision: int = 0) -> CloudEvent:
    """v1's event with the article's image and categories; its id is v1's decision under the
    v2 type, so a redelivery repeats it and it never collides with v1's."""
    return _ingested(
        ARTICLE_INGESTED_V2, asdict(_article_data_v2(article, story_id)), article, revision
    )


def article_ingested_v3(article: Article, story_id: str, revision: int = 0) -> CloudEvent:
    """v2's event with the revision in its data: consumers that handle an article's events out
    of order (several at once, an AMQP redelivery) keep the latest text. Its id is v1's
    decision under the v3 type."""
    data = ArticleDataV3(**asdict(_article_data_v2(article, story_id)), revision=revision)
    return _ingested(ARTICLE_INGESTED_V3, asdict(data), article, revision)


def article_ingested_events(
    article: Article, story_id: str, revision: int, versions: Sequence[str]
) -> list[CloudEvent]:
    """The article.ingested events of ``versions`` (names of ``ARTICLE_VERSIONS``), in that
    order: the ledger queues them in one write, so a crash never publishes one alone."""
    builders = {"v1": article_ingested, "v2": article_ingested_v2, "v3": article_ingested_v3}
    return [builders[version](article, story_id, revision) for version in versions]


def _ingested(kind: str, data: dict[str, Any], article: Article, revision: int) -> CloudEvent:
    return CloudEvent(
        id=event_id(kind, article.id, article.content_hash, *_revised(revision)),
        type=kind,
        subject=article.id,
        time=article.published,
        data=data,
    )


def _article_data_v2(article: Article, story_id: str) -> ArticleDataV2:
    return ArticleDataV2(
        **asdict(_article_data(article, story_id)),
        image=article.image,
        categories=list(article.categories),
    )


def _article_data(article: Article, story_id: str) -> ArticleData:
    return ArticleData(
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
        lead=article.lead,
        entities=list(article.entities),
        html=article.html,
    )


def article_copied(
    article: Article, story_id: str, copy_of: str, record: StoryRecord
) -> CloudEvent:
    return _copied(
        article.id,
        article.outlet,
        article.url,
        article.published,
        story_id=story_id,
        copy_of=copy_of,
        record=record,
    )


def member_copied(copy: Member, story_id: str, copy_of: str, record: StoryRecord) -> CloudEvent:
    """``article.copied`` for ``copy``, an article recorded before ``copy_of``: published later,
    it arrived first (a republication polled before the wire), and was announced as it came.
    The id is the one it would have had in arrival order, so a redelivery repeats it."""
    return _copied(
        copy.article_id,
        copy.outlet,
        copy.url,
        copy.published,
        story_id=story_id,
        copy_of=copy_of,
        record=record,
    )


def _copied(
    article_id: str,
    outlet: str,
    url: str,
    published: datetime,
    *,
    story_id: str,
    copy_of: str,
    record: StoryRecord,
) -> CloudEvent:
    original = next((m for m in record.members if m.article_id == copy_of), None)
    data = ArticleCopiedData(
        article_id=article_id,
        copy_of=copy_of,
        story_id=story_id,
        outlet=outlet,
        url=url,
        published=iso(published),
        original_outlet=original.outlet if original else None,
        original_url=original.url if original else None,
    )
    return CloudEvent(
        id=event_id(ARTICLE_COPIED, article_id, copy_of),
        type=ARTICLE_COPIED,
        subject=article_id,
        time=published,
        data=asdict(data),
    )


def story_data(record: StoryRecord) -> StoryData:
    # ``outlets`` sorts every member: once per event, not once per outlet.
    outlets = [
        OutletData(outlet=m.outlet, source_id=m.source_id, url=m.url, published=iso(m.published))
        for m in record.outlets
    ]
    return StoryData(
        story_id=record.id,
        headline=record.headline,
        summary=record.summary,
        language=record.language,
        first_seen=iso(record.first_seen),
        last_updated=iso(record.last_updated),
        credited_outlet=outlets[0],
        outlets=outlets,
        article_count=record.article_count,
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
