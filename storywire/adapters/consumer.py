"""Reading the event stream as a service: a consumer group member with explicit acks.

At-least-once: an event stays pending in the group until acknowledged. Pending entries idle
for ``claim_idle_ms`` (their consumer died or hangs) are taken over with XAUTOCLAIM; one
delivered ``max_deliveries`` times without an ack is moved to the dead-letter stream instead
of being handed out again. Event ids are deterministic, so a consumer that must not act twice
keeps the ids it has handled.

    for msg in Consumer(client, group="search-indexer", name="indexer-1"):
        handle(msg.event)
        msg.ack()

Acks are buffered and sent in one XACK before the next read (or on ``flush``/``close``): an
ack lost in a crash only means a redelivery, which at-least-once allows anyway.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import socket
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, cast

import redis

from storywire.adapters.streams import DEFAULT_STREAM
from storywire.events.envelope import CloudEvent
from storywire.events.models import EVENT_TYPES
from storywire.models import parse_iso, utc

DEAD_LETTER_SUFFIX = ".dead"
_STREAM_ID = re.compile(r"^\d+(-\d+)?$")
_MAX_SEQ = 2**64 - 1

# XAUTOCLAIM, then for each claimed entry its delivery count: over the limit, it goes to the
# dead-letter stream and is acknowledged; otherwise it is returned for another try. One script,
# so no other consumer sees an entry between the claim and the decision.
_RECLAIM = """
local res = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4],
                       'COUNT', ARGV[5])
local out = {}
local dead = 0
-- Redis 7 drops pending entries trimmed away from the group itself and lists their ids here.
local trimmed = res[3] and #res[3] or 0
local missing = false
for _, entry in ipairs(res[2]) do
  if not entry or not entry[2] then
    missing = true
  else
    local id = entry[1]
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
    local count = p[1] and p[1][4] or 1
    if count > tonumber(ARGV[6]) then
      local fields = entry[2]
      table.insert(fields, 'stream_id'); table.insert(fields, id)
      table.insert(fields, 'group'); table.insert(fields, ARGV[1])
      -- XAUTOCLAIM counted this claim, which delivers nothing: one fewer were handed out.
      table.insert(fields, 'deliveries'); table.insert(fields, tostring(count - 1))
      redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[7], '*', unpack(fields))
      redis.call('XACK', KEYS[1], ARGV[1], id)
      dead = dead + 1
    else
      table.insert(out, {id, entry[2], count})
    end
  end
end
-- Redis 6.2 claims entries trimmed away while pending and returns them as nil (7.0 drops them
-- from the pending list itself): acknowledge ours that no longer exist, or they come back forever.
if missing then
  for _, p in ipairs(redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', ARGV[5], ARGV[2])) do
    if #redis.call('XRANGE', KEYS[1], p[1], p[1]) == 0 then
      redis.call('XACK', KEYS[1], ARGV[1], p[1])
      trimmed = trimmed + 1
    end
  end
end
return {res[1], out, dead, trimmed}
"""

# Before a read: entries retention trimmed past the group before any member read them, which
# XREADGROUP skips without a word. The lost are those between the group's last delivered id
# and the stream's first entry: all that its lag (Redis 7) counts beyond what the stream
# holds. The group's read counter is then set past them, so one member reports them once.
# Redis 6.2 keeps no lag: nothing to tell by, 0.
_SKIPPED = """
local function less(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  if am ~= bm then
    if #am ~= #bm then return #am < #bm end
    return am < bm
  end
  if #as ~= #bs then return #as < #bs end
  return as < bs
end
local function hash(flat)
  local out = {}
  for i = 1, #flat, 2 do out[flat[i]] = flat[i + 1] end
  return out
end
local info = redis.pcall('XINFO', 'STREAM', KEYS[1])
if info.err then return 0 end
local stream = hash(info)
if not stream['entries-added'] then return 0 end
local group
for _, flat in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local g = hash(flat)
  if g['name'] == ARGV[1] then group = g break end
end
if not group or not group['lag'] then return 0 end
local first = stream['first-entry']
if first and not less(group['last-delivered-id'], first[1]) then return 0 end
local lost = group['lag'] - stream['length']
if lost <= 0 then return 0 end
redis.call('XGROUP', 'SETID', KEYS[1], ARGV[1], group['last-delivered-id'],
           'ENTRIESREAD', stream['entries-added'] - stream['length'])
return lost
"""


# Forgets members of the group (KEYS[1] stream, ARGV[1] group) that hold nothing pending and
# are ARGV[2] (the member itself, on close) or have been idle more than ARGV[3] ms (-1: no
# such rule): every
# process named by default (host and pid) stayed listed in the group for good, one more per
# restart. Nothing is lost: a member forgotten while alive is listed again by its next read.
_FORGET = """
local n = 0
local idle = tonumber(ARGV[3])
for _, flat in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local c = {}
  for i = 1, #flat, 2 do c[flat[i]] = flat[i + 1] end
  if c['pending'] == 0 and (c['name'] == ARGV[2] or (idle >= 0 and c['idle'] > idle)) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], c['name'])
    n = n + 1
  end
end
return n
"""


def _within_read_timeout(client: redis.Redis, block_ms: int) -> int:
    """``block_ms``, shortened to four fifths of the client's read timeout if that is shorter:
    redis-py 8 gives up any read after 5 s by default, the default wait here, and a blocking
    read on a quiet stream would end in TimeoutError instead of an empty answer."""
    pool = client.connection_pool
    # A client from ``from_url`` leaves the timeout out of its pool's settings, and its
    # connections take their class's default: an unopened one tells which applies.
    timeout = pool.connection_class(**pool.connection_kwargs).socket_timeout
    if block_ms <= 0 or not timeout:
        return block_ms
    return max(1, min(block_ms, int(timeout * 800)))


def start_id(position: str | datetime) -> str:
    """A stream id for ``--from``: ``$`` (new only), ``0`` (all kept), an id, or a time.

    An id is exclusive (delivery starts after it, as in Redis); a time is inclusive (entries
    added at or after it), so ``--from 2026-11-26T08:00:00Z`` replays everything since 08:00.
    """
    if isinstance(position, datetime):
        # A naive time is UTC, as a naive ISO string is (``timestamp`` would read the host's zone).
        millis = int(utc(position).timestamp() * 1000)
        return f"{millis - 1}-{_MAX_SEQ}" if millis > 0 else "0-0"
    if position == "$":
        return position
    if _STREAM_ID.match(position):
        return position if "-" in position else f"{position}-0"
    try:
        return start_id(parse_iso(position))
    except ValueError as exc:
        raise ValueError(f"not a stream id, '$' or an ISO time: {position!r}") from exc


# A type as the envelope schema writes it: one named before its first event (a consumer
# deployed ahead of its producer) is taken as a filter.
_EVENT_TYPE = re.compile(r"storywire\.[a-z_]+\.[a-z_]+\.v[0-9]+")


def type_glob(glob: str) -> str:
    """``glob`` when it can select events: it matches a known type or is a whole type.

    A glob that matches none (AMQP's ``#``, a type without its version) would have every
    event acknowledged unread, lost to the group without a word."""
    if _EVENT_TYPE.fullmatch(glob) or any(fnmatch.fnmatchcase(t, glob) for t in EVENT_TYPES):
        return glob
    raise ValueError(
        f"matches no event type: {glob!r} (a glob on the whole type, such as "
        "'storywire.story.*' or 'storywire.story.created.v1'; AMQP's '#' is not one): events "
        "of other types are acknowledged unread"
    )


class Message:
    """One delivered event; call ``ack`` once it is handled."""

    __slots__ = ("_consumer", "_event", "deliveries", "raw", "stream_id", "type")

    def __init__(
        self, consumer: Consumer, stream_id: str, etype: str, raw: bytes, deliveries: int
    ) -> None:
        self._consumer = consumer
        self.stream_id = stream_id
        self.type = etype
        self.raw = raw  # the CloudEvent JSON exactly as published
        self.deliveries = deliveries  # 1 on first delivery; more after reclaims
        self._event: CloudEvent | None = None

    @property
    def event(self) -> CloudEvent:
        """The CloudEvent, decoded on first access (a filter on ``type`` needs no decoding)."""
        if self._event is None:
            self._event = CloudEvent.from_json(self.raw)
        return self._event

    def ack(self) -> None:
        self._consumer.ack(self.stream_id)

    def __repr__(self) -> str:
        return f"Message({self.stream_id}, {self.type}, deliveries={self.deliveries})"


class Consumer:
    """A member of consumer group ``group`` on ``stream``; iterate it to receive events.

    ``start`` positions the group: None creates it at ``$`` when it does not exist and leaves an
    existing group where it is; anything else (``0``, an id, a time) also moves an existing group
    there, which is how a service replays. ``types`` are glob patterns on the event type;
    events of other types are acknowledged without being handed out.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        group: str,
        name: str | None = None,
        stream: str = DEFAULT_STREAM,
        start: str | datetime | None = None,
        types: Sequence[str] = (),
        count: int = 100,
        block_ms: int = 5000,
        claim_idle_ms: int = 60_000,
        max_deliveries: int = 5,
        dead_letter_stream: str | None = None,
        dead_letter_maxlen: int = 100_000,
        stop_when_idle: bool = False,
        forget_idle_ms: int = 86_400_000,
    ) -> None:
        self._r = client
        self.group = group
        # The default (host and pid) is unique per process. What a member left pending is
        # reclaimed by any member after the idle time, its own name or not.
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.stream = stream
        self._start = start
        globs = [type_glob(t) for t in types]
        self._types = re.compile("|".join(fnmatch.translate(t) for t in globs)) if globs else None
        self.count = count  # entries per read; may be lowered between reads
        self._block_ms = _within_read_timeout(client, block_ms)
        self._claim_idle_ms = claim_idle_ms
        self._max_deliveries = max_deliveries
        self.dead_letter_stream = dead_letter_stream or stream + DEAD_LETTER_SUFFIX
        if self.dead_letter_stream == stream:
            # A worn-out entry would be appended to the stream it came from: read, fail, again.
            raise ValueError(f"the dead-letter stream must differ from the stream read: {stream}")
        self._dead_maxlen = dead_letter_maxlen
        self._stop_when_idle = stop_when_idle
        self._acks: list[str] = []
        self._ready = False
        self._claim_cursor = "0-0"
        self._next_claim = 0.0
        self._reclaim = client.register_script(_RECLAIM)
        self._skipped = client.register_script(_SKIPPED)
        self._forget = client.register_script(_FORGET)
        self._forget_idle_ms = forget_idle_ms
        self.dead_lettered = 0
        # Entries retention trimmed before the group was done with them, lost to it: pending
        # ones (found by the member that reclaims) and ones never read (found by the member
        # whose read passes them).
        self.trimmed = 0
        # Times the group was made again because the stream or the group had vanished.
        self.regrouped = 0

    def ensure_group(self) -> None:
        """Create the group (with the stream if need be), or move it when ``start`` says so."""
        position = "$" if self._start is None else start_id(self._start)
        try:
            self._r.xgroup_create(self.stream, self.group, id=position, mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
            if self._start is not None:
                self._r.xgroup_setid(self.stream, self.group, id=position)
        self._ready = True

    def ack(self, stream_id: str) -> None:
        """Acknowledge (sent with the next read, or by ``flush``)."""
        self._acks.append(stream_id)

    def flush(self) -> None:
        """Send the buffered acknowledgements now."""
        if self._acks:
            acks, self._acks = self._acks, []
            try:
                self._r.xack(self.stream, self.group, *acks)
            except redis.RedisError:
                # Kept for the next flush: dropped, every entry handled would be delivered
                # again once Redis answers (after the reclaim idle time).
                self._acks[:0] = acks
                raise

    def close(self) -> None:
        """Send the buffered acknowledgements; leave the group's list of members unless
        entries are still pending for this one (its peers reclaim them)."""
        self.flush()
        if self._ready:
            with contextlib.suppress(redis.RedisError):  # the group or Redis gone: nothing to do
                self._forget(keys=[self.stream], args=[self.group, self.name, -1])

    def __enter__(self) -> Consumer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[Message]:
        try:
            while True:
                batch = self._poll_all()
                if not batch:
                    if self._stop_when_idle:
                        return
                    if self._block_ms <= 0:
                        time.sleep(0.1)  # a non-blocking read must not spin the CPU
                yield from self._wanted(batch)
        finally:
            self.flush()

    def poll(self) -> list[Message]:
        """One read: reclaimed stale entries if any are due, else new ones (blocking)."""
        return self._wanted(self._poll_all())

    def _poll_all(self) -> list[Message]:
        if not self._ready:
            self.ensure_group()
        self.flush()
        try:
            messages = self.reclaim() if time.monotonic() >= self._next_claim else []
            return messages or self._read_new()
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
        # The stream or the group is gone (DEL, FLUSHALL, Redis restarted without its data):
        # all the stream holds now was written since, so the group starts at its beginning.
        try:
            self._r.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):  # another member of the group made it first
                raise
        self._claim_cursor = "0-0"
        self.regrouped += 1
        return self._read_new()

    def reclaim(self) -> list[Message]:
        """Take over entries pending longer than ``claim_idle_ms``; dead-letter worn-out ones."""
        # Idle entries cannot appear faster than the idle time: no need to ask more often.
        self._next_claim = time.monotonic() + max(self._claim_idle_ms / 2000, 0.05)
        cursor, entries, dead, trimmed = cast(
            list[Any],
            self._reclaim(
                keys=[self.stream, self.dead_letter_stream],
                args=[
                    self.group,
                    self.name,
                    self._claim_idle_ms,
                    self._claim_cursor,
                    self.count,
                    self._max_deliveries,
                    self._dead_maxlen,
                ],
            ),
        )
        self._claim_cursor = cursor.decode() if isinstance(cursor, bytes) else str(cursor)
        if self._claim_cursor != "0-0":
            self._next_claim = 0.0  # more to scan: continue at once
        else:  # a sweep of the pending list ended: members gone without closing are done
            self._forget(keys=[self.stream], args=[self.group, "", self._forget_idle_ms])
        self.dead_lettered += int(dead)
        self.trimmed += int(trimmed)
        return [self._message(sid, fields, int(n)) for sid, fields, n in entries]

    def _read_new(self) -> list[Message]:
        self.trimmed += int(cast(int, self._skipped(keys=[self.stream], args=[self.group])))
        reply = self._r.xreadgroup(
            self.group,
            self.name,
            {self.stream: ">"},
            count=self.count,
            block=self._block_ms if self._block_ms > 0 else None,
        )
        if not reply:
            return []
        _, entries = cast(list[Any], reply)[0]
        return [self._message(sid, fields, 1) for sid, fields in entries]

    def _message(self, sid: bytes | str, fields: Any, deliveries: int) -> Message:
        if isinstance(fields, list):  # from Lua: a flat field/value list
            fields = dict(zip(fields[::2], fields[1::2], strict=True))
        # Keys and values are bytes unless the client was made with decode_responses=True.
        text = {k.decode() if isinstance(k, bytes) else k: v for k, v in fields.items()}
        etype, raw = text.get("type", b""), text.get("event", b"{}")
        return Message(
            self,
            sid.decode() if isinstance(sid, bytes) else sid,
            etype.decode() if isinstance(etype, bytes) else etype,
            raw.encode() if isinstance(raw, str) else raw,
            deliveries,
        )

    def _wanted(self, messages: list[Message]) -> list[Message]:
        if self._types is None:
            return messages
        keep = []
        for msg in messages:
            if self._types.match(msg.type):
                keep.append(msg)
            else:
                self._acks.append(msg.stream_id)  # not for us: done with it in this group
        return keep
