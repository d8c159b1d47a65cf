"""A downstream consumer's view of the stories, rebuilt from the emitted events alone.

It applies events as docs/events.md tells a consumer to (drop repeats by id, story events by
version, ``story.merged`` ends the absorbed ids) and checks, after every step, that what it
was told adds up: the invariants a consumer relies on. Used by the story events harness.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
import redis

from storywire.events import (
    ARTICLE_COPIED,
    ARTICLE_INGESTED,
    STORY_CREATED,
    STORY_MERGED,
    STORY_UPDATED,
)


@dataclass
class ConsumerView:
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> first copy seen
    stories: dict[str, dict[str, Any]] = field(default_factory=dict)  # live id -> story data
    ended: dict[str, str] = field(default_factory=dict)  # absorbed id -> the story it went into
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> latest data
    story_of: dict[str, str] = field(default_factory=dict)  # article id -> its live story
    copies: list[dict[str, Any]] = field(default_factory=list)
    read: int = 0  # outbox items applied so far
    problems: list[str] = field(default_factory=list)

    def live(self, story_id: str) -> str:
        seen = set()
        while story_id in self.ended and story_id not in seen:
            seen.add(story_id)
            story_id = self.ended[story_id]
        return story_id

    def catch_up(self, client: redis.Redis, outbox_key: str) -> list[str]:
        """Apply the events queued since the last call; the ids new to this consumer."""
        items = client.lrange(outbox_key, self.read, -1)
        self.read += len(items)
        fresh = []
        for item in items:
            event = orjson.loads(item.split(b"|", 2)[2])
            if self._repeat(event):
                continue
            fresh.append(event["id"])
            self._apply(event)
        return fresh

    def _repeat(self, event: dict[str, Any]) -> bool:
        first = self.events.get(event["id"])
        if first is None:
            self.events[event["id"]] = event
            return False
        if (first["type"], first["subject"]) != (event["type"], event["subject"]):
            self.problems.append(f"id {event['id']} names two events: {first} / {event}")
        return True

    def _apply(self, event: dict[str, Any]) -> None:
        kind, data = event["type"], event["data"]
        if kind in (STORY_CREATED, STORY_UPDATED):
            self._story(kind, data, expected=self._next(data["story_id"], kind))
        elif kind == STORY_MERGED:
            survivor = data["story"]["story_id"]
            # Each absorbed story takes the version past both; the article whose arrival made
            # the merge may or may not then have changed the record.
            expected = self.stories.get(survivor, {}).get("version", 0)
            for gone in data["merged_story_ids"]:
                if gone not in self.stories:
                    self.problems.append(f"merge of {gone}, a story never announced")
                    continue
                expected = max(expected, self.stories.pop(gone)["version"]) + 1
                self.ended[gone] = survivor
                for article, story in self.story_of.items():
                    if story == gone:
                        self.story_of[article] = survivor
            self._story(kind, data["story"], expected=(expected, expected + 1))
        elif kind == ARTICLE_INGESTED:
            story = data["story_id"]
            if story not in self.stories and story not in self.ended:
                self.problems.append(f"article {data['article_id']} names unknown story {story}")
            self.articles[data["article_id"]] = data
            self.story_of[data["article_id"]] = self.live(story)
        elif kind == ARTICLE_COPIED:
            self.copies.append(data)

    def _next(self, story_id: str, kind: str) -> tuple[int, ...]:
        if story_id in self.ended:
            self.problems.append(f"{kind} for {story_id}, merged into {self.ended[story_id]}")
            return ()
        known = self.stories.get(story_id)
        if kind == STORY_CREATED:
            if known is not None:
                self.problems.append(f"{story_id} created twice")
            return ()  # Redis's clock when the story began: any
        if known is None:
            self.problems.append(f"update of {story_id}, a story never announced")
            return ()
        return (known["version"] + 1,)

    def _story(self, kind: str, data: dict[str, Any], *, expected: tuple[int, ...]) -> None:
        story_id, version = data["story_id"], data["version"]
        if expected and version not in expected:
            self.problems.append(f"{kind} {story_id} version {version}, expected {expected}")
        known = self.stories.get(story_id)
        if known is not None and version > known["version"]:
            # Articles only join a story, and an edit keeps its article's time: the first
            # report stays first, the latest can only be followed by a later one.
            if data["first_seen"] > known["first_seen"]:
                self.problems.append(f"{story_id} first_seen moved later in version {version}")
            if data["last_updated"] < known["last_updated"]:
                self.problems.append(f"{story_id} last_updated moved back in version {version}")
        if known is None or version > known["version"]:
            self.stories[story_id] = data

    def check(self) -> list[str]:
        """Every invariant over the view as it stands; the problems found (empty: it adds up)."""
        problems = list(self.problems)
        members: dict[str, list[dict[str, Any]]] = {}
        for article_id, story in self.story_of.items():
            members.setdefault(story, []).append(self.articles[article_id])
        for story_id, arts in members.items():
            if story_id not in self.stories:
                problems.append(f"{len(arts)} articles in {story_id}, which is no live story")
        for story_id, data in self.stories.items():
            problems += _story_problems(data, members.get(story_id, []))
        by_url: dict[tuple[str, str], str] = {}
        for article_id, art in sorted(self.articles.items()):
            other = by_url.setdefault((art["outlet"], art["url"]), article_id)
            if other != article_id:
                problems.append(
                    f"{art['outlet']} {art['url']} is two articles: {other}, {article_id}"
                )
        for copy in self.copies:
            original = self.articles.get(copy["copy_of"])
            if original is None:
                problems.append(f"{copy['article_id']} copies {copy['copy_of']}, never announced")
            elif self.story_of[copy["copy_of"]] != self.story_of.get(copy["article_id"]):
                problems.append(f"{copy['article_id']} copies {copy['copy_of']} of another story")
            elif _time(copy["published"]) < _time(original["published"]) - COPY_SLACK:
                # The original of a group of copies is the one published first.
                problems.append(f"{copy['article_id']} copies {copy['copy_of']}, published later")
        return problems


def _story_problems(data: dict[str, Any], arts: list[dict[str, Any]]) -> list[str]:
    """What a story's last event says against the articles the consumer placed in it."""
    problems = []
    story_id = data["story_id"]
    if data["article_count"] != len(arts):
        problems.append(
            f"{story_id}: article_count {data['article_count']}, consumer saw {len(arts)}"
        )
    if arts:
        first: dict[str, dict[str, Any]] = {}
        for art in sorted(arts, key=lambda a: (a["published"], a["article_id"])):
            first.setdefault(art["outlet"], art)
        want = sorted(
            (a["outlet"], a["source_id"], a["url"], a["published"]) for a in first.values()
        )
        got = sorted(
            (o["outlet"], o["source_id"], o["url"], o["published"]) for o in data["outlets"]
        )
        if want != got:
            problems.append(f"{story_id}: outlets {got}, its articles say {want}")
        earliest = min(arts, key=lambda a: (a["published"], a["article_id"]))
        credited = data["credited_outlet"]
        if (credited["outlet"], credited["published"]) != (
            earliest["outlet"],
            earliest["published"],
        ):
            problems.append(
                f"{story_id}: credited {credited['outlet']} {credited['published']}, first "
                f"published {earliest['outlet']} {earliest['published']}"
            )
    return problems


COPY_SLACK = timedelta(seconds=60)  # Params.copy_order_slack


def _time(iso: str) -> datetime:
    return datetime.fromisoformat(iso)
