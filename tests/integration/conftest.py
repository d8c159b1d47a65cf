"""One demo run shared by the integration tests that read what it published, and the local
RabbitMQ for those that publish to it."""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pika  # type: ignore[import-untyped]
import pika.exceptions  # type: ignore[import-untyped]
import pytest
import redis

from storywire.adapters.embedded_redis import embedded_redis
from storywire.settings import Settings
from workers.demo import run_demo

RECORDED = Path(__file__).resolve().parents[2] / "seeds" / "recorded"
AMQP_HOST, AMQP_PORT = "127.0.0.1", 5672
AMQP_URL = f"amqp://guest:guest@{AMQP_HOST}:{AMQP_PORT}/%2F"


def _reachable() -> bool:
    try:
        with socket.create_connection((AMQP_HOST, AMQP_PORT), timeout=1.0):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def amqp_url() -> str:
    """The local RabbitMQ; started detached when nothing listens, skipped if none is installed."""
    if _reachable():
        return AMQP_URL
    binary = shutil.which("rabbitmq-server")
    if binary is None:
        pytest.skip(
            f"no RabbitMQ on {AMQP_HOST}:{AMQP_PORT} and no rabbitmq-server binary to start one"
        )
    subprocess.run([binary, "-detached"], check=False, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if _reachable():
            try:  # the port opens before the broker accepts logins: wait for a real connection
                pika.BlockingConnection(pika.URLParameters(AMQP_URL)).close()
                return AMQP_URL
            except pika.exceptions.AMQPError:
                pass
        time.sleep(1.0)
    pytest.fail(
        f"started rabbitmq-server but nothing answered on {AMQP_HOST}:{AMQP_PORT} within 90 s"
    )


@pytest.fixture
def exchange(amqp_url: str) -> Iterator[str]:
    """A fresh exchange name per test, deleted afterwards."""
    name = f"storywire.test.{uuid.uuid4().hex[:8]}"
    yield name
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    conn.channel().exchange_delete(name)
    conn.close()


@dataclass(frozen=True)
class DemoRun:
    code: int
    printed: str
    client: redis.Redis


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """The demo, run once on a Redis of its own (other tests flush theirs), real workers."""
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url)
        settings = Settings(data_dir=tmp_path_factory.mktemp("demo"), log_format="json")
        out = io.StringIO()
        code = run_demo(settings, RECORDED, server.url, out, timeout=150.0)
        yield DemoRun(code=code, printed=out.getvalue(), client=client)
        client.close()
