"""Sources and their polling state in Redis, shared by the beat and every fetch worker.

Keys (prefix ``sw:``): ``sources`` hash id→config JSON; ``due`` zset id→next poll (epoch s);
``inflight`` zset id→lease expiry; ``lapses`` hash id→leases run out in a row;
``state:<id>`` hash of the source's health record;
``reserved`` hash id→time of a politeness slot held for it; ``paced`` hash id→the time its
domain's pace gave a prepaid run that came too soon (``Grant.paced``); ``lost_cursor``: where
the search for sources that lost their due time goes on (``reschedule_lost``); ``clock``: the
latest time a claim ran at (``_CLAIM``);
``feeds`` hash feed identity (``storywire.urls.feed_identity``)→the id of the source that
polls it, so `sources add` finds a source of the same feed without reading every source;
``outcomes:<id>`` hash outcome→count (ok, not_modified, http_404, parse, deferred, warning...);
``seen:<id>`` hash entry key→its content hash, or its short history of hashes
(``storywire.seen``'s encoding); ``seenat:<id>`` zset entry key→last poll that
listed it, so keys of entries long gone from the feed are forgotten (``mark_seen``).
A removed source leaves none of these behind, even when its fetch ends after the removal
(``_GONE``).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, fields, replace
from types import MappingProxyType
from typing import Any, NamedTuple, cast

import orjson
import redis

from storywire.identity import rebase_key
from storywire.models import SOURCE_DEFAULTS, Source
from storywire.sources import URL_BOUND, SourceState, relocated, tightened_poll
from storywire.urls import feed_identity

PREFIX = "sw:"
# Sources per pipeline or command where a call handles many: thousands of sources go in a few
# round trips, none of which holds Redis (or the client's memory) for long.
BATCH = 1000

# Claims atomically, so two beats (or a beat and an operator) never hand one source out twice.
# A claimed source's due time moves to its lease expiry: if its fetch dies, it is simply due again.
# It claims the sources due up to ARGV[5], the next dispatch, and returns their due times: each
# fetch is sent to run at its own, or sources due between two dispatches (a domain's reserved
# slots 2 s apart) all ran at the later one, a burst far above the domain's budget.
# A lease that ran out is a fetch that never finished (its worker killed, perhaps by the feed
# itself, or hung): counted on the source (its outcomes key is ARGV[4] .. id), and each lapse in
# a row after the first doubles the wait before the next claim, a day at most, so such a feed
# cannot take a worker down every lease. KEYS: due, inflight, lapses in a row (hash), this
# claim's answer. Returns the claimed ids and the lapsed ones.
# A source under a lease is due at the lease's end, which always falls within the window some
# dispatch claims ahead: claimed there as merely due, its lapse was never counted, and a feed
# that kills its worker was polled again every lease. So only sources under no lease are
# claimed ahead; one whose lease ran out is claimed as a lapse. In-flight sources are at most
# cap - room of those found, so reading cap of them finds room others when there are.
# redis-py sends a script again when the connection drops before its reply (a reset, a Redis
# restart): run twice, the second run would find the sources the first claimed under lease and
# return none, and nobody would fetch them until their lease lapsed (counted as fetches that
# died). So each claim keeps its answer a minute under a key of its own (KEYS[4], named by a
# token per claim), and a second run under it returns that answer and changes nothing.
# Due times and leases are epoch times: a host clock stepped back (NTP correcting a clock that
# ran ahead, a VM moved) left every poll and every lapse late by the step. KEYS[5] keeps the
# latest time a claim ran at; a claim that finds it more than ARGV[6] s ahead of its own time
# moves every due time and lease after its time back by the difference (a due time not before
# now), so each keeps the wait it was given, and says by how much. A step forward needs
# nothing: what it makes due is overdue, as after the service was down.
_CLAIM = """
local kept = redis.call('GET', KEYS[4])
if kept then return cjson.decode(kept) end
local now = tonumber(ARGV[1])
local latest = tonumber(redis.call('GET', KEYS[5]) or ARGV[1])
local step = 0
if latest - now > tonumber(ARGV[6]) then
  step = latest - now
  for _, key in ipairs({KEYS[1], KEYS[2]}) do
    local later = redis.call('ZRANGEBYSCORE', key, '(' .. ARGV[1], '+inf', 'WITHSCORES')
    for i = 1, #later, 2 do
      redis.call('ZADD', key, math.max(now, tonumber(later[i + 1]) - step), later[i])
    end
  end
end
if now >= latest - step then redis.call('SET', KEYS[5], ARGV[1]) end
local function answer(due, lapsed)
  local reply = {due, lapsed, tostring(step)}
  redis.call('SET', KEYS[4], cjson.encode(reply), 'EX', 60)
  return reply
end
local lease_until = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local horizon = tonumber(ARGV[5])
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, id in ipairs(lapsed) do
  local n = redis.call('HINCRBY', KEYS[3], id, 1)
  redis.call('HINCRBY', ARGV[4] .. id, 'lease_lapsed', 1)
  if n > 1 then
    local wait = math.min((lease_until - horizon) * 2 ^ (n - 2), 86400)
    redis.call('ZADD', KEYS[1], 'XX', now + wait, id)
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local room = cap - redis.call('ZCARD', KEYS[2])
if room <= 0 then return answer({}, lapsed) end
local found = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', horizon, 'WITHSCORES', 'LIMIT', 0, cap)
local due = {}
for i = 1, #found, 2 do
  local id = found[i]
  if #due >= 2 * room then break end
  if not redis.call('ZSCORE', KEYS[2], id) then
    due[#due + 1] = id
    due[#due + 1] = found[i + 1]
    redis.call('ZADD', KEYS[1], lease_until, id)
    redis.call('ZADD', KEYS[2], lease_until, id)
  end
end
return answer(due, lapsed)
"""


class Claim(NamedTuple):
    claimed: list[str]  # sources handed out now, each under a lease
    lapsed: list[str]  # sources whose lease ran out before their fetch finished
    # The claimed sources due after the claim's time (``ahead``), with their due times.
    later: Mapping[str, float] = MappingProxyType({})
    stepped_back: float = 0.0  # seconds the clock stepped back, the schedule moved with it


# A claim whose time is more than this behind the latest one's found the host clock stepped
# back (see ``_CLAIM``). A dispatch that ran late is seconds behind; NTP slews smaller
# offsets, and a step this small delays polls by as much, which nobody notices. Far above the
# clock skew of hosts under NTP, so two beats by mistake do not move the schedule to and fro.
CLOCK_STEP = 300.0


# Forgets (at most 1,000 per call) the entry keys no poll has listed since ARGV[1].
# KEYS: seen hash, seen-at sorted set; ARGV: cutoff, now. Entries remembered before their
# listing was stamped (a store written by an older version) have no stamp and would never go:
# the first poll that finds more entries than stamps starts their clock now (once, O(entries)).
_FORGET = """
if redis.call('HLEN', KEYS[1]) > redis.call('ZCARD', KEYS[2]) then
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    redis.call('ZADD', KEYS[2], 'NX', ARGV[2], field)
  end
end
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1], 'LIMIT', 0, 1000)
if #stale > 0 then
  redis.call('HDEL', KEYS[1], unpack(stale))
  redis.call('ZREM', KEYS[2], unpack(stale))
end
return #stale
"""

# Lets go of a source its fetch skipped (disabled, or removed under a claim): the lease goes,
# and the source leaves the schedule unless, checked atomically, it is known and enabled again
# (an operator's `enable` meanwhile must not be undone). Loading the sources file again makes
# a disabled source due; left due, it would be claimed, and its lease lapse, every lease.
# KEYS: inflight, due, lapses, sources, the source's state; ARGV: id.
_LET_GO = """
local id = ARGV[1]
redis.call('ZREM', KEYS[1], id)
local reason = redis.call('HGET', KEYS[5], 'disabled_reason')
if redis.call('HEXISTS', KEYS[4], id) == 1 and (not reason or reason == 'null') then
  return 0
end
redis.call('ZREM', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
return 1
"""

# Drops what a poll or an operator's command wrote for a source that is not (any more) known:
# its place on the schedule and in flight, its lapses and reservation, and its own keys (health
# record, seen entries and their listing times, outcome counts). Run last in the pipeline (a
# transaction) of every write a fetch ends with: a source removed while its poll ran would
# otherwise get those keys back for good, since nothing ever polls or removes it again.
# KEYS: sources, inflight, due, lapses, reserved, paced, then the source's own keys; ARGV: id.
# Returns 1 when the source was unknown.
_GONE = """
local id = ARGV[1]
if redis.call('HEXISTS', KEYS[1], id) == 1 then return 0 end
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', KEYS[3], id)
redis.call('HDEL', KEYS[4], id)
redis.call('HDEL', KEYS[5], id)
redis.call('HDEL', KEYS[6], id)
redis.call('DEL', unpack(KEYS, 7))
return 1
"""

# Writes a poll's health record (KEYS[1]; ARGV: field, value, ...). A disable the operator made
# while the poll ran stays: the poll read the record before it, and writing that back enabled
# the source again (and the release put it back on the schedule).
_SAVE_POLL = """
local reason = redis.call('HGET', KEYS[1], 'disabled_reason')
local keep = reason and reason ~= 'null'
for i = 1, #ARGV, 2 do
  local field = ARGV[i]
  if not (keep and (field == 'disabled_reason' or field == 'disabled_at')) then
    redis.call('HSET', KEYS[1], field, ARGV[i + 1])
  end
end
return 1
"""

# Ends a poll's claim: releases its lease and sets the next poll, unless a later claim holds the
# source (the poll outlived its lease and the beat handed the source out again): that lease and
# schedule are the later fetch's, which finishes them. A disabled source leaves the schedule.
# KEYS: inflight, due, lapses, the source's state; ARGV: id, the lease this poll was claimed
# under ('' when unknown: a message from an older version), the next poll ('' unschedules).
# Returns 1 when released, 0 when left to the later claim.
_RELEASE = """
local id = ARGV[1]
if ARGV[2] ~= '' then
  local held = redis.call('ZSCORE', KEYS[1], id)
  if held and tonumber(held) > tonumber(ARGV[2]) + 1e-3 then return 0 end
end
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[3], id)
local reason = redis.call('HGET', KEYS[4], 'disabled_reason')
if ARGV[3] == '' or (reason and reason ~= 'null') then
  redis.call('ZREM', KEYS[2], id)
else
  redis.call('ZADD', KEYS[2], ARGV[3], id)
end
return 1
"""


# Brings a source's next poll forward to ARGV[2] if it is later (``tightened_poll``), unless
# the source is under a claim: its due time is then its lease's end, which must stay, or the
# next dispatch would poll it beside the fetch under way. KEYS: due, inflight; ARGV: id, time.
_BRING_FORWARD = """
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
return redis.call('ZADD', KEYS[1], 'XX', 'LT', 'CH', ARGV[2], ARGV[1])
"""


# Puts back on the schedule, due now, the known sources that are on it no longer although they
# are neither disabled nor in flight: their due times went with the data of a Redis restarted
# from an older snapshot, evicted under maxmemory, or deleted by hand. Nothing else would ever
# poll them again (only a finished poll sets a due time). Only disabled sources are off the
# schedule, so when the schedule holds as many as there are sources (the common case) this is
# two counts. Otherwise it reads one slice of the sources (HSCAN, about ARGV[3] of them) on from
# the cursor kept at KEYS[4]: a script blocks every other client while it runs, and reading all
# of them took 250 ms at 100k sources, on every dispatch once any source was disabled. HSCAN
# returns every source present for a whole sweep at least once, so a lost one is found within
# one sweep. KEYS: sources, due, inflight, cursor; ARGV: now, state key prefix, slice.
# Returns the ids put back, how many sources there are, and 1 when this ended a sweep.
_RESCHEDULE = """
local known = redis.call('HLEN', KEYS[1])
if known <= redis.call('ZCARD', KEYS[2]) then return {{}, known, 1} end
local page = redis.call('HSCAN', KEYS[1], redis.call('GET', KEYS[4]) or '0', 'COUNT', ARGV[3])
local back = {}
local slice = page[2]
for i = 1, #slice, 2 do
  local id = slice[i]
  if not redis.call('ZSCORE', KEYS[2], id) and not redis.call('ZSCORE', KEYS[3], id) then
    local reason = redis.call('HGET', ARGV[2] .. id, 'disabled_reason')
    if not reason or reason == 'null' then
      redis.call('ZADD', KEYS[2], ARGV[1], id)
      back[#back + 1] = id
    end
  end
end
if page[1] == '0' then
  redis.call('DEL', KEYS[4])
  return {back, known, 1}
end
redis.call('SET', KEYS[4], page[1])
return {back, known, 0}
"""


# Drops a feed's entry from the index of feeds (KEYS[1]; ARGV: its identity, the source's id)
# when it names this source: another source of that feed (a sources file may list it twice)
# keeps its own.
_UNINDEX = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1
"""


# Sources read per script by the search for lost ones: about 3.5 ms of Redis's time (on a
# 2-core box), and a sweep of 100k sources in 100 dispatches (50 minutes at the default 30 s).
RESCHEDULE_SLICE = 1000


class Reservation(NamedTuple):
    prepaid: bool  # the run uses a slot its domain's budget reserved for it
    paced: bool = False  # the domain's pace gave it its time: it goes without asking again


class Sweep(NamedTuple):
    back: list[str]  # sources put back on the schedule, due now
    known: int  # how many sources there are
    done: bool  # this slice ended a sweep of all sources (or none was needed)


class RedisSourceStore:
    def __init__(self, client: redis.Redis, prefix: str = PREFIX) -> None:
        self._r = client
        self._p = prefix
        self._claim = client.register_script(_CLAIM)
        self._forget = client.register_script(_FORGET)
        self._gone = client.register_script(_GONE)
        self._let_go = client.register_script(_LET_GO)
        self._release = client.register_script(_RELEASE)
        self._save_poll = client.register_script(_SAVE_POLL)
        self._reschedule = client.register_script(_RESCHEDULE)
        self._unindex = client.register_script(_UNINDEX)
        self._bring_forward = client.register_script(_BRING_FORWARD)

    def _key(self, *parts: str) -> str:
        return self._p + ":".join(parts)

    def upsert(self, sources: Iterable[Source], *, now: float) -> dict[str, str]:
        """Register sources; new ones are due now, known ones keep their schedule and state,
        but for one given another URL: it is due now, with what its record held of the old
        URL's answers (``URL_BOUND``) started afresh, as ``enable`` would. Returns those, each
        with its old URL. One whose ``max_interval`` was lowered is polled within the new bound
        of its last poll (``tightened_poll``), unless it is under a claim.

        Not one transaction: one would hold Redis for the whole file (200k commands at 100k
        sources). A new source seen between its two commands would be made due now by
        ``reschedule_lost``, as the second command does."""
        listed = list(sources)
        reads = self._r.pipeline(transaction=False)
        for start in range(0, len(listed), BATCH):
            reads.hmget(self._key("sources"), [s.id for s in listed[start : start + BATCH]])
        stored = [raw for chunk in reads.execute() for raw in chunk]
        before = {s.id: orjson.loads(raw) for s, raw in zip(listed, stored, strict=True)
                  if raw is not None}  # fmt: skip
        urls = {source_id: str(old["url"]) for source_id, old in before.items()}
        bounds = {source_id: float(old.get("max_interval", SOURCE_DEFAULTS["max_interval"]))
                  for source_id, old in before.items()}  # fmt: skip
        listed = self._keep_moves(listed, urls)
        moved = {s.id: urls[s.id] for s in listed if s.id in urls and urls[s.id] != s.url}
        tightened = [s for s in listed if s.id in bounds and s.id not in moved
                     and s.max_interval < bounds[s.id]]  # fmt: skip
        pipe = self._r.pipeline(transaction=False)
        for source_id, old_url in moved.items():
            self._unindex_feed(pipe, source_id, old_url)
        for start in range(0, len(listed), BATCH):
            chunk = listed[start : start + BATCH]
            configs: dict[Any, Any] = {s.id: orjson.dumps(s.to_dict()) for s in chunk}
            pipe.hset(self._key("sources"), mapping=configs)
            pipe.zadd(self._key("due"), dict.fromkeys(configs, now), nx=True)
            feeds: dict[Any, Any] = {feed_identity(s.url): s.id for s in chunk}
            pipe.hset(self._key("feeds"), mapping=feeds)
        for source_id in moved:
            pipe.hset(self._key("state", source_id), mapping=_FRESH_URL)
            keys = [self._key(k) for k in ("inflight", "due", "lapses")]
            self._release(keys=[*keys, self._key("state", source_id)], args=[source_id, "", now],
                          client=pipe)  # fmt: skip
        records = self.overview([s.id for s in tightened]) if tightened else []
        for source, (state, _, _) in zip(tightened, records, strict=True):
            bound = tightened_poll(source, state, bounds[source.id], now)
            if bound is not None:
                self._bring_forward(keys=[self._key("due"), self._key("inflight")],
                                    args=[source.id, bound], client=pipe)  # fmt: skip
        pipe.execute()
        return moved

    def _keep_moves(self, listed: list[Source], urls: Mapping[str, str]) -> list[Source]:
        """``listed``, each source the file still gives the URL a confirmed permanent redirect
        moved it from kept at its new URL: else every `storywire run` (which loads the file)
        undid the move, and the source polled the old URL, counted the redirects again and
        started its record afresh."""
        differ = [s for s in listed if s.id in urls and urls[s.id] != s.url]
        if not differ:
            return listed
        reads = self._r.pipeline(transaction=False)
        for s in differ:
            reads.hget(self._key("state", s.id), "moved_from")
        keep = {s.id for s, raw in zip(differ, reads.execute(), strict=True)
                if raw is not None and orjson.loads(raw) == s.url}  # fmt: skip
        return [relocated(s, urls[s.id]) if s.id in keep else s for s in listed]

    def remove(self, source_id: str) -> bool:
        source = self.get(source_id)
        pipe = self._r.pipeline()
        pipe.hdel(self._key("sources"), source_id)
        if source is not None:
            self._unindex_feed(pipe, source_id, source.url)
        self._drop_if_gone(pipe, source_id)
        return bool(pipe.execute()[0])

    def _unindex_feed(self, pipe: redis.client.Pipeline, source_id: str, url: str) -> None:
        self._unindex(keys=[self._key("feeds")], args=[feed_identity(url), source_id], client=pipe)

    def polled_by(self, url: str) -> str | None:
        """The source that polls the feed at ``url`` however it is spelt (``feed_identity``),
        or None: one look-up in the index of feeds, and a read of the source it names. Where
        the index holds fewer feeds than there are sources (sources an earlier release stored),
        every source is read once, and the index written from them."""
        feed = feed_identity(url)
        pipe = self._r.pipeline(transaction=False)
        pipe.hget(self._key("feeds"), feed)
        pipe.hlen(self._key("feeds"))
        pipe.hlen(self._key("sources"))
        owner, indexed, known = cast(tuple[bytes | None, int, int], pipe.execute())
        if indexed >= known:
            source = self.get(owner.decode()) if owner is not None else None
            if owner is None or (source is not None and feed_identity(source.url) == feed):
                return None if source is None else source.id
        found: str | None = None
        index: dict[Any, Any] = {}
        for source in self.all():
            identity = feed_identity(source.url)
            index.setdefault(identity, source.id)
            if identity == feed and found is None:
                found = source.id
        writes = self._r.pipeline(transaction=False)
        items = list(index.items())
        for start in range(0, len(items), BATCH):
            writes.hset(self._key("feeds"), mapping=dict(items[start : start + BATCH]))
        writes.execute()
        return found

    def known(self, source_ids: Sequence[str]) -> set[str]:
        """Those of ``source_ids`` that are sources."""
        reads = self._r.pipeline(transaction=False)
        for start in range(0, len(source_ids), BATCH):
            reads.hmget(self._key("sources"), list(source_ids[start : start + BATCH]))
        stored = [raw for chunk in reads.execute() for raw in chunk]
        return {i for i, raw in zip(source_ids, stored, strict=True) if raw is not None}

    def _drop_if_gone(self, pipe: redis.client.Pipeline, source_id: str) -> None:
        """Queue on ``pipe`` the removal of every key of ``source_id`` should it be unknown
        when the pipeline runs (see ``_GONE``)."""
        keys = [self._key(k) for k in ("sources", "inflight", "due", "lapses", "reserved",
                                       "paced")]  # fmt: skip
        keys += [self._key(k, source_id) for k in ("state", "seen", "seenat", "outcomes")]
        self._gone(keys=keys, args=[source_id], client=pipe)

    def get(self, source_id: str) -> Source | None:
        raw = self._r.hget(self._key("sources"), source_id)
        return Source.from_dict(orjson.loads(cast(bytes, raw))) if raw else None

    def all(self) -> list[Source]:
        """Every source, sorted by id. Read in HSCAN slices: one HGETALL held Redis for 80 ms
        at 100k sources. Not a snapshot: a source added or removed meanwhile may be missed;
        every other one comes back once."""
        raw = dict(self._r.hscan_iter(self._key("sources"), count=BATCH))
        return sorted((Source.from_dict(orjson.loads(v)) for v in raw.values()), key=lambda s: s.id)

    def claim_due(
        self, *, now: float, lease: float, cap: int, token: str | None = None, ahead: float = 0.0
    ) -> Claim:
        """Claim the sources due by ``now + ahead``, each under a lease that ends ``lease``
        seconds after that; ``token`` names the claim (one of its own by default), and a claim
        run again under it gives the same answer (see ``_CLAIM``)."""
        token = token or uuid.uuid4().hex
        keys = [self._key("due"), self._key("inflight"), self._key("lapses"),
                self._key("claim", token), self._key("clock")]  # fmt: skip
        args: list[float | str] = [now, now + ahead + lease, cap, self._key("outcomes", ""),
                                   now + ahead, CLOCK_STEP]  # fmt: skip
        found, lapsed, step = cast(
            tuple[list[bytes], list[bytes], bytes], self._claim(keys=keys, args=args)
        )
        due = [(i.decode(), float(at)) for i, at in zip(found[::2], found[1::2], strict=True)]
        later = {i: at for i, at in due if at > now}
        return Claim([i for i, _ in due], [i.decode() for i in lapsed], later, float(step))

    def reschedule_lost(self, *, now: float, size: int = RESCHEDULE_SLICE) -> Sweep:
        """Make due now the enabled sources of the next slice that lost their place on the
        schedule (see ``_RESCHEDULE``)."""
        keys = [self._key("sources"), self._key("due"), self._key("inflight"),
                self._key("lost_cursor")]  # fmt: skip
        back, known, done = cast(
            tuple[list[bytes], int, int],
            self._reschedule(keys=keys, args=[now, self._key("state", ""), size]),
        )
        return Sweep(sorted(i.decode() for i in back), int(known), bool(done))

    def claimed_since(self, source_id: str, lease_until: float) -> bool:
        """Whether a later claim holds ``source_id`` than the one whose lease ran to
        ``lease_until`` (a fetch that waited in its queue past its lease)."""
        score = self._r.zscore(self._key("inflight"), source_id)
        return score is not None and float(score) > lease_until + 1e-3

    def state(self, source_id: str) -> SourceState:
        raw = cast(dict[bytes, bytes], self._r.hgetall(self._key("state", source_id)))
        return SourceState(**_known_fields({k.decode(): orjson.loads(v) for k, v in raw.items()}))

    def finish(
        self,
        source_id: str,
        state: SourceState,
        *,
        next_poll: float | None,
        counts: Sequence[str] = (),
        lease_until: float | None = None,
        by_poll: bool = False,
    ) -> bool:
        """Save the poll's outcome, release the lease; ``next_poll=None`` unschedules it.
        ``counts``: outcome counters to add one to (a name listed n times, n).
        ``lease_until``: the lease the poll was claimed under. False when a later claim holds
        the source: the outcome is saved, its lease and schedule are left to that claim.
        ``by_poll``: the record is a poll's, which keeps a disable made while it ran."""
        pipe = self._r.pipeline()
        state_key = self._key("state", source_id)
        mapping: dict[Any, Any] = {k: orjson.dumps(v) for k, v in asdict(state).items()}
        if by_poll:
            self._save_poll(keys=[state_key], args=[x for kv in mapping.items() for x in kv],
                            client=pipe)  # fmt: skip
        else:
            pipe.hset(state_key, mapping=mapping)
        for name, times in Counter(counts).items():
            pipe.hincrby(self._key("outcomes", source_id), name, times)
        keys = [self._key("inflight"), self._key("due"), self._key("lapses"), state_key]
        args = [source_id, _or_blank(lease_until), _or_blank(next_poll)]
        self._release(keys=keys, args=args, client=pipe)
        self._drop_if_gone(pipe, source_id)
        return bool(pipe.execute()[-2])

    def defer(
        self,
        source_id: str,
        until: float,
        *,
        reason: str = "deferred",
        reserved: bool = False,
        paced: bool = False,
        lease_until: float | None = None,
    ) -> None:
        """Release the lease without polling; due again at ``until``. Not a failure.

        ``reserved``: the domain's budget already holds a slot for this source at ``until``
        (``take_reservation`` tells the next run it is prepaid); ``paced``: the domain's pace
        gave it ``until`` too (``Grant.paced``). ``lease_until``: keep the source claimed
        under this new lease instead (the caller sends its fetch for ``until`` itself), as a
        claim does.
        """
        pipe = self._r.pipeline()
        pipe.hincrby(self._key("outcomes", source_id), reason, 1)
        if reserved or paced:
            # A hash of their own: a worker of an earlier release reads no reservation there
            # and pays again, where a marked value in `reserved` would fail its fetch.
            pipe.hset(self._key("paced" if paced else "reserved"), source_id, until)
        # The run of lapsed leases stays: a deferral polled nothing, and a feed that kills its
        # worker spends its domain's budget on the redeliveries, so its next run is deferred.
        if lease_until is None:
            pipe.zrem(self._key("inflight"), source_id)
            pipe.zadd(self._key("due"), {source_id: until}, xx=True)
        else:
            pipe.zadd(self._key("inflight"), {source_id: lease_until}, xx=True)
            pipe.zadd(self._key("due"), {source_id: lease_until}, xx=True)
        self._drop_if_gone(pipe, source_id)
        pipe.execute()

    def let_go(self, source_id: str) -> None:
        """Release a claimed source that is not to be polled (see ``_LET_GO``)."""
        keys = [self._key(k) for k in ("inflight", "due", "lapses", "sources")]
        pipe = self._r.pipeline()
        self._let_go(keys=[*keys, self._key("state", source_id)], args=[source_id], client=pipe)
        self._drop_if_gone(pipe, source_id)
        pipe.execute()

    def take_reservation(self, source_id: str, *, now: float) -> Reservation:
        """Whether this run uses a slot reserved earlier (consumed either way), and whether the
        domain's pace gave it its time (``Grant.paced``). A late run keeps its slot: the
        domain's pace spreads runs that come together (``DomainPoliteness.acquire``)."""
        pipe = self._r.pipeline()
        for name in ("reserved", "paced"):
            pipe.hget(self._key(name), source_id)
            pipe.hdel(self._key(name), source_id)
        slot, _, paced, _ = pipe.execute()
        # A second of slack for clock skew between workers; an early run pays again.
        if paced is not None and float(paced) - 1.0 <= now:
            return Reservation(prepaid=True, paced=True)
        return Reservation(prepaid=slot is not None and float(slot) - 1.0 <= now)

    def overview(self, source_ids: Sequence[str]) -> list[tuple[SourceState, float | None, bool]]:
        """Each source's health record, next poll and whether it is being polled (see
        ``polling``), a pipeline per ``BATCH`` sources: one request per source would be
        20,000 round trips for a listing of 10k."""
        rows: list[tuple[SourceState, float | None, bool]] = []
        for start in range(0, len(source_ids), BATCH):
            pipe = self._r.pipeline(transaction=False)
            for source_id in source_ids[start : start + BATCH]:
                pipe.hgetall(self._key("state", source_id))
                pipe.zscore(self._key("due"), source_id)
                pipe.zscore(self._key("inflight"), source_id)
            replies = pipe.execute()
            for raw, due, lease in zip(replies[::3], replies[1::3], replies[2::3], strict=True):
                record = {k.decode(): orjson.loads(v) for k, v in raw.items()}
                rows.append((SourceState(**_known_fields(record)), due, lease is not None))
        return rows

    def polling(self, source_id: str) -> bool:
        """Whether a dispatch claimed the source and its poll has not finished: its fetch is
        sent (for its due time, within a dispatch interval) or running, and its place on the
        schedule (``next_poll``) is its lease's end, when it is due again if that fetch dies."""
        return self._r.zscore(self._key("inflight"), source_id) is not None

    def outcomes(self, source_id: str) -> dict[str, int]:
        raw = cast(dict[bytes, bytes], self._r.hgetall(self._key("outcomes", source_id)))
        return {k.decode(): int(v) for k, v in sorted(raw.items())}

    def set_url(self, source_id: str, url: str) -> Source | None:
        """Point a source at a new URL (a confirmed permanent redirect); its state is kept."""
        source = self.get(source_id)
        if source is None:
            return None
        there = relocated(source, url)
        pipe = self._r.pipeline()
        self._unindex_feed(pipe, source_id, source.url)
        pipe.hset(self._key("sources"), source_id, orjson.dumps(there.to_dict()))
        pipe.hset(self._key("feeds"), feed_identity(url), source_id)
        pipe.execute()
        return there

    def rebase_seen(self, source_id: str, old_url: str, new_url: str) -> int:
        """After a move, the seen keys as they read against the new URL (``rebase_key``).

        The twins keep their content hashes, so the next poll from the new URL sees nothing
        new. Old keys stay (harmless). Returns how many keys were added.
        """
        seen_key = self._key("seen", source_id)
        twins: dict[Any, Any] = {}
        for raw_key, digest in self._r.hscan_iter(seen_key, match="g:*"):
            key = raw_key.decode()
            moved = rebase_key(key, old_url, new_url)
            if moved != key:
                twins[moved] = digest
        if twins:
            self._r.hset(seen_key, mapping=twins)
        return len(twins)

    def disable(self, source_id: str, reason: str, *, now: float) -> bool:
        """Stop polling a source, keeping its record; ``enable`` undoes it."""
        if self.get(source_id) is None:
            return False
        state = replace(self.state(source_id), disabled_reason=reason, disabled_at=now)
        self.finish(source_id, state, next_poll=None)
        return True

    def enable(self, source_id: str, *, now: float) -> bool:
        """Poll a disabled (or failing) source again now, with a clean failure run."""
        if self.get(source_id) is None:
            return False
        state = replace(
            self.state(source_id),
            disabled_reason=None,
            disabled_at=None,
            consecutive_failures=0,
            failing_since=None,
            interval=None,
        )
        self.finish(source_id, state, next_poll=now)
        return True

    def next_poll(self, source_id: str) -> float | None:
        score = self._r.zscore(self._key("due"), source_id)
        return float(score) if score is not None else None

    def seen_records(self, source_id: str, keys: Collection[str]) -> dict[str, str]:
        """The record stored for each of these entries, encoded (``storywire.seen.sift`` reads
        it); an entry never seen, or forgotten, has none. One round trip."""
        if not keys:
            return {}
        listed = list(keys)
        stored = cast(list[bytes | None], self._r.hmget(self._key("seen", source_id), listed))
        return {
            key: raw.decode() for key, raw in zip(listed, stored, strict=True) if raw is not None
        }

    def mark_seen(
        self,
        source_id: str,
        records: Mapping[str, str],
        *,
        listed: Iterable[str] = (),
        now: float,
        forget_after: float | None = None,
    ) -> int:
        """Store the encoded ``records`` of new or changed entries (``seen.sift``'s writes)
        and when each entry of this poll (``listed``, and ``records``) was last listed; forget
        the keys of entries no poll has listed for ``forget_after`` seconds (None: never).
        Returns how many went.

        Polling never stops: without forgetting, a source's keys grow by every entry it ever
        carried. An entry back in its feed after that long is new again to the fetch stage; the
        ledger (same retention, renewed by each write) still knows its article if it is recent.
        """
        seen, seen_at = self._key("seen", source_id), self._key("seenat", source_id)
        pipe = self._r.pipeline(transaction=False)
        if records:
            mapping: dict[Any, Any] = dict(records)
            pipe.hset(seen, mapping=mapping)
        touched = dict.fromkeys([*listed, *records], now)
        if touched:
            pipe.zadd(seen_at, touched)
        # Only a poll that listed entries tells which ones left the feed (a 304 lists none).
        cutoff = now - forget_after if forget_after is not None and touched else None
        if cutoff is not None:
            self._forget(keys=[seen, seen_at], args=[cutoff, now], client=pipe)
        results = pipe.execute()
        return int(results[-1]) if cutoff is not None else 0

    def overdue(self, now: float) -> tuple[int, float]:
        """Sources past their due time at ``now`` and not claimed, and how long the first of
        them has waited: a dispatch claims what falls due before the next one, so any are a
        schedule falling behind (the in-flight cap, too few fetch workers, a stopped beat)."""
        pipe = self._r.pipeline(transaction=False)
        pipe.zcount(self._key("due"), "-inf", f"({now!r}")
        pipe.zrange(self._key("due"), 0, 0, withscores=True)
        late, first = cast(tuple[int, list[tuple[bytes, float]]], pipe.execute())
        return late, (now - first[0][1]) if late else 0.0

    def counts(self) -> dict[str, Any]:
        pipe = self._r.pipeline()
        pipe.hlen(self._key("sources"))
        pipe.zcard(self._key("due"))
        pipe.zcard(self._key("inflight"))
        sources, due, inflight = cast(Sequence[int], pipe.execute())
        return {"sources": sources, "scheduled": due, "in_flight": inflight}


# The URL_BOUND fields of a record as a new source has them, encoded as ``finish`` stores them.
_FRESH_URL: dict[Any, Any] = {
    name: orjson.dumps(getattr(SourceState(), name)) for name in URL_BOUND
}


def _or_blank(value: float | None) -> float | str:
    return "" if value is None else value


def _known_fields(doc: dict[str, Any]) -> dict[str, Any]:
    # Fields a newer version wrote and this one does not know are ignored, not fatal.
    known = {f.name for f in fields(SourceState)}
    return {k: v for k, v in doc.items() if k in known}
