"""Story records and the event outbox in Redis.

A batch's story records and the events that announce their changes are written by one script,
only if no key the batch read has changed since (compare and set): the decisions and the events
they produced land together or not at all, and two workers touching one story serialise by
retrying. A batch is two round trips, one read and one write, however many articles it has
(WATCH and MULTI/EXEC took five or six an article). Keys: ``sw:story:<id>`` record
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
ledger write was lost) and a redelivery then recorded is pending no more; and a hold of an
article already recorded (a second worker's hold of it, written after its release) is stale
and changes nothing.

Records, aliases, article mappings and pending articles' JSON live ``retention`` seconds past
their last write (each write renews them): polling never stops, and without an end they would
fill Redis by the article. A story still taking articles is rewritten with each one, so only
stories long closed (the story store evicted them after its window) and their articles'
mappings go; an edit of such an old article later counts as a new article.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, cast

import orjson
import redis
import xxhash

from storywire import events
from storywire.events import CloudEvent
from storywire.models import Article
from storywire.stories_ledger import (
    EDIT,
    NEW,
    REPEAT,
    STALE,
    Hold,
    Record,
    Release,
    Step,
    StoryRecord,
    merged,
    with_article,
)
from storywire.urls import canonical_url

if TYPE_CHECKING:
    from storywire.stories import Assignment

PREFIX = "sw:"
# Conflicts in a row a write takes before it gives up (``LedgerBusy``).
MAX_ATTEMPTS = 50
# Ledger steps read and written together (``RedisLedger.write``): two round trips for so many
# articles; after a conflict with another worker, fewer.
WRITE_STEPS = 32


class LedgerBusy(Exception):  # noqa: N818 - named for what the ledger was, like LockLost
    """Other workers kept changing what a write read, ``MAX_ATTEMPTS`` times in a row, down to
    one step at a time: nothing of the steps not yet written was written. Transient (retry the
    batch later): the steps are sound, their stories were only busy."""


@dataclass(frozen=True, slots=True)
class Outcome:
    story_id: str
    events: tuple[CloudEvent, ...]
    change: str = NEW  # storywire.stories_ledger: NEW, EDIT, REPEAT or STALE


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
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._r = client
        self._clock = clock  # new stories' first versions, and holds' times when not given
        self._p = prefix
        self._ex = None if not retention else max(1, int(retention))  # None: kept for good
        self._claim = client.register_script(_CLAIM)
        self._read_script = client.register_script(_READ)
        self._write_script = client.register_script(_WRITE)
        self._pending_script = client.register_script(_PENDING)
        # Which article.ingested versions each record queues (STORYWIRE_ARTICLE_EVENT_VERSIONS)
        self._versions = tuple(article_versions)
        if not self._versions or not set(self._versions) <= set(events.ARTICLE_VERSIONS):
            raise ValueError(
                f"article event versions {self._versions!r}: of {sorted(events.ARTICLE_VERSIONS)}"
            )

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

    def _article_key(self, article_id: str) -> str:
        return f"{self._p}article:{article_id}"

    def _revision_key(self, article_id: str) -> str:
        return f"{self._p}revision:{article_id}"

    def _same_key(self, article: Article) -> str:
        return self._outlet_link_key(article.outlet, canonical_url(article.url))

    def _outlet_link_key(self, outlet: str, url: str) -> str:
        digest = xxhash.xxh3_128_hexdigest(f"{outlet}\x1f{url}".encode())
        return f"{self._p}same:{digest}"

    def article_at(self, outlets: Sequence[str], url: str) -> list[tuple[str, str, str]]:
        """The articles (outlet, article id, source id) that each of ``outlets`` published at
        ``url`` (a ``canonical_url``, as the keys are), in the order of ``outlets``: one
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

    def claim_same(
        self, linked: Sequence[Article], articles: Sequence[Article] = ()
    ) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
        """``same_articles`` of ``linked``, and each of them not matched yet is named the one
        its outlet and link stand for, in the same step: two workers with the two feeds' copies
        at one instant would otherwise both find no match and both make an article. The loser
        gets the winner's id as a later arrival does; a retried batch finds its own claim (its
        own id), which is no match. Also, in the same round trip, ``known_stories`` of
        ``articles`` under the ids they then have: a matched one's is its first article's."""
        if not linked and not articles:
            return {}, {}
        keys = [self._same_key(a) for a in linked]
        args: list[str | int] = [self._ex or 0, self._p, len(linked), *map(_name, linked)]
        args += [a.id for a in articles]
        claims, firsts, stories = cast(list[list[bytes | None]], self._claim(keys, args))
        same = _same(linked, [v or None for v in claims])
        known = {a.id: v.decode() for a, v in zip(articles, stories, strict=True) if v}
        for article, story in zip(linked, firsts, strict=True):
            if story and article.id in same:
                known[same[article.id][0]] = story.decode()
        return same, known

    def known_stories(self, article_ids: Sequence[str]) -> dict[str, str]:
        """Story ids of the articles already ingested (updates keep their story)."""
        if not article_ids:
            return {}
        values = cast(list[bytes | None], self._r.mget(list(map(self._article_key, article_ids))))
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
        step = Record(article, story_id, tuple(absorbed), copy_of, tuple(copied))
        return cast(Outcome, self.write([step])[0])

    def hold(self, article: Article, *, now: float | None = None) -> None:
        """Keep ``article`` pending until the engine decides its story (see the module doc),
        unless the text pending is from a later fetch."""
        self.write([Hold(article, now)])

    def release(self, article_id: str, assignment: Assignment) -> Outcome | None:
        """Record the pending article ``article_id`` where ``assignment`` puts it, with all its
        events, and drop it from the pending set in the same write. None when nothing is
        pending under that id (released already, or its hold never reached the ledger)."""
        return self.write([Release(article_id, assignment)])[0]

    def write(self, steps: Sequence[Step]) -> list[Outcome | None]:
        """Apply ``steps`` in order: an ``Outcome`` for each step (None for a release of
        nothing pending); its ``change`` tells a first text from a repeat, which the process
        stage's counters must not count again.

        Each ``WRITE_STEPS`` steps are one read and one write, two round trips whatever
        their number: a script reads every key the steps depend on (following merge
        aliases), the steps are applied to that snapshot here, and a second script writes
        the result, records and events together, only if none of the keys read has changed
        meanwhile; else the steps are read and applied again, half as many at a time (at
        least one): while other workers write to a story every few milliseconds, a batch
        whose work takes longer always finds it changed (32 articles of a busy story gave up
        after 50 tries, and the process task acknowledged them away). ``LedgerBusy`` after
        ``MAX_ATTEMPTS`` conflicts in a row; the steps before stay written."""
        out: list[Outcome | None] = []
        size, conflicts = WRITE_STEPS, 0
        while len(out) < len(steps):
            chunk = steps[len(out) : len(out) + size]
            batch = self._read(chunk)
            outcomes = [batch.apply(step) for step in chunk]
            if self._store(batch):
                out += outcomes
                conflicts = 0
                continue
            conflicts += 1
            if conflicts >= MAX_ATTEMPTS:
                raise LedgerBusy(
                    f"ledger write of {len(chunk)} steps: gave up after {MAX_ATTEMPTS} conflicts"
                )
            size = max(1, len(chunk) // 2)
        return out

    def _read(self, steps: Sequence[Step]) -> _Batch:
        stories: dict[str, None] = {}
        keys: dict[str, None] = {}
        for step in steps:
            if isinstance(step, Hold):
                keys[self._pending_key(step.article.id)] = None
                keys[self._article_key(step.article.id)] = None  # recorded: a stale hold
                continue
            if isinstance(step, Release):
                article_id = step.article_id
                keys[self._pending_key(article_id)] = None
                stories[step.assignment.story_id] = None
                stories.update(dict.fromkeys(step.assignment.merged))
            else:
                article_id = step.article.id
                stories[step.story_id] = None
                stories.update(dict.fromkeys(step.absorbed))
            keys[self._article_key(article_id)] = None
            keys[self._revision_key(article_id)] = None
        ids, plain = list(stories), list(keys)
        found = cast(list[bytes | None], self._read_script(plain, [self._p, *ids]))
        resolved = [cast(bytes, r).decode() for r in found[: len(ids)]]
        records = found[len(ids) : 2 * len(ids)]
        return _Batch(
            self,
            int(self._clock() * 1000),
            dict(zip(ids, resolved, strict=True)),
            dict(zip(resolved, records, strict=True)),
            dict(zip(plain, found[2 * len(ids) :], strict=True)),
        )

    def _store(self, batch: _Batch) -> bool:
        """Write what ``batch`` applied, unless a key it read changed; False: it did."""
        checked = {**batch.read, **{self._story_key(s): r for s, r in batch.raw_records.items()}}
        checked.update(dict.fromkeys(map(self._alias_key, batch.raw_records)))
        sets: dict[str, bytes | str] = {}
        drops: list[str] = []
        for key, value in batch.values.items():
            if key in batch.dirty:
                if value is None:
                    drops.append(key)
                else:
                    sets[key] = value
        for story_id in batch.dirty_records:
            record = batch.records[story_id]
            if record is None:
                drops.append(self._story_key(story_id))
            else:
                sets[self._story_key(story_id)] = orjson.dumps(record.to_dict())
        keys = [*checked, *sets, *drops, *batch.claims, self.pending_key, self.outbox_key]
        args: list[bytes | str | int | float] = [
            len(checked),
            len(sets),
            len(drops),
            len(batch.claims),
            self._ex or 0,
            *(_digest(v) for v in checked.values()),
            *sets.values(),
            *batch.claims.values(),
            len(batch.pending),
        ]
        for member, score in batch.pending:
            args += ["r", member] if score is None else ["a", member, score]
        args += batch.outbox
        return bool(self._write_script(keys, args))

    def pending_article(self, article_id: str) -> Article | None:
        raw = cast(bytes | None, self._r.get(self._pending_key(article_id)))
        return Article.from_dict(orjson.loads(raw)) if raw else None

    def pending(self, older_than: float, now: float) -> list[str]:
        """Ids of the articles pending since at least ``older_than`` seconds before ``now``.
        An id whose held text is gone (lapsed after the retention, evicted) leaves the index
        here: nothing could ever record it, and every sweep would read it again, for good."""
        ids = self._pending_script([self.pending_key], [now - older_than, self._pending_key("")])
        return [i.decode() for i in cast(list[bytes], ids)]

    def pending_count(self) -> int:
        return self._r.zcard(self.pending_key)

    def outbox_length(self) -> int:
        return self._r.llen(self.outbox_key)


class _Batch:
    """Ledger steps applied to one snapshot of the keys they read (``RedisLedger._read``):
    what they write is kept here, and each step sees what the steps before it wrote."""

    def __init__(
        self,
        ledger: RedisLedger,
        now_ms: int,
        resolved: dict[str, str],
        raw_records: dict[str, bytes | None],
        read: dict[str, bytes | None],
    ) -> None:
        self._l = ledger
        self.now_ms = now_ms  # the clock at the read
        self._resolved = resolved  # story id asked -> the story it lived on as, when read
        self._moved: dict[str, str] = {}  # merges by these steps
        self.raw_records = raw_records  # the records of the resolved stories, as read
        self.records: dict[str, StoryRecord | None] = {}  # parsed, and as written
        self.dirty_records: dict[str, None] = {}
        self.read = read  # the other keys read: articles' stories and revisions, pending JSON
        self.values: dict[str, bytes | None] = dict(read)  # those and every key written
        self.dirty: set[str] = set()
        self.claims: dict[str, str] = {}  # outlet-and-link keys, set unless another has one
        self.pending: list[tuple[str, float | None]] = []  # index: (id, time) add, (id, None) drop
        self.outbox: list[bytes] = []

    def apply(self, step: Step) -> Outcome | None:
        if isinstance(step, Hold):
            change = self._hold(step.article, self._l._clock() if step.now is None else step.now)
            return Outcome(story_id="", events=(), change=change)
        if isinstance(step, Release):
            raw = self.values[self._l._pending_key(step.article_id)]
            if raw is None:
                # An index entry whose JSON expired would come back in every sweep.
                self.pending.append((step.article_id, None))
                return None
            a = step.assignment
            article = Article.from_dict(orjson.loads(raw))
            return self._record(article, a.story_id, a.merged, a.copy_of, a.copied)
        return self._record(step.article, step.story_id, step.absorbed, step.copy_of, step.copied)

    def _set(self, key: str, value: bytes | None) -> None:
        self.values[key] = value
        self.dirty.add(key)

    def _resolve(self, story_id: str) -> str:
        story_id = self._resolved[story_id]
        for _ in range(32):
            moved = self._moved.get(story_id)
            if moved is None:
                break
            story_id = moved
        return story_id

    def _record_of(self, story_id: str) -> StoryRecord | None:
        if story_id not in self.records:
            raw = self.raw_records[story_id]
            self.records[story_id] = StoryRecord.from_dict(orjson.loads(raw)) if raw else None
        return self.records[story_id]

    def _put(self, story_id: str, record: StoryRecord | None) -> None:
        self.records[story_id] = record
        self.dirty_records[story_id] = None

    def _claim(self, article: Article) -> None:
        """Name ``article`` the one its outlet and link stand for, unless another article
        already is."""
        self.claims.setdefault(self._l._same_key(article), _name(article))

    def _drop_pending(self, article_id: str) -> None:
        self._set(self._l._pending_key(article_id), None)
        self.pending.append((article_id, None))

    def _hold(self, article: Article, now: float) -> str:
        if self.values[self._l._article_key(article.id)] is not None:
            # Recorded already: another worker held it too (a redelivery, its outlet's other
            # feed) and a third released it before this hold came. Pending again, it would be
            # healed into the story store's decision, or assigned afresh once the store lost
            # it: one article in two stories, counted in both.
            return REPEAT
        key = self._l._pending_key(article.id)
        raw = self.values[key]
        change = NEW
        if raw is not None:
            pending = Article.from_dict(orjson.loads(raw))
            if _older(article, pending):
                return STALE
            change = REPEAT if pending.content_hash == article.content_hash else EDIT
            article = _published_by(article, pending.published)
        self._set(key, orjson.dumps(article.to_dict()))
        # Added only if absent: an edit arriving while held must not push the release by age
        # further out.
        self.pending.append((article.id, now))
        self._claim(article)
        return change

    def _record(
        self,
        article: Article,
        story_id: str,
        absorbed: Sequence[str],
        copy_of: str | None,
        copied: Sequence[str],
    ) -> Outcome:
        """Record ``article`` in its story; it drops the article's pending keys."""
        ledger = self._l
        story_id = self._resolve(story_id)
        absorbed = [s for s in dict.fromkeys(map(self._resolve, absorbed)) if s != story_id]
        article_key = ledger._article_key(article.id)
        revision_key = ledger._revision_key(article.id)
        revised = _revision(self.values[revision_key], article)
        if revised is None:
            # Fetched before the text recorded last (a batch retried after the next poll's
            # edit): recording it would undo the edit for good, since the fetch stage has
            # marked the edit seen. It is decided all the same: nothing of it stays pending.
            self._drop_pending(article.id)
            return Outcome(story_id=story_id, events=(), change=STALE)
        last = self.values[revision_key]
        if last is None:
            change = NEW if self.values[article_key] is None else EDIT
        else:
            same = _Revision.parse(last).content_hash == article.content_hash
            change = REPEAT if same else EDIT
        current = self._record_of(story_id)
        created = current is None
        # Recorded before (a redelivery, an edit): the story's article count stays.
        known = not created and self.values[article_key] is not None
        record = StoryRecord(id=story_id) if current is None else current
        out: list[CloudEvent] = []
        gone = []
        story = story_id.encode()
        for other_id in absorbed:
            other = self._record_of(other_id)
            if other is not None:
                record = merged(record, other)
                gone.append(other_id)
                self._put(other_id, None)
            # Every absorbed id ends here, recorded or not: a story whose first article's
            # worker died before the ledger write has no record yet, and the retry of that
            # article must follow the engine's merge instead of starting a record of its own.
            self._moved[other_id] = story_id
            self._set(ledger._alias_key(other_id), story)
        article = _first_seen(article, record)
        before = record
        # A new record's first version is the clock in milliseconds (``next_version``).
        record, changed = with_article(
            record, article, known=known, floor=self.now_ms if created else 0
        )
        if changed and not (created or gone) and _shows_alike(before, record):
            # An edit of what no story event shows (a later article's title or text): kept,
            # for when it shows, and announced by its article's own event alone. A
            # story.updated identical to the last but for its version told consumers nothing.
            record, changed = replace(record, version=before.version), False
        if gone:
            out.append(events.story_merged(record, gone))
            for member in record.members:
                self._set(ledger._article_key(member.article_id), story)
        elif changed:
            out.append(events.story_changed(record, created=created))
        # Every version in this one write: a crash publishes all of them or none, and each
        # carries the same decision and revision.
        out.extend(
            events.article_ingested_events(article, story_id, revised.number, ledger._versions)
        )
        if copy_of is not None:
            out.append(events.article_copied(article, story_id, copy_of, record))
        # Earlier arrivals that are copies of this article, published before them: each was
        # announced as an ordinary article, and is announced as the copy it is right after the
        # original. One no longer among the members (a bounded record) has nothing to say it
        # with, and stays unannounced.
        by_id = {m.article_id: m for m in record.members}
        for copy in filter(None, map(by_id.get, copied)):
            out.append(events.member_copied(copy, story_id, article.id, record))
        self._put(story_id, record)
        self._set(article_key, story)
        self._set(revision_key, revised.encode().encode())
        self._claim(article)
        self.outbox += map(outbox_item, out)
        # Recorded is decided, whichever way: an article a dead worker's release left pending
        # and a redelivery or an edit then recorded must not be healed later with its held
        # (older) text.
        self._drop_pending(article.id)
        return Outcome(story_id=story_id, events=tuple(out), change=change)


def _shows_alike(a: StoryRecord, b: StoryRecord) -> bool:
    """Story events of ``a`` and ``b`` would say the same, their versions aside."""
    return replace(events.story_data(a), version=0) == replace(events.story_data(b), version=0)


def _first_seen(article: Article, record: StoryRecord) -> Article:
    """``article`` at the time the record keeps for it, when that is earlier (``_published_by``)."""
    for member in record.members:
        if member.article_id == article.id:
            return _published_by(article, member.published)
    return article


def _published_by(article: Article, earlier: datetime) -> Article:
    """``article``, published at ``earlier`` if that is before its own time: an edit is the
    same item, known to exist since it was first recorded, whatever its date says now. An
    undated edit is dated by its later fetch, and many feeds date an item by its last change
    (an Atom entry with only ``<updated>``, a CMS that bumps ``pubDate``). Else the edit took
    its outlet's credit and the story's ``first_seen`` to a later outlet, and announced the
    article as published again."""
    return replace(article, published=earlier) if earlier < article.published else article


def _digest(value: bytes | None) -> str:
    """What the write script compares a key read with: its SHA-1, "" for no key."""
    return "" if value is None else hashlib.sha1(value).hexdigest()  # noqa: S324 - no secret


# ARGV: the key prefix, then story ids. Returns each story id resolved (merge aliases followed,
# at most 32 hops), then the resolved stories' records, then each of KEYS' values. The alias and
# story keys are known only as the aliases are followed, so they are not among KEYS: the ledger
# needs one Redis, not a cluster.
_READ = """
local prefix = ARGV[1]
local out = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  for _ = 1, 32 do
    local alias = redis.call('GET', prefix .. 'alias:' .. id)
    if not alias then
      break
    end
    id = alias
  end
  out[i - 1] = id
end
local n = #out
for i = 1, n do
  out[n + i] = redis.call('GET', prefix .. 'story:' .. out[i])
end
for i, key in ipairs(KEYS) do
  out[2 * n + i] = redis.call('GET', key)
end
return out
"""

# KEYS: the keys read (checked), keys to set, keys to delete, keys to set unless present, the
# pending index, the outbox. ARGV: the four counts, the retention (0: none), the SHA-1 of each
# checked key's value as read ("": none), values to set, values to set unless present, the
# count of pending index changes and each change ("a" member time, or "r" member), then the
# outbox items. Returns 0, writing nothing, if a checked key changed since it was read.
_WRITE = """
local checked, sets = tonumber(ARGV[1]), tonumber(ARGV[2])
local drops, claims = tonumber(ARGV[3]), tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
for i = 1, checked do
  local value = redis.call('GET', KEYS[i])
  if (value and redis.sha1hex(value) or '') ~= ARGV[5 + i] then
    return 0
  end
end
local k, a = checked, 5 + checked
for i = 1, sets do
  if ttl > 0 then
    redis.call('SET', KEYS[k + i], ARGV[a + i], 'EX', ttl)
  else
    redis.call('SET', KEYS[k + i], ARGV[a + i])
  end
end
k, a = k + sets, a + sets
for i = 1, drops do
  redis.call('DEL', KEYS[k + i])
end
k = k + drops
for i = 1, claims do
  redis.call('SET', KEYS[k + i], ARGV[a + i], 'NX')
  if ttl > 0 then
    redis.call('EXPIRE', KEYS[k + i], ttl)
  end
end
k, a = k + claims, a + claims + 1
local pending, outbox = KEYS[k + 1], KEYS[k + 2]
for _ = 1, tonumber(ARGV[a]) do
  if ARGV[a + 1] == 'a' then
    redis.call('ZADD', pending, 'NX', ARGV[a + 3], ARGV[a + 2])
    a = a + 3
  else
    redis.call('ZREM', pending, ARGV[a + 2])
    a = a + 2
  end
end
for i = a + 1, #ARGV do
  redis.call('RPUSH', outbox, ARGV[i])
end
return 1
"""


# KEYS: the pending index; ARGV: the latest hold time wanted, the prefix of the held articles'
# keys. Returns the ids held up to then whose article is kept, and drops the others' entries.
_PENDING = """
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])) do
  if redis.call('EXISTS', ARGV[2] .. id) == 1 then
    out[#out + 1] = id
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
"""


# KEYS: the outlet-and-link keys; ARGV: the retention in seconds (0: none), the key prefix, the
# number of KEYS, for each key "id source" of its article, then more article ids. Returns each
# key's value before (false where this call set it), the story of the article each such value
# names, and the story of each article id given (false: none); article keys are found from the
# prefix, so the ledger needs one Redis, not a cluster.
_CLAIM = """
local ttl, prefix, n = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local claims, firsts, stories = {}, {}, {}
for i, key in ipairs(KEYS) do
  local found = redis.call('GET', key)
  local first = false
  if not found then
    if ttl > 0 then
      redis.call('SET', key, ARGV[3 + i], 'EX', ttl)
    else
      redis.call('SET', key, ARGV[3 + i])
    end
  else
    local space = string.find(found, ' ', 1, true)
    if space then
      first = redis.call('GET', prefix .. 'article:' .. string.sub(found, 1, space - 1))
    end
  end
  claims[i], firsts[i] = found, first
end
for i = 4 + n, #ARGV do
  stories[#stories + 1] = redis.call('GET', prefix .. 'article:' .. ARGV[i])
end
return {claims, firsts, stories}
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
