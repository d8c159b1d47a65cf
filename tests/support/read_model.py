"""A downstream read model of the stories, built from the event stream alone as docs/events.md
("What a consumer must do") tells a consumer to, and the same model read from the ledger.

The consumer drops repeats by event id, applies story events by ``version`` (``story.merged``
carries the survivor's; the absorbed ids end there), applies an article's events in stream
order (by the entry's stream id; none given, as on AMQP, in arrival order) and keeps one
version of ``article.ingested``. ``ledger_model`` reads what the product itself holds in
Redis; ``differences`` says where the two disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, cast

import orjson
import redis

from storywire.adapters.redis_ledger import PREFIX, RedisLedger
from storywire.events import (
    ARTICLE_COPIED,
    ARTICLE_INGESTED_V2,
    STORY_CREATED,
    STORY_MERGED,
    STORY_UPDATED,
)
from storywire.events.models import story_data


def _position(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass
class ReadModel:
    article_type: str = ARTICLE_INGESTED_V2
    handled: set[str] = field(default_factory=set)  # event ids applied (durable in a service)
    stories: dict[str, dict[str, Any]] = field(default_factory=dict)  # live id -> story data
    ended: dict[str, str] = field(default_factory=dict)  # absorbed id -> the story it went into
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> latest data
    placed_at: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> stream id
    copies: dict[str, str] = field(default_factory=dict)  # copy -> copy_of
    position: str | None = None  # the highest stream id applied, for a resume

    def apply(self, event: dict[str, Any], stream_id: str | None = None) -> None:
        """One delivered event (its CloudEvent JSON, decoded), once per id."""
        if event["id"] in self.handled:
            return
        self.handled.add(event["id"])
        if stream_id is not None and (
            self.position is None or _position(stream_id) > _position(self.position)
        ):
            self.position = stream_id
        kind, data = event["type"], event["data"]
        if kind in (STORY_CREATED, STORY_UPDATED):
            self._story(data)
        elif kind == STORY_MERGED:
            for gone in data["merged_story_ids"]:
                self.ended[gone] = data["story_id"]
                self.stories.pop(gone, None)
            self._story(data["story"])
        elif kind == self.article_type:
            article_id = data["article_id"]
            if stream_id is not None:
                at = _position(stream_id)
                if at < self.placed_at.get(article_id, (-1, -1)):
                    return
                self.placed_at[article_id] = at
            self.articles[article_id] = data
        elif kind == ARTICLE_COPIED:
            self.copies[data["article_id"]] = data["copy_of"]

    def _story(self, data: dict[str, Any]) -> None:
        story_id = data["story_id"]
        if story_id in self.ended:
            return
        known = self.stories.get(story_id)
        if known is None or data["version"] > known["version"]:
            self.stories[story_id] = data

    def live(self, story_id: str) -> str:
        seen = {story_id}
        while (story_id := self.ended.get(story_id, story_id)) not in seen:
            seen.add(story_id)
        return story_id

    def story_of(self) -> dict[str, str]:
        return {a: self.live(data["story_id"]) for a, data in self.articles.items()}

    def original(self, article_id: str) -> str:
        """The original of the copy group ``article_id`` is in, following ``copy_of``."""
        seen = {article_id}
        while (article_id := self.copies.get(article_id, article_id)) not in seen:
            seen.add(article_id)
        return article_id


@dataclass(frozen=True)
class Model:
    stories: dict[str, dict[str, Any]]  # live story id -> story data as events carry it
    story_of: dict[str, str]  # article id -> live story id


def consumer_model(view: ReadModel) -> Model:
    return Model(stories=dict(view.stories), story_of=view.story_of())


def ledger_model(client: redis.Redis, prefix: str = PREFIX) -> Model:
    """What the product holds: every story record, and every article's live story."""
    ledger = RedisLedger(client, prefix)
    stories = {r.id: asdict(story_data(r)) for r in ledger.all()}
    story_of = {}
    for key in client.scan_iter(match=prefix + "article:*", count=500):
        article_id = cast(bytes, key).decode()[len(prefix + "article:") :]
        raw = cast(bytes | None, client.get(key))
        if raw is not None:
            story_of[article_id] = ledger.resolve(raw.decode())
    return Model(stories=stories, story_of=story_of)


def differences(got: Model, want: Model) -> list[str]:
    """Where the consumer's model (``got``) and the product's (``want``) disagree."""
    out = []
    for story_id in sorted(set(got.stories) | set(want.stories)):
        a, b = got.stories.get(story_id), want.stories.get(story_id)
        if a is None:
            out.append(f"story {story_id} (v{b and b['version']}) unknown to the consumer")
        elif b is None:
            out.append(f"story {story_id} (v{a['version']}) live for the consumer only")
        elif a != b:
            fields = sorted(k for k in a if a[k] != b.get(k))
            detail = "; ".join(f"{k}: {a[k]!r} != {b[k]!r}" for k in fields)
            out.append(f"story {story_id}: {detail}")
    for article_id in sorted(set(got.story_of) | set(want.story_of)):
        a_story, b_story = got.story_of.get(article_id), want.story_of.get(article_id)
        if a_story != b_story:
            out.append(f"article {article_id}: consumer {a_story}, ledger {b_story}")
    counts: dict[str, int] = {}
    for story_id in got.story_of.values():
        counts[story_id] = counts.get(story_id, 0) + 1
    for story_id, data in sorted(got.stories.items()):
        if data["article_count"] != counts.get(story_id, 0):
            out.append(
                f"story {story_id}: article_count {data['article_count']}, "
                f"consumer placed {counts.get(story_id, 0)}"
            )
    return out


def decode(raw: bytes) -> dict[str, Any]:
    return cast(dict[str, Any], orjson.loads(raw))
