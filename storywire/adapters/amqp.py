"""The AMQP sink: the outbox drained into a durable topic exchange on RabbitMQ.

Each event is published persistent, with routing key = event type and ``message_id`` = event
id, and waits for the broker's publisher confirm. Only confirmed events leave the outbox, and
their ids go to the same "already sent" index the stream sink uses, in one Lua step. So a
crash before the confirm leaves the event in the outbox (sent again later, under the same id),
and a crash after the confirm but before the removal also sends it again under the same id:
AMQP cannot offer more than that, and consumers drop repeats by ``message_id``. A Redis lease
lets one drainer at a time publish, so concurrent publish tasks do not double every event.
An event the broker refuses for good (a 406 on its publish: larger than the broker's max
message size) is parked (storywire.adapters.parked), not retried ahead of every later event.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from typing import Any, cast

import pika  # type: ignore[import-untyped]
import pika.exceptions  # type: ignore[import-untyped]
import redis
from pika.adapters.utils.connection_workflow import (  # type: ignore[import-untyped]
    AMQPConnectorException,
)

from storywire.adapters.parked import PARK, ParkedEvent, parked_key
from storywire.adapters.redis_metrics import COUNTERS_KEY
from storywire.adapters.streams import SENT_KEY, SENT_RETENTION_SECONDS, SinkUnavailableError

DEFAULT_EXCHANGE = "storywire.events"
CONTENT_TYPE = "application/cloudevents+json"
# AMQP 0-9-1 reply code: a redeclaration whose arguments differ from the existing entity's.
# Closing a channel on a publish, it refuses that message itself (RabbitMQ: larger than its
# max_message_size, a bad expiration or user id): sent again, it is refused again.
PRECONDITION_FAILED = 406

# Remove the confirmed events from the head of the outbox and remember their ids. The head only
# changes under the drain lease, but each item is compared anyway (a drainer whose lease ran out
# commits what it had confirmed): never drop an unsent event. Then renew the lease if it is still
# this drainer's, and say whether it was.
_COMMIT = """
local n = 0
for i = 5, #ARGV do
  if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[i] then break end
  redis.call('LPOP', KEYS[1])
  local id = string.sub(ARGV[i], 1, string.find(ARGV[i], '|', 1, true) - 1)
  redis.call('ZADD', KEYS[2], ARGV[1], id)
  n = n + 1
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local held = 0
if redis.call('GET', KEYS[3]) == ARGV[3] then
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
  held = 1
end
return {n, held}
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class _Discarded(pika.exceptions.AMQPConnectionError):  # type: ignore[misc]
    """Why pika's stream was cut: the sink dropped a connection that may owe a confirm."""


def connection_parameters(url: str, *, blocked_timeout: float) -> pika.URLParameters:
    """``url``'s parameters, with a limit on how long the broker may block a publish unless the
    URL sets one (``?blocked_connection_timeout=``).

    A broker under a memory or disk alarm blocks publishers without closing them: with no
    limit a publish would wait for ever, and publish workers run a thread pool, where Celery's
    time limits never fire. The drain then fails, keeps its events, and the task retries."""
    params = pika.URLParameters(url)
    if params.blocked_connection_timeout is None:
        params.blocked_connection_timeout = blocked_timeout
    return params


def split_item(item: bytes) -> tuple[str, str, bytes]:
    """An outbox item ``id|type|json`` as its three parts."""
    event_id, etype, body = item.split(b"|", 2)
    return event_id.decode(), etype.decode(), body


class AmqpSink:
    def __init__(
        self,
        client: redis.Redis,
        *,
        outbox_key: str,
        url: str,
        exchange: str = DEFAULT_EXCHANGE,
        sent_key: str = SENT_KEY,
        lease_seconds: float = 15.0,
        commit_every: int = 50,
    ) -> None:
        self._r = client
        self._outbox = outbox_key
        self._url = url
        self.exchange = exchange
        self._sent = sent_key
        self._lease_ms = int(lease_seconds * 1000)
        # Renewed well before it runs out: a third gone leaves two thirds for one slow publish.
        self._renew_every = lease_seconds / 3
        # A publish the broker blocks must give up while the lease, renewed before it began,
        # still runs: else a second drainer sends the same events beside it.
        self._blocked_timeout = lease_seconds / 3
        # As long as a publish may wait for its confirm: the connection's blocked timeout.
        self._confirm_timeout = self._blocked_timeout
        # Confirmed events leave the outbox in chunks: a crash re-sends at most one chunk.
        self._commit_every = commit_every
        self._lock_key = outbox_key + ":amqp-lease"
        self._commit = client.register_script(_COMMIT)
        self._release = client.register_script(_RELEASE)
        self._park = client.register_script(PARK)
        self._parked_key = parked_key(outbox_key)
        # Parked since the last take_parked(), for the publish task's log.
        self._parked: list[ParkedEvent] = []
        self._parked_lock = threading.Lock()
        self._channel: Any = None
        self._connection: Any = None
        # pika's blocking connection is not thread-safe; publish workers run a thread pool.
        self._mutex = threading.Lock()

    @property
    def target(self) -> str:
        return f"amqp exchange {self.exchange}"

    def _open(self) -> Any:
        if self._channel is not None and self._channel.is_open and self._alive():
            return self._channel
        self.close()
        try:
            params = connection_parameters(self._url, blocked_timeout=self._blocked_timeout)
            self._confirm_timeout = params.blocked_connection_timeout
            self._connection = pika.BlockingConnection(params)
            channel = self._connection.channel()
            channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
            channel.confirm_delivery()
        except pika.exceptions.ChannelClosedByBroker as exc:
            # The broker answered and refused: saying "unreachable" would send an operator
            # after the network while the cause is an exchange or a permission.
            self.close()
            raise SinkUnavailableError(self._refused(exc)) from exc
        except (pika.exceptions.AMQPError, AMQPConnectorException, OSError) as exc:
            # pika raises a handshake that timed out (a port that takes the connection and never
            # answers: a stopped, booting or swamped broker) as an AMQPConnectorException, and a
            # host name that does not resolve as the resolver's OSError: unreachable, too.
            raise SinkUnavailableError(f"AMQP broker unreachable: {exc!r}") from exc
        self._channel = channel
        return channel

    def _refused(self, exc: Any) -> str:
        if exc.reply_code == PRECONDITION_FAILED:
            # Typically a consumer declared it first with its client's defaults (pika's are
            # not durable): the events wait in the outbox until someone deletes it.
            return (
                f"AMQP exchange {self.exchange} exists with other properties than the sink's "
                "durable topic exchange (declared first by a consumer or an operator?): delete "
                "it, or declare it type topic, durable, not auto-delete, no arguments; broker: "
                f"{exc.reply_text}"
            )
        return f"AMQP broker refused exchange {self.exchange}: ({exc.reply_code}) {exc.reply_text}"

    def _alive(self) -> bool:
        """Whether the open connection still answers; reading pending frames tells."""
        # A blocking connection only heartbeats when called, so between drains the broker drops
        # one left idle past its heartbeat timeout, and pika learns of it on the next publish:
        # that drain would fail while the broker is up. Reading first finds the drop (and sends
        # a heartbeat on a live connection).
        try:
            self._connection.process_data_events(time_limit=0)
        except (pika.exceptions.AMQPError, OSError):
            return False
        return bool(self._channel.is_open)

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            # Closing a broken connection: nothing left to save.
            with contextlib.suppress(pika.exceptions.AMQPError):
                connection.close()

    def _discard(self) -> None:
        """Drop the connection at once: a broker late with a confirm may be as late to close."""
        connection, self._connection, self._channel = self._connection, None, None
        if connection is None or not connection.is_open:
            return
        # pika's close() waits for the broker's Close-Ok (forever, if the broker has stopped
        # reading, as under a memory alarm). What pika does itself on a lost stream does not
        # wait; pika offers no public way to it.
        connection._impl._terminate_stream(_Discarded("connection dropped mid-publish"))
        # Lets pika finish the abort (its socket closes); the dropped stream surfaces here.
        with contextlib.suppress(pika.exceptions.AMQPError, OSError):
            connection.process_data_events(time_limit=0)

    def drain(self, *, now: float, batch: int = 500) -> int:
        """Publish up to ``batch`` outbox events with confirms; returns how many left the outbox.

        Stops early, once what it confirmed is committed, if its lease went to another drainer.
        """
        # A drain of another thread of this worker will move these events. Waiting for it would
        # hold a second thread of the pool (which serves dispatch too) as long as the broker
        # stalls that drain, and past its lease that thread's drain would take the lapsed lease
        # only to wait with it.
        if not self._mutex.acquire(blocking=False):
            return 0
        try:
            token = uuid.uuid4().hex
            renew_at = time.monotonic() + self._renew_every
            if not self._r.set(self._lock_key, token, nx=True, px=self._lease_ms):
                return 0  # another drainer holds the lease and will move these events
            try:
                return self._drain_locked(now, batch, token, renew_at)
            finally:
                self._release(keys=[self._lock_key], args=[token])
        finally:
            self._mutex.release()

    def _drain_locked(self, now: float, batch: int, token: str, renew_at: float) -> int:
        items = cast(list[bytes], self._r.lrange(self._outbox, 0, batch - 1))
        if not items:
            return 0
        ids = [split_item(item)[0] for item in items]
        sent = self._r.zmscore(self._sent, ids)
        channel = self._open()
        confirmed: list[bytes] = []
        # The outbox can hold one decision twice (a redelivered process batch, an outlet's item
        # in two of its feeds): the index only knows what earlier drains committed, so a repeat
        # within this drain is skipped here, as the stream sink's ZADD NX skips it.
        published: set[str] = set()
        # Ids refused for good in this drain, with the broker's reason: a second copy of the
        # decision is parked beside the first (removed as sent, its id would make a replay
        # of the first look sent already).
        refused: dict[str, pika.exceptions.ChannelClosedByBroker] = {}
        moved = 0
        try:
            for item, event_id, already in zip(items, ids, sent, strict=True):
                # A slow broker can make a batch outlast the lease, and a second drainer would
                # then send the same events: each commit renews it, and one is due by time too.
                if len(confirmed) >= self._commit_every or time.monotonic() >= renew_at:
                    committed, held = self._commit_items(confirmed, now, token)
                    moved += committed
                    confirmed = []
                    if not held:
                        return moved  # another drainer has these events now
                    renew_at = time.monotonic() + self._renew_every
                if already is None and event_id not in published:
                    if event_id not in refused and (refusal := self._try(channel, item)):
                        refused[event_id] = refusal
                    if event_id in refused:
                        # Kept first, it was refused on every drain and every event behind it
                        # waited: set aside where an operator sees and replays it.
                        parked, held = self._set_aside(
                            item, refused[event_id], confirmed, now, token
                        )
                        moved += parked
                        confirmed = []
                        if not held:
                            return moved
                        renew_at = time.monotonic() + self._renew_every
                        channel = self._open()
                        continue
                    published.add(event_id)
                confirmed.append(item)
        except BaseException as exc:
            # Whatever stopped the drain (a broker error, or a soft time limit raised inside
            # pika while it waited for a confirm), the channel may still owe a confirm. pika
            # would hand that late answer to the next publish on it, so a message the broker
            # refused could count as confirmed: the connection is dropped, never reused, and the
            # interrupted event stays in the outbox for the next drain.
            self._discard()
            self._commit_items(confirmed, now, token)
            if isinstance(exc, pika.exceptions.NackError):
                # pika says "0 unroutable messages returned", which sends an operator after
                # bindings; the usual cause is a consumer's queue, and every consumer waits on it.
                raise SinkUnavailableError(
                    f"AMQP broker refused event {event_id} (nack): a queue bound to exchange "
                    f"{self.exchange} at its x-max-length with x-overflow reject-publish? It "
                    "stays first in the outbox until the broker takes it"
                ) from exc
            if isinstance(exc, pika.exceptions.AMQPError | OSError):
                raise SinkUnavailableError(f"AMQP publish failed: {exc!r}") from exc
            raise
        return moved + self._commit_items(confirmed, now, token)[0]

    def _publish(self, channel: Any, item: bytes) -> None:
        event_id, etype, body = split_item(item)
        properties = pika.BasicProperties(
            content_type=CONTENT_TYPE,
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=event_id,
            type=etype,
            # The wall clock, not ``now``: drain_all passes one ``now`` to every drain of a
            # backlog, which stamped a minute's publishing with its first second.
            timestamp=int(time.time()),
        )
        # A broker that stops answering (frozen, a link that drops packets) held this wait
        # until pika's heartbeat gave up, a minute or two: past the lease and the task's time
        # limit, which the thread pool does not enforce. pika's blocking channel takes no limit;
        # a timer on the connection's loop, which runs while it waits, cuts the stream as
        # pika's own blocked-connection timeout does, and the drain fails with its events kept.
        impl = self._connection._impl
        late = _Discarded(f"no publisher confirm within {self._confirm_timeout:g} s")
        timer = impl.ioloop.call_later(self._confirm_timeout, lambda: impl._terminate_stream(late))
        try:
            # With confirms on, this returns once the broker has taken responsibility (or raises).
            channel.basic_publish(self.exchange, etype, body, properties)
        finally:
            impl.ioloop.remove_timeout(timer)

    def _try(self, channel: Any, item: bytes) -> Any:
        """Publish ``item``; the broker's refusal of the message itself (None when it took it).
        Any other failure raises."""
        try:
            self._publish(channel, item)
        except pika.exceptions.ChannelClosedByBroker as exc:
            if exc.reply_code != PRECONDITION_FAILED:
                raise
            # The broker closed the channel, and with it any confirm it owed: the drain opens
            # a new one.
            return exc
        return None

    def _set_aside(
        self, item: bytes, refusal: Any, confirmed: list[bytes], now: float, token: str
    ) -> tuple[int, bool]:
        """Commit the ``confirmed`` events before ``item``, then move it from the outbox's head
        to the parked stream, counted: how many left the outbox (the item not among them when
        another drainer has it), whether the lease is still held."""
        committed, held = self._commit_items(confirmed, now, token)
        if not held:
            return committed, False
        event_id, etype, body = split_item(item)
        reason = f"({refusal.reply_code}) {refusal.reply_text}"
        label = "too_large" if "message size" in str(refusal.reply_text) else "refused"
        parked_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        head, size = f"{event_id}|{etype}|", len(item)  # what PARK knows the item by
        done, still = cast(
            list[int],
            self._park(
                keys=[self._outbox, self._parked_key, COUNTERS_KEY, self._lock_key],
                args=[head, reason, label, self.target, parked_at, token, self._lease_ms, size],
            ),
        )
        if done:
            with self._parked_lock:
                self._parked.append(
                    ParkedEvent(event_id, etype, reason, self.target, parked_at, len(body))
                )
        return committed + done, bool(still)

    def take_parked(self) -> list[ParkedEvent]:
        """The events this sink parked since the last call (for the publish task's log)."""
        with self._parked_lock:
            taken, self._parked = self._parked, []
        return taken

    def _commit_items(self, items: list[bytes], now: float, token: str) -> tuple[int, bool]:
        """Remove the confirmed ``items`` and renew the lease: how many left, whether it is held."""
        committed, held = cast(
            list[int],
            self._commit(
                keys=[self._outbox, self._sent, self._lock_key],
                args=[now, SENT_RETENTION_SECONDS, token, self._lease_ms, *items],
            ),
        )
        return committed, bool(held)

    def drain_all(self, *, now: float, batch: int = 500) -> int:
        total = 0
        while moved := self.drain(now=now, batch=batch):
            total += moved
        return total
