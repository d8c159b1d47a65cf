"""The default sink: the outbox drained into a Redis Stream, exactly once per event id.

Outbox, stream and the "already sent" index live in one Redis, so one Lua script moves each
event atomically: a crash at any point either left the event in the outbox or has sent it and
recorded its id; a retried drain skips ids already sent.

Stream entries have three fields: ``id`` (the event id), ``type`` (the event type, so consumers
filter without decoding) and ``event`` (the CloudEvent as JSON). Retention is either
``MAXLEN ~ n`` (about n newest entries) or ``MINID ~ <now - age>`` (entries younger than age).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

import redis

if TYPE_CHECKING:
    from storywire.adapters.parked import ParkedEvent
    from storywire.settings import Settings

DEFAULT_STREAM = "storywire.events"
SENT_KEY = "sw:sent"
SENT_RETENTION_SECONDS = 7 * 24 * 3600
RETENTIONS = ("maxlen", "minid")

_DRAIN = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local now = tonumber(ARGV[3])
for _, item in ipairs(items) do
  local bar1 = string.find(item, '|', 1, true)
  local bar2 = string.find(item, '|', bar1 + 1, true)
  local id = string.sub(item, 1, bar1 - 1)
  if redis.call('ZADD', KEYS[3], 'NX', now, id) == 1 then  -- 1: not sent before
    redis.call('XADD', KEYS[2], ARGV[2], '~', ARGV[5], '*',
               'id', id, 'type', string.sub(item, bar1 + 1, bar2 - 1),
               'event', string.sub(item, bar2 + 1))
  end
end
if #items > 0 then
  redis.call('LTRIM', KEYS[1], #items, -1)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[4]))
end
return #items
"""


class SinkUnavailableError(ConnectionError):
    """The sink's broker cannot be reached right now; the events wait in the outbox."""


class Sink(Protocol):
    """Moves events from the outbox to where consumers read them, once per event id."""

    @property
    def target(self) -> str:
        """Where events go (a stream name, an exchange URL), for logs."""
        ...

    def drain(self, *, now: float, batch: int = 500) -> int: ...

    def drain_all(self, *, now: float, batch: int = 500) -> int: ...

    def take_parked(self) -> list[ParkedEvent]:
        """Events the broker refused for good and the drains set aside since the last call."""
        ...


class RedisStreamSink:
    def __init__(
        self,
        client: redis.Redis,
        *,
        outbox_key: str,
        stream: str = DEFAULT_STREAM,
        maxlen: int = 1_000_000,
        retention: str = "maxlen",
        max_age_seconds: float = 7 * 24 * 3600,
        sent_key: str = SENT_KEY,
    ) -> None:
        if retention not in RETENTIONS:
            raise ValueError(f"stream retention must be one of {RETENTIONS}, not {retention!r}")
        self._r = client
        self._outbox = outbox_key
        self.stream = stream
        self._maxlen = maxlen
        self._retention = retention
        self._max_age = max_age_seconds
        self._sent = sent_key
        self._drain = client.register_script(_DRAIN)

    @property
    def target(self) -> str:
        return self.stream

    def _threshold(self, now: float) -> str:
        if self._retention == "maxlen":
            return str(self._maxlen)
        # Stream ids start with the millisecond they were added: trim what is older than max age.
        return f"{max(0, int((now - self._max_age) * 1000))}-0"

    def drain(self, *, now: float, batch: int = 500) -> int:
        """Move up to ``batch`` events from the outbox to the stream; returns how many left it."""
        moved = self._drain(
            keys=[self._outbox, self.stream, self._sent],
            args=[
                batch,
                self._retention.upper(),
                now,
                SENT_RETENTION_SECONDS,
                self._threshold(now),
            ],
        )
        return cast(int, moved)

    def drain_all(self, *, now: float, batch: int = 500) -> int:
        total = 0
        while moved := self.drain(now=now, batch=batch):
            total += moved
        return total

    def take_parked(self) -> list[ParkedEvent]:
        return []  # the stream takes any event the outbox holds


def build_sink(settings: Settings, client: redis.Redis, *, outbox_key: str) -> Sink:
    """The sink ``settings.sink`` names, draining ``outbox_key`` in ``client``."""
    if settings.sink == "redis":
        return RedisStreamSink(
            client,
            outbox_key=outbox_key,
            stream=settings.stream,
            maxlen=settings.stream_maxlen,
            retention=settings.stream_retention,
            max_age_seconds=settings.stream_max_age_hours * 3600,
        )
    if settings.sink == "amqp":
        from storywire.adapters.amqp import AmqpSink  # noqa: PLC0415 - pika only when chosen

        return AmqpSink(
            client,
            outbox_key=outbox_key,
            url=settings.amqp_url,
            exchange=settings.amqp_exchange,
            lease_seconds=settings.amqp_lease_seconds,
        )
    raise ValueError(f"STORYWIRE_SINK must be redis or amqp, not {settings.sink!r}")
