"""Shared fixtures: a real redis-server on a free port, never the one that may already run."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest
import redis
from hypothesis import settings

from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis

# `make test` gates every landing, so its property tests draw the same examples on every run;
# STORYWIRE_HYPOTHESIS=explore draws new ones each run (and is how the seeded cases were found).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("STORYWIRE_HYPOTHESIS", "repeatable"))


def pytest_configure(config: pytest.Config) -> None:
    """The story prior's cache file (``storywire.stories.tablecache``) goes to the checkout's
    .pytest_cache, never to the user's ~/.cache: set in the environment before any test runs,
    so the worker and CLI processes tests start read it too, and kept between runs, which then
    load the prior instead of building it (its key covers the code under test)."""
    cache = getattr(config, "cache", None)  # None under `-p no:cacheprovider`
    if cache is not None:
        where = str(cache.mkdir("storywire"))
    else:
        where = tempfile.mkdtemp(prefix="storywire-")
        config.add_cleanup(functools.partial(shutil.rmtree, where, ignore_errors=True))
    os.environ["STORYWIRE_CACHE_DIR"] = where


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis]:
    """A private real Redis for the whole test session."""
    with embedded_redis() as server:
        yield server


@pytest.fixture
def redis_client(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    """A client on a freshly flushed database of the session's private Redis."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    yield client
    client.close()
