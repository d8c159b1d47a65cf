"""Events a sink's broker refused for good, set aside from the outbox where operators see them.

An event the broker will never take (larger than RabbitMQ's ``max_message_size``: a 406 on
every try) was kept first in the outbox and retried for ever, and every event behind it waited.
The sink now moves it, in one Redis step, from the outbox's head to the Redis stream
``<outbox>:parked`` (fields ``id``, ``type``, ``event`` as the event stream's, plus ``reason``
the broker's words, ``target`` and ``parked_at``) and counts it in ``sw:metrics``
(``parked:<reason>``). Nothing is dropped: ``storywire parked`` lists the parked events, puts
them back at the outbox's tail once the cause is fixed (``replay``), or drops them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import redis

PARKED_SUFFIX = ":parked"

# The head of the outbox (KEYS[1]) to the parked stream (KEYS[2]), counted in KEYS[3], only if
# it is still the item refused: it starts with ARGV[1] (its "id|type|") and is ARGV[8] bytes
# long. A drainer that lost its lease must not park what another drainer has moved meanwhile;
# an item with the refused event's id and length is that event (ids are the decision's). Not
# its SHA-1: the item may be as large as the broker's limit, and hashing 128 MiB in the script
# held Redis, every worker's, for seconds. Then the lease (KEYS[4]) is renewed if still ARGV[6]'s.
PARK = """
local parked = 0
local head = redis.call('LINDEX', KEYS[1], 0)
if head and #head == tonumber(ARGV[8]) and string.sub(head, 1, #ARGV[1]) == ARGV[1] then
  local item = redis.call('LPOP', KEYS[1])
  local bar1 = string.find(item, '|', 1, true)
  local bar2 = string.find(item, '|', bar1 + 1, true)
  redis.call('XADD', KEYS[2], '*', 'id', string.sub(item, 1, bar1 - 1),
             'type', string.sub(item, bar1 + 1, bar2 - 1), 'event', string.sub(item, bar2 + 1),
             'reason', ARGV[2], 'target', ARGV[4], 'parked_at', ARGV[5])
  redis.call('HINCRBY', KEYS[3], 'parked:' .. ARGV[3], 1)
  parked = 1
end
local held = 0
if redis.call('GET', KEYS[4]) == ARGV[6] then
  redis.call('PEXPIRE', KEYS[4], ARGV[7])
  held = 1
end
return {parked, held}
"""

# Each chosen entry (ARGV: stream ids) of the parked stream (KEYS[1]) back to the outbox's
# tail (KEYS[2], when ARGV[1] is 1) or dropped, and deleted from the stream in the same step:
# an event is in one of the two, never both nor neither.
_TAKE = """
local out = {}
for i = 2, #ARGV do
  local entry = redis.call('XRANGE', KEYS[1], ARGV[i], ARGV[i])[1]
  if entry then
    local f = {}
    for j = 1, #entry[2], 2 do f[entry[2][j]] = entry[2][j + 1] end
    if ARGV[1] == '1' then
      redis.call('RPUSH', KEYS[2], f['id'] .. '|' .. f['type'] .. '|' .. f['event'])
    end
    redis.call('XDEL', KEYS[1], ARGV[i])
    table.insert(out, ARGV[i])
  end
end
return out
"""


def parked_key(outbox_key: str) -> str:
    """The stream where events refused for good from ``outbox_key`` are kept."""
    return outbox_key + PARKED_SUFFIX


@dataclass(frozen=True, slots=True)
class ParkedEvent:
    """An event set aside: the broker's ``reason``, the event's size in ``size`` bytes."""

    event_id: str
    type: str
    reason: str
    target: str
    parked_at: str
    size: int
    stream_id: str = ""  # its entry in the parked stream; empty until it was written there


def parked(client: redis.Redis, outbox_key: str) -> list[ParkedEvent]:
    """The events parked from ``outbox_key``, oldest first."""
    entries = cast(list[tuple[bytes, dict[bytes, bytes]]], client.xrange(parked_key(outbox_key)))
    return [
        ParkedEvent(
            event_id=fields[b"id"].decode(),
            type=fields[b"type"].decode(),
            reason=fields.get(b"reason", b"").decode(),
            target=fields.get(b"target", b"").decode(),
            parked_at=fields.get(b"parked_at", b"").decode(),
            size=len(fields[b"event"]),
            stream_id=sid.decode(),
        )
        for sid, fields in entries
    ]


def take(
    client: redis.Redis, outbox_key: str, chosen: Sequence[ParkedEvent], *, replay: bool
) -> list[ParkedEvent]:
    """Put ``chosen`` back at the outbox's tail (``replay``) or drop them; those still parked."""
    if not chosen:
        return []
    done = cast(
        list[bytes],
        client.eval(
            _TAKE, 2, parked_key(outbox_key), outbox_key, int(replay),
            *(p.stream_id for p in chosen),
        ),
    )  # fmt: skip
    taken = {sid.decode() for sid in done}
    return [p for p in chosen if p.stream_id in taken]
