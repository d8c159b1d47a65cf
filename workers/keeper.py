"""What `storywire run` does for its Redis while the service runs.

Its workers and beat reconnect by themselves, but nothing would bring back an embedded
redis-server that died (killed, out of memory): the service would wait on it for ever. And a
Redis back without its data holds no source: nothing would be polled again. The keeper starts
the server again on its port and directory, and loads the sources file again into a Redis
that has lost every source.

A server that dies at every start (a bad config, a full disk, its port taken) is not started
again in a loop that floods the log: after a failure the next start waits twice as long, and
after a few failures in a row the keeper gives up, so `storywire run` ends with the reason
instead of running workers on a Redis that will not come back.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Sequence

import redis
import structlog
from redis.backoff import NoBackoff
from redis.retry import Retry

from storywire.adapters.embedded_redis import EmbeddedRedis, EmbeddedRedisError
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.models import Source

log = structlog.get_logger("storywire")

# A start that fails, or a server that dies within STABLE_AFTER s of its start, is a failure;
# the next start waits RESTART_BACKOFF s, doubled after each failure; RESTART_LIMIT failures
# in a row end `storywire run` (docs/operations.md, "When the server dies"): 1 + 2 + 4 + 8 s
# of waiting at most.
RESTART_LIMIT = 5
RESTART_BACKOFF = 1.0
STABLE_AFTER = 60.0


class RedisKeeper:
    def __init__(
        self,
        url: str,
        sources: Sequence[Source],
        *,
        server: EmbeddedRedis | None = None,
        check_every: float = 5.0,
    ) -> None:
        # Short timeouts, no retries: `storywire run`'s loop must not hang on a dead Redis.
        self._client = redis.Redis.from_url(
            url, socket_timeout=2.0, socket_connect_timeout=2.0, retry=Retry(NoBackoff(), 0)
        )
        self._store = RedisSourceStore(self._client)
        self._sources = list(sources)
        self._server = server
        self._check_every = check_every
        self._next_check = 0.0
        self._unreachable = False
        self._failures = 0  # in a row: failed starts and early deaths
        self._failing_since = 0.0
        self._started_at: float | None = None  # by this keeper, on the `now` clock
        self._start_at: float | None = None  # the next start, while the server is down

    def tend(self, now: float | None = None) -> None:
        """Called often from the run loop; raises EmbeddedRedisError when it gives up."""
        now = time.monotonic() if now is None else now
        if self._server is not None:
            self._tend_server(self._server, now)
            if self._start_at is not None:  # down, and said so: no check can pass
                return
        if now < self._next_check or not self._sources:
            return
        self._next_check = now + self._check_every
        try:
            known = self._store.counts()["sources"]
            if not known:
                self._store.upsert(self._sources, now=time.time())
        except redis.RedisError as exc:
            if not self._unreachable:  # once per outage, not every check
                log.warning("run.redis_unreachable", error=str(exc))
            self._unreachable = True
            return
        if self._unreachable:
            log.info("run.redis_reachable")
        self._unreachable = False
        if not known:
            log.warning("run.sources_reloaded", sources=len(self._sources))

    def _tend_server(self, server: EmbeddedRedis, now: float) -> None:
        if server.process.poll() is not None and self._start_at is None:
            if self._started_at is not None and now - self._started_at < STABLE_AFTER:
                self._failure(now)
            else:  # up long enough: this death is news, not a pattern
                self._failures = 0
            reason = server.last_words()
            self._start_at = now + self._backoff(server, now, reason)
            code = server.process.returncode
            log.error(
                "redis.exited",
                code=code,
                # Killed, it wrote no reason: its last lines are from before.
                signal=signal.Signals(-code).name if code < 0 else None,
                url=server.url,
                reason=reason,
                restart_in=self._start_at - now,
            )
        if self._start_at is None or now < self._start_at:
            return
        try:
            server.restart()
        except EmbeddedRedisError as exc:
            self._failure(now)
            self._start_at = now + self._backoff(server, now, str(exc))
            log.error("redis.restart_failed", reason=str(exc), restart_in=self._start_at - now)
            return
        self._start_at = None
        self._started_at = now
        self._next_check = 0.0  # a server back without its data needs its sources at once
        log.warning("redis.restarted", url=server.url, failures=self._failures)

    def _failure(self, now: float) -> None:
        if not self._failures:
            self._failing_since = now
        self._failures += 1

    def _backoff(self, server: EmbeddedRedis, now: float, reason: str) -> float:
        """Seconds before the next start, or EmbeddedRedisError after too many failures."""
        if self._failures >= RESTART_LIMIT:
            seconds = round(now - self._failing_since)
            log.error("redis.gave_up", failures=self._failures, seconds=seconds, reason=reason)
            named = f"redis-server {server.binary}: "
            raise EmbeddedRedisError(
                f"{named}gave up after {self._failures} failed starts in a row ({seconds} s), "
                f"the last: {reason.removeprefix(named)}"
            )
        if not self._failures:
            return 0.0
        return RESTART_BACKOFF * 2.0 ** (self._failures - 1)

    def close(self) -> None:
        self._client.close()
