"""The story ledger: what downstream services are told about a story, derived from its articles.

Clustering (``storywire.stories``) decides *which* story an article belongs to; this module keeps
the record that story events carry: outlets with their article URLs and times, the credited
outlet (who published first), headline, summary, counts. Pure functions over plain data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storywire.models import Article, iso, parse_iso

if TYPE_CHECKING:
    from storywire.stories import Assignment

SUMMARY_CHARS = 300
TOP_ENTITIES = 10
# Members a record keeps: every outlet's first article, then the most recent others. A story can
# take articles for weeks, and each ledger write reads and rewrites the whole record (5,000
# members: 2.5 MB and 0.2 s a write); events carry outlets and a count, never every member.
MAX_MEMBERS = 200


@dataclass(frozen=True, slots=True)
class Member:
    article_id: str
    outlet: str
    source_id: str
    url: str
    title: str
    published: datetime
    language: str | None = None
    summary: str = ""
    entities: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "outlet": self.outlet,
            "source_id": self.source_id,
            "url": self.url,
            "title": self.title,
            "published": iso(self.published),
            "language": self.language,
            "summary": self.summary,
            "entities": list(self.entities),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Member:
        return cls(
            article_id=raw["article_id"],
            outlet=raw["outlet"],
            source_id=raw["source_id"],
            url=raw["url"],
            title=raw["title"],
            published=parse_iso(raw["published"]),
            language=raw.get("language"),
            summary=raw.get("summary", ""),
            entities=tuple(raw.get("entities", ())),
        )

    @classmethod
    def of(cls, article: Article) -> Member:
        return cls(
            article_id=article.id,
            outlet=article.outlet,
            source_id=article.source_id,
            url=article.url,
            title=article.title,
            published=article.published,
            language=article.language,
            summary=summarise(article.text),
            entities=article.entities,
        )


@dataclass(frozen=True, slots=True)
class StoryRecord:
    id: str
    # Each outlet's first article and the most recent others, at most MAX_MEMBERS unless the
    # story has more outlets than that; language and top entities are read from these.
    members: tuple[Member, ...] = field(default=())
    # Raised by one on every change a story event shows, the first from the clock
    # (``next_version``); part of event ids, so a redelivery has the same id.
    version: int = 0
    article_count: int = 0  # every article the story ever took, members or not

    @property
    def credited(self) -> Member:
        """The first to publish; ties go to the lowest article id so every worker agrees."""
        return min(self.members, key=lambda m: (m.published, m.article_id))

    @property
    def headline(self) -> str:
        return self.credited.title

    @property
    def summary(self) -> str:
        return self.credited.summary

    @property
    def first_seen(self) -> datetime:
        return self.credited.published

    @property
    def last_updated(self) -> datetime:
        return max(m.published for m in self.members)

    @property
    def outlets(self) -> list[Member]:
        """One entry per outlet (its first article), in order of publication."""
        first: dict[str, Member] = {}
        for member in sorted(self.members, key=lambda m: (m.published, m.article_id)):
            first.setdefault(member.outlet, member)
        return list(first.values())

    @property
    def language(self) -> str | None:
        counts = Counter(m.language for m in self.members if m.language)
        return counts.most_common(1)[0][0] if counts else None

    @property
    def top_entities(self) -> list[str]:
        # Each article's names once, in its own order (most mentioned first): ties keep the
        # first one met, so every process ranks them alike (a set's order is its hash seed's).
        counts = Counter(e for m in self.members for e in dict.fromkeys(m.entities))
        return [e for e, _ in counts.most_common(TOP_ENTITIES)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "members": [m.to_dict() for m in self.members],
            "article_count": self.article_count,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> StoryRecord:
        members = tuple(Member.from_dict(m) for m in raw.get("members", ()))
        return cls(
            id=raw["id"],
            version=int(raw.get("version", 0)),
            members=members,
            # Records written before the count kept every member.
            article_count=int(raw.get("article_count", len(members))),
        )


def summarise(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first paragraph cut at a word boundary: short enough for a notification."""
    first = text.strip().split("\n\n", 1)[0].strip()
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _bounded(members: tuple[Member, ...]) -> tuple[Member, ...]:
    """Every outlet's first article and then the most recent others, MAX_MEMBERS in all (more
    only if the story has more outlets), in their original order."""
    if len(members) <= MAX_MEMBERS:
        return members
    by_time = sorted(members, key=lambda m: (m.published, m.article_id))
    firsts: dict[str, Member] = {}
    for m in by_time:
        firsts.setdefault(m.outlet, m)
    keep = {m.article_id for m in firsts.values()}
    for m in reversed(by_time):
        if len(keep) >= MAX_MEMBERS:
            break
        keep.add(m.article_id)
    return tuple(m for m in members if m.article_id in keep)


def next_version(*versions: int, floor: int = 0) -> int:
    """The version after ``versions``: one more than the highest, and at least ``floor``, for
    a new story the time of its creation in milliseconds. Counting from 1 started again when a
    story's record was gone (Redis lost its data, or the retention passed and an old article
    came back): rebuilt under its deterministic id, the story repeated event ids and versions
    its consumers had already seen, and they dropped its updates as repeats, or kept their own
    higher versions over them. Begun later, it is above them; then it goes up by one."""
    return max(max(versions, default=0) + 1, floor)


def with_article(
    record: StoryRecord, article: Article, *, known: bool = False, floor: int = 0
) -> tuple[StoryRecord, bool]:
    """The record with ``article`` in it, and whether anything a consumer sees changed.

    ``known``: the article was recorded before (a redelivery or an edit), so the count stays;
    one no longer among the members (the record is bounded) changes nothing. ``floor``: see
    ``next_version``."""
    member = Member.of(article)
    kept = tuple(m for m in record.members if m.article_id != article.id)
    present = len(kept) != len(record.members)
    if (present and member in record.members) or (known and not present):
        return record, False
    updated = replace(
        record,
        members=_bounded((*kept, member)),
        version=next_version(record.version, floor=floor),
        article_count=record.article_count + (0 if present or known else 1),
    )
    return updated, True


def merged(into: StoryRecord, absorbed: StoryRecord) -> StoryRecord:
    """``into`` with the articles of ``absorbed``; the absorbed story's id ends here. Its version
    is above both stories' (a consumer holding either sees it as later)."""
    known = {m.article_id for m in into.members}
    extra = tuple(m for m in absorbed.members if m.article_id not in known)
    return replace(
        into,
        members=_bounded(into.members + extra),
        version=next_version(into.version, absorbed.version),
        article_count=into.article_count + absorbed.article_count,
    )


# What the process stage asks a ledger to write, in the engine's order (``RedisLedger.write``).


@dataclass(frozen=True, slots=True)
class Record:
    """Add ``article`` to story ``story_id``, first merging ``absorbed`` into it; ``copy_of``:
    the earlier article it is a copy of; ``copied``: earlier arrivals it is the original of."""

    article: Article
    story_id: str
    absorbed: tuple[str, ...] = ()
    copy_of: str | None = None
    copied: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hold:
    """Keep ``article`` pending, with no event, until the engine decides its story; ``now``:
    the hold's time (default: the clock)."""

    article: Article
    now: float | None = None


@dataclass(frozen=True, slots=True)
class Release:
    """Record the pending article ``article_id`` where ``assignment`` puts it."""

    article_id: str
    assignment: Assignment


Step = Record | Hold | Release

# What a step did to its article (the ledger's outcome says): its first text, another text, the
# text it had already (a batch the broker handed out again, even while its first run went on:
# counted once, by the run that wrote it first), or nothing (fetched before the text it has).
NEW, EDIT, REPEAT, STALE = "new", "edit", "repeat", "stale"
