"""One typed settings object, read from ``STORYWIRE_*`` environment variables at the edge."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import urlsplit

import redis

from storywire.events.models import ARTICLE_VERSIONS, DEFAULT_ARTICLE_VERSIONS
from storywire.urls import redacted_text

# The fetch task's hard time limit (tasks.options.FETCH), seconds. It lives here because the
# source lease is checked against it and the core does not import tasks.
FETCH_TIME_LIMIT = 120


class SettingsError(ValueError):
    """An environment variable holds a value of the wrong shape."""


METRICS_PORT = 9464  # the OpenTelemetry Prometheus exporter's default


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob operators turn; each field maps to ``STORYWIRE_<FIELD NAME UPPER>``."""

    redis_url: str | None = None  # None: `storywire run` starts an embedded redis-server
    broker_url: str | None = None  # None: the Redis above
    sources_file: Path = Path("seeds/sources.toml")
    data_dir: Path = Path("var")
    stream: str = "storywire.events"
    stream_maxlen: int = 1_000_000
    dispatch_interval: float = 30.0
    max_in_flight: int = 200
    lease_seconds: float = 300.0
    user_agent: str = "storywire/0.1 (+https://github.com/storywire/storywire)"
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    fetch_deadline: float = 45.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    story_window_hours: float = 72.0
    story_decay_hours: float = 96.0  # similarity to a story halves per this many hours apart
    # an article whose story is uncertain is held (no event yet) until more articles arrived or
    # this many seconds passed, then decided and announced; 0: never held (docs/stories.md)
    story_hold_seconds: float = 60.0
    # what is kept per article (a feed entry's dedup key, once the entry has left its feed; a
    # story record and article -> story mapping, after their last write) lasts this long; 0: forever
    retention_days: float = 30.0
    lead_chars: int = 300  # longest lead (whole first sentences) carried by article events
    log_format: str = "auto"  # auto | json | console
    log_level: str = "INFO"
    fetch_concurrency: int = 8
    process_concurrency: int = 2
    # a task message delivered more often than this (its runs kept killing their worker
    # process) is set aside as poisoned instead of run again (tasks/poison.py)
    task_max_deliveries: int = 5
    # Fetch stage (docs/fetching.md): disabling, validators, redirects, politeness.
    disable_after_hours: float = 72.0  # failing this long *and* ...
    disable_min_failures: int = 20  # ... this many polls in a row disables a source
    unconditional_every: int = 24  # every Nth poll goes without ETag/Last-Modified
    unconditional_after_hours: float = 24.0  # and at least this often
    redirect_confirmations: int = 3  # polls in a row a 301/308 must repeat before it is stored
    # polls in a row an entry's return to an earlier version must be seen before it is sent
    # on as updated (a stale replica alternating versions is not); 1: no damping (storywire.seen)
    revert_confirmations: int = 3
    domain_requests_per_minute: float = 30.0  # shared by all workers, per registrable domain
    domain_burst: int = 5
    metrics_host: str = "127.0.0.1"
    metrics_port: int = (
        METRICS_PORT  # /metrics, /healthz, /readyz served by `storywire run`; 0: none
    )
    # events: which sink publish drains the outbox into, and how the Redis stream is kept
    sink: str = "redis"  # redis | amqp
    stream_retention: str = "maxlen"  # maxlen (keep ~stream_maxlen entries) | minid (by age)
    stream_max_age_hours: float = 168.0  # with minid: entries older than this are trimmed
    dead_letter_stream: str = "storywire.events.dead"
    consumer_claim_idle_ms: int = 60_000  # a pending entry idle this long is reclaimed
    consumer_max_deliveries: int = 5  # delivered this often unacknowledged: dead-lettered
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    amqp_exchange: str = "storywire.events"
    amqp_lease_seconds: float = 15.0  # one drainer at a time; a dead one's lease lapses after this
    # which versions of article.ingested the process stage publishes, comma-separated; both
    # (each decision's in one write) while consumers move from v1 to v2 (docs/events.md)
    article_event_versions: str = ",".join(DEFAULT_ARTICLE_VERSIONS)

    def __post_init__(self) -> None:
        for name, check in _CHECKS.items():
            value = getattr(self, name)
            reason = check(value)
            if reason:
                # A Redis, broker or AMQP URL carries its password: never in the message (an
                # unencoded "/" or "#" in it would end the authority early for redacted_text).
                shown = redacted_text(without_password(value)) if isinstance(value, str) else value
                raise SettingsError(f"STORYWIRE_{name.upper()}={shown!r}: {reason}")
        if self.lease_seconds <= FETCH_TIME_LIMIT:
            # A fetch still running when its lease lapses finds its source due again: the next
            # dispatch polls it a second time, spending its domain's budget twice.
            raise SettingsError(
                f"STORYWIRE_LEASE_SECONDS={self.lease_seconds!r}: must be above the fetch "
                f"task's hard time limit ({FETCH_TIME_LIMIT} s), or a slow fetch is polled twice"
            )
        if self.retention_days < 0 or (0 < self.retention_days * 24 < 2 * self.story_window_hours):
            # A record that lapsed while its story still takes articles would be announced
            # again as a new story holding only the newest article.
            raise SettingsError(
                "STORYWIRE_RETENTION_DAYS must be 0 (forever) or at least twice "
                f"STORYWIRE_STORY_WINDOW_HOURS ({2 * self.story_window_hours / 24:g} days)"
            )

    @property
    def article_versions(self) -> tuple[str, ...]:
        """The article.ingested versions to publish, in the order set ("v1", "v2")."""
        return _versions(self.article_event_versions)

    @property
    def retention(self) -> float | None:
        """Seconds per-article records outlive their last use, or None: kept for good."""
        return self.retention_days * 86400.0 or None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = environ.get(f"STORYWIRE_{field.name.upper()}")
            if raw is None or raw == "":
                continue
            values[field.name] = _convert(field.name, str(field.type), raw)
        return cls(**values)

    @property
    def effective_broker_url(self) -> str:
        broker = self.broker_url or self.redis_url
        if broker is None:
            raise SettingsError(
                "no Redis configured: set STORYWIRE_REDIS_URL or use `storywire run`"
            )
        return broker

    def env(self) -> dict[str, str]:
        """These settings as environment variables, for the processes `storywire run` starts.
        An unset one is empty (which reads as unset), not left out: laid over the parent's
        environment, it would have let the variable the settings dropped through (the demo's
        workers took the configured STORYWIRE_BROKER_URL)."""
        out = {}
        for field in fields(self):
            value = getattr(self, field.name)
            out[f"STORYWIRE_{field.name.upper()}"] = "" if value is None else str(value)
        return out


def _convert(name: str, type_name: str, raw: str) -> Any:
    try:
        if "int" in type_name:
            value: Any = int(raw.replace("_", ""))
        elif "float" in type_name:
            value = float(raw)
        else:
            value = Path(raw) if "Path" in type_name else raw
    except ValueError as exc:
        raise SettingsError(f"STORYWIRE_{name.upper()}={raw!r}: expected {type_name}") from exc
    if isinstance(value, int) and abs(value) >= 2**63:
        # It passed every check and failed at Redis (a stream's MAXLEN) in every worker.
        raise SettingsError(f"STORYWIRE_{name.upper()}={raw!r}: out of range (64 bits)")
    return value


# Checked when the settings are built, so a bad value stops the command that read it with one
# line naming the variable: unchecked, a zero interval or budget spins, a negative lease expires
# at once, an unknown log level or a Redis URL without a scheme is a traceback in every worker.
def positive(value: float) -> str | None:
    return None if math.isfinite(value) and value > 0 else "must be a number above 0"


def not_negative(value: float) -> str | None:
    return None if math.isfinite(value) and value >= 0 else "must be a number, 0 or more"


def _one_of(*choices: str) -> Any:
    return lambda value: None if value in choices else f"must be one of {', '.join(choices)}"


def _url(*schemes: str) -> Any:
    def check(value: str | None) -> str | None:
        if value is None:
            return None
        scheme = value.split("://", 1)[0].lower()
        if scheme not in schemes or "://" not in value:
            return "must be a URL starting with " + " or ".join(f"{s}://" for s in schemes)
        # A password with a character a URL reserves, not percent-encoded, ends the authority
        # early: Python then quotes the password's start as a port, or the URL reads as another
        # host whose port is the password's start (amqp://user:1234#…@rabbit: host "user").
        unencoded = (
            "is not a URL (a port out of range, or one of # / ? [ ] in its user name or password "
            "or an @ after its host not percent-encoded: %23 %2F %3F %5B %5D %40)"
        )
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises on a port out of range or not a number
        except ValueError as exc:
            return unencoded if without_password(value) != value else f"is not a URL ({exc})"
        if "@" in value.split("://", 1)[1][len(parts.netloc) :]:
            return unencoded
        database = parts.path.strip("/")
        if scheme in ("redis", "rediss") and database and not database.isdigit():
            # redis-py reads any other path as database 0, so "/abc" wrote into someone else's.
            return "must name its database by number (redis://host:6379/0)"
        return None

    return check


def without_password(text: str) -> str:
    """``text`` with the password of a URL (``scheme://user:password@host…``) as ``***``: a
    refused setting is printed, and ends up in a worker's log."""
    scheme, sep, rest = text.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return text
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"


def _name(value: str) -> str | None:
    return None if value.strip() else "must not be blank"


def _header(value: str) -> str | None:
    # Sent as an HTTP header on every fetch: a control character (a CR from an env file
    # written on Windows) or a character beyond Latin-1 (an em dash) made http.client raise in
    # every poll, a traceback per fetch instead of one line at start.
    if value.isascii() and value.isprintable():
        return _name(value)
    return "must be printable ASCII (it is sent as the User-Agent header)"


# The names the workers' and beat's `--loglevel` takes too: NOTSET or WARN (which logging
# knows) passed here and stopped every child of `storywire run` with a usage error.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(value: str) -> str | None:
    if value.upper() in LOG_LEVELS:
        return None
    return "must be DEBUG, INFO, WARNING, ERROR or CRITICAL"


def _versions(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(","))


def _article_versions(value: str) -> str | None:
    versions = _versions(value)
    if set(versions) <= set(ARTICLE_VERSIONS) and len(set(versions)) == len(versions):
        return None
    return (
        "must be versions of article.ingested to publish, each once, of v1, v2 and v3 (e.g. v1,v2)"
    )


def _polls(value: int) -> str | None:
    return None if value >= 1 else "must be a count of polls, 1 or more (1: no damping)"


def _port(value: int) -> str | None:
    return None if 0 <= value <= 65535 else "must be a port, 0 to 65535 (0: none)"


_REDIS = ("redis", "rediss", "unix")


def is_redis_url(url: str | None) -> TypeGuard[str]:
    """Whether ``url`` names a Redis (a broker may be RabbitMQ's instead)."""
    return url is not None and url.split("://", 1)[0].lower() in _REDIS


def _redis_url(value: str | None) -> str | None:
    reason: str | None = _url(*_REDIS)(value)
    if reason or value is None:
        return reason
    # redis-py reads the query as connection options: a value of the wrong type was a
    # ValueError in every command, an option it does not know a TypeError at the first
    # command sent, an ssl_cert_reqs it does not know (Celery's CERT_REQUIRED) a RedisError.
    # Building a connection (never connected) meets them all, as every client would.
    try:
        redis.ConnectionPool.from_url(value).make_connection()
    except (ValueError, TypeError, redis.RedisError) as exc:
        return f"has a query option redis-py refuses ({exc})"
    return None


_CHECKS: dict[str, Any] = {
    "redis_url": _redis_url,
    # No sentinel://: kombu then needs a master_name transport option, which nothing sets, so
    # every worker stopped on a traceback.
    "broker_url": _url(*_REDIS, "amqp", "amqps", "pyamqp"),
    "amqp_url": _url("amqp", "amqps"),
    "stream": _name,
    "dead_letter_stream": _name,
    "amqp_exchange": _name,
    "user_agent": _header,
    "log_format": _one_of("auto", "json", "console"),
    "log_level": _log_level,
    "sink": _one_of("redis", "amqp"),
    "stream_retention": _one_of("maxlen", "minid"),
    "metrics_port": _port,
    "article_event_versions": _article_versions,
    "revert_confirmations": _polls,
    **dict.fromkeys(
        ("stream_maxlen", "dispatch_interval", "max_in_flight", "lease_seconds",
         "connect_timeout", "read_timeout", "fetch_deadline", "max_body_bytes",
         "story_window_hours", "fetch_concurrency", "process_concurrency",
         "disable_min_failures", "unconditional_every", "redirect_confirmations",
         "domain_requests_per_minute", "domain_burst", "stream_max_age_hours",
         "consumer_claim_idle_ms", "consumer_max_deliveries", "amqp_lease_seconds",
         "task_max_deliveries"),
        positive,
    ),
    **dict.fromkeys(
        ("max_redirects", "story_decay_hours", "lead_chars", "disable_after_hours",
         "unconditional_after_hours", "story_hold_seconds", "retention_days"),
        not_negative,
    ),
}  # fmt: skip
