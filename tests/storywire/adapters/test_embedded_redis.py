"""The embedded Redis is a real server that goes away with its context."""

from __future__ import annotations

import redis

from storywire.adapters.embedded_redis import embedded_redis


def test_embedded_redis_serves_and_stops() -> None:
    """A started server answers commands; after the block its process is gone."""
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url)
        client.set("k", "v")
        assert client.get("k") == b"v"
        assert client.info("server")["redis_version"]
        client.close()
    assert server.process.poll() is not None
