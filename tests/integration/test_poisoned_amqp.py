"""``storywire poisoned requeue`` into an AMQP broker (STORYWIRE_BROKER_URL=amqp://...)."""

from __future__ import annotations

import pytest
import redis

from storywire.adapters.deliveries import poisoned, set_aside
from storywire.adapters.embedded_redis import EmbeddedRedis
from workers.app import app
from workers.cli import main

pytestmark = pytest.mark.integration

FETCH = {"id": "t-2", "task": "storywire.fetch", "args": ["wire"], "kwargs": {}, "retries": 1,
         "deliveries": 6, "at": "2026-11-25T12:01:00Z"}  # fmt: skip


@pytest.mark.timeout(30)
def test_requeue_to_a_broker_that_refuses_the_login_is_one_line_and_keeps_the_message(
    amqp_url: str,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A wrong AMQP password was a traceback ending in amqp's AccessRefused: only a broker
    that did not answer at all was one line."""
    redis_client.delete("sw:poisoned")
    set_aside(redis_client, FETCH)
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    monkeypatch.setenv("STORYWIRE_BROKER_URL", amqp_url.replace("guest:guest@", "guest:wrong@"))
    monkeypatch.setattr(app, "_pool", None)
    assert main(["poisoned", "requeue", "t-2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("storywire poisoned: broker: "), err
    assert "ACCESS_REFUSED" in err
    assert err.count("\n") == 1
    assert [r["id"] for r in poisoned(redis_client)] == ["t-2"]
