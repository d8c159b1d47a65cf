"""Events: the contract downstream services build on (CloudEvents 1.0, structured JSON)."""

from storywire.events.envelope import SPEC_VERSION, CloudEvent, event_id
from storywire.events.models import (
    ARTICLE_INGESTED,
    DATA_MODELS,
    EVENT_TYPES,
    SOURCE_FAILED,
    STORY_CREATED,
    STORY_MERGED,
    STORY_UPDATED,
    ArticleData,
    OutletData,
    SourceFailedData,
    StoryData,
    StoryMergedData,
    article_ingested,
    source_failed,
    story_changed,
    story_merged,
)

__all__ = [
    "ARTICLE_INGESTED",
    "DATA_MODELS",
    "EVENT_TYPES",
    "SOURCE_FAILED",
    "SPEC_VERSION",
    "STORY_CREATED",
    "STORY_MERGED",
    "STORY_UPDATED",
    "ArticleData",
    "CloudEvent",
    "OutletData",
    "SourceFailedData",
    "StoryData",
    "StoryMergedData",
    "article_ingested",
    "event_id",
    "source_failed",
    "story_changed",
    "story_merged",
]
