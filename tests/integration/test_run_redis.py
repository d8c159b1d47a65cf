"""`storywire run` whose embedded redis-server is killed: started again on its port with its
data, and the service (workers, beat) goes on instead of waiting on it for ever."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from storywire.adapters.embedded_redis import redis_server_binary
from tests.support.processes import alive

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
    """The embedded server's URL, once the run is running: the server is up from its
    ``redis.embedded`` line, but a server killed before ``run`` (while the sources load, slow
    on a loaded host) ended the run with that Redis error, before it tends anything."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert run.poll() is None, log.read_text()
        events = _events(log)
        if any(event.get("event") == "run" for event in events):
            return next(str(e["url"]) for e in events if e.get("event") == "redis.embedded")
        time.sleep(0.1)
    raise AssertionError(f"no run line: {log.read_text()}")


def _server_pid(client: redis.Redis) -> int | None:
    try:
        return int(client.info("server")["process_id"])
    except redis.ConnectionError:
        return None


def _start_run(
    tmp_path: Path, log: Path, *, session: bool = False, **env: str
) -> subprocess.Popen[bytes]:
    """`storywire run` on an embedded Redis in ``tmp_path / "var"``, its output in ``log``;
    ``env``: more settings; ``session``: in a process group of its own, as a shell's job."""
    (tmp_path / "sources.toml").write_text(SOURCES)
    env = {**os.environ, "STORYWIRE_REDIS_URL": "", "STORYWIRE_DATA_DIR": str(tmp_path / "var"),
           "STORYWIRE_METRICS_PORT": "0", "STORYWIRE_LOG_FORMAT": "json",
           "STORYWIRE_PROCESS_CONCURRENCY": "1", "STORYWIRE_FETCH_CONCURRENCY": "1",
           "PYTHONPATH": str(ROOT), **env}  # fmt: skip
    script = "import sys; from workers.cli import main; sys.exit(main(sys.argv[1:]))"
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-c", script, "run", "--sources", str(tmp_path / "sources.toml")],
            env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink,
            start_new_session=session,
        )  # fmt: skip


@pytest.mark.timeout(90)
def test_a_killed_embedded_redis_comes_back_and_the_service_goes_on(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    run = _start_run(tmp_path, log)
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
    events = [e.get("event") for e in _events(log)]
    assert "redis.restarted" in events


@pytest.mark.timeout(120)
def test_a_redis_that_dies_at_every_start_ends_the_run_with_its_reason(tmp_path: Path) -> None:
    """A redis-server that cannot start again (here: a full disk) was either restarted every
    half second for ever or ended the run at the first try. Now the run retries with backoff,
    then stops its workers and exits 1 with one line naming the binary and the reason."""
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
    log = tmp_path / "run.log"
    run = _start_run(tmp_path, log, STORYWIRE_REDIS_SERVER=str(wrapper))
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
    log = tmp_path / "run.log"
    run = _start_run(tmp_path, log)
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


@pytest.mark.timeout(90)
def test_ctrl_c_stops_the_workers_before_the_redis_server(tmp_path: Path) -> None:
    """Ctrl-C in a terminal signals the whole foreground process group: the embedded
    redis-server got the SIGINT too and shut down while the workers were still finishing
    their tasks, which then met no Redis. It is `run`'s to stop, after its workers (SIGTERM),
    as for SIGTERM or SIGHUP."""
    log = tmp_path / "run.log"
    run = _start_run(tmp_path, log, session=True)
    try:
        _embedded_url(log, run)
        os.killpg(run.pid, signal.SIGINT)
        code = run.wait(timeout=40)
    finally:
        if run.poll() is None:
            run.kill()
    said = (tmp_path / "var" / "redis" / "redis.log").read_text()
    assert code == 0, log.read_text()[-3000:]
    assert "Received SIGINT" not in said
    assert "Received SIGTERM" in said


def _events(log: Path) -> list[dict[str, object]]:
    """Every JSON object in the run's log. Its processes share one file, and a line has been
    seen holding one object and the start of another's write (once, in CI): each object found
    counts, whatever shares its line."""
    found: list[dict[str, object]] = []
    decoder = json.JSONDecoder()
    for line in log.read_text().splitlines():
        at = line.find("{")
        while at != -1:
            try:
                value, end = decoder.raw_decode(line, at)
            except ValueError:
                at = line.find("{", at + 1)
                continue
            if isinstance(value, dict):
                found.append(value)
            at = line.find("{", end)
    return found


def _wait_until_serving(log: Path, run: subprocess.Popen[bytes]) -> None:
    """Until its three workers and its beat have started, within 60 s."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert run.poll() is None, log.read_text()[-3000:]
        said = [str(e.get("event")) for e in _events(log)]
        if sum(e.endswith(" ready.") for e in said) == 3 and "beat: Starting..." in said:
            return
        time.sleep(0.2)
    raise AssertionError(f"workers and beat not up within 60 s: {log.read_text()[-3000:]}")


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _descendants(pid: int) -> list[int]:
    return [d for child in _children(pid) for d in (child, *_descendants(child))]


def _kill_left(pids: list[int]) -> None:
    """Nothing left behind, even when a test fails."""
    for pid in pids:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.timeout(120)
def test_a_killed_run_takes_its_workers_and_beat_with_it(tmp_path: Path) -> None:
    """`storywire run` killed with SIGKILL (the OOM killer, `kill -9`, a container's hard stop)
    left its workers and beat running with no owner, polling feeds for ever. Each watches the
    run that started it and shuts down as on SIGTERM once it is gone."""
    log = tmp_path / "run.log"
    run = _start_run(tmp_path, log)
    children: list[int] = []
    try:
        client = redis.Redis.from_url(_embedded_url(log, run), socket_timeout=2)
        server = _server_pid(client)
        client.close()
        _wait_until_serving(log, run)
        children = _children(run.pid)
        assert len(children) == 5, children  # redis, fetch, process, publish+dispatch, beat
        # With the process worker's prefork pool: every process the run started, but Redis.
        workers = [pid for pid in _descendants(run.pid) if pid != server]
        children += workers
        run.kill()
        run.wait(timeout=10)
        deadline = time.monotonic() + 45
        while any(map(alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [pid for pid in workers if alive(pid)] == [], log.read_text()[-3000:]
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=10)
        _kill_left(children)
    said = [str(e.get("event")) for e in _events(log)]
    # Warm, as on SIGTERM: each said why, then Celery's own shutdown ran.
    assert said.count("supervisor.gone") == 4, log.read_text()[-3000:]
    assert log.read_text().count("worker: Warm shutdown") == 3


@pytest.mark.timeout(150)
def test_the_next_run_stops_the_redis_server_a_killed_run_left_and_keeps_its_data(
    tmp_path: Path,
) -> None:
    """The redis-server of a run killed with SIGKILL went on writing `var/redis`, and the
    directory's lock went with the run: the next run started a second server on the same
    append-only file. The orphan now holds the lock as long as it lives; the next run stops it
    (SIGTERM: it saves its data), says so in one line, and serves that data itself."""
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _start_run(tmp_path, first_log)
    second: subprocess.Popen[bytes] | None = None
    left: list[int] = []
    try:
        client = redis.Redis.from_url(_embedded_url(first_log, first), socket_timeout=2)
        orphan = _server_pid(client)
        assert orphan is not None
        left = [orphan, *_children(first.pid)]
        client.set("kept", "yes")
        client.close()
        first.kill()
        first.wait(timeout=10)
        assert alive(orphan)
        # The orphan still holds the directory.
        with (
            (tmp_path / "var" / "redis" / "storywire.lock").open("a+") as lock,
            pytest.raises(BlockingIOError),
        ):
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        second = _start_run(tmp_path, second_log)
        client = redis.Redis.from_url(_embedded_url(second_log, second), socket_timeout=2)
        left += [_server_pid(client) or 0]
        assert not alive(orphan), "the orphaned redis-server still runs"
        assert client.get("kept") == b"yes"
        client.close()
        stopped = [e for e in _events(second_log) if e.get("event") == "redis.orphan_stopped"]
        assert len(stopped) == 1, second_log.read_text()[-3000:]
        assert stopped[0]["pids"] == [orphan]
        assert stopped[0]["storywire_pid"] == first.pid
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=40) == 0, second_log.read_text()[-3000:]
    finally:
        for run in (first, second):
            if run is not None and run.poll() is None:
                left += _children(run.pid)
                run.kill()
                run.wait(timeout=10)
        _kill_left(left)


def _queues(pid: int) -> str:
    """The --queues a child of the run serves ("" for Redis and the beat)."""
    words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return words[words.index(b"--queues") + 1].decode() if b"--queues" in words else ""


@pytest.mark.timeout(120)
def test_a_worker_that_dies_is_started_again_and_the_run_goes_on(tmp_path: Path) -> None:
    """A worker killed under `storywire run` (the OOM killer picks the biggest process) stopped
    the whole service with exit 1: now it is started again, and the run goes on."""
    log = tmp_path / "run.log"
    run = _start_run(tmp_path, log)
    left: list[int] = []
    try:
        _embedded_url(log, run)
        _wait_until_serving(log, run)
        (fetch,) = [pid for pid in _children(run.pid) if _queues(pid) == "fetch"]
        os.kill(fetch, signal.SIGKILL)
        deadline = time.monotonic() + 60
        again: list[int] = []
        while not again and time.monotonic() < deadline:
            assert run.poll() is None, log.read_text()[-3000:]
            said = [str(e.get("event")) for e in _events(log)]
            if sum(e.endswith(" ready.") for e in said) == 4:  # the new fetch worker's too
                again = [p for p in _children(run.pid) if _queues(p) == "fetch" and p != fetch]
            time.sleep(0.2)
        assert again, log.read_text()[-3000:]
        left = _descendants(run.pid)
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 0
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=10)
        _kill_left(left)
    events = _events(log)
    exited = [e for e in events if e.get("event") == "run.child_exited"]
    assert [(e["child"], e["code"]) for e in exited] == [("worker fetch", -9)]
    restarted = [e for e in events if e.get("event") == "run.child_restarted"]
    assert [(e["child"], e["pid"]) for e in restarted] == [("worker fetch", again[0])]
