"""What `storywire run` prints in JSON: one JSON object a line on stdout and stderr, from every
process it starts (Celery's own output too), and never the password of the Redis it joins."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import orjson
import pytest

from storywire.adapters.embedded_redis import EmbeddedRedis

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SOURCES = """[[source]]
id = "paid"
outlet = "Paid"
domain = "paid.test"
url = "http://reader:s3cret-feed@127.0.0.1:9/feed.xml?token=s3cret-token"
allow_private = true
"""
READY = ("fetch@", "process@", "publish@")


def _lines(path: Path) -> list[str]:
    return path.read_text(errors="replace").splitlines()


@pytest.mark.timeout(120)
def test_every_line_of_a_json_run_is_a_json_object_without_secrets(
    tmp_path: Path, redis_server: EmbeddedRedis
) -> None:
    """A log shipper reading JSON choked on Celery's banners (stdout), its shutdown notices
    and Python warnings (plain text, several lines each); the run's first line named the
    Redis with its password."""
    (tmp_path / "sources.toml").write_text(SOURCES)
    # The default user takes any password when none is set: a URL with one works as it is.
    url = redis_server.url.replace("redis://", "redis://default:s3cret-redis@")
    env = {**os.environ, "STORYWIRE_REDIS_URL": url, "STORYWIRE_LOG_FORMAT": "json",
           "STORYWIRE_DATA_DIR": str(tmp_path / "var"), "STORYWIRE_METRICS_PORT": "0",
           "STORYWIRE_PROCESS_CONCURRENCY": "1", "STORYWIRE_FETCH_CONCURRENCY": "1",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    script = "import sys; from workers.cli import main; sys.exit(main(sys.argv[1:]))"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        run = subprocess.Popen(
            [sys.executable, "-c", script, "run", "--sources", str(tmp_path / "sources.toml")],
            env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not all(any(f"{name}" in line and "ready" in line for line in _lines(err))
                      for name in READY):  # fmt: skip
            assert run.poll() is None, err.read_text()[-3000:]
            assert time.monotonic() < deadline, err.read_text()[-3000:]
            time.sleep(0.2)
        time.sleep(1)  # the first dispatch and the paid source's failed poll
    finally:
        run.send_signal(signal.SIGTERM)
        code = run.wait(timeout=40)
    assert code == 0, err.read_text()[-3000:]
    lines = _lines(out) + _lines(err)
    assert _lines(out), "the workers' shutdown notices"
    for line in lines:
        row = orjson.loads(line)
        assert isinstance(row, dict), line
        stamp = datetime.fromisoformat(row["timestamp"])
        assert stamp.utcoffset() is not None, line
        assert not stamp.utcoffset(), line
        assert row["level"] in ("debug", "info", "warning", "error", "critical"), line
    assert "s3cret" not in "\n".join(lines)
    assert any(orjson.loads(line)["event"] == "run" for line in lines)
