"""The state port of the story engine and its in-memory implementation.

A store holds what every worker must agree on: document frequencies (for IDF), live stories,
the inverted index from features to stories, and recent documents for copy detection. The
engine does all the thinking; a store only reads and writes, so the in-memory and the Redis
store can be held to identical behaviour by one contract test.
"""

from __future__ import annotations

import heapq
import math
import operator
import threading
from bisect import bisect_left, insort
from collections import Counter, _count_elements  # type: ignore[attr-defined]
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from itertools import chain, compress
from typing import NamedTuple, Protocol

from storywire.stories.model import Commit, DocRecord, HeldDoc, StoryState

# The stream's clock is the time this many of the latest documents have reached (``clock``).
CLOCK_RANK = 16


class LockLost(Exception):  # noqa: N818 - named for what happened, like redis-py's LockError
    """A write made under ``locked()`` found the lock no longer this worker's: it ran out while
    the worker stalled (GC pause, frozen VM) and another worker may have taken it and written.
    Nothing of that write was applied; what this worker read under the lock may be stale, so
    the assignment must be made again under a fresh lock (``StoryEngine`` does that)."""


def shared_most(votes: dict[str, int]) -> dict[str, int]:
    """``votes`` (story id -> query features it shares) less the stories sharing fewer than
    half as many as the most, or 2: one sharing a single feature while another shares several
    cannot win, and dropping it bounds the work when posting lists are full. The Redis store's
    ``_VOTES`` script applies the same rule."""
    if not votes:
        return votes
    floor = min(2, max(votes.values()) // 2)
    if floor <= 1:
        # Every story is kept: no copy of what, with full posting lists (a million live
        # stories), is hundreds of stories sharing one feature each.
        return votes
    return dict(compress(votes.items(), map(floor.__le__, votes.values())))


class Stats(NamedTuple):
    """What an assignment reads first (``StoryStore.stats``)."""

    n_docs: int  # documents seen
    df: list[int]  # document frequency of each term asked
    copies: list[DocRecord]  # documents sharing a copy key
    seen: DocRecord | None  # the document's own record, if it was assigned before
    held: bool  # the document is held (``hold``); asked here to save a round trip


class StoryStore(Protocol):
    """Shared state of story assignment. Reads and writes happen under ``locked()``."""

    def locked(self) -> AbstractContextManager[object]:
        """Serialise assignments: no other assigner reads or writes while this is held. A store
        whose lock can run out (Redis) fences every write made under it: ``commit``, ``expire``
        and ``rotate_frequencies`` raise ``LockLost``, writing nothing, once it is not ours."""
        ...

    def stats(self, doc_id: str, terms: Sequence[str], copy_keys: Sequence[str]) -> Stats:
        """Documents seen, document frequency of each term, documents sharing a copy key, the
        record of ``doc_id`` itself if it was assigned before (a redelivery), and whether it
        is held."""
        ...

    def postings(self, keys: Sequence[str], since: float) -> list[list[str]]:
        """For each key, the ids of stories indexed under it at or after ``since``: the index
        itself, as the contract test compares it (the engine asks ``votes``)."""
        ...

    def votes(
        self, keys: Sequence[str], since: float, *, prefetch: int = 0, barred: Collection[str] = ()
    ) -> dict[str, int]:
        """Of the stories indexed under ``keys`` at or after ``since``, how many of the keys
        each is under, for those under at least half as many as the most, or 2 (``shared_most``).
        A store whose reads are round trips may read ahead the states of the ``prefetch``
        stories the engine will ``load`` next (``barred`` not among them)."""
        ...

    def load(self, story_ids: Sequence[str]) -> dict[str, StoryState]:
        """The live stories among ``story_ids`` (evicted ones are simply absent)."""
        ...

    def commit(self, change: Commit) -> None:
        """Apply one assignment: frequencies, story state, index entries, copy record, and for
        each story it absorbed, the alias that ``absorber`` reads."""
        ...

    def absorber(self, story_id: str) -> str | None:
        """The story a merge folded ``story_id`` into, while records may still name it."""
        ...

    def expire(self, before: float, *, limit: int) -> int:
        """Evict stories last seen before ``before``, copy records older than it and aliases of
        absorbed stories last seen before it, oldest first and at most ``limit`` of each;
        return the most that went of any of the three: below ``limit``, none is left due (a
        story takes many documents, so a sweep may find more records due than stories)."""
        ...

    def swept(self) -> float:
        """The eviction horizon (``before``) of the last completed sweep (``swept_to``), -inf
        before any: the engine sweeps when the stream has moved a step past it."""
        ...

    def swept_to(self, before: float) -> None:
        """Note a completed sweep (eviction and rotation) up to ``before``. In the store, not
        in an engine: every worker, and a restarted one, then sweeps at the same points of the
        stream, so what a late document finds does not depend on which worker placed what.
        Fenced like ``commit``."""
        ...

    def rotate_frequencies(self, now: float, every: float) -> bool:
        """Start a new generation of document frequencies when the current one is ``every``
        seconds old at document time ``now``, dropping the previous one; ``stats`` counts the
        current and the previous generation. Returns whether it rotated."""
        ...

    def clock(self) -> float:
        """The stream's clock, which drives expiry: the ``clock_rank``-th latest document time
        committed (the earliest while fewer have been), 0 when empty. A rank, not the latest
        time, so that one mistyped date ("2204-03-04") cannot age every live story out; a real
        jump (workers down for days) is followed once ``clock_rank`` documents are past it."""
        ...

    def latest(self) -> float:
        """The latest document time committed, 0 when empty."""
        ...

    def live_stories(self) -> int:
        """How many stories are live."""
        ...

    def arrivals(self) -> tuple[int, int | None]:
        """Documents arrived so far (each commit with ``arrival`` and each hold counts one),
        and the earliest due arrival among the held documents (None: none held)."""
        ...

    def hold(self, held: HeldDoc) -> None:
        """Keep a document for a later decision; counts one arrival. Fenced like ``commit``."""
        ...

    def is_held(self, doc_id: str) -> bool: ...

    def due(self, arrival: int, held_before: float) -> tuple[list[HeldDoc], int | None]:
        """The held documents due by ``arrival`` or held (wall clock) at or before
        ``held_before``, earliest due first; and the earliest due arrival of the others."""
        ...

    def unhold(self, doc_id: str) -> None:
        """Forget a held document once its decision is committed. Fenced like ``commit``."""
        ...


class MemoryStoryStore:
    """All state in this process: the fast path for ``storywire cluster`` and one worker."""

    def __init__(
        self, *, posting_cap: int = 32, copy_cap: int = 8, clock_rank: int = CLOCK_RANK
    ) -> None:
        self.posting_cap = posting_cap
        self.copy_cap = copy_cap
        self.clock_rank = clock_rank
        self.n_docs = 0
        self.df: Counter[str] = Counter()
        # The previous generation of document frequencies (see ``rotate_frequencies``).
        self.n_old = 0
        self.df_old: Counter[str] = Counter()
        self._df_started: float | None = None
        self.stories: dict[str, StoryState] = {}
        self.index: dict[str, dict[str, float]] = {}
        # story id -> the index keys it was posted under: what its eviction takes it out of
        self.story_keys: dict[str, dict[str, None]] = {}
        self.copy_index: dict[str, list[str]] = {}
        # doc id -> its record, copy keys and the time its eviction counts from (``Commit``)
        self.docs: dict[str, tuple[DocRecord, tuple[str, ...], float]] = {}
        self._story_heap: list[tuple[float, str]] = []
        self._doc_heap: list[tuple[float, str]] = []
        # Absorbed story -> the story it was merged into. Each lives while records may name
        # the absorbed story: until the stream passes the absorbed story's last seen time,
        # which no record of it is later than.
        self.aliases: dict[str, str] = {}
        self._alias_heap: list[tuple[float, str]] = []
        # The latest (time, doc id) pairs committed, ascending: the members and order of
        # Redis's P:hw sorted set.
        self._latest: list[tuple[float, str]] = []
        self._arrivals = 0
        self._swept = -math.inf
        self.held: dict[str, HeldDoc] = {}  # in hold order, which is due order
        self._lock = threading.RLock()

    def locked(self) -> AbstractContextManager[object]:
        return self._lock

    def stats(self, doc_id: str, terms: Sequence[str], copy_keys: Sequence[str]) -> Stats:
        # Counter's [] gives 0 for a missing term (without storing it), and a one-argument
        # map calls it faster than .get with a default.
        df = list(map(self.df.__getitem__, terms))
        if self.n_old:
            df = list(map(operator.add, df, map(self.df_old.__getitem__, terms)))
        copies: list[DocRecord] = []
        seen_ids: set[str] = set()
        for key in copy_keys:
            for other in self.copy_index.get(key, ()):
                if other not in seen_ids:
                    seen_ids.add(other)
                    copies.append(self.docs[other][0])
        found = self.docs.get(doc_id)
        seen = found[0] if found else None
        return Stats(self.n_docs + self.n_old, df, copies, seen, doc_id in self.held)

    def postings(self, keys: Sequence[str], since: float) -> list[list[str]]:
        out: list[list[str]] = []
        index = self.index
        for key in keys:
            entries = index.get(key)
            if not entries:
                out.append([])
            elif next(iter(entries.values())) >= since:
                out.append(list(entries))  # the oldest entry is live: all of them are
            else:
                # Entries are in (time, id) order: the live ones are a tail, cut in C.
                out.append(list(entries)[bisect_left(list(entries.values()), since) :])
        return out

    def votes(
        self, keys: Sequence[str], since: float, *, prefetch: int = 0, barred: Collection[str] = ()
    ) -> dict[str, int]:
        votes: dict[str, int] = {}
        _count_elements(votes, chain.from_iterable(self.postings(keys, since)))
        return shared_most(votes)

    def load(self, story_ids: Sequence[str]) -> dict[str, StoryState]:
        stories = self.stories
        return {s: stories[s] for s in story_ids if s in stories}

    def absorber(self, story_id: str) -> str | None:
        return self.aliases.get(story_id)

    def commit(self, change: Commit) -> None:
        known = self.docs.get(change.record.doc_id)
        if known is not None and known[:2] == (change.record, change.copy_keys):
            return  # applied already: the Redis store's commit is idempotent alike
        self.n_docs += 1
        self._arrivals += change.arrival
        _count_elements(self.df, change.terms)  # Counter.update's C loop, without its checks
        story = change.story
        keys = dict.fromkeys(change.new_keys)
        for gone in change.merged:
            old = self.stories.get(gone)
            self.aliases[gone] = story.id
            heapq.heappush(self._alias_heap, (change.time if old is None else old.kept_from, gone))
            keys.update(self._evict_story(gone))  # the survivor is found where it was
        self.stories[story.id] = story
        heapq.heappush(self._story_heap, (story.kept_from, story.id))
        for key in keys:
            self._post(key, story.id, change.time)
        self.story_keys.setdefault(story.id, {}).update(keys)
        record = change.record
        self.docs[record.doc_id] = (record, change.copy_keys, change.keep_time)
        heapq.heappush(self._doc_heap, (change.keep_time, record.doc_id))
        for key in change.copy_keys:
            bucket = self.copy_index.setdefault(key, [])
            bucket.append(record.doc_id)
            if len(bucket) > self.copy_cap:
                del bucket[0]
        self._tick(change.time, record.doc_id)

    def _tick(self, t: float, doc_id: str) -> None:
        """Put a document's time among the latest, as ZADD then ZREMRANGEBYRANK would."""
        latest = self._latest
        old = next((e for e in latest if e[1] == doc_id), None)
        if old is not None:
            latest.remove(old)
        insort(latest, (t, doc_id))
        del latest[: -self.clock_rank]

    def _post(self, key: str, story_id: str, t: float) -> None:
        """Index ``story_id`` under ``key`` at ``t`` (a later time wins), as Redis's ZADD GT.

        Each posting list is kept in (time, id) order, a sorted set's order: the cap then
        drops its first entry (ZREMRANGEBYRANK's lowest (time, id)) and ``postings`` cuts the
        expired ones off its head, where scanning every entry of full lists made the cost per
        document grow with the live stories. Streams arrive nearly in time order, so an update
        is nearly always an append."""
        entries = self.index.get(key)
        if entries is None:
            self.index[key] = {story_id: t}
            return
        old = entries.get(story_id)
        if old is not None:
            if old >= t:
                return
            del entries[story_id]
        last_id, last_t = next(reversed(entries.items()), (story_id, t))
        entries[story_id] = t
        if (t, story_id) < (last_t, last_id):  # out of order: sort again (<= 33 pairs)
            entries = {s: v for v, s in sorted(zip(entries.values(), entries, strict=True))}
            self.index[key] = entries
        if len(entries) > self.posting_cap:
            del entries[next(iter(entries))]

    def _evict_story(self, story_id: str) -> dict[str, None]:
        """Drop a story and its posting entries; the keys it was posted under."""
        self.stories.pop(story_id, None)
        keys = self.story_keys.pop(story_id, {})
        for key in keys:
            entries = self.index.get(key)
            if entries is not None:
                entries.pop(story_id, None)
                if not entries:
                    del self.index[key]
        return keys

    def expire(self, before: float, *, limit: int) -> int:
        evicted = 0
        heap = self._story_heap
        while heap and heap[0][0] < before and evicted < limit:
            t, story_id = heapq.heappop(heap)
            story = self.stories.get(story_id)
            # Each commit pushes an entry: only the one at the story's last seen time is its
            # place in P:live's order. Evicting at an earlier one would drain a backlog in
            # another order than Redis, and a late document would find other stories left.
            if story is not None and story.kept_from == t:
                self._evict_story(story_id)
                evicted += 1
        dheap = self._doc_heap
        dropped = 0
        while dheap and dheap[0][0] < before and dropped < limit:
            _, doc_id = heapq.heappop(dheap)
            found = self.docs.get(doc_id)
            if found is None or found[2] >= before:
                continue  # an entry of an earlier record of this id
            dropped += 1
            del self.docs[doc_id]
            for key in found[1]:
                bucket = self.copy_index.get(key)
                if bucket is not None and doc_id in bucket:
                    bucket.remove(doc_id)
                    if not bucket:
                        del self.copy_index[key]
        aheap = self._alias_heap
        unaliased = 0
        while aheap and aheap[0][0] < before and unaliased < limit:
            self.aliases.pop(heapq.heappop(aheap)[1], None)
            unaliased += 1
        return max(evicted, dropped, unaliased)

    def swept(self) -> float:
        return self._swept

    def swept_to(self, before: float) -> None:
        self._swept = before

    def rotate_frequencies(self, now: float, every: float) -> bool:
        if self._df_started is None:
            self._df_started = now
            return False
        if now - self._df_started < every:
            return False
        self.n_old, self.df_old = self.n_docs, self.df
        self.n_docs, self.df = 0, Counter()
        self._df_started = now
        return True

    def clock(self) -> float:
        return self._latest[0][0] if self._latest else 0.0

    def latest(self) -> float:
        return self._latest[-1][0] if self._latest else 0.0

    def live_stories(self) -> int:
        return len(self.stories)

    def arrivals(self) -> tuple[int, int | None]:
        first = next(iter(self.held.values()), None)
        return self._arrivals, first.due if first is not None else None

    def hold(self, held: HeldDoc) -> None:
        self._arrivals += 1
        self.held[held.doc.id] = held

    def is_held(self, doc_id: str) -> bool:
        return doc_id in self.held

    def due(self, arrival: int, held_before: float) -> tuple[list[HeldDoc], int | None]:
        out: list[HeldDoc] = []
        rest: int | None = None
        for held in self.held.values():
            if held.due <= arrival or held.since <= held_before:
                out.append(held)
            elif rest is None:
                rest = held.due
                if held_before == -math.inf:
                    break  # held in due order: none of the later ones is due by count
        return out, rest

    def unhold(self, doc_id: str) -> None:
        self.held.pop(doc_id, None)
