"""`storywire run` whose embedded redis-server is killed: started again on its port with its
data, and the service (workers, beat) goes on instead of waiting on it for ever."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
import redis

from storywire.adapters.embedded_redis import redis_server_binary

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


@pytest.mark.timeout(120)
def test_a_redis_that_dies_at_every_start_ends_the_run_with_its_reason(tmp_path: Path) -> None:
    """A redis-server that cannot start again (here: a full disk) was either restarted every
    half second for ever or ended the run at the first try. Now the run retries with backoff,
    then stops its workers and exits 1 with one line naming the binary and the reason."""
    (tmp_path / "sources.toml").write_text(SOURCES)
    real = shutil.which("redis-server") or redis_server_binary()
    starts = tmp_path / "starts"
    wrapper = tmp_path / "redis-server"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'echo start >> "{starts}"\n'
        f'if [ "$(wc -l < "{starts}")" -le 1 ]; then exec "{real}" "$@"; fi\n'
        'echo "# Fatal: No space left on device" >&2\n'
        "exit 1\n"
    )
    wrapper.chmod(0o755)
    env = {**os.environ, "STORYWIRE_REDIS_URL": "", "STORYWIRE_DATA_DIR": str(tmp_path / "var"),
           "STORYWIRE_METRICS_PORT": "0", "STORYWIRE_LOG_FORMAT": "json",
           "STORYWIRE_PROCESS_CONCURRENCY": "1", "STORYWIRE_FETCH_CONCURRENCY": "1",
           "STORYWIRE_REDIS_SERVER": str(wrapper), "PYTHONPATH": str(ROOT)}  # fmt: skip
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
        code = run.wait(timeout=90)
    finally:
        if run.poll() is None:
            run.kill()
        client.close()
    assert code == 1, log.read_text()[-3000:]
    assert len(starts.read_text().splitlines()) == 6  # the first, then 5 tries, not a loop
    last = log.read_text().splitlines()[-1]
    assert last.startswith(f"storywire run: redis-server {wrapper}: gave up after 5 failed"), last
    assert last.endswith("exited with 1 at once: # Fatal: No space left on device")


@pytest.mark.timeout(90)
def test_a_hangup_stops_the_run_and_everything_it_started(tmp_path: Path) -> None:
    """SIGHUP (the terminal or ssh session closed, `kill -HUP`) ended `storywire run` at once,
    leaving its redis-server, workers and beat running with no owner; the next run then put a
    second server on the same data directory. It stops cleanly, as on SIGTERM."""
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
    server = _server_pid(client)
    client.close()
    assert server is not None
    children = [
        int(p) for p in Path(f"/proc/{run.pid}/task/{run.pid}/children").read_text().split()
    ]
    try:
        run.send_signal(signal.SIGHUP)
        code = run.wait(timeout=40)
    finally:
        if run.poll() is None:
            run.kill()
    left = []
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)  # nothing left behind, even when the test fails
            left.append(pid)
        except ProcessLookupError:
            pass
    assert code == 0, log.read_text()[-3000:]
    assert server in children
    assert left == []
