"""Read-only views of the story state the workers keep in Redis, for `storywire stories`.

Two stores hold a story: the ledger (``RedisLedger``, ``sw:``) keeps what consumers are told
(members with outlets, URLs and times, the count, merge aliases, each article's story) and the
story store (``RedisStoryStore``) what the engine scores with (its live set by last activity,
the centroid's top terms and entities). ``StoryInspector`` reads both and writes nothing: every
method it calls is a GET, MGET, ZREVRANGE, ZSCORE or HGETALL. The ``to_dict`` forms are the
command's ``--json`` output, whose keys docs/stories.md lists; add keys, never rename them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.models import iso
from storywire.stories.model import StoryState
from storywire.stories.redis_store import RedisStoryStore
from storywire.stories_ledger import Member, StoryRecord
from storywire.urls import canonical_url

TOP_TERMS = 10
# Live stories read per round trip by ``recent``: an --outlet filter may read many pages.
PAGE = 200


def _when(seconds: float) -> str:
    return iso(datetime.fromtimestamp(seconds, tz=UTC))


def _article(member: Member) -> dict[str, Any]:
    return {
        "article_id": member.article_id,
        "outlet": member.outlet,
        "source_id": member.source_id,
        "url": member.url,
        "title": member.title,
        "published": iso(member.published),
    }


def _engine(state: StoryState, active: float | None) -> dict[str, Any]:
    return {
        "live": active is not None,
        "active": None if active is None else _when(active),
        "first_seen": _when(state.first_seen),
        "last_seen": _when(state.last_seen),
        "size": state.size,
        # Kept largest first by the engine: the first are the story's strongest words.
        "top_terms": [
            {"term": term, "weight": round(float(weight), 4)}
            for term, weight in zip(
                state.c_terms[:TOP_TERMS], state.c_weights[:TOP_TERMS], strict=True
            )
        ],
        "top_entities": list(state.e_terms[:TOP_TERMS]),
    }


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story as asked for: the id asked, the stories it was merged into in turn (the last is
    ``record``'s), its ledger record and, while it is live, the engine's state."""

    asked: str
    merged_into: tuple[str, ...]
    record: StoryRecord
    engine: StoryState | None = None
    active: float | None = None

    def summary(self) -> dict[str, Any]:
        """What `recent` lists and `article` shows: the fields of a story event."""
        record = self.record
        return {
            "id": record.id,
            "version": record.version,
            "headline": record.headline,
            "summary": record.summary,
            "language": record.language,
            "first_seen": iso(record.first_seen),
            "last_updated": iso(record.last_updated),
            "article_count": record.article_count,
            "credited_outlet": _article(record.credited),
            "outlets": [_article(m) for m in record.outlets],
        }

    def to_dict(self) -> dict[str, Any]:
        """`show`: the summary with every article kept, the top entities and the engine's
        state (null once the engine has evicted the story after its window)."""
        record = self.record
        members = sorted(record.members, key=lambda m: (m.published, m.article_id))
        story = {
            **self.summary(),
            "articles": [_article(m) for m in members],
            "top_entities": record.top_entities,
            "engine": None if self.engine is None else _engine(self.engine, self.active),
        }
        return {"id": self.asked, "merged_into": list(self.merged_into), "story": story}


@dataclass(frozen=True, slots=True)
class ArticleView:
    """One article and its story. ``state``: "recorded" (in a story) or "held" (pending the
    engine's decision: no story yet). ``member``: what the ledger keeps of it, None when its
    story's bounded record no longer does."""

    article_id: str
    state: str
    story_id: str | None
    member: Member | None
    story: StoryView | None

    def to_dict(self) -> dict[str, Any]:
        article = (
            {"article_id": self.article_id, "outlet": None, "source_id": None, "url": None,
             "title": None, "published": None}
            if self.member is None
            else _article(self.member)
        )  # fmt: skip
        return {
            "article": {"id": article.pop("article_id"), **article},
            "state": self.state,
            "story_id": self.story_id,
            "merged_into": [] if self.story is None else list(self.story.merged_into),
            "story": None if self.story is None else self.story.summary(),
        }


class StoryInspector:
    """Reads stories, articles and the recently active stories; never writes."""

    def __init__(
        self, ledger: RedisLedger, store: RedisStoryStore, sources: RedisSourceStore
    ) -> None:
        self._ledger = ledger
        self._store = store
        self._sources = sources

    def story(self, story_id: str) -> StoryView | None:
        """``story_id``'s story, followed through its merges; None when no record is left."""
        chain = tuple(self._ledger.merged_into(story_id))
        final = chain[-1] if chain else story_id
        record = self._ledger.get(final)
        if record is None:
            return None
        engine = self._store.load([final]).get(final)
        return StoryView(story_id, chain, record, engine, self._store.active(final))

    def article(self, ref: str) -> list[ArticleView]:
        """The article with id ``ref``, or those at the URL ``ref`` (one per outlet that
        published there, known by the sources in Redis); [] when none."""
        if not ref.startswith(("http://", "https://")):
            found = self._article(ref)
            return [] if found is None else [found]
        outlets = sorted({s.outlet for s in self._sources.all()})
        ids = [i for _, i, _ in self._ledger.article_at(outlets, canonical_url(ref))]
        return [view for view in map(self._article, ids) if view is not None]

    def _article(self, article_id: str) -> ArticleView | None:
        story_id = self._ledger.known_stories([article_id]).get(article_id)
        if story_id is None:
            pending = self._ledger.pending_article(article_id)
            if pending is None:
                return None
            return ArticleView(article_id, "held", None, Member.of(pending), None)
        story = self.story(story_id)
        members = () if story is None else story.record.members
        member = next((m for m in members if m.article_id == article_id), None)
        return ArticleView(article_id, "recorded", story_id, member, story)

    def recent(self, limit: int, outlet: str | None = None) -> list[StoryView]:
        """The ``limit`` live stories most recently active, newest first; ``outlet``: only
        those it reported in (its name or a source id, in any case). Stories the ledger has
        no record of (its write still in flight) are left out."""
        wanted = None if outlet is None else outlet.casefold()
        found: list[StoryView] = []
        seen: set[str] = set()  # a story active meanwhile moves up into a page already read
        for rows in self._pages():
            records = self._ledger.get_many([story_id for story_id, _ in rows])
            for story_id, active in rows:
                record = records.get(story_id)
                if record is None or story_id in seen:
                    continue
                seen.add(story_id)
                if wanted is None or _reported(record, wanted):
                    found.append(StoryView(story_id, (), record, active=active))
                    if len(found) == limit:
                        return found
        return found

    def _pages(self) -> Iterator[Sequence[tuple[str, float]]]:
        start = 0
        while True:
            rows = self._store.recent(start, PAGE)
            if rows:
                yield rows
            if len(rows) < PAGE:
                return
            start += PAGE


def _reported(record: StoryRecord, outlet: str) -> bool:
    return any(outlet in (m.outlet.casefold(), m.source_id.casefold()) for m in record.members)
