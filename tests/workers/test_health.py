"""The exporter serves Prometheus text derived from Redis, and health endpoints."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
import redis

from storywire.adapters.embedded_redis import EmbeddedRedis, free_port
from storywire.adapters.redis_metrics import count
from storywire.metrics import Sample, render
from workers.health import exporter


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_metrics_reflect_counters_and_queues(
    redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    """Counters incremented by stages and queue depths appear with their labels."""
    count(redis_client, {"fetch:ok": 3, "fetch:timeout": 1, "articles:new": 7})
    redis_client.rpush("fetch", "t1", "t2")
    with exporter(redis_server.url, stream="storywire.events", host="127.0.0.1", port=0) as port:
        status, body = _get(f"http://127.0.0.1:{port}/metrics")
        ready, _ = _get(f"http://127.0.0.1:{port}/readyz")
        alive, _ = _get(f"http://127.0.0.1:{port}/healthz")
    assert (status, ready, alive) == (200, 200, 200)
    assert 'storywire_fetch_total{outcome="ok"} 3' in body
    assert 'storywire_fetch_total{outcome="timeout"} 1' in body
    assert 'storywire_articles_total{kind="new"} 7' in body
    assert 'storywire_queue_depth{queue="fetch"} 2' in body
    assert "# TYPE storywire_fetch_total counter" in body


def test_readiness_fails_without_redis() -> None:
    """With Redis unreachable the process is alive but not ready, and metrics say down."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with exporter(dead, stream="s", host="127.0.0.1", port=0) as port:
        assert _get(f"http://127.0.0.1:{port}/readyz")[0] == 503
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        assert "storywire_up 0" in _get(f"http://127.0.0.1:{port}/metrics")[1]


def test_render_escapes_and_refuses_undeclared() -> None:
    """Label values are escaped; an undeclared metric name is a programming error."""
    text = render([Sample("storywire_fetch_total", 1, {"outcome": 'a"b'})])
    assert 'outcome="a\\"b"' in text
    with pytest.raises(ValueError, match="undeclared"):
        render([Sample("nope", 1)])
