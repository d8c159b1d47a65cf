"""The composition root: settings read once, adapters built once per worker process.

Built lazily and keyed by pid, so a prefork child never reuses its parent's sockets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import cached_property

import redis

from storywire.adapters.http import FetchPolicy, HttpFetcher
from storywire.adapters.redis_client import connect
from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.adapters.streams import Sink, build_sink
from storywire.proxies import Proxies
from storywire.settings import Settings
from storywire.stories import Params, StoryEngine
from storywire.stories.redis_store import RedisStoryStore


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def redis(self) -> redis.Redis:
        if not self.settings.redis_url:
            raise RuntimeError("STORYWIRE_REDIS_URL is not set (use `storywire run` to embed one)")
        return connect(self.settings.redis_url, health_check_interval=30)

    @cached_property
    def sources(self) -> RedisSourceStore:
        return RedisSourceStore(self.redis)

    @cached_property
    def ledger(self) -> RedisLedger:
        return RedisLedger(
            self.redis,
            retention=self.settings.retention,
            article_versions=self.settings.article_versions,
        )

    @cached_property
    def sink(self) -> Sink:
        """The sink STORYWIRE_SINK names (Redis Stream by default, or the AMQP exchange)."""
        return build_sink(self.settings, self.redis, outbox_key=self.ledger.outbox_key)

    @cached_property
    def engine(self) -> StoryEngine:
        params = Params(
            window_hours=self.settings.story_window_hours,
            decay_hours=self.settings.story_decay_hours,
        )
        if not self.settings.story_hold_seconds:
            # STORYWIRE_STORY_HOLD_SECONDS=0 means never hold; the engine's switch for that is
            # defer_below=0. The time bound itself is not a Params field: the release task
            # passes it to release_held.
            params = replace(params, defer_below=0.0)
        return StoryEngine(RedisStoryStore.for_params(self.redis, params), params)

    @cached_property
    def fetcher(self) -> HttpFetcher:
        # HTTPS_PROXY/HTTP_PROXY/NO_PROXY as curl reads them; checked at the worker's start.
        return HttpFetcher(proxies=Proxies.from_env())

    @cached_property
    def fetch_policy(self) -> FetchPolicy:
        return FetchPolicy.from_settings(self.settings)


_runtime: tuple[int, Runtime] | None = None


def runtime() -> Runtime:
    global _runtime  # noqa: PLW0603 - one runtime per process is the point
    if _runtime is None or _runtime[0] != os.getpid():
        _runtime = (os.getpid(), Runtime(Settings.from_env()))
    return _runtime[1]
