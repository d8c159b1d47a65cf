"""The exporter: /metrics (Prometheus), /healthz (the process lives), /readyz (Redis answers)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis
import structlog

from storywire.adapters.redis_metrics import QUEUES, snapshot
from storywire.metrics import OutboxWatch, Sample, render
from storywire.settings import is_redis_url

log = structlog.get_logger("storywire")


def make_server(
    redis_url: str, *, stream: str, host: str, port: int, broker_url: str | None = None
) -> ThreadingHTTPServer:
    """``broker_url``: STORYWIRE_BROKER_URL, where the task queues are when it is set; an AMQP
    broker's queues are not Redis lists, so their depth is left out rather than reported 0."""
    timeouts = {"socket_timeout": 2.0, "socket_connect_timeout": 2.0}
    client = redis.Redis.from_url(redis_url, **timeouts)
    broker = None
    queues: tuple[str, ...] = QUEUES
    if is_redis_url(broker_url):
        broker = redis.Redis.from_url(broker_url, **timeouts)
    elif broker_url:
        queues = ()
    outbox = OutboxWatch()  # the publish lag, timed across scrapes

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._reply(*self._answer())

        def do_HEAD(self) -> None:
            # HTTP requires HEAD wherever GET is served (RFC 9110, 9.1): uptime checks and
            # load balancers probe with it, and got 501. Same status and headers, no body.
            self._reply(*self._answer(), body=False)

        def _answer(self) -> tuple[int, str, str]:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                try:
                    text = render(
                        snapshot(client, stream=stream, queues=queues, broker=broker, outbox=outbox)
                    )
                except redis.RedisError:
                    text = render([Sample("storywire_up", 0.0)])
                return 200, text, "text/plain; version=0.0.4"
            if path == "/healthz":
                return 200, "ok\n", "text/plain"
            if path == "/readyz":
                try:
                    ready = bool(client.ping())
                except redis.RedisError:
                    ready = False
                if ready:
                    return 200, "ready\n", "text/plain"
                return 503, "redis unreachable\n", "text/plain"
            return 404, "not found\n", "text/plain"

        def _reply(self, status: int, text: str, ctype: str, *, body: bool = True) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            return

    def close_clients() -> None:
        # The scrapes' Redis connections go with the server, not whenever they are collected
        # (a socket left open per exporter stopped).
        for opened in (client, broker):
            if opened is not None:
                opened.close()

    try:
        return _server_class(host, port, close_clients)((host, port), Handler)
    except OSError:  # no such address, or cannot bind: the clients go now
        close_clients()
        raise


def _server_class(host: str, port: int, on_close: Callable[[], None]) -> type[ThreadingHTTPServer]:
    # ThreadingHTTPServer is IPv4 only: "::" or "::1" (a dual-stack or IPv6 pod) failed with
    # "Address family for hostname not supported". The family is the address's own.
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)

    class Server(ThreadingHTTPServer):
        address_family = infos[0][0]

        def server_close(self) -> None:
            super().server_close()
            on_close()

    return Server


def url_host(host: str) -> str:
    """``host`` as a URL writes it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host


@contextmanager
def exporter(
    redis_url: str, *, stream: str, host: str, port: int, broker_url: str | None = None
) -> Iterator[int | None]:
    """Serve metrics in a thread for the block; yields the port, or None when it cannot bind."""
    try:
        server = make_server(redis_url, stream=stream, host=host, port=port, broker_url=broker_url)
    except OSError as exc:
        log.warning("metrics.unavailable", port=port, error=str(exc))
        yield None
        return
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
