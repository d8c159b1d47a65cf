"""The story state in Redis, shared by any number of worker processes.

Layout (``P`` is the prefix):

- ``P:n`` documents seen; ``P:df`` hash feature -> document frequency (IDF is derived from both);
  ``P:n:old`` and ``P:df:old`` the previous generation of both, ``P:dfstart`` when the current
  one began (document time)
- ``P:hw`` sorted set holding the high-water document time (``ZADD GT`` keeps the maximum)
- ``P:s:<story id>`` story state as JSON, with a TTL; ``P:live`` sorted set story id -> last seen
- ``P:i:<feature>`` sorted set story id -> time indexed (capped, with a TTL): the inverted index
- ``P:c:<sketch key>`` list of document ids (capped, TTL); ``P:d:<doc id>`` that document's
  record (story, sketch, time, copy keys); ``P:docs`` sorted set doc id -> time
- ``P:lock`` the assignment lock (redis-py ``Lock``: a token key with a timeout)

Every assignment runs read-candidates / score / write under ``P:lock``, so two workers that
see the first two articles of a new event at the same moment cannot both start a story: the
second waits, then finds the first's story. Writes of one assignment go in one MULTI/EXEC.
Eviction is explicit (``expire``, driven by document time, exactly as the in-memory store);
TTLs (twice the window, wall clock) are the safety net that bounds memory if nobody expires.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

import orjson
import redis

from storywire.stories.model import Commit, CopyRecord, StoryState


def _str(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _record_to_json(record: CopyRecord, keys: Sequence[str]) -> bytes:
    return orjson.dumps(
        {
            "d": record.doc_id,
            "s": record.story_id,
            "k": [f"{h:016x}" for h in record.sketch],
            "t": record.time,
            "c": list(keys),
        }
    )


def _record_from_json(raw: bytes | str) -> tuple[CopyRecord, list[str]]:
    obj = orjson.loads(raw)
    record = CopyRecord(
        doc_id=obj["d"],
        story_id=obj["s"],
        sketch=tuple(int(h, 16) for h in obj["k"]),
        time=float(obj["t"]),
    )
    return record, list(obj["c"])


# One command instead of one per feature: redis-py packs and parses each command in Python,
# which cost more than everything else of an assignment (a document has ~200 features).
_COUNT_TERMS = """
for i = 1, #ARGV do redis.call('HINCRBY', KEYS[1], ARGV[i], 1) end
"""
# KEYS: index keys; ARGV: story id, time, posting cap, ttl. ZADD GT keeps the latest time, the
# oldest (time, id) beyond the cap goes, and the key lives a ttl past its last write.
_INDEX_STORY = """
local cap = tonumber(ARGV[3])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'GT', ARGV[2], ARGV[1])
  redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(cap + 1))
  redis.call('EXPIRE', KEYS[i], ARGV[4])
end
"""


class RedisStoryStore:
    """``StoryStore`` over a redis-py client (bytes or decoded responses both work)."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "storywire:stories",
        window_hours: float = 72.0,
        posting_cap: int = 32,
        copy_cap: int = 8,
        lock_timeout: float = 30.0,
        lock_wait: float | None = 60.0,
    ) -> None:
        self.r = client
        self.p = prefix
        self.ttl = max(1, int(window_hours * 3600 * 2))
        self.posting_cap = posting_cap
        self.copy_cap = copy_cap
        self.lock_timeout = lock_timeout
        self.lock_wait = lock_wait
        self._count_terms = client.register_script(_COUNT_TERMS)
        self._index_story = client.register_script(_INDEX_STORY)

    def locked(self) -> AbstractContextManager[object]:
        # timeout: a crashed holder cannot block everyone forever; blocking_timeout: a stuck
        # worker raises LockError (a retryable task error) instead of hanging.
        lock: AbstractContextManager[object] = self.r.lock(
            f"{self.p}:lock", timeout=self.lock_timeout, blocking_timeout=self.lock_wait
        )
        return lock

    def stats(
        self, doc_id: str, terms: Sequence[str], copy_keys: Sequence[str]
    ) -> tuple[int, list[int], list[CopyRecord], CopyRecord | None]:
        pipe = self.r.pipeline(transaction=False)
        pipe.get(f"{self.p}:n")
        pipe.get(f"{self.p}:n:old")
        if terms:
            pipe.hmget(f"{self.p}:df", list(terms))
            pipe.hmget(f"{self.p}:df:old", list(terms))
        for key in copy_keys:
            pipe.lrange(f"{self.p}:c:{key}", 0, -1)
        pipe.get(f"{self.p}:d:{doc_id}")
        res = pipe.execute()
        n_docs = int(res[0] or 0) + int(res[1] or 0)
        df = (
            [int(a or 0) + int(b or 0) for a, b in zip(res[2], res[3], strict=True)]
            if terms
            else []
        )
        offset = 4 if terms else 2
        ids: list[str] = []
        seen_ids: set[str] = set()
        for bucket in res[offset : offset + len(copy_keys)]:
            for raw in bucket:
                other = _str(raw)
                if other not in seen_ids:
                    seen_ids.add(other)
                    ids.append(other)
        own = res[-1]
        copies: list[CopyRecord] = []
        if ids:
            for raw in self.r.mget([f"{self.p}:d:{i}" for i in ids]):
                if raw is not None:
                    copies.append(_record_from_json(raw)[0])
        return n_docs, df, copies, _record_from_json(own)[0] if own is not None else None

    def postings(self, keys: Sequence[str], since: float) -> list[list[str]]:
        pipe = self.r.pipeline(transaction=False)
        for key in keys:
            pipe.zrangebyscore(f"{self.p}:i:{key}", since, "+inf")
        return [[_str(m) for m in rows] for rows in pipe.execute()]

    def load(self, story_ids: Sequence[str]) -> dict[str, StoryState]:
        if not story_ids:
            return {}
        raws = self.r.mget([f"{self.p}:s:{s}" for s in story_ids])
        return {
            s: StoryState.from_json(orjson.loads(raw))
            for s, raw in zip(story_ids, raws, strict=True)
            if raw is not None
        }

    def commit(self, change: Commit) -> None:
        p = self.p
        story = change.story
        gone = self.load(change.merged) if change.merged else {}
        pipe = self.r.pipeline(transaction=True)
        pipe.incr(f"{p}:n")
        if change.terms:
            self._count_terms(keys=[f"{p}:df"], args=list(change.terms), client=pipe)
        for old in gone.values():
            self._drop_story(pipe, old)
        pipe.set(f"{p}:s:{story.id}", orjson.dumps(story.to_json()), ex=self.ttl)
        pipe.zadd(f"{p}:live", {story.id: story.last_seen})
        if change.new_keys:
            self._index_story(
                keys=[f"{p}:i:{key}" for key in change.new_keys],
                args=[story.id, change.time, self.posting_cap, self.ttl],
                client=pipe,
            )
        record = change.copy
        if record is not None:
            pipe.set(
                f"{p}:d:{record.doc_id}", _record_to_json(record, change.copy_keys), ex=self.ttl
            )
            pipe.zadd(f"{p}:docs", {record.doc_id: record.time})
            for key in change.copy_keys:
                ckey = f"{p}:c:{key}"
                pipe.rpush(ckey, record.doc_id)
                pipe.ltrim(ckey, -self.copy_cap, -1)
                pipe.expire(ckey, self.ttl)
        pipe.zadd(f"{p}:hw", {"hw": change.time}, gt=True)
        pipe.execute()

    def _drop_story(self, pipe: Any, story: StoryState) -> None:
        for key in story.keys:
            pipe.zrem(f"{self.p}:i:{key}", story.id)
        pipe.delete(f"{self.p}:s:{story.id}")
        pipe.zrem(f"{self.p}:live", story.id)

    def expire(self, before: float, *, limit: int) -> int:
        p = self.p
        old_ids = [
            _str(s)
            for s in self.r.zrangebyscore(f"{p}:live", "-inf", f"({before}", start=0, num=limit)
        ]
        stories = self.load(old_ids)
        old_docs = [
            _str(d)
            for d in self.r.zrangebyscore(f"{p}:docs", "-inf", f"({before}", start=0, num=limit)
        ]
        records = self.r.mget([f"{p}:d:{d}" for d in old_docs]) if old_docs else []
        pipe = self.r.pipeline(transaction=True)
        for story in stories.values():
            self._drop_story(pipe, story)
        for sid in old_ids:
            if sid not in stories:
                pipe.zrem(f"{p}:live", sid)
        for doc_id, raw in zip(old_docs, records, strict=True):
            if raw is not None:
                for key in _record_from_json(raw)[1]:
                    pipe.lrem(f"{p}:c:{key}", 0, doc_id)
                pipe.delete(f"{p}:d:{doc_id}")
            pipe.zrem(f"{p}:docs", doc_id)
        pipe.execute()
        return len(old_ids)  # including ids whose state its TTL already removed

    def rotate_frequencies(self, now: float, every: float) -> bool:
        p = self.p
        started = self.r.get(f"{p}:dfstart")
        if started is None:
            self.r.set(f"{p}:dfstart", repr(now))
            return False
        if now - float(started) < every:
            return False
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(f"{p}:df:old", f"{p}:n:old")
        # RENAME fails on a missing key: only rename what exists (we hold the lock).
        for key in (f"{p}:df", f"{p}:n"):
            if self.r.exists(key):
                pipe.rename(key, f"{key}:old")
        pipe.set(f"{p}:dfstart", repr(now))
        pipe.execute()
        return True

    def clock(self) -> float:
        value = self.r.zscore(f"{self.p}:hw", "hw")
        return float(value) if value is not None else 0.0

    def live_stories(self) -> int:
        return int(self.r.zcard(f"{self.p}:live"))
