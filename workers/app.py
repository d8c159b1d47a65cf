"""The Celery app: JSON only, late acks, one queue per stage, the beat schedule, log context."""

from __future__ import annotations

import contextlib
import gc
import math
import sys
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import celery.apps.worker
import kombu.exceptions
import kombu.transport.redis
import kombu.transport.virtual
import redis
import structlog
from celery import Celery, signals
from kombu import Exchange, Queue

from storywire.adapters.redis_metrics import beat_sent
from storywire.adapters.redis_server import check_server
from storywire.proxies import Proxies
from storywire.settings import Settings, SettingsError, is_redis_url
from storywire.stories import background
from storywire.urls import redacted_url
from tasks import options
from workers.beat_clock import every
from workers.logging import configure_logging, renders_json, say_as_json
from workers.watch import watch_supervisor


def release_interval(settings: Settings) -> float:
    """Seconds between sweeps of held articles (tasks.release)."""
    hold = settings.story_hold_seconds
    return max(1.0, hold / 4) if hold else 60.0


def _closed_broker_fails_as_a_connection_error() -> None:
    """A worker holding tasks (every fetch worker holds polls sent ahead to their due time)
    whose Redis went away exited 1 with "Unrecoverable error: AttributeError('NoneType' object
    has no attribute 'hostname')" instead of reconnecting: Celery 5.7 closes the broken
    connection twice, and the second close has the Redis channel ask the connection the first
    one detached for its address, to put the held messages back. Failing there as the broker
    being away is what it is: Celery ignores the error and reconnects, and the held messages
    stay in the broker's unacknowledged set until the visibility timeout gives them back, as
    a killed worker's do."""
    channel: Any = kombu.transport.redis.Channel
    connparams = channel._connparams

    def _connparams(self: Any, asynchronous: bool = False) -> Any:
        if self.connection.client is None:
            raise redis.ConnectionError("the connection to the broker is closed")
        return connparams(self, asynchronous=asynchronous)

    channel._connparams = _connparams


_closed_broker_fails_as_a_connection_error()

# Waits between attempts to record a message taken from a full Redis: at most this long, and
# a warning at most this often.
FULL_BROKER_RETRY = 5.0
FULL_BROKER_WARN_EVERY = 60.0


def _message_kept_while_the_broker_is_full() -> None:
    """A worker took a message off its queue (BRPOP frees memory, so a Redis at its maxmemory
    under noeviction serves it) and then failed to record it among the unacknowledged, a write
    the full Redis refuses: it exited ("Unrecoverable error: server:OutOfMemoryError") with
    the message nowhere, and each restart lost one more. The message is only in this process
    now, and nothing can be written until Redis has room: the worker keeps it and tries again
    until the record is written, then runs it as any other."""
    qos: Any = kombu.transport.redis.QoS
    append = qos.append

    def _append(self: Any, message: Any, delivery_tag: str) -> None:
        wait, warned = 0.5, -math.inf
        while True:
            try:
                append(self, message, delivery_tag)
                return
            except redis.OutOfMemoryError as exc:
                if time.monotonic() - warned >= FULL_BROKER_WARN_EVERY:
                    warned = time.monotonic()
                    structlog.get_logger().warning(
                        "broker.out_of_memory",
                        error=str(exc),
                        queue=message.delivery_info.get("routing_key"),
                        task_id=message.headers.get("id"),
                        hint="free memory or raise maxmemory in the broker's Redis; the "
                        "message is kept in this worker until then",
                    )
                time.sleep(wait)
                wait = min(wait * 2, FULL_BROKER_RETRY)

    reject = qos.reject

    def _reject(self: Any, delivery_tag: str, requeue: bool = False) -> None:
        """A task rejected back to its queue (its retry could not be sent to the full Redis)
        is put back by a transaction the full Redis aborts whole, which ended the worker. The
        message is still among the unacknowledged, where the visibility timeout gives it back:
        the worker forgets it and goes on."""
        try:
            reject(self, delivery_tag, requeue=requeue)
        except redis.OutOfMemoryError as exc:
            structlog.get_logger().warning(
                "broker.out_of_memory",
                error=str(exc),
                delivery_tag=delivery_tag,
                hint="the task stays unacknowledged and comes back after the visibility timeout",
            )
            virtual_qos: Any = kombu.transport.virtual.QoS
            virtual_qos.ack(self, delivery_tag)

    qos.append = _append
    qos.reject = _reject


_message_kept_while_the_broker_is_full()


def broker_url(url: str) -> str:
    """A Redis URL as Celery's broker reads it. redis-py's ``unix:///path?db=N``, which
    STORYWIRE_REDIS_URL may be, is kombu's ``redis+socket:///path?virtual_host=N``: kombu has
    no ``unix`` transport (every worker stopped on a KeyError), and reads no ``db`` there.

    A ``rediss://`` URL that names no TLS option is checked as redis-py checks it: Celery
    takes the server unchecked then ("defaulting to insecure SSL behaviour"), every task
    message open to anyone in the middle, where the service's own connections refused it."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() == "rediss" and not any(
        key.startswith("ssl_") for key, _ in parse_qsl(urlsplit(url).query)
    ):
        return url + ("&" if "?" in url else "?") + "ssl_cert_reqs=required"
    if scheme.lower() != "unix":
        return url
    path, _, query = rest.partition("?")
    params = [("virtual_host" if k == "db" else k, v) for k, v in parse_qsl(query)]
    return f"redis+socket://{path}" + (f"?{urlencode(params)}" if params else "")


try:
    settings = Settings.from_env()
    # A proxy variable no fetch can use (socks5://, a typo) stops the worker here rather than
    # at every poll, or silently sending polls direct past the egress policy.
    proxies = Proxies.from_env()
except SettingsError as exc:
    # `celery -A workers.app` (compose, k8s, systemd) would print a traceback of its loader;
    # status 2, as every `storywire` command, where SystemExit with a message would give 1.
    sys.stderr.write(f"storywire: {exc}\n")
    raise SystemExit(2) from None
sweep_every = release_interval(settings)
# Now, not at Celery's setup_logging: a worker warns (SecurityWarning, run as root) before it.
configure_logging(settings.log_format, settings.log_level)

app = Celery(
    "storywire",
    include=["tasks.dispatch", "tasks.fetch", "tasks.process", "tasks.publish", "tasks.release"],
)
app.conf.update(
    broker_url=broker_url(settings.broker_url or settings.redis_url or "redis://127.0.0.1:6379/0"),
    broker_connection_retry_on_startup=True,
    # Reconnect for as long as it takes: after Celery's default of 100 attempts (about 46
    # minutes of outage, the waits growing to 30 s) a worker ends ("Unrecoverable error",
    # status 0), and `storywire run` with it. The broker coming back is the only way forward.
    broker_connection_max_retries=None,
    broker_transport_options={"visibility_timeout": options.VISIBILITY_TIMEOUT},
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
    worker_send_task_events=False,
    task_default_queue="process",
    task_default_exchange="storywire",
    task_queues=[Queue(q, Exchange("storywire"), routing_key=q) for q in options.QUEUES],
    task_routes={o.name: {"queue": o.queue, "routing_key": o.queue} for o in options.ALL},
    # Each on the beat's steady clock (workers.beat_clock): on the wall clock, a host clock
    # stepped back an hour sent none of them for an hour.
    beat_schedule={
        "dispatch-due-sources": {
            "task": options.DISPATCH.name,
            "schedule": every(settings.dispatch_interval),
        },
        # A safety net: events stay in the outbox if a publish task was lost; this sends them.
        "drain-outbox": {"task": options.PUBLISH.name, "schedule": every(10.0)},
        # Held articles are due after STORYWIRE_STORY_HOLD_SECONDS: a quarter of it keeps the
        # lateness within a quarter too. With holding off (0) it only sweeps up leftovers. A
        # sweep still queued when the next is sent is dropped: behind a backlog on the process
        # queue they would pile up, each doing what the next one does anyway.
        "release-held": {
            "task": options.RELEASE.name,
            "schedule": every(sweep_every),
            "options": {"expires": sweep_every},
        },
    },
    timezone="UTC",
)


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    configure_logging(settings.log_format, settings.log_level)


@signals.celeryd_init.connect
def _json_notices(**_: Any) -> None:
    """A worker's shutdown notices ("worker: Warm shutdown (MainProcess)") are printed on
    stdout as plain text, each between empty lines: in JSON they are JSON lines too."""
    if renders_json(settings.log_format):
        celery.apps.worker.safe_say = say_as_json  # type: ignore[attr-defined]  # not in stubs


# Set in the beat process only: workers send tasks too (nudges, deferred fetches), and a
# worker's send must not pass for the beat's.
_beat_redis: list[redis.Redis] = []


@signals.beat_init.connect
def _note_beat(**_: Any) -> None:
    if settings.redis_url:
        _beat_redis.append(
            redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        )


@signals.after_task_publish.connect
def _beat_heartbeat(**_: Any) -> None:
    """Each task the beat gets into the broker is its sign of life: a beat that stopped
    ticking (wedged, lost its broker, gone) was noticed by nothing, and no poll was sent."""
    # Redis away: the heartbeat goes stale, which is what the probe must see.
    for client in _beat_redis:
        with contextlib.suppress(redis.RedisError):
            beat_sent(client, time.time())


@signals.beat_init.connect
def _dispatch_at_start(**_: Any) -> None:
    """The beat's first dispatch would come a whole interval after it starts, leaving a fresh
    or restarted deployment idle that long: send one now."""
    try:
        app.send_task(options.DISPATCH.name)
    except kombu.exceptions.OperationalError as exc:
        # The broker is away: the schedule's own dispatch follows once it is back.
        structlog.get_logger().warning("beat.start_dispatch_failed", error=str(exc))


@signals.worker_init.connect
@signals.beat_init.connect
def _check_redis(**_: Any) -> None:
    """A Redis that evicts keys when full (allkeys-lru, volatile-lru…, the default of many
    managed services) drops seen entries, story records, leases, the outbox or queued tasks
    without an error: articles come again as new, events and polls are lost. Workers and the
    beat ran on one without a word; each now says so at start. One it cannot work on (a
    read-only replica, a Redis older than 6.2) stops it with one line."""
    urls = {settings.redis_url, settings.broker_url}
    for url in sorted(filter(is_redis_url, urls)):
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        with contextlib.closing(client):
            check = check_server(client)
        if check is None:
            continue
        if check.refusal:
            structlog.get_logger().error("redis.refused", redis=redacted_url(url),
                                         reason=check.refusal)  # fmt: skip
            raise SystemExit(1)
        if check.eviction_policy:
            structlog.get_logger().warning(
                "redis.eviction_policy",
                redis=redacted_url(url),
                policy=check.eviction_policy,
                maxmemory=check.maxmemory or None,
                hint="set maxmemory-policy to noeviction: at maxmemory this Redis drops "
                "storywire's keys without an error (docs/operations.md, Running on your own "
                "Redis)",
            )


@signals.worker_init.connect
def _say_proxies(sender: Any = None, **_: Any) -> None:
    """A fetch worker says which egress proxies its fetches go through (from HTTPS_PROXY,
    HTTP_PROXY, NO_PROXY), credentials hidden: a poll failing as proxy_407 or dns is then
    read against what the worker was given."""
    if proxies and options.FETCH.queue in sender.app.amqp.queues.consume_from:
        structlog.get_logger().info("fetch.proxies", **proxies.describe())


@signals.worker_init.connect
@signals.beat_init.connect
def _watch_supervisor(**_: Any) -> None:
    """Children of `storywire run` end with it, even when it is killed (workers.watch)."""
    watch_supervisor()


@signals.worker_init.connect
def _preload_story_prior(sender: Any = None, **_: Any) -> None:
    """A worker of the process queue builds the story engine's word-frequency prior before its
    pool forks, and freezes it out of the collector's reach, so the prefork children share
    its pages: 2 children took 38 MB each instead of 98 (PSS), and their first article no
    longer waits ~3 s for the table."""
    if options.PROCESS.queue in sender.app.amqp.queues.consume_from:
        background.preload()
        gc.freeze()


@signals.task_prerun.connect
def _bind_task(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task_id=task_id, task=getattr(task, "name", None))


@signals.task_postrun.connect
def _unbind_task(**_: Any) -> None:
    structlog.contextvars.clear_contextvars()
