"""The embedded Redis is a real server that goes away with its context."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def test_relative_directory_keeps_data_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative data directory (as `storywire run` uses) works and is not deleted after."""
    monkeypatch.chdir(tmp_path)
    with embedded_redis(directory=Path("var/redis"), persist=True) as server:
        client = redis.Redis.from_url(server.url)
        assert client.ping()
        client.close()
    assert (tmp_path / "var" / "redis" / "redis.log").exists()
