"""``storywire run | demo | worker | beat``: the service's own entry points."""

from __future__ import annotations

import argparse
import fcntl
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType

import redis
import structlog

from storywire.adapters.embedded_redis import EmbeddedRedis, embedded_redis
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.models import Source
from storywire.settings import METRICS_PORT, Settings, positive
from storywire.sources import SourceConfigError, load_sources
from storywire.urls import redacted_url
from workers.commands import checked_number, service_url
from workers.health import exporter, make_server, url_host
from workers.keeper import RedisKeeper
from workers.processes import ChildFailingError, beat_command, service_processes, worker_command

log = structlog.get_logger("storywire")


@contextmanager
def redis_url_for(settings: Settings, *, keep: bool = True) -> Iterator[str]:
    """The configured Redis, or an embedded real redis-server owned by this process: keeping
    its data in the data directory, or (``keep`` false) in a temporary one removed after."""
    with redis_for(settings, keep=keep) as (url, _):
        yield url


@contextmanager
def redis_for(
    settings: Settings, *, keep: bool = True
) -> Iterator[tuple[str, EmbeddedRedis | None]]:
    """``redis_url_for``'s URL, with the embedded server when it is one."""
    if settings.redis_url:
        yield settings.redis_url, None
        return
    directory = settings.data_dir / "redis" if keep else None
    with embedded_redis(directory=directory, persist=keep) as server:
        if server.orphans:
            log.warning(
                "redis.orphan_stopped",
                pids=list(server.orphans),
                storywire_pid=server.orphaned_by,
                directory=str(server.directory),
            )
        log.info("redis.embedded", url=server.url, directory=str(server.directory))
        yield server.url, server


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    sources_file = Path(args.sources or settings.sources_file)
    try:
        sources = load_sources(sources_file)
    except OSError as exc:  # a path that cannot be read: 1, as for every command
        sys.stderr.write(f"storywire run: cannot load sources: {exc}\n")
        return 1
    except SourceConfigError as exc:
        sys.stderr.write(f"storywire run: cannot load sources: {exc}\n")
        return 2
    with _only_run(settings.data_dir) as owner:
        if owner is not None:
            sys.stderr.write(
                f"storywire run: {settings.data_dir} is in use by another storywire run (pid "
                f"{owner})\n"
            )
            return 1
        return _run(settings, sources, sources_file)


@contextmanager
def _only_run(directory: Path) -> Iterator[int | None]:
    """Hold ``directory`` for this run; yields None, or the pid of the run that holds it. Two
    runs on one directory ran two beats writing one schedule file, whatever their Redis (an
    embedded one has a lock of its own, which only a second server meets)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "run.lock").open("a+") as lock:
        try:
            # Not inherited: the children are started with their descriptors closed, so the
            # lock goes with this process, even killed with SIGKILL.
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            held = lock.read().strip()
            yield int(held) if held.isdigit() else 0
            return
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        yield None


def _run(settings: Settings, sources: list[Source], sources_file: Path) -> int:
    # Before anything starts: a SIGTERM while the server starts or the sources load (an
    # orchestrator stopping a start) ended run by the default action, leaving the server it
    # had just started running; now the start completes and everything stops as usual.
    with _stop_on_signals() as stop, redis_for(settings) as (url, server):
        settings = replace(settings, redis_url=url)
        client = redis.Redis.from_url(url)
        RedisSourceStore(client).upsert(sources, now=time.time())
        client.close()
        log.info("run", sources=len(sources), redis=redacted_url(url), file=str(sources_file))
        keeper = RedisKeeper(url, sources, server=server)
        with (
            closing(keeper),
            _maybe_exporter(settings, url),
            service_processes(settings, settings.env()) as children,
        ):
            while not stop():
                try:
                    children.tend()
                except ChildFailingError:
                    return 1
                keeper.tend()
                time.sleep(0.5)
        log.info("run.stopped")
    return 0


@contextmanager
def _maybe_exporter(settings: Settings, url: str) -> Iterator[None]:
    if not settings.metrics_port:
        yield
        return
    with exporter(
        url,
        stream=settings.stream,
        host=settings.metrics_host,
        port=settings.metrics_port,
        broker_url=settings.broker_url,
    ) as port:
        if port:
            log.info("metrics", url=f"http://{url_host(settings.metrics_host)}:{port}/metrics")
        yield


def cmd_metrics(args: argparse.Namespace, settings: Settings) -> int:
    url = service_url(settings, "metrics")
    host = settings.metrics_host if args.host is None else args.host
    # STORYWIRE_METRICS_PORT=0 turns `run`'s exporter off; this command is the exporter.
    port = (settings.metrics_port or METRICS_PORT) if args.port is None else args.port
    try:
        server = make_server(
            url, stream=settings.stream, host=host, port=port, broker_url=settings.broker_url
        )
    except (OSError, OverflowError) as exc:  # taken, not ours to bind, or out of range
        sys.stderr.write(f"storywire metrics: cannot listen on {host}:{port}: {exc}\n")
        return 2
    log.info("metrics", url=f"http://{url_host(host)}:{server.server_address[1]}/metrics")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


@contextmanager
def _stop_on_signals() -> Iterator[Callable[[], bool]]:
    """Whether a stop was asked for, while the block runs; the handlers before it come back
    after it (a caller in the same process, a test runner's Ctrl-C, is left as it was)."""
    stopped = {"flag": False}

    def handler(signum: int, frame: FrameType | None) -> None:
        stopped["flag"] = True

    # SIGHUP too (a closed terminal or ssh session): its default, exiting at once, would leave
    # the redis-server, workers and beat running with no owner.
    signums = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    before = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield lambda: stopped["flag"]
    finally:
        for signum, previous in before.items():
            signal.signal(signum, previous)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    # Only the demo needs the feed server.
    from workers.demo import run_demo, unrecorded_sources  # noqa: PLC0415

    if args.redis_url:
        # Checked as STORYWIRE_REDIS_URL is (SettingsError, exit 2) before anything is read: a
        # bad URL is a usage error wherever the command runs.
        replace(settings, redis_url=args.redis_url)
    recorded = Path(args.recorded)
    try:
        missing = unrecorded_sources(recorded)
    except SourceConfigError as exc:
        sys.stderr.write(f"storywire demo: {exc}\n")
        return 2
    if missing:
        # Offline is the demo's promise: such a source would be polled on the internet.
        named = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if missing[5:] else "")
        sys.stderr.write(
            f"storywire demo: {recorded} has no recorded polls for {named}: expected "
            f"<path>/1.xml (or 1.json), 2.xml, ... under {recorded} for every source of "
            f"{recorded / 'sources.toml'}, each named by its path\n"
        )
        return 2
    settings = replace(settings, data_dir=settings.data_dir / "demo")
    if args.redis_url:
        return run_demo(settings, recorded, args.redis_url, sys.stdout, timeout=args.timeout)
    # The demo never writes into a configured production Redis: it owns a throwaway one.
    with embedded_redis() as server:
        return run_demo(settings, recorded, server.url, sys.stdout, timeout=args.timeout)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from tasks.options import QUEUES  # noqa: PLC0415 - Celery's import time: this command only

    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    if queues and set(queues) <= set(QUEUES):
        service_url(settings, "worker", find_running=False)
        os.execv(sys.executable, worker_command(queues, settings))  # noqa: S606 - our interpreter
    # A worker on a misspelt queue would wait forever: nothing is ever sent there.
    sys.stderr.write(f"storywire worker: --queues takes some of {', '.join(QUEUES)}\n")
    return 2


def cmd_beat(args: argparse.Namespace, settings: Settings) -> int:
    service_url(settings, "beat", find_running=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    os.execv(sys.executable, beat_command(settings))  # noqa: S606 - our interpreter


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="run the whole service: workers for every queue and a beat")
    run.add_argument("--sources", help="sources TOML (default: $STORYWIRE_SOURCES_FILE)")
    run.set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="run the service offline on recorded feeds, print stories")
    demo.add_argument(
        "--recorded",
        default="seeds/recorded",
        help="recorded feeds directory (default: seeds/recorded)",
    )
    demo.add_argument("--redis-url", help="use this Redis instead of a throwaway embedded one")
    demo.add_argument(
        "--timeout",
        type=checked_number(float, positive),
        default=180.0,
        help="seconds before giving up, exit 1 (default 180)",
    )
    demo.set_defaults(func=cmd_demo)
    worker = sub.add_parser("worker", help="run one Celery worker")
    worker.add_argument(
        "--queues",
        required=True,
        help="comma-separated, of dispatch, fetch, process, publish (each needs a worker)",
    )
    worker.set_defaults(func=cmd_worker)
    beat = sub.add_parser("beat", help="run the beat (exactly one per deployment)")
    beat.set_defaults(func=cmd_beat)
    metrics = sub.add_parser("metrics", help="serve /metrics, /healthz and /readyz")
    metrics.add_argument("--host", help="address to listen on (default $STORYWIRE_METRICS_HOST)")
    metrics.add_argument(
        "--port",
        type=int,
        help=f"port to listen on, 0: any free (default $STORYWIRE_METRICS_PORT, "
        f"{METRICS_PORT} when that is 0)",
    )
    metrics.set_defaults(func=cmd_metrics)
