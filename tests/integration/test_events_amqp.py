"""The AMQP sink against the real RabbitMQ on 127.0.0.1:5672 (started here if it is down)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import orjson
import pika  # type: ignore[import-untyped]
import pika.exceptions  # type: ignore[import-untyped]
import pytest
import redis
from billiard.pool import SIG_SOFT_TIMEOUT, soft_timeout_sighandler
from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded

from storywire.adapters.amqp import AmqpSink, connection_parameters, split_item
from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.adapters.parked import parked, take
from storywire.adapters.redis_ledger import outbox_item
from storywire.adapters.streams import SENT_KEY, SinkUnavailableError
from storywire.events import CloudEvent
from storywire.settings import Settings
from tests.integration.conftest import AMQP_HOST as HOST
from tests.integration.conftest import AMQP_PORT as PORT
from tests.support.tcpproxy import TcpProxy, tcp_proxy
from workers.processes import worker_command

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _bind(amqp_url: str, exchange: str, pattern: str = "#") -> tuple[Any, str]:
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = conn.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, exchange, routing_key=pattern)
    return conn, queue


def _drain_queue(conn: Any, queue: str) -> list[tuple[Any, bytes]]:
    channel = conn.channel()
    out: list[tuple[Any, bytes]] = []
    while True:
        method, props, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            return out
        out.append((props, body))


def _fill(client: redis.Redis, n: int) -> list[str]:
    ids = []
    pipe = client.pipeline(transaction=False)
    for i in range(n):
        etype = "storywire.story.created.v1" if i % 2 else "storywire.article.ingested.v1"
        event = CloudEvent(
            id=f"ev_{uuid.uuid4().hex}", type=etype, subject=f"s{i}",
            time=datetime(2026, 11, 24, tzinfo=UTC), data={"i": i},
        )  # fmt: skip
        pipe.rpush("sw:outbox", outbox_item(event))
        ids.append(event.id)
    pipe.execute()
    return ids


def test_events_arrive_persistent_with_type_routing_and_id(
    redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """Routing key = event type, message_id = event id, persistent; confirmed ones leave."""
    conn, everything = _bind(amqp_url, exchange)
    conn2, stories = _bind(amqp_url, exchange, "storywire.story.*.v1")
    ids = _fill(redis_client, 6)
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange)
    assert sink.drain_all(now=time.time()) == 6
    got = _drain_queue(conn, everything)
    assert [p.message_id for p, _ in got] == ids
    assert all(p.delivery_mode == 2 for p, _ in got)
    assert all(orjson.loads(body)["id"] == p.message_id for p, body in got)
    assert [p.message_id for p, _ in _drain_queue(conn2, stories)] == ids[1::2]
    assert redis_client.llen("sw:outbox") == 0
    sink.close()
    conn.close()
    conn2.close()


def test_the_timestamp_is_when_each_message_went_out_not_when_its_drain_began(
    redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """``drain_all`` keeps the ``now`` it was called with through every drain of a backlog
    (6,000 events took 12 s here, all stamped with the first second): a message's timestamp
    is the wall clock when it is published, as docs/events.md says, whatever ``now`` was."""
    conn, queue = _bind(amqp_url, exchange)
    _fill(redis_client, 3)
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange)
    before = int(time.time())
    assert sink.drain_all(now=time.time() - 600) == 3  # a drain begun ten minutes ago
    after = int(time.time())
    stamps = [p.timestamp for p, _ in _drain_queue(conn, queue)]
    assert len(stamps) == 3
    assert all(before <= stamp <= after for stamp in stamps), (before, stamps, after)
    sink.close()
    conn.close()


def test_exchange_is_a_durable_topic(
    redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """Redeclaring the sink's exchange as non-durable is refused by the broker."""
    _fill(redis_client, 1)
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange)
    sink.drain(now=1.0)
    sink.close()
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    with pytest.raises(pika.exceptions.ChannelClosedByBroker, match="durable"):
        conn.channel().exchange_declare(exchange, exchange_type="topic", durable=False)
    conn.close()


@pytest.mark.parametrize(
    "declared",
    [{"durable": False}, {"exchange_type": "fanout", "durable": True}],
    ids=["pika-default-non-durable", "another-type"],
)
def test_an_exchange_a_consumer_declared_otherwise_is_named_as_the_cause(
    redis_client: redis.Redis, amqp_url: str, exchange: str, declared: dict[str, Any]
) -> None:
    """A consumer that declares the exchange first with pika's defaults (not durable) blocks
    the sink's durable topic declaration: the error says so, not "broker unreachable" (the
    broker answers), the events wait in the outbox, and once the exchange is deleted the next
    drain sends them."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    conn.channel().exchange_declare(exchange, **{"exchange_type": "topic", **declared})
    ids = _fill(redis_client, 2)
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange)
    with pytest.raises(SinkUnavailableError) as caught:
        sink.drain(now=1.0)
    message = str(caught.value)
    assert "unreachable" not in message
    assert f"exchange {exchange} exists with other properties" in message
    assert "durable topic" in message
    assert "inequivalent arg" in message  # the broker's own words, which name the argument
    assert redis_client.llen("sw:outbox") == 2
    conn.channel().exchange_delete(exchange)
    listener, queue = _bind(amqp_url, exchange)
    assert sink.drain_all(now=2.0) == 2
    assert [p.message_id for p, _ in _drain_queue(listener, queue)] == ids
    sink.close()
    listener.close()
    conn.close()


def test_an_exchange_the_broker_refuses_is_named_with_the_brokers_reason(
    redis_client: redis.Redis, amqp_url: str
) -> None:
    """Any other refusal (here 403: a reserved name, as a missing permission would be) is the
    broker's answer too, not an unreachable broker; nothing leaves the outbox."""
    _fill(redis_client, 1)
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=amqp_url, exchange="amq.storywire")
    with pytest.raises(SinkUnavailableError, match=r"refused exchange amq\.storywire: \(403\)"):
        sink.drain(now=1.0)
    assert redis_client.llen("sw:outbox") == 1
    sink.close()


def test_an_event_a_full_reject_publish_queue_refuses_is_named_and_kept(
    redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """A consumer's queue at its x-max-length with x-overflow reject-publish makes the broker
    nack: the event stays at the head of the outbox, and the error names it and the likely
    cause (pika's own words were "NackError: 0 unroutable messages returned by broker")."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = conn.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    full = channel.queue_declare(
        "", exclusive=True, arguments={"x-max-length": 1, "x-overflow": "reject-publish"}
    ).method.queue
    channel.queue_bind(full, exchange, routing_key="#")
    first, refused = _fill(redis_client, 2)
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange)
    with pytest.raises(SinkUnavailableError) as caught:
        sink.drain(now=1.0)
    assert f"refused event {refused}" in str(caught.value)
    assert "reject-publish" in str(caught.value)
    assert [split_item(item)[0] for item in redis_client.lrange("sw:outbox", 0, -1)] == [refused]
    assert first in _sent_ids(redis_client)
    sink.close()
    conn.close()


def test_lost_commit_resends_under_the_same_id_and_sent_ids_are_skipped(
    redis_client: redis.Redis, amqp_url: str, exchange: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Confirmed but not removed (a crash): sent again with the same message_id, never lost."""
    conn, queue = _bind(amqp_url, exchange)
    ids = _fill(redis_client, 4)
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange)

    def crash(items: list[bytes], now: float, token: str) -> tuple[int, bool]:
        raise SystemExit("killed between confirm and commit")

    with monkeypatch.context() as patch:
        patch.setattr(sink, "_commit_items", crash)
        with pytest.raises(SystemExit):
            sink.drain(now=1.0)
    assert redis_client.llen("sw:outbox") == 4
    redis_client.delete("sw:outbox:amqp-lease")  # the dead process's lease, as if it expired
    assert sink.drain_all(now=2.0) == 4
    sent = [p.message_id for p, _ in _drain_queue(conn, queue)]
    assert sent == ids + ids
    _fill(redis_client, 0)
    for event_id in ids[:2]:  # re-decided events whose ids were already sent: skipped
        redis_client.rpush("sw:outbox", f"{event_id}|storywire.story.created.v1|{{}}")
    assert sink.drain_all(now=3.0) == 2
    assert _drain_queue(conn, queue) == []
    sink.close()
    conn.close()


def test_a_decision_queued_twice_before_a_drain_is_published_once(
    redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """A redelivered decision in the outbox beside the first (one id twice): sent once, as the
    stream sink sends it, both copies leave the outbox; also when a commit falls between them."""
    conn, queue = _bind(amqp_url, exchange)
    ids = _fill(redis_client, 3)
    items = redis_client.lrange("sw:outbox", 0, -1)
    redis_client.rpush("sw:outbox", *items)
    sink = AmqpSink(
        redis_client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange, commit_every=2
    )
    assert sink.drain_all(now=1.0) == 6
    assert [p.message_id for p, _ in _drain_queue(conn, queue)] == ids
    assert redis_client.llen("sw:outbox") == 0
    sink.close()
    conn.close()


def test_a_connection_dropped_while_idle_is_reopened_not_failed(
    redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """The broker closes a connection idle past its heartbeat timeout (pika's blocking one
    only heartbeats when called): the next drain reconnects and publishes."""
    conn, queue = _bind(amqp_url, exchange)
    url = amqp_url + "?heartbeat=1"
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=url, exchange=exchange)
    ids = _fill(redis_client, 2)
    assert sink.drain_all(now=1.0) == 2
    time.sleep(4.0)  # no events for a while: the broker gives up on the silent connection
    ids += _fill(redis_client, 2)
    assert sink.drain_all(now=2.0) == 2
    assert [p.message_id for p, _ in _drain_queue(conn, queue)] == ids
    sink.close()
    conn.close()


@pytest.fixture
def proxy(amqp_url: str) -> Iterator[TcpProxy]:
    """A loopback proxy in front of the broker, to hold back or slow down what it answers."""
    with tcp_proxy((HOST, PORT)) as running:
        yield running


def _via(amqp_url: str, proxy: TcpProxy) -> str:
    return amqp_url.replace(f"{HOST}:{PORT}", f"{HOST}:{proxy.port}")


def _sent_ids(client: redis.Redis) -> set[str]:
    return {member.decode() for member in client.zrange(SENT_KEY, 0, -1)}


@contextmanager
def _soft_time_limit_once_sent(proxy: TcpProxy) -> Iterator[None]:
    """Raise SoftTimeLimitExceeded in the main thread as billiard does (SIGUSR1 to the pool
    child) once a whole message has gone through the proxy and pika waits for the broker's
    answer (a signal landing in a socket send instead is turned into a lost stream by pika)."""
    armed = threading.Event()
    armed.set()
    retries: list[threading.Timer] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        code = frame.f_code if frame else None
        if not armed.is_set():
            return
        if code and code.co_name == "poll" and code.co_filename.endswith("select_connection.py"):
            armed.clear()
            soft_timeout_sighandler(signum, frame)
        retries.append(threading.Timer(0.005, os.kill, (os.getpid(), signum)))  # not waiting yet
        retries[-1].start()

    def fire() -> None:
        proxy.wait_bodies(before)
        os.kill(os.getpid(), SIG_SOFT_TIMEOUT)

    before = proxy.bodies
    previous = signal.signal(SIG_SOFT_TIMEOUT, handler)
    firing = threading.Thread(target=fire, daemon=True)
    firing.start()
    try:
        yield
    finally:
        armed.clear()
        firing.join()
        for retry in retries:
            retry.join()
        signal.signal(SIG_SOFT_TIMEOUT, previous)


def test_a_confirm_that_comes_after_an_interrupted_publish_is_never_lent_to_the_next(
    redis_client: redis.Redis, amqp_url: str, exchange: str, proxy: TcpProxy
) -> None:
    """A soft time limit fires while pika waits for a publish's confirm; the confirm comes
    later. Taken by the next publish on that channel, each message would count as confirmed
    by its predecessor's answer, and one the broker refused would leave the outbox as sent.
    Here the only queue refuses a third message (reject-publish at 2): what it refuses stays."""
    sink = AmqpSink(
        redis_client, outbox_key="sw:outbox", url=_via(amqp_url, proxy), exchange=exchange,
        commit_every=1,
    )  # fmt: skip
    _fill(redis_client, 1)
    assert sink.drain(now=1.0) == 1  # connected; routed nowhere yet
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = conn.channel()
    queue = channel.queue_declare(
        "", exclusive=True, arguments={"x-max-length": 2, "x-overflow": "reject-publish"}
    ).method.queue
    channel.queue_bind(queue, exchange, routing_key="#")
    first, second, third = _fill(redis_client, 3)
    redis_client.ltrim("sw:outbox", 0, 0)  # only the first waits while the confirm is late
    proxy.hold()
    with _soft_time_limit_once_sent(proxy), pytest.raises(SoftTimeLimitExceeded):
        sink.drain(now=2.0)
    assert first not in _sent_ids(redis_client)  # interrupted: not marked sent, sent again
    assert redis_client.llen("sw:outbox") == 1
    proxy.wait_held()  # the broker's confirm of the first, unless the sink hung up
    proxy.release()  # and that late confirm reaches the sink's socket
    for event_id in (second, third):
        redis_client.rpush("sw:outbox", f"{event_id}|storywire.story.created.v1|{{}}")
    with pytest.raises(SinkUnavailableError, match=f"refused event {second} \\(nack\\)"):
        sink.drain(now=3.0)  # the first again (queue full now), then the second: refused
    queued = {p.message_id for p, _ in _drain_queue(conn, queue)}
    assert queued == {first}
    assert second not in _sent_ids(redis_client)
    assert [split_item(item)[0] for item in redis_client.lrange("sw:outbox", 0, -1)] == [
        second,
        third,
    ]
    sink.close()
    conn.close()


def test_a_confirm_that_never_comes_ends_the_publish_within_the_lease(
    redis_client: redis.Redis, amqp_url: str, exchange: str, proxy: TcpProxy
) -> None:
    """A broker that stops answering (frozen, or a link that drops packets) took a publish only
    once pika's heartbeat gave up (60 s by default, up to twice that), past the task's time
    limit and the lease, while the thread pool enforces no limit. The publish gives up within
    a third of the lease as a blocked one does; the event stays and goes out once it answers."""
    conn, queue = _bind(amqp_url, exchange)
    sink = AmqpSink(
        redis_client, outbox_key="sw:outbox", url=_via(amqp_url, proxy), exchange=exchange,
        lease_seconds=1.5,
    )  # fmt: skip
    first = _fill(redis_client, 1)
    assert sink.drain(now=1.0) == 1  # connected while the broker answers
    ids = _fill(redis_client, 2)
    proxy.hold()  # from now on nothing the broker sends reaches the sink
    failed: list[BaseException] = []

    def drain() -> None:
        try:
            sink.drain(now=2.0)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            failed.append(exc)

    draining = threading.Thread(target=drain)
    draining.start()
    draining.join(timeout=5.0)
    stuck = draining.is_alive()
    proxy.release()  # the broker answers again (and a publish still waiting gets its confirm)
    draining.join()
    assert not stuck, "the publish waited for a confirm past the lease"
    assert [type(exc) for exc in failed] == [SinkUnavailableError]
    assert "no publisher confirm" in str(failed[0])
    assert redis_client.llen("sw:outbox") == 2
    assert sink.drain_all(now=3.0) == 2
    got = [p.message_id for p, _ in _drain_queue(conn, queue)]
    assert set(got) == set(first + ids)
    assert len(got) <= 4  # the interrupted one may have reached the broker: at least once
    sink.close()
    conn.close()


def _slow_sink(client: redis.Redis, amqp_url: str, exchange: str, proxy: TcpProxy) -> AmqpSink:
    """A sink whose every confirm comes at least 50 ms late, connected before the delay starts
    (so its lease goes to publishing), with a lease of 1 s: 40 events outlast it."""
    sink = AmqpSink(
        client, outbox_key="sw:outbox", url=_via(amqp_url, proxy), exchange=exchange,
        lease_seconds=1.0, commit_every=50,
    )  # fmt: skip
    _fill(client, 1)
    assert sink.drain(now=1.0) == 1
    proxy.delay = 0.05
    return sink


def test_a_drain_longer_than_its_lease_renews_it(
    redis_client: redis.Redis, amqp_url: str, exchange: str, proxy: TcpProxy
) -> None:
    """A drain outlasting its lease keeps it: a second drainer, asking all along as the beat
    would, sends nothing meanwhile, so no event goes out twice."""
    slow = _slow_sink(redis_client, amqp_url, exchange, proxy)
    conn, queue = _bind(amqp_url, exchange)
    ids = _fill(redis_client, 40)
    other = AmqpSink(redis_client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange)
    draining = threading.Thread(target=slow.drain_all, kwargs={"now": 2.0})
    draining.start()
    deadline = time.monotonic() + 10
    while not redis_client.exists("sw:outbox:amqp-lease") and time.monotonic() < deadline:
        time.sleep(0.001)  # the slow one drains first
    meanwhile = 0
    while draining.is_alive():
        meanwhile += other.drain_all(now=3.0)
        time.sleep(0.05)
    draining.join()
    assert meanwhile == 0
    assert redis_client.llen("sw:outbox") == 0
    assert sorted(p.message_id for p, _ in _drain_queue(conn, queue)) == sorted(ids)
    slow.close()
    other.close()
    conn.close()


def test_a_drain_that_lost_its_lease_stops(
    redis_client: redis.Redis, amqp_url: str, exchange: str, proxy: TcpProxy
) -> None:
    """Once its lease has gone to another drainer, a drain publishes no further."""
    slow = _slow_sink(redis_client, amqp_url, exchange, proxy)
    conn, queue = _bind(amqp_url, exchange)
    ids = _fill(redis_client, 40)
    draining = threading.Thread(target=slow.drain_all, kwargs={"now": 2.0})
    draining.start()
    deadline = time.monotonic() + 10
    while redis_client.llen("sw:outbox") == 40 and time.monotonic() < deadline:
        time.sleep(0.005)  # until its first renewal commits what it has published
    redis_client.set("sw:outbox:amqp-lease", "another drainer")
    draining.join()
    published = [p.message_id for p, _ in _drain_queue(conn, queue)]
    assert 0 < len(published) < 40
    assert published == ids[: len(published)]
    assert redis_client.llen("sw:outbox") == 40 - len(published)
    slow.close()
    conn.close()


def test_unreachable_broker_keeps_the_outbox(redis_client: redis.Redis) -> None:
    """No broker: a transient error for the task to retry, every event still in the outbox."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    _fill(redis_client, 3)
    url = f"amqp://guest:guest@127.0.0.1:{closed_port}/%2F?connection_attempts=1"
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=url)
    with pytest.raises(SinkUnavailableError):
        sink.drain(now=1.0)
    assert redis_client.llen("sw:outbox") == 3
    assert not redis_client.exists("sw:outbox:amqp-lease")


@pytest.mark.parametrize("fault", ["silent-listener", "unresolvable-host"])
def test_a_broker_that_cannot_be_connected_to_is_a_sink_error(
    redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    """A broker whose port takes the connection but never answers (stopped with SIGSTOP, still
    booting, overloaded), or a host name that does not resolve: pika raises neither as an
    AMQPError, and the publish task failed with a traceback instead of retrying."""
    host = "127.0.0.1"
    if fault == "unresolvable-host":
        host = "rabbitmq.storywire.invalid"
        resolve = socket.getaddrinfo

        def no_name(*args: Any, **kwargs: Any) -> Any:
            if host in (*args[:1], kwargs.get("host")):  # answered here: no resolver is asked
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return resolve(*args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", no_name)
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]  # the kernel accepts; nobody ever speaks AMQP
        _fill(redis_client, 2)
        url = f"amqp://guest:guest@{host}:{port}/%2F?connection_attempts=1&stack_timeout=1"
        sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=url)
        with pytest.raises(SinkUnavailableError, match="unreachable"):
            sink.drain(now=1.0)
    assert redis_client.llen("sw:outbox") == 2
    assert not redis_client.exists("sw:outbox:amqp-lease")


def test_a_thread_never_waits_behind_a_drain_of_its_own_worker(redis_client: redis.Redis) -> None:
    """The publish worker's thread pool (which also serves dispatch) shares one sink. A drain
    stalled on the broker past its lease let the next publish task take the lapsed lease and
    then wait for the stalled drain: both threads held, dispatch starved. It returns at once."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        url = f"amqp://guest:guest@127.0.0.1:{port}/%2F?connection_attempts=1&stack_timeout=3"
        sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=url, lease_seconds=1.0)
        _fill(redis_client, 2)

        def stalled() -> None:
            with pytest.raises(SinkUnavailableError):
                sink.drain(now=1.0)

        first = threading.Thread(target=stalled)
        first.start()
        time.sleep(1.5)  # its lease has lapsed; it still waits for the broker's answer
        started = time.monotonic()
        assert sink.drain(now=2.0) == 0
        assert time.monotonic() - started < 0.5
        first.join()
    assert redis_client.llen("sw:outbox") == 2


def test_one_drainer_at_a_time(redis_client: redis.Redis, amqp_url: str, exchange: str) -> None:
    """While another drainer holds the lease, a drain sends nothing (so nothing twice)."""
    _fill(redis_client, 2)
    redis_client.set("sw:outbox:amqp-lease", "other", px=5000)
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange)
    assert sink.drain(now=1.0) == 0
    assert redis_client.llen("sw:outbox") == 2


@pytest.mark.timeout(90)
def test_killed_publish_worker_loses_nothing_and_keeps_ids(
    redis_server: Any, redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """SIGKILL a real publish worker mid-drain (AMQP sink); a new one delivers every event id."""
    conn, queue = _bind(amqp_url, exchange)
    ids = _fill(redis_client, 3000)
    settings = Settings(
        redis_url=redis_server.url, sink="amqp", amqp_url=amqp_url, amqp_exchange=exchange,
        amqp_lease_seconds=2.0, log_format="json", log_level="WARNING",
    )  # fmt: skip
    env = {**os.environ, **settings.env(), "PYTHONPATH": str(ROOT)}
    celery = Celery(broker=redis_server.url)
    first = subprocess.Popen(worker_command(["publish"], settings, name="first"), env=env)
    try:
        celery.send_task("storywire.publish", queue="publish")
        deadline = time.monotonic() + 30
        while redis_client.llen("sw:outbox") > 2900 and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(0.03)  # somewhere inside a commit chunk
        first.send_signal(signal.SIGKILL)
        first.wait()
        left = redis_client.llen("sw:outbox")
        assert 0 < left < 3000, "the worker was not killed mid-drain"
        time.sleep(2.0)  # the dead worker's drain lease lapses
        second = subprocess.Popen(worker_command(["publish"], settings, name="second"), env=env)
        try:
            # As the beat would: ask again while events wait (a drain finding the lease held
            # leaves them for the next run).
            while redis_client.llen("sw:outbox") and time.monotonic() < deadline + 30:
                celery.send_task("storywire.publish", queue="publish")
                time.sleep(1.0)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=15)
    finally:
        if first.poll() is None:
            first.kill()
        celery.close()
    got = _drain_queue(conn, queue)
    message_ids = [p.message_id for p, _ in got]
    assert set(message_ids) == set(ids)  # none lost
    assert all(orjson.loads(body)["id"] == p.message_id for p, body in got)  # one id each
    assert len(message_ids) - len(ids) <= 50  # at most the chunk in flight at the kill repeats
    conn.close()


def test_a_broker_alarm_cannot_hold_a_publish_past_the_drain_lease() -> None:
    """Publish workers run threads, where Celery's time limits never fire: pika's own limit on
    a blocked connection ends a publish the broker's alarm holds, and it ends within the lease
    renewed just before it, so no second drainer sends the same events meanwhile."""
    sink = AmqpSink(redis.Redis(), outbox_key="o", url="amqp://u:p@h:5672/%2F", lease_seconds=15.0)
    timeout = connection_parameters(sink._url, blocked_timeout=sink._blocked_timeout)
    assert timeout.blocked_connection_timeout is not None
    assert sink._renew_every + timeout.blocked_connection_timeout < 15.0
    chosen = connection_parameters(
        "amqp://u:p@h:5672/%2F?blocked_connection_timeout=2", blocked_timeout=5.0
    )
    assert chosen.blocked_connection_timeout == 2.0


def test_large_events_arrive_whole_across_frames(
    redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """A story with 1,000 outlets and an article with 100 KB of text are bodies many frames
    long (4 KB frames here): each arrives byte for byte."""
    conn, queue = _bind(amqp_url, exchange)
    outlets = [
        {"outlet": f"outlet{i}.example", "url": f"https://outlet{i}.example/news/{'x' * 80}"}
        for i in range(1000)
    ]
    events = [
        CloudEvent(id="ev_story", type="storywire.story.updated.v1", subject="s",
                   time=datetime(2026, 11, 24, tzinfo=UTC), data={"outlets": outlets}),
        CloudEvent(id="ev_article", type="storywire.article.ingested.v2", subject="a",
                   time=datetime(2026, 11, 24, tzinfo=UTC), data={"text": "é word " * 15000}),
    ]  # fmt: skip
    bodies = {event.id: split_item(outbox_item(event))[2] for event in events}
    redis_client.rpush("sw:outbox", *(outbox_item(event) for event in events))
    url = amqp_url + "?frame_max=4096"
    sink = AmqpSink(redis_client, outbox_key="sw:outbox", url=url, exchange=exchange)
    assert sink.drain_all(now=1.0) == 2
    got = {p.message_id: body for p, body in _drain_queue(conn, queue)}
    assert got == bodies
    assert all(len(body) > 100_000 for body in got.values())
    sink.close()
    conn.close()


# RabbitMQ's default max_message_size (the broker here keeps it): what the broker refuses.
BROKER_MAX_MESSAGE = 128 * 1024 * 1024


def test_an_event_larger_than_the_broker_takes_is_parked_and_the_rest_flow(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, amqp_url: str, exchange: str
) -> None:
    """An event over the broker's max_message_size is refused (406) on every try: it was kept
    first in the outbox and retried for ever, and no later event reached any consumer. It is
    now parked, with the broker's reason, and the rest go out."""
    conn, queue = _bind(amqp_url, exchange)
    (before,) = _fill(redis_client, 1)
    big = CloudEvent(
        id="ev_big", type="storywire.article.ingested.v2", subject="a",
        time=datetime(2026, 11, 24, tzinfo=UTC), data={"text": "x" * BROKER_MAX_MESSAGE},
    )  # fmt: skip
    size = len(split_item(outbox_item(big))[2])
    redis_client.rpush("sw:outbox", outbox_item(big))
    after = _fill(redis_client, 2)
    # Moving 128 MiB inside Redis takes seconds on a busy host: past the client's default
    # timeout, the drain would fail there (and its retry find the event parked).
    patient = redis.Redis.from_url(redis_server.url, socket_timeout=60)
    sink = AmqpSink(patient, outbox_key="sw:outbox", url=amqp_url, exchange=exchange)
    try:
        assert sink.drain_all(now=1.0) == 4
        assert [p.message_id for p, _ in _drain_queue(conn, queue)] == [before, *after]
    finally:
        sink.close()
        conn.close()
        patient.close()
    assert redis_client.llen("sw:outbox") == 0
    (kept,) = parked(redis_client, "sw:outbox")
    assert (kept.event_id, kept.type, kept.size) == ("ev_big", big.type, size)
    assert "PRECONDITION_FAILED - message size" in kept.reason
    assert redis_client.hget("sw:metrics", "parked:too_large") == b"1"


def test_a_parked_event_is_accounted_for_and_replayed(
    redis_client: redis.Redis, amqp_url: str, exchange: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any refusal of the message itself (406 on its publish; here an expiration the broker
    cannot read, cheaper to send than 128 MiB) parks it: each copy of a decision queued twice,
    never marked sent, counted, reported to the task; the events confirmed before it leave
    the outbox first, and once replayed it goes out like any other."""
    conn, queue = _bind(amqp_url, exchange)
    ids = _fill(redis_client, 4)
    refused = ids[1]
    redis_client.rpush("sw:outbox", redis_client.lindex("sw:outbox", 1))
    real = pika.BasicProperties

    def unreadable(**props: Any) -> Any:
        return real(**props, expiration="soon" if props["message_id"] == refused else None)

    monkeypatch.setattr(pika, "BasicProperties", unreadable)
    sink = AmqpSink(
        redis_client, outbox_key="sw:outbox", url=amqp_url, exchange=exchange, commit_every=2
    )
    assert sink.drain_all(now=1.0) == 5
    assert [p.message_id for p, _ in _drain_queue(conn, queue)] == [ids[0], *ids[2:]]
    assert redis_client.llen("sw:outbox") == 0
    assert refused not in _sent_ids(redis_client)
    kept = parked(redis_client, "sw:outbox")
    assert [p.event_id for p in kept] == [refused, refused]
    assert all("invalid expiration" in p.reason for p in kept)
    assert redis_client.hget("sw:metrics", "parked:refused") == b"2"
    assert [p.event_id for p in sink.take_parked()] == [refused, refused]
    assert sink.take_parked() == []

    monkeypatch.setattr(pika, "BasicProperties", real)  # the cause fixed
    assert take(redis_client, "sw:outbox", kept[:1], replay=True) == kept[:1]
    assert [p.stream_id for p in parked(redis_client, "sw:outbox")] == [kept[1].stream_id]
    assert sink.drain_all(now=2.0) == 1
    assert [p.message_id for p, _ in _drain_queue(conn, queue)] == [refused]
    assert take(redis_client, "sw:outbox", kept, replay=False) == kept[1:]
    assert parked(redis_client, "sw:outbox") == []
    sink.close()
    conn.close()
