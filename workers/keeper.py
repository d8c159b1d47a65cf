"""What `storywire run` does for its Redis while the service runs.

Its workers and beat reconnect by themselves, but nothing would bring back an embedded
redis-server that died (killed, out of memory): the service would wait on it for ever. And a
Redis back without its data holds no source: nothing would be polled again. The keeper starts
the server again on its port and directory, and loads the sources file again into a Redis
that has lost every source.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import redis
import structlog
from redis.backoff import NoBackoff
from redis.retry import Retry

from storywire.adapters.embedded_redis import EmbeddedRedis
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.models import Source

log = structlog.get_logger("storywire")


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

    def tend(self, now: float | None = None) -> None:
        """Called often from the run loop; raises EmbeddedRedisError if a restart fails."""
        now = time.monotonic() if now is None else now
        server = self._server
        if server is not None and server.process.poll() is not None:
            log.error("redis.exited", code=server.process.returncode, url=server.url)
            server.restart()
            log.warning("redis.restarted", url=server.url)
            self._next_check = 0.0
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

    def close(self) -> None:
        self._client.close()
