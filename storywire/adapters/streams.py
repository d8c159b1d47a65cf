"""The default sink: the outbox drained into a Redis Stream, exactly once per event id.

Outbox, stream and the "already sent" index live in one Redis, so one Lua script moves each
event atomically: a crash at any point either left the event in the outbox or has sent it and
recorded its id; a retried drain skips ids already sent.
"""

from __future__ import annotations

from typing import cast

import redis

DEFAULT_STREAM = "storywire.events"
SENT_RETENTION_SECONDS = 7 * 24 * 3600

_DRAIN = """
local n = 0
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[3])
while n < limit do
  local item = redis.call('LINDEX', KEYS[1], 0)
  if not item then break end
  local bar1 = string.find(item, '|', 1, true)
  local bar2 = string.find(item, '|', bar1 + 1, true)
  local id = string.sub(item, 1, bar1 - 1)
  local etype = string.sub(item, bar1 + 1, bar2 - 1)
  if not redis.call('ZSCORE', KEYS[3], id) then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*',
               'id', id, 'type', etype, 'event', string.sub(item, bar2 + 1))
    redis.call('ZADD', KEYS[3], now, id)
  end
  redis.call('LPOP', KEYS[1])
  n = n + 1
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[4]))
return n
"""


class RedisStreamSink:
    def __init__(
        self,
        client: redis.Redis,
        *,
        outbox_key: str,
        stream: str = DEFAULT_STREAM,
        maxlen: int = 1_000_000,
        sent_key: str = "sw:sent",
    ) -> None:
        self._r = client
        self._outbox = outbox_key
        self.stream = stream
        self._maxlen = maxlen
        self._sent = sent_key
        self._drain = client.register_script(_DRAIN)

    def drain(self, *, now: float, batch: int = 500) -> int:
        """Move up to ``batch`` events from the outbox to the stream; returns how many left it."""
        moved = self._drain(
            keys=[self._outbox, self.stream, self._sent],
            args=[batch, self._maxlen, now, SENT_RETENTION_SECONDS],
        )
        return cast(int, moved)

    def drain_all(self, *, now: float, batch: int = 500) -> int:
        total = 0
        while moved := self.drain(now=now, batch=batch):
            total += moved
        return total
