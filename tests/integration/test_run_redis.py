"""`storywire run` whose embedded redis-server is killed: started again on its port with its
data, and the service (workers, beat) goes on instead of waiting on it for ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
import redis

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SOURCES = """[[source]]
id = "local"
outlet = "Local"
domain = "local.test"
url = "http://127.0.0.1:9/feed.xml"
allow_private = true
"""


def _embedded_url(log: Path, run: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert run.poll() is None, log.read_text()
        for line in log.read_text().splitlines():
            if '"redis.embedded"' in line:
                return str(orjson.loads(line)["url"])
        time.sleep(0.1)
    raise AssertionError(f"no redis.embedded line: {log.read_text()}")


def _server_pid(client: redis.Redis) -> int | None:
    try:
        return int(client.info("server")["process_id"])
    except redis.ConnectionError:
        return None


@pytest.mark.timeout(90)
def test_a_killed_embedded_redis_comes_back_and_the_service_goes_on(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(SOURCES)
    env = {**os.environ, "STORYWIRE_REDIS_URL": "", "STORYWIRE_DATA_DIR": str(tmp_path / "var"),
           "STORYWIRE_METRICS_PORT": "0", "STORYWIRE_LOG_FORMAT": "json",
           "STORYWIRE_PROCESS_CONCURRENCY": "1", "STORYWIRE_FETCH_CONCURRENCY": "1",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    log = tmp_path / "run.log"
    script = "import sys; from workers.cli import main; sys.exit(main(sys.argv[1:]))"
    with log.open("wb") as sink:
        run = subprocess.Popen(
            [sys.executable, "-c", script, "run", "--sources", str(tmp_path / "sources.toml")],
            env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink,
        )  # fmt: skip
    client = redis.Redis.from_url(_embedded_url(log, run), socket_timeout=2)
    try:
        first = _server_pid(client)
        assert first is not None
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while _server_pid(client) in (None, first) and time.monotonic() < deadline:
            assert run.poll() is None, log.read_text()
            time.sleep(0.2)
        assert _server_pid(client) not in (None, first), "redis-server was not started again"
        assert client.hexists("sw:sources", "local")
        assert run.poll() is None  # its workers and beat reconnected: nothing exited
    finally:
        run.send_signal(signal.SIGTERM)
        code = run.wait(timeout=40)
        client.close()
    assert code == 0, log.read_text()[-3000:]
    events = [orjson.loads(line).get("event") for line in log.read_text().splitlines()
              if line.startswith("{")]  # fmt: skip
    assert "redis.restarted" in events
