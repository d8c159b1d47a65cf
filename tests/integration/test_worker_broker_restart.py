"""A worker whose Redis restarts while it holds a task: it reconnects, as docs/operations.md
(Outages) says, instead of exiting."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery

from storywire.adapters.embedded_redis import embedded_redis
from tests.support.processes import reap

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _wait(check: object, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return True
        except redis.ConnectionError:
            pass
        time.sleep(0.1)
    return False


@pytest.mark.timeout(60)
@pytest.mark.parametrize("pool", ["threads", "prefork"])
def test_a_worker_holding_a_task_reconnects_when_its_redis_restarts(
    tmp_path: Path, pool: str
) -> None:
    """Seen in a soak run: the embedded redis-server killed and started again by `storywire
    run`, the fetch worker, which always holds polls sent ahead to their due time, logged
    "Unrecoverable error: AttributeError('NoneType' object has no attribute 'hostname')" with
    a traceback and exited 1. Celery closes the broken connection a second time, and the
    Redis channel then asks the closed connection for its address to put the held messages
    back."""
    log = tmp_path / "worker.log"
    with embedded_redis() as server:
        client = redis.Redis.from_url(server.url, socket_timeout=2)
        env = {**os.environ, "STORYWIRE_REDIS_URL": server.url, "STORYWIRE_LOG_FORMAT": "json",
               "PYTHONPATH": str(ROOT)}  # fmt: skip
        command = [sys.executable, "-m", "celery", "--quiet", "-A", "workers.app", "worker",
                   "--queues", "fetch", "--pool", pool, "--concurrency", "1",
                   "--without-gossip", "--without-mingle"]  # fmt: skip
        with log.open("wb") as sink:
            worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=sink, stderr=sink)
        sender = Celery(broker=server.url)
        try:
            # A poll sent ahead to its due time, as every dispatch sends them: the worker holds
            # it, unacknowledged, until then.
            sender.send_task("storywire.fetch", args=["gone"], queue="fetch", countdown=300)
            assert _wait(lambda: client.hlen("unacked") == 1, 30), log.read_text()
            server.process.kill()
            server.process.wait()
            server.restart()
            reconnected = lambda: log.read_text().count("Connected to") == 2  # noqa: E731
            _wait(lambda: reconnected() or worker.poll() is not None, 20)
            assert worker.poll() is None, log.read_text()[-3000:]
            assert reconnected(), log.read_text()
            # Connected again and consuming: a task sent now is taken from the queue.
            sender.send_task("storywire.fetch", args=["gone"], queue="fetch")
            assert _wait(lambda: client.llen("fetch") == 0, 10), log.read_text()
            assert worker.poll() is None, log.read_text()[-3000:]
        finally:
            sender.close()
            client.close()
            reap(worker)
    assert "Unrecoverable error" not in log.read_text()
