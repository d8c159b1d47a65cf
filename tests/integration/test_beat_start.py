"""`storywire beat` run by hand (compose, k8s, systemd) dispatches once when it starts, as the
README promises, not only a whole dispatch interval later; and its liveness check sees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
import redis

from storywire.adapters.embedded_redis import EmbeddedRedis
from workers.cli import main

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _queued_tasks(client: redis.Redis, queue: str) -> list[str]:
    # kombu's Redis transport keeps a queue as a list of JSON messages naming their task.
    return [orjson.loads(raw)["headers"]["task"] for raw in client.lrange(queue, 0, -1)]


@contextmanager
def _beat(url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`storywire beat` on ``url`` as a deployment runs it, stopped with SIGTERM after."""
    # An hour's interval: a dispatch seen within the test can only be the one sent at start.
    env = {**os.environ, "STORYWIRE_REDIS_URL": url,
           "STORYWIRE_DATA_DIR": str(tmp_path / "var"), "STORYWIRE_DISPATCH_INTERVAL": "3600",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    log = tmp_path / "beat.log"
    script = "import sys; from workers.cli import main; sys.exit(main(sys.argv[1:]))"
    (tmp_path / "var").mkdir()
    with log.open("wb") as sink:
        beat = subprocess.Popen(
            [sys.executable, "-c", script, "beat"],
            env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink,
        )  # fmt: skip
    try:
        yield beat, log
    finally:
        beat.send_signal(signal.SIGCONT)
        beat.send_signal(signal.SIGTERM)
        beat.wait(timeout=30)


@pytest.mark.timeout(90)
def test_a_beat_started_by_hand_dispatches_at_once(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, tmp_path: Path
) -> None:
    with _beat(redis_server.url, tmp_path) as (beat, log):
        # The beat itself is up within seconds; its first interval would be an hour away.
        deadline = time.monotonic() + 30
        while not _queued_tasks(redis_client, "dispatch") and time.monotonic() < deadline:
            assert beat.poll() is None, log.read_text()
            time.sleep(0.2)
        assert _queued_tasks(redis_client, "dispatch") == ["storywire.dispatch"], log.read_text()


@pytest.mark.timeout(90)
def test_the_beats_liveness_check_sees_it_send_and_sees_it_stop(
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`storywire health beat` (the k8s probe) passes while the beat sends its tasks and fails
    once it stops: a wedged beat sent no poll, and nothing noticed."""
    monkeypatch.setenv("STORYWIRE_REDIS_URL", redis_server.url)
    assert main(["health", "beat"]) == 1  # never sent anything
    with _beat(redis_server.url, tmp_path) as (beat, log):
        deadline = time.monotonic() + 30
        while not _queued_tasks(redis_client, "dispatch") and time.monotonic() < deadline:
            assert beat.poll() is None, log.read_text()
            time.sleep(0.2)
        assert main(["health", "beat"]) == 0, log.read_text()
        beat.send_signal(signal.SIGSTOP)  # wedged: alive, sending nothing
        time.sleep(2.5)
        assert main(["health", "beat", "--max-age", "2"]) == 1
