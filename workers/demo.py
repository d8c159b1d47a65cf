"""``storywire demo``: the real service, offline, on recorded feeds served from 127.0.0.1."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO

import redis

from storywire.adapters.redis_ledger import RedisLedger
from storywire.adapters.redis_sources import RedisSourceStore
from storywire.settings import Settings
from storywire.sources import load_sources
from storywire.stories_ledger import StoryRecord
from tasks import options
from workers.app import app, broker_url
from workers.processes import ChildFailingError, service_processes

CONTENT_TYPES = {".xml": "application/xml", ".json": "application/feed+json"}
# Why the demo's sources are disabled once every recorded poll went out (`sources show`).
DEMO_DONE = "demo: every recorded poll served"


class RecordedFeeds:
    """Serves ``<dir>/<source>/<k>.<ext>``: the k-th request of a feed gets poll k.

    Each poll carries a strong ETag, so once the last poll repeats the server answers 304,
    as a well-behaved origin would.
    """

    def __init__(self, directory: Path) -> None:
        self.polls = _recorded_polls(directory)
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def next_response(self, name: str, if_none_match: str | None) -> tuple[int, bytes, str, str]:
        with self._lock:
            self.requests[name] += 1
            count = self.requests[name]
        files = self.polls[name]
        path = files[min(count, len(files)) - 1]
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if if_none_match == etag:
            return 304, b"", etag, CONTENT_TYPES[path.suffix]
        return 200, body, etag, CONTENT_TYPES[path.suffix]

    def all_served(self) -> bool:
        """Every poll of every feed has gone out at least once."""
        return all(self.requests[name] >= len(files) for name, files in self.polls.items())


def _recorded_polls(directory: Path) -> dict[str, list[Path]]:
    """Each feed's polls in order: ``<directory>/<feed>/<k>.xml`` (or ``.json``), k from 1."""
    polls: dict[str, list[Path]] = {}
    for sub in sorted(p for p in directory.iterdir() if p.is_dir()):
        files = sorted(
            (f for f in sub.iterdir() if f.suffix in CONTENT_TYPES and f.stem.isdigit()),
            key=lambda f: int(f.stem),
        )
        if files:
            polls[sub.name] = files
    return polls


def _feed_name(path: str) -> str:
    """The feed a request path or a source's ``path`` names on the recorded-feed server."""
    return path.strip("/").split("?", 1)[0]


def unrecorded_sources(directory: Path) -> list[str]:
    """The sources of ``<directory>/sources.toml`` the directory holds no poll for: the demo
    would poll them on the internet (a ``url``) or be answered 404 (a ``path``)."""
    base = "http://recorded.invalid"  # no real source's URL can start with it
    polls = _recorded_polls(directory)
    sources = load_sources(directory / "sources.toml", base_url=base)
    return [
        s.id
        for s in sources
        if not s.url.startswith(base + "/") or _feed_name(s.url[len(base) :]) not in polls
    ]


@contextmanager
def serve_recorded(directory: Path) -> Iterator[tuple[str, RecordedFeeds]]:
    feeds = RecordedFeeds(directory)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = _feed_name(self.path)
            if name not in feeds.polls:
                self.send_error(404)
                return
            status, body, etag, ctype = feeds.next_response(name, self.headers.get("If-None-Match"))
            self.send_response(status)
            self.send_header("ETag", etag)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", feeds
    finally:
        server.shutdown()
        server.server_close()


def pipeline_idle(
    client: redis.Redis,
    queues: tuple[str, ...] = ("fetch", "process", "publish"),
    *,
    pending: bool = True,
) -> bool:
    """No task queued or unacknowledged, no poll in flight, no event waiting in the outbox,
    and (unless ``pending`` is false) no held article waiting for its story."""
    pipe = client.pipeline()
    for queue in queues:
        pipe.llen(queue)
    pipe.hlen("unacked")  # kombu's Redis transport: delivered, not yet acknowledged
    if any(pipe.execute()):
        return False
    ledger = RedisLedger(client)
    if pending and ledger.pending_count():
        return False
    in_flight = RedisSourceStore(client).counts()["in_flight"]
    return not in_flight and not ledger.outbox_length()


def release_when_stalled(client: redis.Redis, redis_url: str) -> bool:
    """Send one release of every held article when nothing but held articles is left.

    A recorded stream has an end, a live one does not: with no more arrivals the held articles
    would wait for the time bound, seconds to minutes of idling. Releasing them all is what the
    sweep would do once the bound passed, only now. True when the release was sent.
    """
    if not pipeline_idle(client, pending=False) or not RedisLedger(client).pending_count():
        return False
    with app.connection_for_write(broker_url(redis_url)) as conn:
        app.send_task(options.RELEASE.name, kwargs={"older_than": 0.0}, connection=conn)
    return True


def run_demo(
    settings: Settings, recorded: Path, redis_url: str, out: TextIO, *, timeout: float = 120.0
) -> int:
    """Run the pipeline until every recorded poll is processed; print the stories. Exit code."""
    # Its own Redis is its broker too: a configured STORYWIRE_BROKER_URL is production's.
    settings = replace(settings, redis_url=redis_url, broker_url=None, dispatch_interval=1.0)
    client = redis.Redis.from_url(redis_url)
    with serve_recorded(recorded) as (base_url, feeds):
        sources = [
            replace(s, min_interval=1.0, max_interval=3.0)
            for s in load_sources(recorded / "sources.toml", base_url=base_url)
        ]
        store = RedisSourceStore(client)
        store.upsert(sources, now=time.time())
        with service_processes(settings, settings.env(), quiet_stdout=True) as children:
            deadline = time.monotonic() + timeout
            quiet = 0
            stopped = False
            while time.monotonic() < deadline:
                time.sleep(0.5)
                try:
                    # As `storywire run` does: a worker that died is started again, one that
                    # keeps dying ends the demo with its reason, not a wait for the timeout.
                    children.tend()
                except ChildFailingError as exc:
                    sys.stderr.write(
                        f"storywire demo: {exc} soon after each start (its log is above)\n"
                    )
                    return 1
                served = feeds.all_served()
                if served and not stopped:
                    # Past their last recorded poll the sources are still polled every 1-3
                    # s (each a 304), and the pipeline was idle only when by chance no poll
                    # was in flight for two seconds: the demo mostly ran out of its time.
                    # A poll already sent finds its source disabled and polls nothing.
                    for source in sources:
                        store.disable(source.id, DEMO_DONE, now=time.time())
                    stopped = True
                if served:
                    release_when_stalled(client, redis_url)
                done = served and pipeline_idle(client)
                quiet = quiet + 1 if done else 0
                if quiet >= 4:
                    break
            else:
                sys.stderr.write(f"storywire demo: pipeline not idle after {timeout:g} s\n")
                return 1
    print_stories(RedisLedger(client).all(), out)
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def print_stories(records: list[StoryRecord], out: TextIO) -> None:
    records = sorted(records, key=lambda r: (-len(r.outlets), r.first_seen))
    out.write(f"{len(records)} stories\n\n")
    for record in records:
        outlets = record.outlets
        out.write(f"{record.headline}\n")
        counts = f"{_count(record.article_count, 'article')}, {_count(len(outlets), 'outlet')}"
        out.write(f"  story {record.id}: {counts}; ")
        out.write(f"credited to {record.credited.outlet}\n")
        for member in outlets:
            out.write(f"    {member.published:%Y-%m-%d %H:%M}Z  {member.outlet:<28} {member.url}\n")
        out.write("\n")
