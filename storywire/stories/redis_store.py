"""The story state in Redis, shared by any number of worker processes.

Layout (``P`` is the prefix):

- ``P:n`` documents seen; ``P:df`` hash feature -> document frequency (IDF is derived from both);
  ``P:n:old`` and ``P:df:old`` the previous generation of both, ``P:dfstart`` when the current
  one began (document time)
- ``P:hw`` sorted set doc id -> time of the latest documents, capped at the clock rank: its
  lowest time is the stream's clock (``clock``)
- ``P:s:<story id>`` story state as JSON, with a TTL; ``P:live`` sorted set story id -> last seen
- ``P:i:<feature>`` sorted set story id -> time indexed (capped, with a TTL): the inverted index
- ``P:k:<story id>`` the features the story is indexed under (its TTL the state's): what its
  eviction or its merge takes it out of. Not in the state, which is rewritten with every
  article: a story of 5,000 articles is under some 14,000 features. A hash of empty values, not
  a set: Redis 7.0 keeps a small hash as a listpack, a small set only from 7.2 (a set took
  1.2 KB a story on a mixed stream, the hash 320 B)
- ``P:c:<copy key>`` list of document ids (capped, TTL), under a sketch hash, or a dated
  headline or link shape and the outlet (``t<hex>:<outlet>``, ``l<hex>:<outlet>``);
  ``P:d:<doc id>`` that document's record (assignment, sketch, time, copy keys, headline and
  link shapes); ``P:docs`` sorted set doc id -> the time its eviction counts from
  (``Commit.keep_time``)
- ``P:swept`` the eviction horizon of the last completed sweep (``swept``)
- ``P:arrivals`` documents arrived (committed as new, or held); ``P:held`` sorted set doc id ->
  the arrival it is due by; ``P:h:<doc id>`` that held document's features as JSON (with a TTL)
- ``P:lock`` the assignment lock (redis-py ``Lock``: a random token in a key with a timeout)

Every assignment runs read-candidates / score / write under ``P:lock``, so two workers that
see the first two articles of a new event at the same moment cannot both start a story: the
second waits, then finds the first's story. The lock times out (a crashed holder must not block
everyone), so a worker that stalls past the timeout no longer holds it: every write is fenced.
Each acquisition puts a fresh token in ``P:lock``, and each write (one commit, one eviction
batch, one rotation) is a single Lua script that first checks the key still holds this worker's
token and otherwise writes nothing and returns 0, which raises ``LockLost``. Check and writes are
one atomic step, so a stale worker can never interleave its writes with the new holder's.
Eviction is explicit (``expire``, driven by document time, exactly as the in-memory store);
TTLs (twice the window, wall clock) are the safety net that bounds memory if nobody expires.

An assignment costs three script calls (``_STATS``, ``_VOTES``, ``_COMMIT``): the votes script
also returns the states of the stories the engine will load, so loading them is no round trip
of its own; the clock and the arrivals are read with the lock, once per lock.
"""

from __future__ import annotations

import math
import operator
import threading
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any, cast

import orjson
import redis
from redis.exceptions import LockError, LockNotOwnedError
from redis.lock import Lock

from storywire.stories.features import DocFeatures
from storywire.stories.model import Commit, Doc, DocRecord, HeldDoc, Params, StoryState
from storywire.stories.store import CLOCK_RANK, LockLost, Stats


def _str(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _counts(raw: bytes | str) -> list[int]:
    """A reply such as "3,0,1" as [3, 0, 1], split and converted in C."""
    if not raw:
        return []
    return list(map(int, raw.split(b",") if isinstance(raw, bytes) else raw.split(",")))


def _record_to_json(record: DocRecord, keys: Sequence[str]) -> bytes:
    obj: dict[str, Any] = {
        "d": record.doc_id,
        "s": record.story_id,
        "k": [f"{h:016x}" for h in record.sketch],
        "t": record.time,
        "c": list(keys),
        "x": record.score,
    }
    # Most documents join: the rest of the assignment is written only when there is one.
    if record.created:
        obj["n"] = 1
    if record.copy_of is not None:
        obj["o"] = record.copy_of
    if record.merged:
        obj["m"] = record.merged
    if record.outlet is not None:
        obj["u"] = record.outlet
    if record.copied:
        obj["q"] = record.copied
    if not record.dated:
        obj["z"] = 1
    if record.title_key:  # only headlines that name a date: the few an edition can match
        obj["h"] = [record.title_shape, record.title_key]
    if record.link_key:  # a key of its own: a release without links reads the record still
        obj["l"] = [record.link_shape, record.link_key]
    return orjson.dumps(obj)


def _held_to_json(held: HeldDoc) -> bytes:
    """The held document's features, not its text: a release then decides it under the lock
    without extracting them again (~200 us a document, while every other worker waits)."""
    doc, features = held.doc, held.features
    return orjson.dumps(
        {
            "id": doc.id,
            "published": doc.published.isoformat() if doc.published else None,
            "outlet": doc.outlet,
            "url": doc.url,
            "dated": doc.dated,
            "since": held.since,
            "terms": features.terms,
            "entities": features.ordered_entities,
            "sketch": features.sketch,
            "length": features.length,
            "title": [features.title_shape, features.title_key],
            "link": [features.link_shape, features.link_key],
        }
    )


def _held_from_json(raw: bytes | str, due: int) -> HeldDoc:
    obj = orjson.loads(raw)
    published = obj["published"]
    doc = Doc(
        id=obj["id"],
        title="",
        text="",
        published=datetime.fromisoformat(published) if published else None,
        outlet=obj["outlet"],
        url=obj["url"],
        dated=obj.get("dated", True),
    )
    entities = tuple(obj["entities"])
    title_shape, title_key = obj.get("title", (0, 0))
    link_shape, link_key = obj.get("link", (0, 0))
    features = DocFeatures(
        terms=obj["terms"],
        entities=frozenset(entities),
        sketch=tuple(obj["sketch"]),
        length=obj["length"],
        ordered_entities=entities,
        title_shape=title_shape,
        title_key=title_key,
        link_shape=link_shape,
        link_key=link_key,
    )
    return HeldDoc(doc, due, float(obj["since"]), features)


def _record_from_json(raw: bytes | str) -> tuple[DocRecord, list[str]]:
    obj = orjson.loads(raw)
    title_shape, title_key = obj.get("h", (0, 0))  # absent: no headline words, or older
    link_shape, link_key = obj.get("l", (0, 0))
    record = DocRecord(
        doc_id=obj["d"],
        story_id=obj["s"],
        sketch=tuple(int(h, 16) for h in obj["k"]),
        time=float(obj["t"]),
        created=bool(obj.get("n")),
        copy_of=obj.get("o"),
        merged=tuple(obj.get("m", ())),
        score=float(obj.get("x", 0.0)),
        outlet=obj.get("u"),
        copied=tuple(obj.get("q", ())),
        dated=not obj.get("z"),
        title_shape=title_shape,
        title_key=title_key,
        link_shape=link_shape,
        link_key=link_key,
    )
    return record, list(obj["c"])


# Every write script starts with the fence: KEYS[1] is the lock, ARGV[1] this worker's token; a
# lock that ran out (or another worker's token) means nothing is written and the script says 0.
_FENCE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
"""
# A document's ~130 terms travel as one argument, one term a line (a feature never holds a
# line break), and come back as one comma-separated string: redis-py encodes every argument and
# decodes every reply element in Python, which cost more per document than the scripts' work.
_TERMS = """
local terms = {}
for term in string.gmatch(ARGV[%d], '[^\\n]+') do terms[#terms + 1] = term end
"""
# What an assignment reads first, in one script. KEYS: n, n:old, df, df:old, the document's
# record, the held set, then the copy-list keys. ARGV: the terms, the document's id, the prefix
# of document records. Returns n, n:old, the terms' frequencies and their old generation's
# (only while there is one) as "3,0,1", the record, whether the document is held, then the
# records of the documents in the copy lists (each once, in list order; expired ones left
# out). Each of the last two would be a round trip of its own, under the lock.
_STATS = (
    _TERMS % 1
    + """
local n, old = redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])
local function counts(key)
  local out = {}
  for i = 1, #terms, 1000 do  -- unpack() takes a few thousand values at most
    local got = redis.call('HMGET', key, unpack(terms, i, math.min(i + 999, #terms)))
    for j = 1, #got do out[#out + 1] = got[j] or '0' end
  end
  return table.concat(out, ',')
end
local df, dfo = counts(KEYS[3]), ''
if old and tonumber(old) > 0 then dfo = counts(KEYS[4]) end
local own = redis.call('GET', KEYS[5]) or false
local held = redis.call('ZSCORE', KEYS[6], ARGV[2]) and 1 or 0
local out = {n or false, old or false, df, dfo, own, held}
local seen = {}
for i = 7, #KEYS do
  for _, id in ipairs(redis.call('LRANGE', KEYS[i], 0, -1)) do
    if not seen[id] then
      seen[id] = true
      local record = redis.call('GET', ARGV[3] .. id)
      if record then out[#out + 1] = record end
    end
  end
end
return out
"""
)
# Candidate stories: every posting list's members indexed since ARGV[1], one command.
_POSTINGS = """
local out = {}
for i = 1, #KEYS do out[i] = redis.call('ZRANGEBYSCORE', KEYS[i], ARGV[1], '+inf') end
return out
"""
# The votes of the candidate stories (``StoryStore.votes``): of the stories in the posting
# lists KEYS since ARGV[1], the ids and counts of those in at least half as many lists as the
# most, or 2 (``shared_most``): a dozen ids where the lists hold a hundred. Then, as a third
# element (id, state, id, state...), the states of the ARGV[2] stories the engine ranks first
# (most votes, ties by id; ARGV[4...] barred), whose state keys start with ARGV[3]: each vote
# count from the highest, whole, and of the last only the lowest ids. Lua orders strings by the
# server's locale (strcoll), which may not be Python's byte order: ``load`` reads any the
# engine picks that this missed.
_VOTES = """
local votes, most = {}, 0
for i = 1, #KEYS do
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[i], ARGV[1], '+inf')) do
    local n = (votes[id] or 0) + 1
    votes[id] = n
    if n > most then most = n end
  end
end
local floor = math.max(1, math.min(2, math.floor(most / 2)))
local barred = {}
for i = 4, #ARGV do barred[ARGV[i]] = true end
local ids, counts, by_count = {}, {}, {}
for id, n in pairs(votes) do
  if n >= floor then
    ids[#ids + 1] = id
    counts[#counts + 1] = n
    if not barred[id] then
      by_count[n] = by_count[n] or {}
      table.insert(by_count[n], id)
    end
  end
end
local limit = tonumber(ARGV[2])
local states, picked = {}, 0
for n = most, floor, -1 do
  if picked == limit then break end
  local bucket = by_count[n]
  if bucket then
    if picked + #bucket > limit then table.sort(bucket) end
    for _, id in ipairs(bucket) do
      if picked == limit then break end
      picked = picked + 1
      states[2 * picked - 1] = id
      states[2 * picked] = redis.call('GET', ARGV[3] .. id) or false
    end
  end
end
return {ids, counts, states}
"""
# One assignment, in one script: one round trip. KEYS: lock, n, df, live, hw, docs, the
# story's state, the document's record, arrivals, the set of keys the story is indexed under,
# then the index keys, the copy-list keys, for each absorbed story its state key and its set of
# index keys, and (when any) the alias hash and its sorted set of times. ARGV: token, story id,
# story JSON, its P:live score (kept from), time, ttl, posting cap, copy cap, doc id, record
# JSON, the counts of index keys and copy keys, the terms, the count of absorbed stories, 1 for
# a new arrival (0: a held document decided now), the clock rank, the time the record is kept
# from (P:docs), the prefix of index keys, and each absorbed story's id and alias time.
# Returns the stream's clock and the latest document time after the commit. An absorbed story's
# index keys are read from its P:k here, so they are not in KEYS (as ``_APPLY``'s: one Redis).
_COMMIT = (
    _FENCE
    + _TERMS % 13
    + """
local sid, t, ttl, cap = ARGV[2], ARGV[5], ARGV[6], tonumber(ARGV[7])
local ni, nc, ng, ip = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[14]), ARGV[18]
-- The very record already written: this commit ran, and redis-py sent it again after the reply
-- was lost with its connection. Applied twice it would count the document and words twice.
if redis.call('GET', KEYS[8]) == ARGV[10] then
  return {redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')[2],
          redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')[2]}
end
redis.call('INCR', KEYS[2])
-- Frequencies up by one: HMGET then HSET, two calls where one HINCRBY per term cost ~1 us of
-- script overhead each (atomic all the same: nothing runs between a script's calls).
for i = 1, #terms, 500 do  -- unpack() takes a few thousand values at most
  local chunk = {unpack(terms, i, math.min(i + 499, #terms))}
  local now, pairs = redis.call('HMGET', KEYS[3], unpack(chunk)), {}
  for j = 1, #chunk do
    pairs[2 * j - 1], pairs[2 * j] = chunk[j], (tonumber(now[j]) or 0) + 1
  end
  redis.call('HSET', KEYS[3], unpack(pairs))
end
if ARGV[15] == '1' then redis.call('INCR', KEYS[9]) end
-- A state written by a version before P:k lists its index keys in its JSON ("k",
-- empty since): a story live across an upgrade (or a rollback and back) is still taken out of
-- every list it was put in.
local function listed(state, into)
  local raw = redis.call('GET', state)
  if raw and string.find(raw, '"k":%["') then
    for _, key in ipairs(cjson.decode(raw)['k']) do into[#into + 1] = key end
  end
end
local moved, a, k = {}, 18, 10 + ni + nc
for _ = 1, ng do
  local gone = ARGV[a + 1]
  local keys = redis.call('HKEYS', KEYS[k + 2])
  listed(KEYS[k + 1], keys)
  for _, key in ipairs(keys) do
    redis.call('ZREM', ip .. key, gone)
    moved[#moved + 1] = key
  end
  redis.call('DEL', KEYS[k + 1], KEYS[k + 2])
  redis.call('ZREM', KEYS[4], gone)
  redis.call('HSET', KEYS[#KEYS - 1], gone, sid)
  redis.call('ZADD', KEYS[#KEYS], ARGV[a + 2], gone)
  redis.call('EXPIRE', KEYS[#KEYS - 1], ttl)
  redis.call('EXPIRE', KEYS[#KEYS], ttl)
  a, k = a + 2, k + 2
end
local added = {}
listed(KEYS[7], added)
redis.call('SET', KEYS[7], ARGV[3], 'EX', ttl)
redis.call('ZADD', KEYS[4], ARGV[4], sid)
-- ZADD GT keeps the latest time, the oldest (time, id) beyond the cap goes, and the key lives
-- a ttl past its last write. The story goes under the document's keys and, after a merge,
-- every key of the stories it absorbed (each once).
local function post(key)
  redis.call('ZADD', key, 'GT', t, sid)
  redis.call('ZREMRANGEBYRANK', key, 0, -(cap + 1))
  redis.call('EXPIRE', key, ttl)
end
local posted = {}
for j = 11, 10 + ni do
  post(KEYS[j])
  posted[KEYS[j]] = true
  added[#added + 1] = string.sub(KEYS[j], #ip + 1)
end
for _, key in ipairs(moved) do
  if not posted[ip .. key] then
    post(ip .. key)
    posted[ip .. key] = true
    added[#added + 1] = key
  end
end
-- Only the new keys are written: the hash is never rewritten whole, as the state is.
for i = 1, #added, 500 do
  local fields = {}
  for j = i, math.min(i + 499, #added) do
    fields[#fields + 1], fields[#fields + 2] = added[j], ''
  end
  redis.call('HSET', KEYS[10], unpack(fields))
end
redis.call('EXPIRE', KEYS[10], ttl)
local doc, keep = ARGV[9], -tonumber(ARGV[8])
redis.call('SET', KEYS[8], ARGV[10], 'EX', ttl)
redis.call('ZADD', KEYS[6], ARGV[17], doc)
for j = 11 + ni, 10 + ni + nc do
  redis.call('RPUSH', KEYS[j], doc)
  redis.call('LTRIM', KEYS[j], keep, -1)
  redis.call('EXPIRE', KEYS[j], ttl)
end
redis.call('ZADD', KEYS[5], t, doc)
redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -(tonumber(ARGV[16]) + 1))
return {redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')[2],
        redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')[2]}
"""
)
# The rare writes (an eviction batch, a rotation) as a list of commands, each given as its
# number of words and the words, applied in order if the lock is still ours. Their keys are not
# declared in KEYS: the layout (no hash tags, one script over many keys) assumes one Redis.
_APPLY = (
    _FENCE
    + """
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
return 1
"""
)


# The lock's acquisition and what the store asks once per lock, in one round trip. KEYS: the
# lock, hw, swept, arrivals, held. ARGV: the token, the lock's timeout in ms (0: none). Returns
# nothing when another holds the lock; else the lowest and highest times in hw, the sweep's
# horizon, the arrivals and the earliest due hold's arrival (each false where there is none).
_ACQUIRE = """
local taken
if tonumber(ARGV[2]) > 0 then
  taken = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
else
  taken = redis.call('SET', KEYS[1], ARGV[1], 'NX')
end
if not taken then
  return false
end
local low = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local high = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
local due = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
return {low[2] or false, high[2] or false, redis.call('GET', KEYS[3]) or false,
        redis.call('GET', KEYS[4]) or false, due[2] or false}
"""


class _Lock(Lock):
    """redis-py's lock, whose acquisition also reads what the store asks once per lock
    (``_ACQUIRE``): the answer is ``state``."""

    script: Callable[..., Any]
    keys: list[str]
    state: list[Any] | None = None

    def do_acquire(self, token: str) -> bool:
        ms = int(self.timeout * 1000) if self.timeout else 0
        self.state = self.script(keys=self.keys, args=[token, ms])
        return self.state is not None


class _Held(threading.local):
    """The lock this thread holds on this store: its token (None: not holding it), and what it
    read with it (no other worker writes those while this one holds): the clock, the latest
    document time and the sweep's horizon, kept up to date by its writes, and the arrivals,
    until asked once."""

    token: str | None = None
    clock: float | None = None
    latest: float | None = None
    swept: float | None = None
    arrivals: tuple[int, int | None] | None = None
    # states read with the last votes, for the load that follows them (``votes``)
    prefetched: dict[str, Any] | None = None


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
        clock_rank: int = CLOCK_RANK,
    ) -> None:
        self.r = client
        self.p = prefix
        self.ttl = max(1, int(window_hours * 3600 * 2))
        self.posting_cap = posting_cap
        self.copy_cap = copy_cap
        self.clock_rank = clock_rank
        self.lock_timeout = lock_timeout
        self.lock_wait = lock_wait
        self.lock_key = f"{prefix}:lock"
        self._held = _Held()
        self._stats = client.register_script(_STATS)
        self._postings = client.register_script(_POSTINGS)
        self._votes = client.register_script(_VOTES)
        self._commit = client.register_script(_COMMIT)
        self._apply = client.register_script(_APPLY)
        self._acquire = client.register_script(_ACQUIRE)

    @classmethod
    def for_params(
        cls, client: redis.Redis, params: Params, *, prefix: str = "storywire:stories"
    ) -> RedisStoryStore:
        """The store an engine with ``params`` needs: its window, posting cap and lock timeout."""
        return cls(
            client,
            prefix=prefix,
            window_hours=params.window_hours,
            posting_cap=params.posting_cap,
            lock_timeout=params.lock_timeout,
        )

    @contextmanager
    def locked(self) -> Iterator[None]:
        # timeout: a crashed holder cannot block everyone forever; blocking_timeout: a stuck
        # worker raises LockError (a retryable task error) instead of hanging.
        lock = _Lock(
            self.r, self.lock_key, timeout=self.lock_timeout, blocking_timeout=self.lock_wait
        )
        p = self.p
        lock.script, lock.keys = self._acquire, [
            self.lock_key, f"{p}:hw", f"{p}:swept", f"{p}:arrivals", f"{p}:held"
        ]  # fmt: skip
        token = uuid.uuid4().hex  # what the writes check: ours, for this acquisition only
        if not lock.acquire(token=token):
            raise LockError(
                "Unable to acquire lock within the time specified", lock_name=self.lock_key
            )
        low, high, swept, count, due = cast(list[Any], lock.state)
        held = self._held
        held.token = token
        held.clock = float(low) if low is not None else 0.0
        held.latest = float(high) if high is not None else 0.0
        held.swept = float(swept) if swept is not None else -math.inf
        held.arrivals = int(count or 0), int(float(due)) if due is not None else None
        try:
            yield None
        finally:
            held.token = held.clock = held.latest = held.swept = held.arrivals = None
            held.prefetched = None
            # Not ours any more: it ran out after our last write (each write checked it and
            # raised LockLost if not), so there is nothing to undo and nothing to report.
            with suppress(LockNotOwnedError):
                lock.release()

    def _token(self) -> str:
        token = self._held.token
        if token is None:
            raise RuntimeError("RedisStoryStore writes must run under locked()")
        return token

    def _run(self, ops: list[Any]) -> None:
        """Apply ``ops`` (each command as its word count and words) if the lock is still ours."""
        self._held.arrivals = self._held.prefetched = None  # stale after a write (a hold counts)
        if not self._apply(keys=[self.lock_key], args=[self._token(), *ops]):
            raise LockLost(f"{self.lock_key} is no longer ours: nothing written")

    def stats(self, doc_id: str, terms: Sequence[str], copy_keys: Sequence[str]) -> Stats:
        p = self.p
        keys = [f"{p}:n", f"{p}:n:old", f"{p}:df", f"{p}:df:old", f"{p}:d:{doc_id}", f"{p}:held"]
        keys += [f"{p}:c:{key}" for key in copy_keys]
        n, n_old, df_raw, old_raw, own, held, *found = self._stats(
            keys=keys, args=["\n".join(terms), doc_id, f"{p}:d:"]
        )
        df = _counts(df_raw)
        if old_raw:
            df = list(map(operator.add, df, _counts(old_raw)))
        copies = [_record_from_json(raw)[0] for raw in found]
        n_docs = int(n or 0) + int(n_old or 0)
        seen = _record_from_json(own)[0] if own is not None else None
        return Stats(n_docs, df, copies, seen, bool(held))

    def postings(self, keys: Sequence[str], since: float) -> list[list[str]]:
        if not keys:
            return []
        rows = self._postings(keys=[f"{self.p}:i:{key}" for key in keys], args=[since])
        return [list(map(_str, members)) for members in rows]

    def votes(
        self, keys: Sequence[str], since: float, *, prefetch: int = 0, barred: Collection[str] = ()
    ) -> dict[str, int]:
        held = self._held
        held.prefetched = None
        if not keys:
            return {}
        p = self.p
        ids, counts, states = self._votes(
            keys=[f"{p}:i:{key}" for key in keys], args=[since, prefetch, f"{p}:s:", *barred]
        )
        if prefetch:
            held.prefetched = dict(zip(map(_str, states[::2]), states[1::2], strict=True))
        return dict(zip(map(_str, ids), counts, strict=True))

    def load(self, story_ids: Sequence[str]) -> dict[str, StoryState]:
        found, self._held.prefetched = self._held.prefetched or {}, None
        missing = [s for s in story_ids if s not in found]
        if missing:
            found.update(
                zip(missing, self.r.mget([f"{self.p}:s:{s}" for s in missing]), strict=True)
            )
        return {
            s: StoryState.from_json(orjson.loads(raw))
            for s in story_ids
            if (raw := found[s]) is not None
        }

    def commit(self, change: Commit) -> None:
        p = self.p
        story = change.story
        record = change.record
        token = self._token()
        gone = self.load(change.merged) if change.merged else {}
        keys = [
            self.lock_key,
            f"{p}:n",
            f"{p}:df",
            f"{p}:live",
            f"{p}:hw",
            f"{p}:docs",
            f"{p}:s:{story.id}",
            f"{p}:d:{record.doc_id}",
            f"{p}:arrivals",
            f"{p}:k:{story.id}",
        ]
        keys += [f"{p}:i:{key}" for key in change.new_keys]
        keys += [f"{p}:c:{key}" for key in change.copy_keys]
        args: list[Any] = [
            token,
            story.id,
            orjson.dumps(story.to_json()),
            story.kept_from,
            change.time,
            self.ttl,
            self.posting_cap,
            self.copy_cap,
            record.doc_id,
            _record_to_json(record, change.copy_keys),
            len(change.new_keys),
            len(change.copy_keys),
            "\n".join(change.terms),
            len(change.merged),
            int(change.arrival),
            self.clock_rank,
            change.keep_time,
            f"{p}:i:",
        ]
        for gone_id in change.merged:
            old = gone.get(gone_id)
            keys += [f"{p}:s:{gone_id}", f"{p}:k:{gone_id}"]
            args += [gone_id, old.kept_from if old else change.time]
        if change.merged:
            keys += [f"{p}:alias", f"{p}:aliased"]
        times = self._commit(keys=keys, args=args)
        if not times:
            raise LockLost(f"{self.lock_key} is no longer ours: assignment not written")
        # What the commit made them, for the rest of this lock (a commit runs only under it).
        self._held.clock, self._held.latest = float(times[0]), float(times[1])
        self._held.arrivals = self._held.prefetched = None  # a commit counts an arrival

    def absorber(self, story_id: str) -> str | None:
        found = self.r.hget(f"{self.p}:alias", story_id)
        return None if found is None else _str(found)

    def expire(self, before: float, *, limit: int) -> int:
        p = self.p
        old_ids = [
            _str(s)
            for s in self.r.zrangebyscore(f"{p}:live", "-inf", f"({before}", start=0, num=limit)
        ]
        ops: list[Any] = []
        if old_ids:
            pipe = self.r.pipeline(transaction=False)
            pipe.mget([f"{p}:s:{s}" for s in old_ids])
            for story_id in old_ids:
                pipe.hkeys(f"{p}:k:{story_id}")
            states, *posted = pipe.execute()
            for story_id, raw, keys in zip(old_ids, states, posted, strict=True):
                listed = orjson.loads(raw).get("k", ()) if raw is not None else ()
                for key in {*map(_str, keys), *listed}:  # "k": a state from before P:k
                    ops += (3, "ZREM", f"{p}:i:{key}", story_id)
                ops += (3, "DEL", f"{p}:s:{story_id}", f"{p}:k:{story_id}")
                ops += (3, "ZREM", f"{p}:live", story_id)
        old_docs = [
            _str(d)
            for d in self.r.zrangebyscore(f"{p}:docs", "-inf", f"({before}", start=0, num=limit)
        ]
        records = self.r.mget([f"{p}:d:{d}" for d in old_docs]) if old_docs else []
        for doc_id, raw in zip(old_docs, records, strict=True):
            if raw is not None:
                for key in _record_from_json(raw)[1]:
                    ops += (4, "LREM", f"{p}:c:{key}", 0, doc_id)
                ops += (2, "DEL", f"{p}:d:{doc_id}")
            ops += (3, "ZREM", f"{p}:docs", doc_id)
        aliased = self.r.zrangebyscore(f"{p}:aliased", "-inf", f"({before}", start=0, num=limit)
        for gone in aliased:
            ops += (3, "HDEL", f"{p}:alias", gone, 3, "ZREM", f"{p}:aliased", gone)
        if ops:
            self._run(ops)
        # Ids whose state or record its TTL already removed count too: their entries went.
        return max(len(old_ids), len(old_docs), len(aliased))

    def swept(self) -> float:
        held = self._held
        if held.swept is not None:
            return held.swept
        raw = self.r.get(f"{self.p}:swept")
        swept = -math.inf if raw is None else float(raw)
        if held.token is not None:
            held.swept = swept  # asked once per document: one round trip per lock
        return swept

    def swept_to(self, before: float) -> None:
        self._run([3, "SET", f"{self.p}:swept", repr(before)])
        self._held.swept = before

    def rotate_frequencies(self, now: float, every: float) -> bool:
        p = self.p
        started = self.r.get(f"{p}:dfstart")
        if started is None:
            self._run([3, "SET", f"{p}:dfstart", repr(now)])
            return False
        if now - float(started) < every:
            return False
        ops: list[Any] = [3, "DEL", f"{p}:df:old", f"{p}:n:old"]
        # RENAME fails on a missing key: only rename what exists (no other writer got in
        # between, or the fence refuses the whole rotation).
        for key in (f"{p}:df", f"{p}:n"):
            if self.r.exists(key):
                ops += (3, "RENAME", key, f"{key}:old")
        ops += (3, "SET", f"{p}:dfstart", repr(now))
        self._run(ops)
        return True

    def clock(self) -> float:
        held = self._held
        if held.clock is not None:
            return held.clock
        lowest = self.r.zrange(f"{self.p}:hw", 0, 0, withscores=True)
        now = float(lowest[0][1]) if lowest else 0.0
        if held.token is not None:
            held.clock = now  # the engine asks once per document: one round trip per lock
        return now

    def latest(self) -> float:
        held = self._held
        if held.latest is not None:
            return held.latest
        highest = self.r.zrange(f"{self.p}:hw", -1, -1, withscores=True)
        latest = float(highest[0][1]) if highest else 0.0
        if held.token is not None:
            held.latest = latest  # an undated line asks once per document: once per lock
        return latest

    def recent(self, start: int, count: int) -> list[tuple[str, float]]:
        """Live stories from the ``start``-th most recently active, ``count`` of them, with the
        time their eviction counts from (their last article's, or the stream's clock when that
        article came late): what `storywire stories recent` lists. Only reads."""
        rows = cast(
            list[tuple[bytes | str, float]],
            self.r.zrevrange(f"{self.p}:live", start, start + count - 1, withscores=True),
        )
        return [(_str(story_id), float(score)) for story_id, score in rows]

    def active(self, story_id: str) -> float | None:
        """``recent``'s time of one story; None when it is not live (evicted, merged away)."""
        score = self.r.zscore(f"{self.p}:live", story_id)
        return None if score is None else float(score)

    def live_stories(self) -> int:
        return int(self.r.zcard(f"{self.p}:live"))

    def arrivals(self) -> tuple[int, int | None]:
        held = self._held
        if held.arrivals is not None:  # read with the lock, and nothing written since
            counts, held.arrivals = held.arrivals, None
            return counts
        pipe = self.r.pipeline(transaction=False)
        pipe.get(f"{self.p}:arrivals")
        pipe.zrange(f"{self.p}:held", 0, 0, withscores=True)
        count, first = pipe.execute()
        return int(count or 0), int(first[0][1]) if first else None

    def hold(self, held: HeldDoc) -> None:
        p, doc = self.p, held.doc
        payload = _held_to_json(held)
        # The held set lives as long as its newest entry's document: a ttl past the last hold.
        self._run(
            [2, "INCR", f"{p}:arrivals", 4, "ZADD", f"{p}:held", held.due, doc.id,
             3, "EXPIRE", f"{p}:held", self.ttl,
             5, "SET", f"{p}:h:{doc.id}", payload, "EX", self.ttl]
        )  # fmt: skip

    def is_held(self, doc_id: str) -> bool:
        return self.r.zscore(f"{self.p}:held", doc_id) is not None

    def due(self, arrival: int, held_before: float) -> tuple[list[HeldDoc], int | None]:
        p = self.p
        # By count: what is due and the next one. By time: every entry must be read (few are
        # held at once: about ``defer_arrivals`` times the share of grey-zone documents).
        by_count = held_before == -math.inf
        pipe = self.r.pipeline(transaction=False)
        pipe.zrangebyscore(f"{p}:held", "-inf", arrival if by_count else "+inf", withscores=True)
        if by_count:
            pipe.zrangebyscore(f"{p}:held", f"({arrival}", "+inf", start=0, num=1, withscores=True)
        rows, *after = pipe.execute()
        ids = [_str(doc_id) for doc_id, _ in rows]
        raws = self.r.mget([f"{p}:h:{i}" for i in ids]) if ids else []
        out: list[HeldDoc] = []
        rest: int | None = int(after[0][0][1]) if after and after[0] else None
        lost: list[Any] = []
        for doc_id, (_, due), raw in zip(ids, rows, raws, strict=True):
            if raw is None:  # its TTL ran out (held past twice the window): nothing to decide
                lost += (3, "ZREM", f"{p}:held", doc_id)
                continue
            held = _held_from_json(raw, int(due))
            if held.due <= arrival or held.since <= held_before:
                out.append(held)
            elif rest is None or held.due < rest:
                rest = held.due
        if lost:
            self._run(lost)
        return out, rest

    def unhold(self, doc_id: str) -> None:
        p = self.p
        self._run([3, "ZREM", f"{p}:held", doc_id, 2, "DEL", f"{p}:h:{doc_id}"])
