"""Story records and the event outbox in Redis.

A story's record and the events that announce its change are written in one MULTI/EXEC, guarded
by WATCH on the records read: the decision and the events it produced land together or not at
all, and two workers touching one story serialise by retrying. Keys: ``sw:story:<id>`` record
JSON, ``sw:alias:<id>`` where a merged story went, ``sw:article:<id>`` its story,
``sw:revision:<id>`` its revision and content hash, ``sw:same:<hash>`` the article an outlet
and link stand for (its id and source; claimed in one script with the read that looks for it,
before the engine sees the article, and renewed by each write), ``sw:outbox`` list of pending
events,
``sw:pending:<id>`` a held article's JSON and ``sw:pending`` (sorted set) held article ids by
the wall time they were first held.

Holding: the story engine may defer a document whose best story is uncertain and decide it
later (more arrivals, or a time bound). Such an article is only kept pending here, with no
event at all: ``article.ingested`` names the article's story, so it cannot go out before there
is one. Its release records it exactly as ``record`` would have (story created/updated/merged,
``article.ingested``, ``article.copied``) and drops the pending keys in the same transaction,
so consumers see a held article late but whole, and a release that runs twice (healing after a
crash) finds nothing pending the second time. Pending articles are no story's members:
``known_stories`` does not report them, so an edit of a held article goes to the engine again
(which still holds it) and its hold overwrites the JSON, keeping the first time. Any record
of an article drops its pending keys too: one the engine already decided (its release's
ledger write was lost) and a redelivery then recorded is pending no more.

Records, aliases, article mappings and pending articles' JSON live ``retention`` seconds past
their last write (each write renews them): polling never stops, and without an end they would
fill Redis by the article. A story still taking articles is rewritten with each one, so only
stories long closed (the story store evicted them after its window) and their articles'
mappings go; an edit of such an old article later counts as a new article.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

import orjson
import redis
import xxhash
from redis.client import Pipeline

from storywire import events
from storywire.events import CloudEvent
from storywire.models import Article
from storywire.stories_ledger import StoryRecord, merged, with_article

if TYPE_CHECKING:
    from storywire.stories import Assignment

PREFIX = "sw:"
MAX_ATTEMPTS = 50

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Outcome:
    story_id: str
    events: tuple[CloudEvent, ...]


def outbox_item(event: CloudEvent) -> bytes:
    """``id|type|json``: the drain script reads id and type without decoding the JSON."""
    return f"{event.id}|{event.type}|".encode() + event.to_json()


class RedisLedger:
    def __init__(
        self,
        client: redis.Redis,
        prefix: str = PREFIX,
        *,
        retention: float | None = None,
        article_versions: Sequence[str] = events.DEFAULT_ARTICLE_VERSIONS,
    ) -> None:
        self._r = client
        self._p = prefix
        self._ex = None if not retention else max(1, int(retention))  # None: kept for good
        self._claim = client.register_script(_CLAIM)
        # Which article.ingested versions each record queues (STORYWIRE_ARTICLE_EVENT_VERSIONS)
        self._versions = tuple(article_versions)
        if not self._versions or not set(self._versions) <= set(events.ARTICLE_VERSIONS):
            raise ValueError(f"article event versions {self._versions!r}: v1 and/or v2")

    @property
    def outbox_key(self) -> str:
        return self._p + "outbox"

    @property
    def pending_key(self) -> str:
        return self._p + "pending"

    def _story_key(self, story_id: str) -> str:
        return f"{self._p}story:{story_id}"

    def _alias_key(self, story_id: str) -> str:
        return f"{self._p}alias:{story_id}"

    def _pending_key(self, article_id: str) -> str:
        return f"{self._p}pending:{article_id}"

    def _same_key(self, article: Article) -> str:
        return self._outlet_link_key(article.outlet, article.url)

    def _outlet_link_key(self, outlet: str, url: str) -> str:
        digest = xxhash.xxh3_128_hexdigest(f"{outlet}\x1f{url}".encode())
        return f"{self._p}same:{digest}"

    def article_at(self, outlets: Sequence[str], url: str) -> list[tuple[str, str, str]]:
        """The articles (outlet, article id, source id) that each of ``outlets`` published at
        ``url`` (a canonical URL, as articles keep theirs), in the order of ``outlets``: one
        read, whatever their number. Only reads."""
        if not outlets:
            return []
        values = cast(
            list[bytes | None], self._r.mget([self._outlet_link_key(o, url) for o in outlets])
        )
        found = []
        for outlet, value in zip(outlets, values, strict=True):
            if value is not None:
                found.append((outlet, *_named(value)))
        return found

    def same_articles(self, articles: Sequence[Article]) -> dict[str, tuple[str, str]]:
        """For each article that another source of its outlet already brought under another id
        (the outlet's item in two of its feeds: the same link), that article's id and source
        id; every later copy is then an update of it, not an article of its own. Only reads:
        the process stage claims (``claim_same``)."""
        if not articles:
            return {}
        values = cast(list[bytes | None], self._r.mget([self._same_key(a) for a in articles]))
        return _same(articles, values)

    def claim_same(self, articles: Sequence[Article]) -> dict[str, tuple[str, str]]:
        """``same_articles``, and each article not matched yet is named the one its outlet and
        link stand for, in the same step: two workers with the two feeds' copies at one instant
        would otherwise both find no match and both make an article. The loser gets the
        winner's id as a later arrival does; a retried batch finds its own claim (its own id),
        which is no match."""
        if not articles:
            return {}
        keys = [self._same_key(a) for a in articles]
        mine = [_name(a) for a in articles]
        values = cast(list[bytes | None], self._claim(keys, [self._ex or 0, *mine]))
        return _same(articles, [v or None for v in values])

    def _keep_same(self, pipe: Pipeline, article: Article) -> None:
        """Name ``article`` the one its outlet and link stand for, unless another article
        already is (a pipeline in MULTI)."""
        key = self._same_key(article)
        pipe.set(key, _name(article), nx=True)
        if self._ex:
            pipe.expire(key, self._ex)

    def known_stories(self, article_ids: Sequence[str]) -> dict[str, str]:
        """Story ids of the articles already ingested (updates keep their story)."""
        if not article_ids:
            return {}
        keys = [f"{self._p}article:{a}" for a in article_ids]
        values = cast(list[bytes | None], self._r.mget(keys))
        return {a: v.decode() for a, v in zip(article_ids, values, strict=True) if v is not None}

    def resolve(self, story_id: str) -> str:
        """Follow merge aliases to the story that lives on."""
        return (self.merged_into(story_id) or [story_id])[-1]

    def merged_into(self, story_id: str) -> list[str]:
        """The stories ``story_id`` was merged into, in turn: the last lives on ([]: not
        merged). At most 32 hops, so no cycle a stray write made can loop for ever."""
        chain: list[str] = []
        for _ in range(32):
            alias = cast(bytes | None, self._r.get(self._alias_key(story_id)))
            if alias is None:
                break
            story_id = alias.decode()
            chain.append(story_id)
        return chain

    def get(self, story_id: str) -> StoryRecord | None:
        raw = cast(bytes | None, self._r.get(self._story_key(story_id)))
        return StoryRecord.from_dict(orjson.loads(raw)) if raw else None

    def get_many(self, story_ids: Sequence[str]) -> dict[str, StoryRecord]:
        """The records of those of ``story_ids`` that have one, in one read."""
        if not story_ids:
            return {}
        raws = cast(list[bytes | None], self._r.mget([self._story_key(s) for s in story_ids]))
        return {
            s: StoryRecord.from_dict(orjson.loads(raw))
            for s, raw in zip(story_ids, raws, strict=True)
            if raw
        }

    def all(self) -> list[StoryRecord]:
        records = []
        for key in self._r.scan_iter(match=self._p + "story:*", count=500):
            raw = cast(bytes | None, self._r.get(key))
            if raw:
                records.append(StoryRecord.from_dict(orjson.loads(raw)))
        return records

    def record(
        self,
        article: Article,
        story_id: str,
        absorbed: Sequence[str] = (),
        copy_of: str | None = None,
        copied: Sequence[str] = (),
    ) -> Outcome:
        """Add ``article`` to its story (first merging ``absorbed`` into it); queue the events
        (with ``article.copied`` when the engine found it a copy of article ``copy_of``, and one
        for each earlier arrival in ``copied`` it found to be the original of). An article
        fetched before the text last recorded for it is not recorded (no events)."""
        return self._transact(
            lambda pipe: self._write(pipe, article, story_id, absorbed, copy_of, copied=copied),
            f"story {story_id}",
        )

    def hold(self, article: Article, *, now: float | None = None) -> None:
        """Keep ``article`` pending until the engine decides its story (see the module doc),
        unless the text pending is from a later fetch."""
        key = self._pending_key(article.id)

        def attempt(pipe: Pipeline) -> None:
            pipe.watch(key)  # type: ignore[no-untyped-call]
            raw = cast(bytes | None, pipe.get(key))
            if raw is not None and _older(article, Article.from_dict(orjson.loads(raw))):
                return
            pipe.multi()  # the JSON never sits without its index entry
            pipe.set(key, orjson.dumps(article.to_dict()), ex=self._ex)
            # NX: an edit arriving while held must not push the release-by-age further out.
            pipe.zadd(self.pending_key, {article.id: time.time() if now is None else now}, nx=True)
            self._keep_same(pipe, article)
            pipe.execute()

        self._transact(attempt, f"article {article.id}")

    def _transact(self, attempt: Callable[[Pipeline], T], what: str) -> T:
        """``attempt`` on a fresh pipeline until no key it WATCHed changed before its EXEC."""
        for _ in range(MAX_ATTEMPTS):
            try:
                with self._r.pipeline() as pipe:
                    return attempt(pipe)
            except redis.WatchError:
                continue
        raise RuntimeError(f"{what}: gave up after {MAX_ATTEMPTS} write conflicts")

    def release(self, article_id: str, assignment: Assignment) -> Outcome | None:
        """Record the pending article ``article_id`` where ``assignment`` puts it, with all its
        events, and drop it from the pending set in the same transaction. None when nothing is
        pending under that id (released already, or its hold never reached the ledger)."""
        pending_key = self._pending_key(article_id)

        def attempt(pipe: Pipeline) -> Outcome | None:
            pipe.watch(pending_key)  # type: ignore[no-untyped-call]
            raw = cast(bytes | None, pipe.get(pending_key))
            if raw is None:
                # An index entry whose JSON expired would come back in every sweep; WATCHed,
                # so a hold landing meanwhile keeps its entry.
                pipe.multi()
                pipe.zrem(self.pending_key, article_id)
                pipe.execute()
                return None
            article = Article.from_dict(orjson.loads(raw))
            return self._write(
                pipe,
                article,
                assignment.story_id,
                assignment.merged,
                assignment.copy_of,
                copied=assignment.copied,
            )

        return self._transact(attempt, f"article {article_id}")

    def pending_article(self, article_id: str) -> Article | None:
        raw = cast(bytes | None, self._r.get(self._pending_key(article_id)))
        return Article.from_dict(orjson.loads(raw)) if raw else None

    def pending(self, older_than: float, now: float) -> list[str]:
        """Ids of the articles pending since at least ``older_than`` seconds before ``now``."""
        ids = cast(list[bytes], self._r.zrangebyscore(self.pending_key, "-inf", now - older_than))
        return [i.decode() for i in ids]

    def pending_count(self) -> int:
        return self._r.zcard(self.pending_key)

    def _write(
        self,
        pipe: Pipeline,
        article: Article,
        story_id: str,
        absorbed: Sequence[str],
        copy_of: str | None,
        *,
        copied: Sequence[str] = (),
    ) -> Outcome:
        """One attempt at recording ``article`` through ``pipe`` (WATCHing what it reads, on
        top of anything the caller watched); it drops the article's pending keys."""
        story_id = self.resolve(story_id)
        absorbed = [s for s in (self.resolve(a) for a in absorbed) if s != story_id]
        keys = [self._story_key(story_id), *(self._story_key(a) for a in absorbed)]
        aliases = [self._alias_key(s) for s in (story_id, *absorbed)]
        article_key = f"{self._p}article:{article.id}"
        revision_key = f"{self._p}revision:{article.id}"
        pipe.watch(article_key, revision_key, *keys, *aliases)  # type: ignore[no-untyped-call]
        if any(cast(list[bytes | None], pipe.mget(aliases))):
            # Merged away after ``resolve`` read it and before the WATCH: writing to that id
            # would bring the story back as one of its own. Resolve again.
            raise redis.WatchError(f"story {story_id} merged meanwhile")
        raw, mapped, last = cast(
            list[bytes | None], pipe.mget([keys[0], article_key, revision_key])
        )
        revised = _revision(last, article)
        if revised is None:
            # Fetched before the text recorded last (a batch retried after the next poll's
            # edit): recording it would undo the edit for good, since the fetch stage has
            # marked the edit seen. It is decided all the same: nothing of it stays pending.
            pipe.multi()
            self._drop_pending(pipe, article.id)
            pipe.execute()
            return Outcome(story_id=story_id, events=())
        revision = revised.number
        created = raw is None
        # Recorded before (a redelivery, an edit): the story's article count stays.
        known = not created and mapped is not None
        record = (
            StoryRecord(id=story_id) if raw is None else StoryRecord.from_dict(orjson.loads(raw))
        )
        out: list[CloudEvent] = []
        gone = []
        for other_id, key in zip(absorbed, keys[1:], strict=True):
            other = cast(bytes | None, pipe.get(key))
            if other is not None:
                record = merged(record, StoryRecord.from_dict(orjson.loads(other)))
                gone.append(other_id)
        record, changed = with_article(record, article, known=known)
        if gone:
            out.append(events.story_merged(record, gone))
        elif changed:
            out.append(events.story_changed(record, created=created))
        # Every version in this one write (the RPUSH below, inside MULTI/EXEC): a crash
        # publishes all of them or none, and each carries the same decision and revision.
        out.extend(events.article_ingested_events(article, story_id, revision, self._versions))
        if copy_of is not None:
            out.append(events.article_copied(article, story_id, copy_of, record))
        # Earlier arrivals that are copies of this article, published before them: each was
        # announced as an ordinary article, and is announced as the copy it is right after the
        # original. One no longer among the members (a bounded record) has nothing to say it
        # with, and stays unannounced.
        by_id = {m.article_id: m for m in record.members}
        for copy in filter(None, map(by_id.get, copied)):
            out.append(events.member_copied(copy, story_id, article.id, record))
        ex = self._ex
        pipe.multi()
        pipe.set(keys[0], orjson.dumps(record.to_dict()), ex=ex)
        # Every absorbed id ends here, recorded or not: a story whose first article's worker
        # died before the ledger write has no record yet, and the retry of that article must
        # follow the engine's merge instead of starting a record of its own.
        for other_id in absorbed:
            pipe.set(self._alias_key(other_id), story_id, ex=ex)
        for other_id in gone:
            pipe.delete(self._story_key(other_id))
        if gone:
            for member in record.members:
                pipe.set(f"{self._p}article:{member.article_id}", story_id, ex=ex)
        pipe.set(article_key, story_id, ex=ex)
        pipe.set(revision_key, revised.encode(), ex=ex)
        self._keep_same(pipe, article)
        pipe.rpush(self.outbox_key, *(outbox_item(e) for e in out))
        # Recorded is decided, whichever way: an article a dead worker's release left pending
        # and a redelivery or an edit then recorded must not be healed later with its held
        # (older) text.
        self._drop_pending(pipe, article.id)
        pipe.execute()
        return Outcome(story_id=story_id, events=tuple(out))

    def _drop_pending(self, pipe: Pipeline, article_id: str) -> None:
        pipe.delete(self._pending_key(article_id))
        pipe.zrem(self.pending_key, article_id)

    def outbox_length(self) -> int:
        return self._r.llen(self.outbox_key)


# KEYS: the outlet-and-link keys; ARGV: the retention in seconds (0: none), then for each key
# "id source" of its article. Returns each key's value before, false where this call set it.
_CLAIM = """
local ttl = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local found = redis.call('GET', key)
  if not found then
    if ttl > 0 then
      redis.call('SET', key, ARGV[i + 1], 'EX', ttl)
    else
      redis.call('SET', key, ARGV[i + 1])
    end
  end
  out[i] = found
end
return out
"""


def _same(
    articles: Sequence[Article], values: Sequence[bytes | None]
) -> dict[str, tuple[str, str]]:
    """The articles whose outlet and link another source's article stands for (``values``: what
    each one's key held), with that article's id and source."""
    found = {}
    for article, value in zip(articles, values, strict=True):
        if value is None:
            continue
        first_id, first_source = _named(value)
        if first_id != article.id and first_source != article.source_id:
            found[article.id] = (first_id, first_source)
    return found


def _name(article: Article) -> str:
    """What an outlet-and-link key holds: the id and source of the article it stands for."""
    return f"{article.id} {article.source_id}"


def _named(value: bytes) -> tuple[str, str]:
    """``_name``'s article id and source id."""
    article_id, source_id = value.decode().split(" ", 1)
    return article_id, source_id


def _older(article: Article, than: Article) -> bool:
    """``article`` was fetched before ``than`` (unknown fetch times order nothing)."""
    return _fetched_before(article, _fetch_time(than))


def _fetch_time(article: Article) -> float | None:
    return article.fetched_at.timestamp() if article.fetched_at else None


def _fetched_before(article: Article, fetched: float | None) -> bool:
    mine = _fetch_time(article)
    return fetched is not None and mine is not None and mine < fetched


@dataclass(frozen=True, slots=True)
class _Revision:
    """What ``sw:revision:<id>`` holds: "number hash [fetch time]" (records written before
    fetch times were kept have none, and order nothing)."""

    number: int
    content_hash: str
    fetched: float | None

    @classmethod
    def parse(cls, raw: bytes) -> _Revision:
        number, content_hash, *fetched = raw.decode().split(" ")
        return cls(int(number), content_hash, float(fetched[0]) if fetched else None)

    def encode(self) -> str:
        fetched = "" if self.fetched is None else f" {self.fetched!r}"
        return f"{self.number} {self.content_hash}{fetched}"


def _revision(last: bytes | None, article: Article) -> _Revision | None:
    """The article's revision: the last one recorded for the same text (a redelivery keeps its
    event id), one more for any other. An edit back to an earlier text is then a new revision:
    with the text alone in the id it would repeat the first version's id, and consumers that
    drop repeats by id would keep the edit. None: another text, fetched before the last one.
    The fetch time kept is the latest seen, so a late redelivery cannot move it back."""
    mine = _fetch_time(article)
    if last is None:
        return _Revision(0, article.content_hash, mine)
    seen = _Revision.parse(last)
    if seen.content_hash != article.content_hash and _fetched_before(article, seen.fetched):
        return None
    fetched = max((t for t in (seen.fetched, mine) if t is not None), default=None)
    number = seen.number + (seen.content_hash != article.content_hash)
    return _Revision(number, article.content_hash, fetched)
